// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Protected files, user half of bpf/files.bpf.c: the `guards.files`
 * section of the agent config (parsed and resolved to (dev, ino) keys
 * before anything loads), the maps, the windowless swap on reload, and the
 * event descriptors of types 11 (file) and 12 (file_modify).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "guards/files.h"
#include "core/guard.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/persist.h"
#include "policy/yaml.h"
#include "core/probe.h"
#include "files.skel.h"

/* The action a rule gets on this kernel: deny needs LSM; without it the
 * strongest thing left is the kill at the open's return. */
static int effective_action(const struct bg_files_guard *g, const struct bg_files_rule_cfg *r,
			    int mode)
{
	int a = r->h.action >= 0 ? r->h.action : mode;

	if (a == BG_ACT_DENY && !g->lsm)
		return BG_ACT_KILL;
	return a;
}

/* What a start or an update works with: gen_fill and gen_clear are the
 * guard's bg_gen_ops (core/guard.h). */
struct files_args {
	struct bg_files_guard *g;
	const struct bg_files_config *c;
	int mode;
	const struct bg_caps *caps;
};

/* What a generation keeps in user space; its pins are closed (a guard
 * stopped by a reload must not keep them). */
static void gen_free(struct bg_files_guard *g, __u32 gen)
{
	struct bg_files_gen *s = &g->gen[gen];
	size_t i;

	for (i = 0; i < s->n_pins; i++)
		close(s->pins[i]);
	free(s->pins);
	free(s->targets);
	free(s->allow);
	memset(s, 0, sizeof(*s));
	bg_gen_rules_free(&g->rules[gen]);
}

static void gen_clear(void *arg, __u32 gen)
{
	struct bg_files_guard *g = ((struct files_args *)arg)->g;
	struct bg_files_gen *s = &g->gen[gen];
	int tfd = bpf_map__fd(g->skel->maps.files_targets);
	int afd = bpf_map__fd(g->skel->maps.files_allow);
	int rfd = bpf_map__fd(g->skel->maps.files_rules);
	struct bg_files_rule none = {0};
	size_t i;
	__u32 idx;

	for (i = 0; i < s->n_targets; i++)
		bpf_map_delete_elem(tfd, &s->targets[i]);
	for (i = 0; i < s->n_allow; i++)
		bpf_map_delete_elem(afd, &s->allow[i]);
	for (i = 0; i < g->rules[gen].n; i++) {
		idx = gen * BG_FILES_RULES_MAX + i;
		bpf_map_update_elem(rfd, &idx, &none, BPF_ANY);
	}
	gen_free(g, gen);
}

static int add_allow(struct bg_files_guard *g, struct bg_files_gen *s, __u32 gen, __u32 rule,
		     const struct bg_host_path *exe, __u32 bit)
{
	struct bg_files_allow_key k = {.gen = gen, .rule = rule, .exe = exe->id};
	int fd = bpf_map__fd(g->skel->maps.files_allow);
	__u32 v = 0;
	size_t i;

	/* An executable in both lists: one key, both bits. */
	if (!bpf_map_lookup_elem(fd, &k, &v)) {
		v |= bit;
		return bpf_map_update_elem(fd, &k, &v, BPF_EXIST) ? -errno : 0;
	}
	v = bit;
	if (bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST))
		return -errno;
	for (i = 0; i < s->n_allow; i++)
		if (!memcmp(&s->allow[i], &k, sizeof(k)))
			return 0;
	s->allow[s->n_allow++] = k;
	return 0;
}

/*
 * Rules name inodes, and a filesystem gives a freed inode's number to the
 * next file it creates (ext4 at once, nearby): a protected file deleted by
 * an allowed writer would pass its protection to whatever file, of any
 * process, got its number next (natively: that file's writers killed), and
 * an allowed executable deleted would pass on its permission. An O_PATH
 * descriptor held per path keeps each inode alive while its generation is
 * in use, so its number cannot be reused; the cost is that a deleted
 * protected file keeps its space, and its filesystem cannot be unmounted,
 * until the next reload or the agent's exit. (O_PATH opens read nothing:
 * no hook and no rule sees them as reads or writes.)
 */
#define PIN_HEADROOM 256 /* descriptors left for everything else */

struct pin_stats {
	size_t failed;
	const char *first, *why;
	rlim_t max_fd;
};

