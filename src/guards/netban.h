/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_NETBAN_H
#define BG_NETBAN_H

/*
 * The network bans of guards.limits: user half of bpf/netban.bpf.c. Part of
 * the limits guard (src/guards/limits.c), not a guard of its own: a ban is
 * a field of a limits rule, and the rules, their targets and the processes
 * they hold (tracked at fork by bpf/limits.bpf.c) are one set of maps that
 * netban is loaded on (bpf_map__reuse_fd).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bg_events;
struct bg_persist;
struct bg_limits_bpf;
struct bg_netban_bpf;
struct bg_limits_rule;
struct bg_limits_config;
struct bpf_link;
struct bg_event_desc;

/* Links of the cgroup programs on one target cgroup. */
struct bg_netban_cg {
	uint64_t id;
	struct bpf_link *links[6];
};

struct bg_netban {
	struct bg_netban_bpf *skel;
	struct bg_netban_cg *cgs;
	size_t n_cgs;
	/* tp_btf/sys_enter for bans enforced at the syscall (no BPF LSM, or
	 * kill): attached only while such a rule exists. */
	struct bpf_link *sys_enter;
};

/* Open and load on lim's maps; the LSM hooks only with lsm. */
int bg_netban_start(struct bg_netban *nb, struct bg_limits_bpf *lim, bool lsm,
		    struct bg_events *ev);
void bg_netban_stop(struct bg_netban *nb);
/* BG_LIM_KIND_*: which target maps its programs look up. */
void bg_netban_kinds(struct bg_netban *nb, uint32_t kinds);
int bg_netban_sys_enter(struct bg_netban *nb, bool on);
/* The cgroup programs on a cgroup rule's target (once per cgroup). */
int bg_netban_cg_attach(struct bg_netban *nb, const struct bg_limits_rule *cr);
/* Detach the cgroups no ban of c names any more (c NULL: all). */
void bg_netban_cg_prune(struct bg_netban *nb, const struct bg_limits_config *c);
int bg_netban_pin(struct bg_netban *nb, struct bg_persist *p);

extern const struct bg_event_desc bg_netban_desc;

#endif
