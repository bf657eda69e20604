/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A policy's network allowlist as a map of rules: `bpfguard run` (the
 * cgroup sock_addr programs of bpf/sandbox.bpf.c and the BPF LSM ones of
 * bpf/run_lsm.bpf.c) and `bpfguard monitor` (bpf/monitor.bpf.c), so that a
 * peer is allowed or refused by the same rule whichever mechanism enforces
 * it. User space fills net_rules (src/policy/netrule.c) and sets n_rules
 * before load. Include after lib/common.bpf.h.
 */
#ifndef BG_NETRULES_BPF_H
#define BG_NETRULES_BPF_H

#include <bpfguard/profile.h>

#include "lib/netmatch.bpf.h"

const volatile __u32 n_rules = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_NET_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_net_rule);
} net_rules SEC(".maps");

static long bg_net_match_one(__u32 i, void *c)
{
	struct bg_net_match *m = c;
	struct bg_net_rule *r = bpf_map_lookup_elem(&net_rules, &i);

	if (!r)
		return 1;
	if (!bg_net_rule_match(r, m))
		return 0;
	m->allowed = true;
	return 1;
}

/* true when a rule allows the operation in m. */
static __always_inline bool bg_net_allowed(struct bg_net_match *m)
{
	m->allowed = false;
	/* Skipped when there are no rules: with a constant 0 count the
	 * callback is never verified, and 6.18 then fails the load ("No
	 * program to jit"). */
	if (n_rules)
		bpf_loop(n_rules, bg_net_match_one, m, 0);
	return m->allowed;
}

#endif /* BG_NETRULES_BPF_H */