static void pin(struct bg_files_gen *s, const struct bg_host_path *o, struct pin_stats *ps)
{
	struct bg_ident id;
	const char *why = NULL;
	int fd = open(o->path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		why = strerror(errno);
	else if ((rlim_t)fd >= ps->max_fd)
		why = "descriptor limit";
	else if (bg_ident_from_fd(fd, &id) || memcmp(&id, &o->id, sizeof(id)))
		why = "replaced since the config was read";
	if (!why) {
		s->pins[s->n_pins++] = fd;
		return;
	}
	if (fd >= 0)
		close(fd);
	if (!ps->failed++) {
		ps->first = o->path;
		ps->why = why;
	}
}

/* One descriptor per pinned path: raise the soft limit to the hard one
 * when the rule set needs more than the soft limit leaves; pin no further
 * than PIN_HEADROOM below it. */
static void pin_room(size_t n, struct pin_stats *ps)
{
	struct rlimit rl;

	memset(ps, 0, sizeof(*ps));
	ps->max_fd = RLIM_INFINITY;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < n + PIN_HEADROOM &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY)
		ps->max_fd = rl.rlim_cur > PIN_HEADROOM ? rl.rlim_cur - PIN_HEADROOM : 0;
}

/* Write a whole rule set under generation gen (not the one in use). */
static int gen_fill(void *arg, __u32 gen)
{
	const struct files_args *a = arg;
	struct bg_files_guard *g = a->g;
	const struct bg_files_config *c = a->c;
	int mode = a->mode;
	struct bg_files_gen *s = &g->gen[gen];
	int tfd = bpf_map__fd(g->skel->maps.files_targets);
	int rfd = bpf_map__fd(g->skel->maps.files_rules);
	__u64 *filter = g->skel->bss->files_filter[gen];
	struct pin_stats ps;
	size_t i, j, nt = 0, na = 0;
	bool dirs = false;
	__u32 idx;
	int err;

	/* This generation is not in use: its filter starts empty. */
	memset(filter, 0, sizeof(g->skel->bss->files_filter[gen]));
	for (i = 0; i < c->n_rules; i++) {
		nt += c->rules[i].h.n_paths;
		na += c->rules[i].n_read + c->rules[i].n_write;
	}
	s->targets = calloc(nt ? nt : 1, sizeof(*s->targets));
	s->allow = calloc(na ? na : 1, sizeof(*s->allow));
	err = bg_gen_rules_alloc(&g->rules[gen], c->n_rules);
	if (err)
		return err;
	s->pins = calloc(nt + na + 1, sizeof(*s->pins));
	if (!s->targets || !s->allow || !s->pins)
		return -ENOMEM;
	pin_room(nt + na + g->gen[gen ^ 1].n_pins, &ps);
	for (i = 0; i < c->n_rules; i++) {
		const struct bg_files_rule_cfg *r = &c->rules[i];
		struct bg_files_rule rule = {
			.rule_id = BG_GEN_RULE_ID(BG_EV_FILE, gen, i),
			.action = (__u8)effective_action(g, r, mode),
			.restrict_ = (r->restrict_read ? BG_FILES_READ : 0) |
				     (r->restrict_write ? BG_FILES_WRITE : 0),
			.valid = 1,
		};

		err = bg_gen_rules_name(&g->rules[gen], i, r->h.name);
		if (err)
			return err;
		/* The rule entry first: a target never points at nothing. */
		idx = gen * BG_FILES_RULES_MAX + (__u32)i;
		if (bpf_map_update_elem(rfd, &idx, &rule, BPF_ANY))
			return -errno;
		g->rules[gen].n = i + 1;
		for (j = 0; j < r->n_read; j++) {
			err = add_allow(g, s, gen, i, &r->read[j], BG_FILES_READ);
			if (err)
				return err;
			pin(s, &r->read[j], &ps);
		}
		for (j = 0; j < r->n_write; j++) {
			err = add_allow(g, s, gen, i, &r->write[j], BG_FILES_WRITE);
			if (err)
				return err;
			pin(s, &r->write[j], &ps);
		}
		for (j = 0; j < r->h.n_paths; j++) {
			struct bg_files_target_key k = {.gen = gen, .id = r->h.paths[j].id};
			struct bg_files_target t = {
				.rule = (__u32)i,
				.flags = r->h.paths[j].dir ? BG_FILES_T_DIR : 0,
			};

			/* The filter bit before the entry: a target the
			 * filter hides would be a file unprotected. */
			bg_ident_filter_add(filter, BG_FILES_FILTER_LOG2, k.id.ino, k.id.dev);
			if (bpf_map_update_elem(tfd, &k, &t, BPF_NOEXIST))
				return -errno;
			s->targets[s->n_targets++] = k;
			dirs |= r->h.paths[j].dir;
			pin(s, &r->h.paths[j], &ps);
		}
	}
	g->skel->bss->files_has_dirs[gen] = dirs;
	if (ps.failed)
		pr_warn("files guard: %zu of %zu paths not pinned (first: %s: %s): if one is "
			"deleted, a new file may get its inode number and its rule "
			"(docs/agent.md)\n",
			ps.failed, nt + na, ps.first, ps.why);
	return 0;
}

static const struct bg_gen_ops files_gen_ops = {"files guard", gen_fill, gen_clear};

