// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard bpf: the inspector's commands, one table. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "core/commands.h"
#include "inspect/inspect.h"
#include "core/log.h"

static const struct bg_opt list_opts[] = {
	BG_OPT_FLAG(struct inspect_cmd, json, "json", 'j', "print JSON instead of text"),
	{0},
};

static const struct bg_cmd_help list_help = {
	.usage = "bpfguard bpf list [--json]",
	.summary = "list every loaded BPF program",
	.opts = list_opts,
	.more = "Each program: id, type, name, tag, load time, uid, maps, the processes holding\n"
		"it and the helpers its code calls.",
};

static const struct bg_opt dump_opts[] = {
	BG_OPT_FLAG(struct inspect_cmd, json, "json", 'j', "print JSON instead of text"),
	BG_OPT_STR(struct inspect_cmd, file, "file", 'f', "OBJ",
		   "disassemble a BPF object file instead of a loaded program"),
	BG_OPT_STR(struct inspect_cmd, section, "section", 's', "S", "with --file: only this section"),
	{0},
};

static const struct bg_cmd_help dump_help = {
	.usage = "bpfguard bpf dump ID [--json]\n"
		 "       bpfguard bpf dump --file OBJ.o [--section S] [--json]",
	.summary = "disassemble a loaded BPF program or an object file",
	.opts = dump_opts,
	.more = "A loaded program's xlated code, or the code sections of an object file, with\n"
		"jump labels, helper, kfunc and map names, and the strings the program carries.",
	.operands = BG_OPERANDS_ANY,
	.max_operands = 1,
};

static int json_error(struct inspect_cmd *c, int err, const char *what)
{
	struct bg_json j;

	if (!c->json)
		return err;
	c->out.len = 0;
	bg_json_init(&j, &c->out);
	bg_json_obj(&j);
	bg_json_kstr(&j, "error", what);
	bg_json_obj_end(&j);
	bg_buf_putc(&c->out, '\n');
	return err;
}

/* Print what the command wrote to its buffer, free it: the exit status. */
static int finish(struct inspect_cmd *c, int err)
{
	if (c->out.oom) {
		pr_err("out of memory\n");
		err = -ENOMEM;
	}
	fwrite(c->out.p ? c->out.p : "", 1, c->out.len, stdout);
	bg_buf_free(&c->out);
	insp_ksyms_free(&c->ks);
	free(c->holders);
	return err ? 1 : 0;
}

static int cmd_list(int argc, char **argv)
{
	struct inspect_cmd c = {0};
	char **operands;
	int rc, n;

	rc = bg_cli_parse(argc, argv, &list_help, &c, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	bg_buf_init(&c.out);
	rc = insp_list(&c);
	if (rc)
		json_error(&c, rc, strerror(-rc));
	return finish(&c, rc);
}

static int cmd_dump(int argc, char **argv)
{
	struct inspect_cmd c = {0};
	unsigned long id = 0;
	char **operands, *end;
	int rc, n;

	rc = bg_cli_parse(argc, argv, &dump_help, &c, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	if (c.section && !c.file)
		return bg_cli_usage_error(&dump_help, "--section needs --file");
	if (c.file && n)
		return bg_cli_usage_error(&dump_help, "dump --file takes no ID");
	if (!c.file) {
		if (n != 1)
			return bg_cli_usage_error(&dump_help, "dump needs one program ID");
		errno = 0;
		id = strtoul(operands[0], &end, 10);
		if (errno || *end || !*operands[0] || id > UINT32_MAX)
			return bg_cli_usage_error(&dump_help, "bad program ID '%s'", operands[0]);
	}
	bg_buf_init(&c.out);
	if (c.file)
		return finish(&c, insp_dump_file(&c));
	rc = insp_dump_live(&c, (__u32)id);
	if (rc)
		json_error(&c, rc, strerror(-rc));
	return finish(&c, rc);
}

/* dump --file reads a file: no privilege needed. */
static bool dump_file_only(int argc, char **argv)
{
	return bg_cli_has_arg(argc, argv, "-f", "--file");
}

#define CAPS_BPF ((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON))

const struct bg_cmd bpf_cmds[] = {
	{"list", cmd_list, &list_help, CAPS_BPF},
	{"dump", cmd_dump, &dump_help, CAPS_BPF, dump_file_only},
	{"watch", insp_cmd_watch, &bpf_watch_help, CAPS_BPF},
	{0},
};

const struct bg_cmd_help bpf_help = {
	.usage = "bpfguard bpf <list|dump|watch> [options]",
	.summary = "inspect and disassemble BPF programs, watch BPF loads",
};
