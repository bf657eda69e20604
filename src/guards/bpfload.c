// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF load guard, user half of bpf/bpfload.bpf.c: patterns (YAML) are
 * validated and compiled into the rules map, the guard is started with the
 * strongest hook this kernel allows (lsm/bpf, else tp_btf sys_enter), and
 * its events are printed. `bpfguard bpf watch` runs it alone.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "guards/bpfload.h"
#include "core/guard.h"
#include "disasm/disasm.h"
#include "events/format.h"
#include "events/json.h"
#include "events/output.h"
#include "events/ring.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/persist.h"
#include "core/probe.h"
#include "bpfload.skel.h"

/* ---- the guard ---------------------------------------------------------- */

/*
 * Verified code calls helpers by address: imm = function - __bpf_call_base.
 * Map every kernel text symbol that is recognisably a helper (or the map
 * operation the verifier calls for one) to its id, keyed by that imm, for
 * lsm/bpf_prog's scan of the kernel's copy. Returns entries added.
 */
static int fill_call_ids(int fd)
{
	struct ent {
		unsigned long long addr;
		__u16 id;
	} *v = NULL, *nv;
	unsigned long long addr, base = 0;
	size_t n = 0, cap = 0, i;
	char line[512], type, name[256];
	int added = 0, id;
	__s32 imm;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (!strcmp(name, "__bpf_call_base")) {
			base = addr;
			continue;
		}
		if (type != 't' && type != 'T')
			continue;
		id = bg_helper_id_from_symbol(name);
		if (id < 0 || id >= BG_LOAD_HELPERS)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n].addr = addr;
		v[n++].id = id;
	}
	fclose(f);
	for (i = 0; base && i < n; i++) {
		long long d = (long long)(v[i].addr - base);

		if (d < INT32_MIN || d > INT32_MAX)
			continue;
		imm = (__s32)d;
		if (!bpf_map_update_elem(fd, &imm, &v[i].id, BPF_ANY))
			added++;
	}
	free(v);
	return base ? added : -ENOENT;
}

static int put_except(int fd, __u32 rule, const struct bg_ident *id)
{
	struct bg_load_except k = {.rule_id = rule, .dev = id->dev, .ino = id->ino};
	__u8 one = 1;

	return bpf_map_update_elem(fd, &k, &one, BPF_ANY) ? -errno : 0;
}

static int bpfload_pin(void *guard, struct bg_persist *p)
{
	struct bg_bpfload_guard *g = guard;

	return bg_persist_links(p, g->skel->skeleton, "bpfload");
}

struct bpfload_start {
	struct bg_bpfload_guard *g;
	const struct bg_bpfload_config *c;
};

static int bpfload_configure(void *arg)
{
	struct bpfload_start *st = arg;
	struct bg_bpfload_guard *g = st->g;

	g->skel->rodata->self_tgid = getpid();
	g->skel->rodata->report_all = st->c->report_all;
	g->skel->rodata->nrules = st->c->rules.n;
	bpf_program__set_autoload(g->skel->progs.bg_load_lsm, g->lsm);
	bpf_program__set_autoload(g->skel->progs.bg_load_lsm_prog, g->lsm);
	bpf_program__set_autoload(g->skel->progs.bg_load_sys_enter, !g->lsm);
	return 0;
}

/* The rules, the loaders excepted from them, and (LSM) helper addresses. */
static int bpfload_fill(void *arg)
{
	struct bpfload_start *st = arg;
	struct bg_bpfload_guard *g = st->g;
	const struct bg_bpfload_config *c = st->c;
	struct bg_ident self;
	unsigned int i;
	int err, fd;

	fd = bpf_map__fd(g->skel->maps.load_rules);
	for (i = 0; i < c->rules.n; i++) {
		if (bpf_map_update_elem(fd, &i, &c->rules.r[i], BPF_ANY)) {
			err = -errno;
			pr_err("bpf_load guard: rules map: %s\n", strerror(errno));
			return err;
		}
	}
	/* bpfguard's own executable is excepted from every rule: other
	 * bpfguard commands (run, profile) load programs of their own. */
	fd = bpf_map__fd(g->skel->maps.load_except);
	err = bg_ident_from_path("/proc/self/exe", &self);
	if (!err)
		err = put_except(fd, 0, &self);
	if (err) {
		pr_err("bpf_load guard: cannot except bpfguard's own executable: %s\n",
		       strerror(-err));
		return err;
	}
	for (i = 0; i < c->rules.nexcept; i++) {
		struct bg_ident id;

		err = bg_ident_from_path(c->rules.except[i].path, &id);
		if (err) {
			pr_warn("bpf_load: except_loaders: %s: %s (ignored)\n",
				c->rules.except[i].path, strerror(-err));
			continue;
		}
		err = put_except(fd, c->rules.except[i].rule_id, &id);
		if (err) {
			pr_err("bpf_load guard: exceptions map: %s\n", strerror(-err));
			return err;
		}
	}
	if (g->lsm) {
		err = fill_call_ids(bpf_map__fd(g->skel->maps.call_ids));
		if (err <= 0) {
			/* The re-check then sees no helper calls: say so. */
			pr_warn("bpf_load: cannot map helper addresses from /proc/kallsyms (%s): "
				"the "
				"kernel-copy re-check counts no helpers\n",
				err ? strerror(-err) : "no helper symbols");
		}
	}
	return 0;
}

