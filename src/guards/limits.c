// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * guards.limits: process limits (memory, children) and per-process network
 * bans. User half of bpf/limits.bpf.c: the config section, the choice of
 * mechanism per rule, the maps, the cgroup attachments, the event printers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "core/cgroup.h"
#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/ident.h"
#include "guards/limits_guard.h"
#include "core/guard.h"
#include "core/log.h"
#include "core/persist.h"
#include "policy/policy.h"
#include "policy/yaml.h"
#include "core/probe.h"
#include "limits.skel.h"

/* ---- guard ---- */

/*
 * The rule as the kernel runs it: the action this kernel can carry out and
 * the mechanism of the network ban. deny needs BPF LSM for forks and for
 * executable/comm bans; without it they are enforced by kill.
 */
static void effective(const struct bg_limits_guard *g, const struct bg_limits_rule *cr, int mode,
		      struct bg_lim_rule *out)
{
	int action = cr->action ? cr->action : mode;

	*out = cr->r;
	/* A cgroup rule's network ban denies without LSM (cgroup hooks). */
	if (action == BG_ACT_DENY && !g->lsm &&
	    (cr->match != BG_LIM_MATCH_CGROUP || cr->r.max_children || cr->r.max_descendants))
		action = BG_ACT_KILL;
	out->action = action;
	if (cr->match == BG_LIM_MATCH_CGROUP)
		out->net_mech = BG_MECH_CGROUP;
	else if (g->lsm && action != BG_ACT_KILL)
		out->net_mech = BG_MECH_LSM;
	else
		out->net_mech = BG_MECH_TRACEPOINT;
}

/* Which sys_enter programs the rules need: limits' (memory checks, kill at
 * a fork), netban's (a network ban enforced at the syscall). */
struct sys_enter_need {
	bool limits, ban;
};

static struct sys_enter_need needs_sys_enter(const struct bg_limits_guard *g,
					     const struct bg_limits_config *c, int mode)
{
	struct sys_enter_need need = {false, false};
	struct bg_lim_rule r;
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		effective(g, &c->rules[i], mode, &r);
		if (r.max_memory ||
		    ((r.max_children || r.max_descendants) && r.action == BG_ACT_KILL))
			need.limits = true;
		if (r.net_ban && r.net_mech == BG_MECH_TRACEPOINT)
			need.ban = true;
	}
	return need;
}

static int sys_enter_set(struct bg_limits_guard *g, struct sys_enter_need on)
{
	int err = bg_netban_sys_enter(&g->ban, on.ban);

	if (err)
		return err;

	if (on.limits && !g->sys_enter) {
		g->sys_enter = bpf_program__attach(g->skel->progs.lim_sys_enter);
		if (!g->sys_enter) {
			err = -errno;
			pr_err("limits guard: cannot attach sys_enter: %s\n", strerror(errno));
			return err;
		}
	} else if (!on.limits && g->sys_enter) {
		bpf_link__destroy(g->sys_enter);
		g->sys_enter = NULL;
	}
	return 0;
}

/* Delete the keys of map that are not in the new set (present(key) false). */
static void prune_map(int fd, size_t ksz, const struct bg_limits_config *c, enum bg_lim_match m)
{
	char key[64], next[64];
	void *prev = NULL;
	size_t i;
	bool keep;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		keep = false;
		for (i = 0; i < c->n_rules; i++) {
			const struct bg_limits_rule *r = &c->rules[i];

			if (r->match != m)
				continue;
			if ((m == BG_LIM_MATCH_EXE && !memcmp(&r->exe, key, ksz)) ||
			    (m == BG_LIM_MATCH_CGROUP && !memcmp(&r->cgroup_id, key, ksz)) ||
			    (m == BG_LIM_MATCH_COMM && !memcmp(r->comm, key, ksz)))
				keep = true;
		}
		if (!keep) {
			bpf_map_delete_elem(fd, key);
			prev = NULL; /* restart: the iteration order changed */
		}
	}
}

static __u32 kind_bit(enum bg_lim_match m)
{
	return m == BG_LIM_MATCH_EXE	  ? BG_LIM_KIND_EXE
	       : m == BG_LIM_MATCH_CGROUP ? BG_LIM_KIND_CGROUP
					  : BG_LIM_KIND_COMM;
}

/* Both objects look the targets up: both learn a new kind first. */
static void kinds_set(struct bg_limits_guard *g, __u32 kinds)
{
	__atomic_store_n(&g->skel->bss->lim_kinds, kinds, __ATOMIC_RELEASE);
	bg_netban_kinds(&g->ban, kinds);
}

