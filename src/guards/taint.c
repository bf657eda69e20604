// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Taint, user half of bpf/taint.bpf.c (its config: taint_config.c): the
 * maps with a windowless swap on reload, the cgroup v2 root attachment, and the
 * descriptors of event types 32 (taint_egress) and 33 (taint_set), which
 * include/bpfguard/taint.h claims. These two files, its kernel half, the
 * headers and one line in src/guards/table.c are the whole guard.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>
#include <bpfguard/taint.h>

#include "core/guard.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/persist.h"
#include "core/probe.h"
#include "events/format.h"
#include "events/json.h"
#include "guards/taint.h"
#include "policy/yaml.h"
#include "taint.skel.h"

static bool taint_enabled(const void *cfg)
{
	return ((const struct taint_config *)cfg)->n_rules > 0;
}

/* ---- maps: two generations, one flip (bg_gen_swap) ---- */

/* What a start or an update works with. */
struct taint_start {
	struct taint_guard *g;
	const struct taint_config *c;
	int mode;
};

static void gen_free(struct taint_guard *g, __u32 gen)
{
	free(g->gen[gen].targets);
	memset(&g->gen[gen], 0, sizeof(g->gen[gen]));
	bg_gen_rules_free(&g->rules[gen]);
}

static void gen_clear(void *arg, __u32 gen)
{
	struct taint_guard *g = ((struct taint_start *)arg)->g;
	struct taint_gen *s = &g->gen[gen];
	int tfd = bpf_map__fd(g->skel->maps.taint_targets);
	int rfd = bpf_map__fd(g->skel->maps.taint_rules);
	struct bg_taint_rule none = {0};
	__u32 idx;
	size_t i;

	for (i = 0; i < s->n_targets; i++)
		bpf_map_delete_elem(tfd, &s->targets[i]);
	for (i = 0; i < g->rules[gen].n; i++) {
		idx = gen * BG_TAINT_RULES_MAX + (__u32)i;
		bpf_map_update_elem(rfd, &idx, &none, BPF_ANY);
	}
	gen_free(g, gen);
}

static int gen_fill(void *arg, __u32 gen)
{
	const struct taint_start *a = arg;
	struct taint_guard *g = a->g;
	const struct taint_config *c = a->c;
	int mode = a->mode;
	struct taint_gen *s = &g->gen[gen];
	int tfd = bpf_map__fd(g->skel->maps.taint_targets);
	int rfd = bpf_map__fd(g->skel->maps.taint_rules);
	size_t i, j, nt = 0;
	bool dirs = false;
	__u64 *filter = g->skel->bss->taint_filter[gen];
	__u32 idx;
	int err;

	/* This generation is not in use: its filter starts empty. */
	memset(filter, 0, sizeof(g->skel->bss->taint_filter[gen]));
	for (i = 0; i < c->n_rules; i++)
		nt += c->rules[i].h.n_paths;
	err = bg_gen_rules_alloc(&g->rules[gen], c->n_rules);
	if (err)
		return err;
	s->targets = calloc(nt ? nt : 1, sizeof(*s->targets));
	if (!s->targets)
		return -ENOMEM;
	for (i = 0; i < c->n_rules; i++) {
		const struct taint_rule_cfg *r = &c->rules[i];
		struct bg_taint_rule rule = r->r;

		rule.rule_id = BG_GEN_RULE_ID(BG_EV_TAINT_EGRESS, gen, i);
		rule.action = (__u8)(r->h.action >= 0 ? r->h.action : mode);
		rule.valid = 1;
		err = bg_gen_rules_name(&g->rules[gen], i, r->h.name);
		if (err)
			return err;
		/* The rule first: a target never points at nothing. */
		idx = gen * BG_TAINT_RULES_MAX + (__u32)i;
		if (bpf_map_update_elem(rfd, &idx, &rule, BPF_ANY))
			return -errno;
		g->rules[gen].n = i + 1;
		for (j = 0; j < r->h.n_paths; j++) {
			struct bg_taint_target_key k = {.gen = gen, .id = r->h.paths[j].id};
			struct bg_taint_target t = {
				.rule = (__u32)i,
				.flags = r->h.paths[j].dir ? BG_TAINT_T_DIR : 0,
			};

			/* The filter bit before the entry: a target the
			 * filter hides would be a taint missed. */
			bg_ident_filter_add(filter, BG_TAINT_FILTER_LOG2, k.id.ino, k.id.dev);
			if (bpf_map_update_elem(tfd, &k, &t, BPF_NOEXIST))
				return -errno;
			s->targets[s->n_targets++] = k;
			dirs |= r->h.paths[j].dir;
		}
	}
	g->skel->bss->taint_has_dirs[gen] = dirs;
	return 0;
}