static void bpfload_stop(void *guard)
{
	struct bg_bpfload_guard *g = guard;

	bg_bpfload_bpf__destroy(g->skel);
	g->skel = NULL;
}

static int bpfload_start(void *guard, const void *cfg, const struct bg_guard_env *env)
{
	struct bg_bpfload_guard *g = guard;
	const struct bg_bpfload_config *c = cfg;
	const struct bg_caps *caps = env->caps;
	struct bpfload_start st = {g, c};
	struct bg_bpf_steps steps = {
		.ev = env->ev,
		.configure = bpfload_configure,
		.fill = bpfload_fill,
		.arg = &st,
	};
	unsigned int i;
	int err;

	g->skel = NULL;
	g->lsm = caps && bg_has(caps, BG_FEAT_LSM);
	/* `bpf watch` does not probe tp_btf: its own load below is the test. */
	if (!g->lsm && caps && caps->f[BG_FEAT_TP_BTF].probed && !bg_has(caps, BG_FEAT_TP_BTF)) {
		pr_err("bpf_load guard needs BPF LSM or tp_btf programs; this kernel refuses "
		       "both\n");
		return -EOPNOTSUPP;
	}
	for (i = 0; i < c->rules.n && !g->lsm; i++)
		if (c->rules.r[i].action == BG_ACT_DENY) {
			pr_warn("bpf_load: no BPF LSM here: rule '%s' (deny) kills the loader at "
				"the syscall instead\n",
				c->rules.r[i].name);
		}
	g->skel = bg_bpfload_bpf__open();
	steps.who = g->lsm ? "bpf_load guard (lsm/bpf)"
			   : "bpf_load guard (no BPF LSM here: tp_btf/sys_enter)";
	err = bg_bpf_lifecycle(BG_SKEL(g->skel), &steps);
	if (err)
		bpfload_stop(g);
	return err;
}

/* ---- events ------------------------------------------------------------- */

static void kstrn(struct bg_json *j, const char *key, const char *s, size_t max)
{
	bg_json_key(j, key);
	bg_json_strn(j, s, bg_kstrlen(s, max));
}

static const char *stage_name(unsigned int s)
{
	return s == BG_LOAD_SYSCALL  ? "syscall-entry"
	       : s == BG_LOAD_LSM    ? "lsm-bpf"
	       : s == BG_LOAD_KERNEL ? "kernel-copy"
				     : "unknown";
}