static int write_rules(struct bg_limits_guard *g, const struct bg_limits_config *c, int mode)
{
	int rules = bpf_map__fd(g->skel->maps.lim_rules);
	int exe = bpf_map__fd(g->skel->maps.lim_exe), cgm = bpf_map__fd(g->skel->maps.lim_cgroup);
	int comm = bpf_map__fd(g->skel->maps.lim_comm);
	char(*names)[65];
	__u32 kinds = 0;
	size_t i;
	int err;

	names = calloc(c->n_rules ? c->n_rules : 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	/* The new kinds are looked up before their targets go in (the old
	 * ones stay until theirs are pruned): no target is ever skipped. */
	for (i = 0; i < c->n_rules; i++)
		kinds |= kind_bit(c->rules[i].match);
	kinds_set(g, g->skel->bss->lim_kinds | kinds);
	for (i = 0; i < c->n_rules; i++) {
		const struct bg_limits_rule *cr = &c->rules[i];
		struct bg_lim_rule r;
		__u32 idx = i;

		effective(g, cr, mode, &r);
		if (cr->action == BG_ACT_DENY && r.action == BG_ACT_KILL)
			pr_warn("limits: rule '%s': deny needs BPF LSM, which this kernel refuses: "
				"enforced by kill\n",
				cr->name);
		strcpy(names[i], cr->name);
		err = bpf_map_update_elem(rules, &idx, &r, BPF_ANY);
		if (!err && cr->match == BG_LIM_MATCH_EXE)
			err = bpf_map_update_elem(exe, &cr->exe, &idx, BPF_ANY);
		else if (!err && cr->match == BG_LIM_MATCH_CGROUP)
			err = bpf_map_update_elem(cgm, &cr->cgroup_id, &idx, BPF_ANY);
		else if (!err)
			err = bpf_map_update_elem(comm, cr->comm, &idx, BPF_ANY);
		if (!err && cr->match == BG_LIM_MATCH_CGROUP && r.net_ban)
			err = bg_netban_cg_attach(&g->ban, cr);
		if (err) {
			err = err < 0 ? err : -EINVAL;
			pr_err("limits: rule '%s': %s\n", cr->name, strerror(-err));
			free(names);
			return err;
		}
	}
	prune_map(exe, sizeof(struct bg_ident), c, BG_LIM_MATCH_EXE);
	prune_map(cgm, sizeof(__u64), c, BG_LIM_MATCH_CGROUP);
	prune_map(comm, BG_COMM_LEN, c, BG_LIM_MATCH_COMM);
	kinds_set(g, kinds);
	bg_netban_cg_prune(&g->ban, c);
	free(g->names);
	g->names = names;
	g->n_names = c->n_rules;
	return 0;
}

struct limits_start {
	struct bg_limits_guard *g;
	const struct bg_limits_config *c;
	int mode;
	struct bg_events *ev;
};

/* Without BPF LSM, the tp_btf and cgroup programs alone. */
static int limits_configure(void *arg)
{
	struct bg_limits_guard *g = ((struct limits_start *)arg)->g;
	if (!g->lsm)
		bpf_program__set_autoload(g->skel->progs.lim_task_alloc, false);
	bpf_program__set_autoattach(g->skel->progs.lim_sys_enter, false);
	return 0;
}

/* Rules before attach: the programs never run without them. The network
 * bans load here, on the maps the load just made, before the rules that
 * attach them to cgroups. */
static int limits_fill(void *arg)
{
	struct limits_start *st = arg;
	int err = bg_netban_start(&st->g->ban, st->g->skel, st->g->lsm, st->ev);

	return err ? err : write_rules(st->g, st->c, st->mode);
}

static void limits_stop(void *guard);

static int limits_start(void *guard, const void *cfg, const struct bg_guard_env *env)
{
	struct bg_limits_guard *g = guard;
	const struct bg_limits_config *c = cfg;
	const struct bg_caps *caps = env->caps;
	struct limits_start st = {g, c, env->mode, env->ev};
	struct bg_bpf_steps steps = {.who = "limits guard",
				     .ev = env->ev,
				     .configure = limits_configure,
				     .fill = limits_fill,
				     .arg = &st};
	int err;

	memset(g, 0, sizeof(*g));
	if (!bg_has(caps, BG_FEAT_TP_BTF)) {
		pr_err("limits guard needs tp_btf programs, which this kernel refuses (%s)\n",
		       caps->f[BG_FEAT_TP_BTF].detail);
		return -EOPNOTSUPP;
	}
	g->lsm = bg_has(caps, BG_FEAT_LSM);
	g->skel = bg_limits_bpf__open();
	err = bg_bpf_lifecycle(BG_SKEL(g->skel), &steps);
	if (!err)
		err = sys_enter_set(g, needs_sys_enter(g, c, env->mode));
	if (err)
		limits_stop(g);
	return err;
}

static int limits_update(void *guard, const void *cfg, int mode)
{
	struct bg_limits_guard *g = guard;
	const struct bg_limits_config *c = cfg;
	struct sys_enter_need need = needs_sys_enter(g, c, mode), now;
	int err;

	/* Attached before the rules that need it, detached after the last
	 * one is gone: no rule is ever without its hook. */
	now.limits = need.limits || g->sys_enter;
	now.ban = need.ban || g->ban.sys_enter;
	err = sys_enter_set(g, now);
	if (err)
		return err;
	err = write_rules(g, c, mode);
	if (!err)
		sys_enter_set(g, need);
	return err;
}

static void limits_stop(void *guard)
{
	struct bg_limits_guard *g = guard;

	sys_enter_set(g, (struct sys_enter_need){false, false});
	bg_netban_stop(&g->ban);
	bg_limits_bpf__destroy(g->skel);
	g->skel = NULL;
	free(g->names);
	g->names = NULL;
	g->n_names = 0;
}

static int limits_pin(void *guard, struct bg_persist *p)
{
	struct bg_limits_guard *g = guard;
	int err;

	err = bg_persist_links(p, g->skel->skeleton, "limits");
	/* Attached apart from the skeleton, and only while rules need them. */
	if (!err && g->sys_enter)
		err = bg_persist_link(p, "limits-lim_sys_enter", bpf_link__fd(g->sys_enter));
	return err ? err : bg_netban_pin(&g->ban, p);
}

static const char *limits_rule_name(const void *guard, uint32_t rule_id)
{
	const struct bg_limits_guard *g = guard;
	uint32_t idx = BG_LIM_RULE_IDX(rule_id);

	return BG_LIM_IS_RULE_ID(rule_id) && idx < g->n_names ? g->names[idx] : NULL;
}

/* ---- events ---- */

static const char *const what_names[] = {
	[BG_LIM_MEM_REQUEST] = "memory-request", [BG_LIM_MEM_TOTAL] = "memory-total",
	[BG_LIM_CHILDREN] = "children",		 [BG_LIM_DESCENDANTS] = "descendants",
	[BG_LIM_CONDEMNED] = "condemned-tree",
};

static const char *what_name(uint32_t w)
{
	return w < sizeof(what_names) / sizeof(what_names[0]) && what_names[w] ? what_names[w]
									       : "unknown";
}

static void limit_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_limit_event *e = rec;

	(void)f;
	bg_json_kobj(j, "limit");
	bg_json_kstr(j, "kind", what_name(e->what));
	bg_json_ku64(j, "limit", e->limit);
	bg_json_ku64(j, "value", e->value);
	if (e->request)
		bg_json_ku64(j, "request", e->request);
	if (e->root_pid)
		bg_json_ku64(j, "root_pid", e->root_pid);
	if (e->nr)
		bg_json_ku64(j, "syscall", e->nr);
	bg_json_obj_end(j);
}