static const struct bg_gen_ops taint_gen_ops = {"taint guard", gen_fill, gen_clear};

static int taint_update(void *guard, const void *cfg, int mode)
{
	struct taint_start a = {guard, cfg, mode};

	return bg_gen_swap(&a.g->skel->bss->taint_gen, &taint_gen_ops, &a);
}

/* ---- lifecycle ---- */

static int taint_configure(void *arg)
{
	struct taint_start *st = arg;
	struct bg_taint_bpf *s = st->g->skel;
	bool lsm = st->g->lsm, cast;

	s->rodata->taint_lsm = lsm;
	bpf_program__set_autoload(s->progs.taint_file_open, lsm);
	bpf_program__set_autoload(s->progs.taint_socket_connect, lsm);
	bpf_program__set_autoload(s->progs.taint_socket_sendmsg, lsm);
	/* Without LSM, one sys_exit variant: plain loads where the kernel
	 * has bpf_rdonly_cast (6.2+), probe reads before. */
	cast = !lsm && bg_kernel_has_func("bpf_rdonly_cast");
	bpf_program__set_autoload(s->progs.taint_sys_exit, !lsm && cast);
	bpf_program__set_autoload(s->progs.taint_sys_exit_compat, !lsm && !cast);
	bpf_program__set_autoload(s->progs.taint_connect_unix, st->g->cg_unix);
	bpf_program__set_autoload(s->progs.taint_sendmsg_unix, st->g->cg_unix);
	if (st->g->cg_unix) {
		bpf_program__set_expected_attach_type(s->progs.taint_connect_unix,
						      BG_ATTACH_CGROUP_UNIX_CONNECT);
		bpf_program__set_expected_attach_type(s->progs.taint_sendmsg_unix,
						      BG_ATTACH_CGROUP_UNIX_SENDMSG);
	}
	/* Sized by user space: the map holds one entry per tainted process. */
	return 0;
}

static int taint_fill(void *arg)
{
	struct taint_start *st = arg;

	return taint_update(st->g, st->c, st->mode);
}

static void taint_stop(void *guard)
{
	struct taint_guard *g = guard;
	__u32 i;

	if (g->skel && g->skel->bss->taint_lost)
		pr_warn("taint guard: %llu taints found no room (docs/guarantees.md)\n",
			(unsigned long long)g->skel->bss->taint_lost);
	for (i = 0; i < 2; i++)
		gen_free(g, i);
	bg_taint_bpf__destroy(g->skel);
	g->skel = NULL;
}

/* The egress hooks at the root of the cgroup v2 hierarchy, where the
 * probe found it mounted: every process of the host passes them. */
static int cg_attach(struct taint_guard *g, const char *root)
{
	struct bpf_program *progs[] = {
		g->skel->progs.taint_connect4,	   g->skel->progs.taint_connect6,
		g->skel->progs.taint_sendmsg4,	   g->skel->progs.taint_sendmsg6,
		g->skel->progs.taint_connect_unix, g->skel->progs.taint_sendmsg_unix};
	struct bpf_link **links[] = {
		&g->skel->links.taint_connect4,	    &g->skel->links.taint_connect6,
		&g->skel->links.taint_sendmsg4,	    &g->skel->links.taint_sendmsg6,
		&g->skel->links.taint_connect_unix, &g->skel->links.taint_sendmsg_unix};
	size_t i, n = g->cg_unix ? 6 : 4;
	int fd, err = 0;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("taint guard: cannot open the cgroup v2 root %s: %s\n", root,
		       strerror(errno));
		return err;
	}
	for (i = 0; i < n; i++) {
		*links[i] = bpf_program__attach_cgroup(progs[i], fd);
		if (!*links[i]) {
			err = -errno;
			pr_err("taint guard: cannot attach %s to %s: %s\n",
			       bpf_program__name(progs[i]), root, strerror(errno));
			break;
		}
	}
	close(fd);
	return err;
}

