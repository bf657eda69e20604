/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The network allowlist of `bpfguard run`, shared by the cgroup sock_addr
 * programs (bpf/sandbox.bpf.c) and the BPF LSM ones (bpf/run_lsm.bpf.c), so
 * that a peer is allowed or refused by the same rule whichever mechanism
 * enforces it. User space fills net_rules and sets n_rules before load.
 * Include after lib/common.bpf.h.
 */
#ifndef BG_NETRULES_BPF_H
#define BG_NETRULES_BPF_H

#include <bpfguard/profile.h>
#include <bpfguard/sandbox.h>

#include "lib/consts.bpf.h"
#include "lib/prefix.bpf.h"


const volatile __u32 n_rules = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_NET_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_net_rule);
} net_rules SEC(".maps");

/* One operation on one peer, and whether a rule allowed it. */
struct bg_net_match {
	__u8 op;
	__u16 family;
	__u16 port; /* host order */
	__u8 addr[16];
	bool allowed;
};

static long bg_net_match_one(__u32 i, void *c)
{
	struct bg_net_match *m = c;
	struct bg_net_rule *r = bpf_map_lookup_elem(&net_rules, &i);

	if (!r)
		return 1;
	if (r->op != m->op || (r->port && r->port != m->port) ||
	    (r->family && r->family != m->family))
		return 0;
	if (r->family && r->prefix && !bg_prefix_match(r->addr, m->addr, r->prefix))
		return 0;
	m->allowed = true;
	return 1;
}

/* true when a rule allows the operation in m. */
static __always_inline bool bg_net_allowed(struct bg_net_match *m)
{
	m->allowed = false;
	bpf_loop(n_rules, bg_net_match_one, m, 0);
	return m->allowed;
}

#endif /* BG_NETRULES_BPF_H */
