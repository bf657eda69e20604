// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The network bans of guards.limits, user half of bpf/netban.bpf.c (see
 * src/guards/netban.h for why it is the limits guard's part): loaded on the
 * limits object's maps, the cgroup attachments of cgroup rules, the
 * syscall hook of bans without LSM, the netban event.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "core/guard.h"
#include "core/log.h"
#include "core/persist.h"
#include "events/format.h"
#include "events/json.h"
#include "guards/limits_guard.h"
#include "guards/netban.h"
#include "limits.skel.h"
#include "netban.skel.h"

struct netban_start {
	struct bg_netban *nb;
	struct bg_limits_bpf *lim;
	bool lsm;
};

/* One set of rules and processes: limits' maps, before netban loads. */
static int netban_configure(void *arg)
{
	struct netban_start *st = arg;
	struct bg_netban_bpf *s = st->nb->skel;
	struct bg_limits_bpf *l = st->lim;
	struct {
		struct bpf_map *mine, *theirs;
	} shared[] = {
		{s->maps.lim_rules, l->maps.lim_rules},
		{s->maps.lim_exe, l->maps.lim_exe},
		{s->maps.lim_cgroup, l->maps.lim_cgroup},
		{s->maps.lim_comm, l->maps.lim_comm},
		{s->maps.lim_tasks, l->maps.lim_tasks},
		{s->maps.lim_reported, l->maps.lim_reported},
	};
	struct bpf_program *lsm_progs[] = {
		s->progs.ban_socket_connect,
		s->progs.ban_socket_sendmsg,
		s->progs.ban_socket_recvmsg,
		s->progs.ban_socket_accept,
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		err = bpf_map__reuse_fd(shared[i].mine, bpf_map__fd(shared[i].theirs));
		if (err) {
			pr_err("limits guard: netban: cannot share %s: %s\n",
			       bpf_map__name(shared[i].mine), strerror(-err));
			return err;
		}
	}
	for (i = 0; i < sizeof(lsm_progs) / sizeof(lsm_progs[0]) && !st->lsm; i++)
		bpf_program__set_autoload(lsm_progs[i], false);
	bpf_program__set_autoattach(s->progs.ban_sys_enter, false);
	return 0;
}

int bg_netban_start(struct bg_netban *nb, struct bg_limits_bpf *lim, bool lsm, struct bg_events *ev)
{
	struct netban_start st = {nb, lim, lsm};
	struct bg_bpf_steps steps = {
		.who = "limits guard (network bans)",
		.ev = ev,
		.configure = netban_configure,
		.arg = &st,
	};
	int err;

	memset(nb, 0, sizeof(*nb));
	/* Its LSM hooks see no rule until limits writes them: nothing is
	 * banned before the guard says it started. */
	nb->skel = bg_netban_bpf__open();
	err = bg_bpf_lifecycle(BG_SKEL(nb->skel), &steps);
	if (err)
		bg_netban_stop(nb);
	return err;
}

void bg_netban_kinds(struct bg_netban *nb, uint32_t kinds)
{
	__atomic_store_n(&nb->skel->bss->lim_kinds, kinds, __ATOMIC_RELEASE);
}

int bg_netban_sys_enter(struct bg_netban *nb, bool on)
{
	int err;

	if (on && !nb->sys_enter) {
		nb->sys_enter = bpf_program__attach(nb->skel->progs.ban_sys_enter);
		if (!nb->sys_enter) {
			err = -errno;
			pr_err("limits guard: cannot attach the network bans' sys_enter: %s\n",
			       strerror(errno));
			return err;
		}
	} else if (!on && nb->sys_enter) {
		bpf_link__destroy(nb->sys_enter);
		nb->sys_enter = NULL;
	}
	return 0;
}

int bg_netban_cg_attach(struct bg_netban *nb, const struct bg_limits_rule *cr)
{
	struct bpf_program *progs[6] = {
		nb->skel->progs.ban_connect4,	 nb->skel->progs.ban_connect6,
		nb->skel->progs.ban_sendmsg4,	 nb->skel->progs.ban_sendmsg6,
		nb->skel->progs.ban_skb_ingress, nb->skel->progs.ban_skb_egress,
	};
	struct bg_netban_cg *cg, *grown;
	size_t i;
	int fd, err = 0;

	for (i = 0; i < nb->n_cgs; i++)
		if (nb->cgs[i].id == cr->cgroup_id)
			return 0;
	grown = realloc(nb->cgs, (nb->n_cgs + 1) * sizeof(*nb->cgs));
	if (!grown)
		return -ENOMEM;
	nb->cgs = grown;
	cg = &nb->cgs[nb->n_cgs];
	memset(cg, 0, sizeof(*cg));
	cg->id = cr->cgroup_id;
	fd = open(cr->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("limits: rule '%s': cannot open %s: %s\n", cr->name, cr->target,
		       strerror(errno));
		return err;
	}
	for (i = 0; i < 6; i++) {
		cg->links[i] = bpf_program__attach_cgroup(progs[i], fd);
		if (!cg->links[i]) {
			err = -errno;
			pr_err("limits: rule '%s': cannot attach %s to %s: %s\n", cr->name,
			       bpf_program__name(progs[i]), cr->target, strerror(errno));
			break;
		}
	}
	close(fd);
	if (err) {
		while (i--)
			bpf_link__destroy(cg->links[i]);
		return err;
	}
	nb->n_cgs++;
	return 0;
}