static int taint_start(void *guard, const void *cfg, const struct bg_guard_env *env)
{
	struct taint_guard *g = guard;
	struct taint_start st = {g, cfg, env->mode};
	struct bg_bpf_steps steps = {.who = "taint guard",
				     .ev = env->ev,
				     .configure = taint_configure,
				     .fill = taint_fill,
				     .arg = &st};
	const struct bg_caps *caps = env->caps;
	int err;

	memset(g, 0, sizeof(*g));
	if (!caps || !bg_has(caps, BG_FEAT_CGROUP_SOCK_ADDR) || !caps->cgroup2[0]) {
		pr_err("taint guard needs cgroup v2 sock_addr hooks: this kernel has none\n");
		return -EOPNOTSUPP;
	}
	g->lsm = bg_has(caps, BG_FEAT_LSM);
	g->cg_unix = !g->lsm && bg_has(caps, BG_FEAT_CGROUP_UNIX);
	if (!g->lsm && (!bg_has(caps, BG_FEAT_TP_BTF) || !bg_has(caps, BG_FEAT_SEND_SIGNAL))) {
		pr_err("taint guard needs BPF LSM, or tp_btf and bpf_send_signal: this kernel has "
		       "neither\n");
		return -EOPNOTSUPP;
	}
	g->skel = bg_taint_bpf__open();
	err = bg_bpf_lifecycle(BG_SKEL(g->skel), &steps);
	if (!err)
		err = cg_attach(g, caps->cgroup2);
	if (err)
		taint_stop(g);
	return err;
}

static int taint_pin(void *guard, struct bg_persist *p)
{
	return bg_persist_links(p, ((struct taint_guard *)guard)->skel->skeleton, "taint");
}

static const char *taint_rule_name(const void *guard, uint32_t id)
{
	return bg_gen_rule_name(((const struct taint_guard *)guard)->rules, BG_EV_TAINT_EGRESS, id);
}

static void taint_names(const void *guard, bg_guard_name_fn fn, void *ctx)
{
	bg_gen_rule_names(((const struct taint_guard *)guard)->rules, BG_EV_TAINT_EGRESS, fn, ctx);
}

/* ---- events ---- */

static const char *op_name(__u8 op)
{
	return op == BG_TAINT_OP_CONNECT ? "connect" : op == BG_TAINT_OP_SEND ? "send" : "?";
}

static const char *transport(__u8 p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "";
}