static void load_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_bpf_load_event *e = rec;
	const char *s;
	char num[16];
	int i;

	(void)f;
	bg_json_kobj(j, "prog");
	kstrn(j, "name", e->name, sizeof(e->name));
	s = libbpf_bpf_prog_type_str(e->prog_type);
	if (s)
		bg_json_kstr(j, "type", s);
	bg_json_ku64(j, "type_id", e->prog_type);
	/* 0 is a real attach type (cgroup_inet_ingress) but also what every
	 * loader leaves there when the program type has none. */
	s = libbpf_bpf_attach_type_str(e->attach_type);
	if (s && (e->attach_type || e->prog_type == BPF_PROG_TYPE_CGROUP_SKB))
		bg_json_kstr(j, "expected_attach_type", s);
	bg_json_ku64(j, "expected_attach_type_id", e->attach_type);
	bg_json_ku64(j, "insn_cnt", e->insn_cnt);
	bg_json_ku64(j, "insns_scanned", e->insns_scanned);
	kstrn(j, "license", e->license, sizeof(e->license));
	bg_json_ku64(j, "prog_flags", e->prog_flags);
	/* Always present (docs/events.md): 0 says none, as for the ids above. */
	bg_json_ku64(j, "attach_btf_id", e->attach_btf_id);
	bg_json_obj_end(j);
	bg_json_kobj(j, "helpers");
	for (i = 0; i < BG_LOAD_HELPERS; i++) {
		if (!e->helpers[i])
			continue;
		s = bg_helper_name(i);
		if (!s) {
			snprintf(num, sizeof(num), "#%d", i);
			s = num;
		}
		bg_json_ku64(j, s, e->helpers[i]);
	}
	bg_json_obj_end(j);
	bg_json_ku64(j, "helper_calls", e->helper_calls);
	bg_json_ku64(j, "helper_calls_unknown", e->helper_unknown);
	bg_json_ku64(j, "kfunc_calls", e->kfunc_calls);
	bg_json_ku64(j, "subprog_calls", e->subprog_calls);
	bg_json_karr(j, "kfunc_btf_ids");
	for (i = 0; i < (int)e->nkfuncs && i < BG_LOAD_KFUNCS; i++)
		bg_json_u64(j, e->kfunc_ids[i]);
	bg_json_arr_end(j);
	bg_json_karr(j, "map_types");
	for (i = 0; i < 64; i++) {
		if (!(e->map_types >> i & 1))
			continue;
		s = libbpf_bpf_map_type_str(i);
		if (s) {
			bg_json_str(j, s);
		} else {
			snprintf(num, sizeof(num), "#%d", i);
			bg_json_str(j, num);
		}
	}
	bg_json_arr_end(j);
	bg_json_kobj(j, "loader");
	bg_json_ku64(j, "exe_dev", e->exe_dev);
	bg_json_ku64(j, "exe_ino", e->exe_ino);
	bg_json_obj_end(j);
	bg_json_kstr(j, "stage", stage_name(e->stage));
	if (e->load_flags & BG_LOAD_F_TRUNCATED)
		bg_json_kbool(j, "truncated", true);
	if (e->load_flags & BG_LOAD_F_READ_ERR)
		bg_json_kbool(j, "read_error", true);
	if (e->load_flags & BG_LOAD_F_SELF)
		bg_json_kbool(j, "self", true);
	if (e->load_flags & BG_LOAD_F_MAPIDX)
		bg_json_kbool(j, "maps_by_index", true);
	if (e->hdr.rule_id)
		kstrn(j, "rule_name", e->rule, sizeof(e->rule));
}

static void load_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_bpf_load_event *e = rec;
	const char *s, *sep = "";
	int i;

	(void)f;
	bg_buf_puts(out, " prog=");
	bg_text_escape(out, e->name, bg_kstrlen(e->name, sizeof(e->name)));
	s = libbpf_bpf_prog_type_str(e->prog_type);
	bg_buf_printf(out, " type=%s insns=%u license=", s ? s : "?", e->insn_cnt);
	bg_text_escape(out, e->license, bg_kstrlen(e->license, sizeof(e->license)));
	bg_buf_puts(out, " helpers=");
	for (i = 0; i < BG_LOAD_HELPERS; i++) {
		if (!e->helpers[i])
			continue;
		s = bg_helper_name(i);
		if (s)
			bg_buf_printf(out, "%s%s:%u", sep, s, e->helpers[i]);
		else
			bg_buf_printf(out, "%s#%d:%u", sep, i, e->helpers[i]);
		sep = ",";
	}
	if (e->kfunc_calls)
		bg_buf_printf(out, " kfuncs=%u", e->kfunc_calls);
	if (e->load_flags & BG_LOAD_F_SELF)
		bg_buf_puts(out, " self");
}

/* The kernel copied the rule's name into the record (NUL-terminated). */
static const char *load_rule_name(const void *rec)
{
	return ((const struct bg_bpf_load_event *)rec)->rule;
}

const struct bg_event_desc bg_bpf_load_desc = {
	.type = BG_EV_BPF_LOAD,
	.name = "bpf_load",
	.size = sizeof(struct bg_bpf_load_event),
	.category = "process",
	.ecs_type = "info",
	.action = "bpf-prog-load",
	.has_proc = true,
	.json_bg = load_json_bg,
	.text = load_text,
	.color = "\033[33m",
	.rule_name = load_rule_name,
};

/* ---- the guard: guards.bpf_load ---- */

static bool bpfload_enabled(const void *cfg)
{
	return ((const struct bg_bpfload_config *)cfg)->enabled;
}

static const struct bg_event_desc *const bpfload_events[] = {&bg_bpf_load_desc, NULL};

/* Restarted on reload, so that changed patterns apply. */
const struct bg_guard bg_guard_bpf_load = {
	.key = "guards.bpf_load",
	.cfg_size = sizeof(struct bg_bpfload_config),
	.state_size = sizeof(struct bg_bpfload_guard),
	.reload = BG_GUARD_RESTART,
	.parse = bg_bpfload_config_parse,
	.free = bg_bpfload_config_free,
	.enabled = bpfload_enabled,
	.start = bpfload_start,
	.stop = bpfload_stop,
	.pin = bpfload_pin,
	.events = bpfload_events,
};