void bg_netban_cg_prune(struct bg_netban *nb, const struct bg_limits_config *c)
{
	size_t i, j, k = 0;
	bool keep;

	for (i = 0; i < nb->n_cgs; i++) {
		keep = false;
		for (j = 0; c && j < c->n_rules; j++)
			if (c->rules[j].match == BG_LIM_MATCH_CGROUP &&
			    c->rules[j].cgroup_id == nb->cgs[i].id && c->rules[j].r.net_ban)
				keep = true;
		if (keep) {
			nb->cgs[k++] = nb->cgs[i];
			continue;
		}
		for (j = 0; j < 6; j++)
			bpf_link__destroy(nb->cgs[i].links[j]);
	}
	nb->n_cgs = k;
}

void bg_netban_stop(struct bg_netban *nb)
{
	bg_netban_sys_enter(nb, false);
	bg_netban_cg_prune(nb, NULL);
	free(nb->cgs);
	nb->cgs = NULL;
	bg_netban_bpf__destroy(nb->skel);
	nb->skel = NULL;
}

int bg_netban_pin(struct bg_netban *nb, struct bg_persist *p)
{
	char name[64];
	size_t i, j;
	int err;

	err = bg_persist_links(p, nb->skel->skeleton, "netban");
	/* Attached apart from the skeleton, and only while rules need them. */
	if (!err && nb->sys_enter)
		err = bg_persist_link(p, "netban-ban_sys_enter", bpf_link__fd(nb->sys_enter));
	for (i = 0; !err && i < nb->n_cgs; i++)
		for (j = 0; !err && j < 6; j++) {
			snprintf(name, sizeof(name), "netban-cg%llu-%zu",
				 (unsigned long long)nb->cgs[i].id, j);
			err = bg_persist_link(p, name, bpf_link__fd(nb->cgs[i].links[j]));
		}
	return err;
}

/* ---- the netban event ---- */

/* enum bg_net_op as a ban names it */
static const char *const op_names[] = {
	[BG_NET_CONNECT] = "connect",
	[BG_NET_SENDTO] = "send",
	[BG_NET_RECV] = "receive",
	[BG_NET_ACCEPT] = "accept",
};

static const char *op_name(unsigned int op)
{
	return op < sizeof(op_names) / sizeof(op_names[0]) && op_names[op] ? op_names[op]
									   : "unknown";
}

static const char *peer_ip(const struct bg_netban_event *e, char *buf, size_t len)
{
	if (e->family == AF_INET || e->family == AF_INET6)
		return inet_ntop(e->family, e->addr, buf, len);
	return NULL;
}

/* action redirect: the sinkhole the call went to instead (same family). */
static const char *sinkhole_ip(const struct bg_netban_event *e, char *buf, size_t len)
{
	if (!e->redirect_port || (e->family != AF_INET && e->family != AF_INET6))
		return NULL;
	return inet_ntop(e->family, e->redirect_addr, buf, len);
}

static void netban_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_netban_event *e = rec;
	char ip[INET6_ADDRSTRLEN];
	const char *a = peer_ip(e, ip, sizeof(ip));

	(void)f;
	if (a) {
		/* The peer: the destination of what we send, the source of what we receive. */
		bg_json_kobj(j, e->op == BG_NET_RECV || e->op == BG_NET_ACCEPT ? "source"
									       : "destination");
		bg_json_kstr(j, "address", a);
		bg_json_ku64(j, "port", e->port);
		bg_json_obj_end(j);
	}
	bg_json_kobj(j, "network");
	if (e->family)
		bg_json_kstr(j, "type", e->family == AF_INET ? "ipv4" : "ipv6");
	bg_json_kstr(j, "transport",
		     e->protocol == 6	 ? "tcp"
		     : e->protocol == 17 ? "udp"
					 : "other");
	bg_json_obj_end(j);
}

static void netban_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_netban_event *e = rec;
	char ip[INET6_ADDRSTRLEN];
	const char *s = sinkhole_ip(e, ip, sizeof(ip));

	(void)f;
	bg_json_kobj(j, "netban");
	bg_json_kstr(j, "op", op_name(e->op));
	bg_json_kbool(j, "peer_known", e->family != 0);
	if (e->nr)
		bg_json_ku64(j, "syscall", e->nr);
	if (s) {
		/* destination.* stays what the process asked for */
		bg_json_kobj(j, "redirected_to");
		bg_json_kstr(j, "address", s);
		bg_json_ku64(j, "port", e->redirect_port);
		bg_json_obj_end(j);
	}
	bg_json_obj_end(j);
}

static void netban_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_netban_event *e = rec;
	char ip[INET6_ADDRSTRLEN];
	const char *a = peer_ip(e, ip, sizeof(ip));

	(void)f;
	bg_buf_printf(out, " %s %s", op_name(e->op),
		      e->protocol == 6	  ? "tcp"
		      : e->protocol == 17 ? "udp"
					  : "?");
	if (a)
		bg_buf_printf(out, e->family == AF_INET6 ? " [%s]:%u" : " %s:%u", a, e->port);
	else
		bg_buf_printf(out, " peer=unknown");
	a = sinkhole_ip(e, ip, sizeof(ip));
	if (a)
		bg_buf_printf(out, e->family == AF_INET6 ? " -> [%s]:%u" : " -> %s:%u", a,
			      e->redirect_port);
}

const struct bg_event_desc bg_netban_desc = {
	.type = BG_EV_NETBAN,
	.name = "netban",
	.size = sizeof(struct bg_netban_event),
	.category = "network",
	.ecs_type = "denied",
	.action = "network-banned",
	.has_proc = true,
	.json = netban_json,
	.json_bg = netban_json_bg,
	.text = netban_text,
	.color = "\033[31m",
};