/* The destination as text: an address or a unix path. */
static const char *dest_str(const struct bg_taint_event *e, const __u8 *addr, char *buf, size_t len)
{
	if (e->family == AF_UNIX) {
		snprintf(buf, len, "%.*s", (int)bg_kstrlen(e->unix_path, BG_TAINT_UNIX_LEN),
			 e->unix_path);
		return buf;
	}
	if (!inet_ntop(e->family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static void slot_json(struct bg_json *j, const struct bg_taint_slot *s)
{
	bg_json_kobj(j, "taint");
	bg_json_key(j, "file");
	bg_json_strn(j, s->path, bg_kstrlen(s->path, BG_PATH_MAX));
	bg_json_ku64(j, "file_inode", s->file.ino);
	bg_json_ku64(j, "file_device_major", s->file.dev >> BG_KDEV_MINORBITS);
	bg_json_ku64(j, "file_device_minor", s->file.dev & ((1u << BG_KDEV_MINORBITS) - 1));
	bg_json_ku64(j, "depth", s->depth);
	bg_json_ku64(j, "pid", s->pid);
	bg_json_ku64(j, "start_ns", s->start_ns);
	bg_json_key(j, "executable");
	bg_json_strn(j, s->exe, bg_kstrlen(s->exe, BG_PATH_MAX));
	bg_json_ku64(j, "tainted_ns", s->at_ns);
	if (s->expires_ns)
		bg_json_ku64(j, "expires_ns", s->expires_ns);
	bg_json_obj_end(j);
}

static void slot_text(struct bg_buf *out, const struct bg_taint_slot *s)
{
	bg_buf_puts(out, " tainted-by ");
	bg_text_escape(out, s->path, bg_kstrlen(s->path, BG_PATH_MAX));
	bg_buf_printf(out, " (pid %u start %llu ", s->pid, (unsigned long long)s->start_ns);
	bg_text_escape(out, s->exe, bg_kstrlen(s->exe, BG_PATH_MAX));
	bg_buf_putc(out, ')');
}

static void egress_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_taint_event *e = rec;
	char buf[INET6_ADDRSTRLEN + BG_TAINT_UNIX_LEN];

	(void)f;
	bg_json_kobj(j, "destination");
	bg_json_kstr(j, "address", dest_str(e, e->addr, buf, sizeof(buf)));
	if (e->family != AF_UNIX)
		bg_json_ku64(j, "port", e->port);
	bg_json_obj_end(j);
	bg_json_kobj(j, "network");
	bg_json_kstr(j, "type",
		     e->family == AF_UNIX    ? "unix"
		     : e->family == AF_INET6 ? "ipv6"
					     : "ipv4");
	if (*transport(e->protocol))
		bg_json_kstr(j, "transport", transport(e->protocol));
	bg_json_obj_end(j);
}

static void egress_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_taint_event *e = rec;
	char buf[INET6_ADDRSTRLEN + BG_TAINT_UNIX_LEN];

	(void)f;
	bg_json_kstr(j, "operation", op_name(e->op));
	if (e->hdr.action == BG_ACT_REDIRECT) {
		bg_json_kobj(j, "redirect");
		bg_json_kstr(j, "address", dest_str(e, e->sink_addr, buf, sizeof(buf)));
		bg_json_ku64(j, "port", e->sink_port);
		bg_json_obj_end(j);
	}
	slot_json(j, &e->taint);
}

static void egress_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_taint_event *e = rec;
	char buf[INET6_ADDRSTRLEN + BG_TAINT_UNIX_LEN];

	(void)f;
	bg_buf_printf(out, " %s %s ", op_name(e->op), transport(e->protocol));
	bg_text_escape(out, buf, strlen(dest_str(e, e->addr, buf, sizeof(buf))));
	if (e->family != AF_UNIX)
		bg_buf_printf(out, " port %u", e->port);
	if (e->hdr.action == BG_ACT_REDIRECT)
		bg_buf_printf(out, " -> %s port %u", dest_str(e, e->sink_addr, buf, sizeof(buf)),
			      e->sink_port);
	slot_text(out, &e->taint);
}

static void set_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	(void)f;
	slot_json(j, &((const struct bg_taint_set_event *)rec)->taint);
}

static void set_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_taint_set_event *e = rec;

	(void)f;
	bg_json_kobj(j, "file");
	bg_json_key(j, "path");
	bg_json_strn(j, e->taint.path, bg_kstrlen(e->taint.path, BG_PATH_MAX));
	bg_json_ku64(j, "inode", e->taint.file.ino);
	bg_json_obj_end(j);
}

static void set_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	(void)f;
	slot_text(out, &((const struct bg_taint_set_event *)rec)->taint);
}

static const struct bg_event_desc taint_egress_desc = {
	.type = BG_EV_TAINT_EGRESS,
	.name = "taint_egress",
	.size = sizeof(struct bg_taint_event),
	.category = "network",
	.ecs_type = "connection",
	.action = "tainted-egress",
	.has_proc = true,
	.json = egress_json,
	.json_bg = egress_json_bg,
	.text = egress_text,
	.color = "\033[31m",
};

static const struct bg_event_desc taint_set_desc = {
	.type = BG_EV_TAINT_SET,
	.name = "taint_set",
	.size = sizeof(struct bg_taint_set_event),
	.category = "file",
	.ecs_type = "access",
	.action = "taint",
	.has_proc = true,
	.json = set_json,
	.json_bg = set_json_bg,
	.text = set_text,
	.color = "\033[33m",
};

static const struct bg_event_desc *const taint_events[] = {&taint_egress_desc, &taint_set_desc,
							   NULL};

/* ---- the guard: guards.taint ---- */

const struct bg_guard bg_guard_taint = {
	.key = "guards.taint",
	.cfg_size = sizeof(struct taint_config),
	.state_size = sizeof(struct taint_guard),
	.reload = BG_GUARD_UPDATE,
	.parse = bg_taint_config_parse,
	.free = bg_taint_config_free,
	.resolve = bg_taint_config_resolve,
	.enabled = taint_enabled,
	.start = taint_start,
	.update = taint_update,
	.stop = taint_stop,
	.pin = taint_pin,
	.rule_name = taint_rule_name,
	.names = taint_names,
	.events = taint_events,
};
