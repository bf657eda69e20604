// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "guards/exec.h"
#include "core/guard.h"
#include "core/log.h"
#include "core/persist.h"
#include "policy/yaml.h"
#include "core/probe.h"
#include "exec.skel.h"

static void exec_stop(void *guard)
{
	struct bg_exec_guard *g = guard;

	bg_exec_bpf__destroy(g->skel);
	g->skel = NULL;
}

static int exec_start(void *guard, const void *cfg, const struct bg_guard_env *env)
{
	struct bg_bpf_steps steps = {.who = "exec guard", .ev = env->ev};
	const struct bg_caps *caps = env->caps;
	struct bg_exec_guard *g = guard;
	int err;

	(void)cfg;
	g->skel = NULL;
	if (caps && !bg_has(caps, BG_FEAT_TP_BTF)) {
		pr_err("exec events need tp_btf programs, which this kernel refuses (%s)\n",
		       caps->f[BG_FEAT_TP_BTF].detail);
		return -EOPNOTSUPP;
	}
	g->skel = bg_exec_bpf__open();
	err = bg_bpf_lifecycle(BG_SKEL(g->skel), &steps);
	if (err)
		exec_stop(g);
	return err;
}

static int exec_pin(void *guard, struct bg_persist *p)
{
	struct bg_exec_guard *g = guard;

	return bg_persist_links(p, g->skel->skeleton, "exec");
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
	.type = BG_EV_EXEC,
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
	.type = BG_EV_EXIT,
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

/* ---- the guard: guards.exec ---- */

static const char *const exec_keys[] = {"enabled", NULL};

static void exec_defaults(void *cfg)
{
	((struct bg_exec_config *)cfg)->enabled = true;
}

static int exec_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	struct bg_exec_config *c = cfg;
	yaml_node_t *v;
	int err;

	err = bg_yaml_check_map(y, n, "guards.exec", exec_keys);
	if (err)
		return err;
	v = bg_yaml_get(y, n, "enabled");
	return v ? bg_yaml_bool(y, v, "guards.exec.enabled", &c->enabled) : 0;
}

static bool exec_enabled(const void *cfg)
{
	return ((const struct bg_exec_config *)cfg)->enabled;
}

static const struct bg_event_desc *const exec_events[] = {&bg_exec_desc, &bg_exit_desc, NULL};

const struct bg_guard bg_guard_exec = {
	.key = "guards.exec",
	.cfg_size = sizeof(struct bg_exec_config),
	.state_size = sizeof(struct bg_exec_guard),
	.reload = BG_GUARD_UPDATE,
	.defaults = exec_defaults,
	.parse = exec_parse,
	.enabled = exec_enabled,
	.start = exec_start,
	.stop = exec_stop,
	.pin = exec_pin,
	.events = exec_events,
};