/* Swap in a new rule set without a window (docs/agent.md, reload). */
static int files_update(void *guard, const void *cfg, int mode)
{
	struct files_args a = {guard, cfg, mode, NULL};

	return bg_gen_swap(&a.g->skel->bss->files_gen, &files_gen_ops, &a);
}

static bool kernel_has_lsm_hook(const char *hook)
{
	return libbpf_find_vmlinux_btf_id(hook, BPF_LSM_MAC) > 0;
}

/* The programs of the mechanism this kernel allows: LSM hooks it has, or
 * one sys_exit variant with what goes with it. */
static int files_configure(void *arg)
{
	struct files_args *st = arg;
	struct bg_files_guard *g = st->g;
	struct bpf_program *p, *use;
	size_t i;

	bpf_object__for_each_program(p, g->skel->obj)
	{
		bool is_lsm = bpf_program__type(p) == BPF_PROG_TYPE_LSM;
		const char *sec = bpf_program__section_name(p);

		if (is_lsm && g->lsm && !kernel_has_lsm_hook(strchr(sec, '/') + 1)) {
			pr_warn("files guard: this kernel has no LSM hook %s (CONFIG_SECURITY_PATH "
				"off?): not enforced\n",
				sec);
			is_lsm = false;
			bpf_program__set_autoload(p, false);
			continue;
		}
		bpf_program__set_autoload(p, is_lsm == g->lsm);
	}
	if (!g->lsm) {
		/* One sys_exit variant. Without the kfuncs that kill the
		 * processes sharing the opener's descriptor table at once,
		 * they die at their next syscall instead (sys_enter). */
		struct bpf_program *exits[] = {g->skel->progs.bg_files_sys_exit_sharers,
					       g->skel->progs.bg_files_sys_exit,
					       g->skel->progs.bg_files_sys_exit_compat};
		bool kill_task = st->caps && bg_has(st->caps, BG_FEAT_KILL_TASK);

		if (kill_task)
			use = exits[0];
		else
			use = bg_kernel_has_func("bpf_rdonly_cast") ? exits[1] : exits[2];
		for (i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
			bpf_program__set_autoload(exits[i], exits[i] == use);
		bpf_program__set_autoload(g->skel->progs.bg_files_sys_enter, !kill_task);
		bpf_program__set_autoload(g->skel->progs.bg_files_task_exit, !kill_task);
	}
	return 0;
}

static int files_fill(void *arg)
{
	struct files_args *st = arg;

	return files_update(st->g, st->c, st->mode);
}

static void files_stop(void *guard);

static int files_start(void *guard, const void *cfg, const struct bg_guard_env *env)
{
	struct bg_files_guard *g = guard;
	const struct bg_files_config *c = cfg;
	const struct bg_caps *caps = env->caps;
	int mode = env->mode;
	struct files_args st = {g, c, mode, caps};
	struct bg_bpf_steps steps = {.who = "files guard",
				     .ev = env->ev,
				     .configure = files_configure,
				     .fill = files_fill,
				     .arg = &st};
	size_t i;
	int err;

	memset(g, 0, sizeof(*g));
	g->lsm = caps && bg_has(caps, BG_FEAT_LSM);
	if (!g->lsm && caps &&
	    (!bg_has(caps, BG_FEAT_TP_BTF) || !bg_has(caps, BG_FEAT_SEND_SIGNAL))) {
		pr_err("files guard needs BPF LSM, or tp_btf and bpf_send_signal: this kernel has "
		       "neither\n");
		return -EOPNOTSUPP;
	}
	g->skel = bg_files_bpf__open();
	err = bg_bpf_lifecycle(BG_SKEL(g->skel), &steps);
	if (err) {
		files_stop(g);
		return err;
	}
	for (i = 0; i < c->n_rules; i++)
		if (!g->lsm &&
		    (c->rules[i].h.action >= 0 ? c->rules[i].h.action : mode) == BG_ACT_DENY)
			pr_warn("files rule '%s': deny needs BPF LSM, refused by this kernel; "
				"enforced as kill at the open's return (docs/guarantees.md)\n",
				c->rules[i].h.name);
	return 0;
}

static void files_stop(void *guard)
{
	struct bg_files_guard *g = guard;
	__u32 i;

	for (i = 0; i < 2; i++)
		gen_free(g, i);
	bg_files_bpf__destroy(g->skel);
	g->skel = NULL;
}

static int files_pin(void *guard, struct bg_persist *p)
{
	struct bg_files_guard *g = guard;

	return bg_persist_links(p, g->skel->skeleton, "files");
}

static const char *files_rule_name(const void *guard, uint32_t rule_id)
{
	return bg_gen_rule_name(((const struct bg_files_guard *)guard)->rules, BG_EV_FILE, rule_id);
}

/* Events: types 11 (open) and 12 (modify). */
static const char *const op_names[] = {"?",	   "open",  "unlink", "rename", "replace",
				       "truncate", "chmod", "chown",  "create"};

static const char *op_name(__u32 op)
{
	return op < sizeof(op_names) / sizeof(op_names[0]) ? op_names[op] : "?";
}

static const char *access_name(__u32 a)
{
	switch (a & (BG_FILES_READ | BG_FILES_WRITE)) {
	case BG_FILES_READ:
		return "read";
	case BG_FILES_WRITE:
		return "write";
	case BG_FILES_READ | BG_FILES_WRITE:
		return "read-write";
	}
	return "none";
}

static void file_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_file_event *e = rec;

	(void)f;
	bg_json_kobj(j, "file");
	bg_json_key(j, "path");
	bg_json_strn(j, e->path, bg_kstrlen(e->path, BG_PATH_MAX));
	bg_json_ku64(j, "inode", e->ino);
	bg_json_ku64(j, "device_major", e->dev >> BG_KDEV_MINORBITS);
	bg_json_ku64(j, "device_minor", e->dev & ((1u << BG_KDEV_MINORBITS) - 1));
	bg_json_obj_end(j);
}

