// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "exec.h"
#include "log.h"
#include "persist.h"
#include "probe.h"
#include "exec.skel.h"

int bg_exec_guard_start(struct bg_exec_guard *g, struct bg_events *ev, const struct bg_caps *caps)
{
	int err;

	g->skel = NULL;
	if (caps && !bg_has(caps, BG_FEAT_TP_BTF)) {
		pr_err("exec events need tp_btf programs, which this kernel refuses (%s)\n",
		       caps->f[BG_FEAT_TP_BTF].detail);
		return -EOPNOTSUPP;
	}
	g->skel = bg_exec_bpf__open();
	if (!g->skel) {
		err = -errno;
		pr_err("exec guard: open failed: %s\n", strerror(errno));
		return err;
	}
	err = bg_events_share(ev, g->skel->obj);
	if (err)
		goto cleanup;
	err = bg_exec_bpf__load(g->skel);
	if (err) {
		pr_err("exec guard: load failed: %s\n", strerror(-err));
		goto cleanup;
	}
	err = bg_exec_bpf__attach(g->skel);
	if (err) {
		pr_err("exec guard: attach failed: %s\n", strerror(-err));
		goto cleanup;
	}
	return 0;
cleanup:
	bg_exec_guard_stop(g);
	return err;
}

int bg_exec_guard_pin(struct bg_exec_guard *g, struct bg_persist *p)
{
	return bg_persist_links(p, g->skel->skeleton, "exec");
}

void bg_exec_guard_stop(struct bg_exec_guard *g)
{
	bg_exec_bpf__destroy(g->skel);
	g->skel = NULL;
}

/* exec: argv is printed inside "process" by format.c (ECS process.args). */
static void exec_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_exec_event *e = rec;
	size_t len = e->args_len < BG_ARGS_MAX ? e->args_len : BG_ARGS_MAX, i = 0;

	(void)f;
	while (i < len) {
		size_t l = bg_kstrlen(e->args + i, len - i);

		bg_buf_putc(out, ' ');
		bg_text_escape(out, e->args + i, l);
		i += l + 1;
	}
}

const struct bg_event_desc bg_exec_desc = {
	.name = "exec",
	.size = sizeof(struct bg_exec_event),
	.category = "process",
	.ecs_type = "start",
	.action = "exec",
	.has_proc = true,
	.text = exec_text,
	.color = "\033[32m",
};

/* exit_code is a wait(2) status: low 7 bits the signal, next 8 the code. */
static void exit_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_exit_event *e = rec;

	(void)f;
	if (e->exit_code & 0x7f)
		bg_json_ku64(j, "exit_signal", e->exit_code & 0x7f);
	else
		bg_json_ku64(j, "exit_code", (e->exit_code >> 8) & 0xff);
}

static void exit_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_exit_event *e = rec;

	(void)f;
	if (e->exit_code & 0x7f)
		bg_buf_printf(out, " signal=%u", e->exit_code & 0x7f);
	else
		bg_buf_printf(out, " code=%u", (e->exit_code >> 8) & 0xff);
}

const struct bg_event_desc bg_exit_desc = {
	.name = "exit",
	.size = sizeof(struct bg_exit_event),
	.category = "process",
	.ecs_type = "end",
	.action = "exit",
	.has_proc = true,
	.json_bg = exit_json_bg,
	.text = exit_text,
	.color = "\033[34m",
};
