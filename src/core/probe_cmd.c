// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard probe`: what bg_probe() found (src/core/probe.c), as JSON or
 * as a table.
 */
#include <stdio.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/log.h"
#include "core/probe.h"
#include "core/sys.h"
#include "events/json.h"

void bg_probe_json(const struct bg_caps *c, struct bg_json *j)
{
	int i;

	bg_json_obj(j);
	bg_json_kstr(j, "kernel", c->kernel);
	bg_json_kstr(j, "lockdown", c->lockdown);
	bg_json_kstr(j, "lsm_list", c->lsm_list);
	bg_json_kstr(j, "cgroup2_mount", c->cgroup2);
	bg_json_kstr(j, "bpffs_mount", c->bpffs);
	bg_json_ku64(j, "landlock_abi", c->landlock_abi);
	bg_json_kobj(j, "features");
	for (i = 0; i < BG_FEAT_MAX; i++) {
		bg_json_kobj(j, bg_feature_name(i));
		bg_json_kbool(j, "available", c->f[i].available);
		if (!c->f[i].available)
			bg_json_kstr(j, "error", bg_errno_name(c->f[i].err));
		bg_json_kstr(j, "detail", c->f[i].detail);
		bg_json_obj_end(j);
	}
	bg_json_obj_end(j);
	bg_json_obj_end(j);
}

void bg_probe_text(const struct bg_caps *c, struct bg_buf *out, bool color)
{
	int i;

	bg_buf_printf(out, "kernel %s, lockdown %s, LSMs %s\n", c->kernel, c->lockdown,
		      c->lsm_list[0] ? c->lsm_list : "(unknown)");
	for (i = 0; i < BG_FEAT_MAX; i++) {
		const char *mark = c->f[i].available ? "yes" : "no ";

		if (color)
			bg_buf_printf(out, "  %-22s %s%s\033[0m  %s\n", bg_feature_name(i),
				      c->f[i].available ? "\033[32m" : "\033[31m", mark,
				      c->f[i].detail);
		else
			bg_buf_printf(out, "  %-22s %s  %s\n", bg_feature_name(i), mark,
				      c->f[i].detail);
	}
}

struct probe_cmd {
	bool json;
};

static const struct bg_opt probe_opts[] = {
	BG_OPT_FLAG(struct probe_cmd, json, "json", 'j', "print JSON instead of a table"),
	{0},
};

const struct bg_cmd_help probe_help = {
	.usage = "bpfguard probe [--json]",
	.summary = "find what this kernel allows, by loading and attaching tiny programs",
	.opts = probe_opts,
};

int cmd_probe(int argc, char **argv)
{
	struct probe_cmd pc = {0};
	struct bg_caps caps;
	struct bg_buf out;
	char **operands;
	int rc, n;

	rc = bg_cli_parse(argc, argv, &probe_help, &pc, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	bg_probe(&caps);
	bg_buf_init(&out);
	if (pc.json) {
		struct bg_json j;

		bg_json_init(&j, &out);
		bg_probe_json(&caps, &j);
		bg_buf_putc(&out, '\n');
	} else {
		bg_probe_text(&caps, &out, isatty(STDOUT_FILENO));
	}
	fwrite(out.p, 1, out.len, stdout);
	rc = out.oom ? 1 : 0;
	bg_buf_free(&out);
	return rc;
}