static void file_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_file_event *e = rec;

	(void)f;
	bg_json_kobj(j, "file");
	bg_json_kstr(j, "operation", op_name(e->op));
	bg_json_kstr(j, "access", access_name(e->access));
	bg_json_ku64(j, "depth", e->depth);
	if (e->op == BG_FILE_OP_OPEN) {
		bg_json_ku64(j, "open_flags", e->flags);
		bg_json_ki64(j, "return", e->ret);
		if (e->hdr.mechanism == BG_MECH_TRACEPOINT && e->hdr.action == BG_ACT_KILL)
			bg_json_ku64(j, "sharers_killed", e->sharers);
	}
	bg_json_ku64(j, "executable_inode", e->exe_ino);
	bg_json_ku64(j, "executable_device_major", e->exe_dev >> BG_KDEV_MINORBITS);
	bg_json_ku64(j, "executable_device_minor", e->exe_dev & ((1u << BG_KDEV_MINORBITS) - 1));
	bg_json_obj_end(j);
}

static void file_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_file_event *e = rec;

	(void)f;
	bg_buf_printf(out, " %s %s ", op_name(e->op), access_name(e->access));
	bg_text_escape(out, e->path, bg_kstrlen(e->path, BG_PATH_MAX));
	bg_buf_printf(out, " ino=%llu dev=%u:%u", (unsigned long long)e->ino,
		      e->dev >> BG_KDEV_MINORBITS, e->dev & ((1u << BG_KDEV_MINORBITS) - 1));
	if (e->depth)
		bg_buf_printf(out, " depth=%u", e->depth);
	if (e->sharers)
		bg_buf_printf(out, " sharers_killed=%u", e->sharers);
}

const struct bg_event_desc bg_file_desc = {
	.type = BG_EV_FILE,
	.name = "file",
	.size = sizeof(struct bg_file_event),
	.category = "file",
	.ecs_type = "access",
	.action = "open",
	.has_proc = true,
	.json = file_json,
	.json_bg = file_json_bg,
	.text = file_text,
	.color = "\033[33m",
};

const struct bg_event_desc bg_file_modify_desc = {
	.type = BG_EV_FILE_MODIFY,
	.name = "file_modify",
	.size = sizeof(struct bg_file_event),
	.category = "file",
	.ecs_type = "change",
	.action = "modify",
	.has_proc = true,
	.json = file_json,
	.json_bg = file_json_bg,
	.text = file_text,
	.color = "\033[33m",
};

/* ---- the guard: guards.files ---- */

static bool files_enabled(const void *cfg)
{
	return ((const struct bg_files_config *)cfg)->n_rules > 0;
}

static void files_names(const void *guard, bg_guard_name_fn fn, void *ctx)
{
	bg_gen_rule_names(((const struct bg_files_guard *)guard)->rules, BG_EV_FILE, fn, ctx);
}

static const struct bg_event_desc *const files_events[] = {&bg_file_desc, &bg_file_modify_desc,
							   NULL};

const struct bg_guard bg_guard_files = {
	.key = "guards.files",
	.cfg_size = sizeof(struct bg_files_config),
	.state_size = sizeof(struct bg_files_guard),
	.reload = BG_GUARD_UPDATE,
	.parse = bg_files_config_parse,
	.free = bg_files_config_free,
	.enabled = files_enabled,
	.resolve = bg_files_config_resolve,
	.start = files_start,
	.update = files_update,
	.stop = files_stop,
	.pin = files_pin,
	.rule_name = files_rule_name,
	.names = files_names,
	.events = files_events,
};