static void limit_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_limit_event *e = rec;

	(void)f;
	bg_buf_printf(out, " %s value=%llu limit=%llu", what_name(e->what),
		      (unsigned long long)e->value, (unsigned long long)e->limit);
	if (e->request)
		bg_buf_printf(out, " request=%llu", (unsigned long long)e->request);
	if (e->root_pid)
		bg_buf_printf(out, " root=%u", e->root_pid);
}

const struct bg_event_desc bg_limit_desc = {
	.type = BG_EV_LIMIT,
	.name = "limit",
	.size = sizeof(struct bg_limit_event),
	.category = "process",
	.ecs_type = "denied",
	.action = "limit-reached",
	.has_proc = true,
	.json_bg = limit_json_bg,
	.text = limit_text,
	.color = "\033[31m",
};

/* ---- the guard: guards.limits ---- */

static bool limits_enabled(const void *cfg)
{
	return ((const struct bg_limits_config *)cfg)->n_rules > 0;
}

static void limits_names(const void *guard, bg_guard_name_fn fn, void *ctx)
{
	const struct bg_limits_guard *g = guard;
	size_t i;

	for (i = 0; i < g->n_names; i++)
		fn(ctx, BG_LIM_RULE_ID((uint32_t)i), g->names[i]);
}

static const struct bg_event_desc *const limits_events[] = {&bg_limit_desc, &bg_netban_desc, NULL};

const struct bg_guard bg_guard_limits = {
	.key = "guards.limits",
	.cfg_size = sizeof(struct bg_limits_config),
	.state_size = sizeof(struct bg_limits_guard),
	.reload = BG_GUARD_UPDATE,
	.parse = bg_limits_config_parse,
	.free = bg_limits_config_free,
	.enabled = limits_enabled,
	.resolve = bg_limits_config_resolve,
	.start = limits_start,
	.update = limits_update,
	.stop = limits_stop,
	.pin = limits_pin,
	.rule_name = limits_rule_name,
	.names = limits_names,
	.events = limits_events,
};
