/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one answer to "is this peer allowed by this rule?" (struct bg_net_rule,
 * include/bpfguard/netrule.h), for run (lib/netrules.bpf.h: sandbox.bpf.c,
 * run_lsm.bpf.c), monitor (monitor.bpf.c, through netrules.bpf.h too) and
 * the limits guard's network bans (netban.bpf.c, a rule's allowed peers).
 * Include after lib/common.bpf.h.
 */
#ifndef BG_NETMATCH_BPF_H
#define BG_NETMATCH_BPF_H

#include <bpfguard/netrule.h>
#include <bpf/bpf_endian.h>

#include "lib/consts.bpf.h"
#include "lib/prefix.bpf.h"
#include "lib/sockaddr.bpf.h"

/* One operation on one peer (family 0: unknown), and whether a rule allowed it. */
struct bg_net_match {
	__u8 op;       /* enum bg_net_op */
	__u8 protocol; /* IPPROTO_*, 0: unknown (events only) */
	__u16 family;
	__u16 port; /* host order */
	__u8 addr[16];
	bool allowed;
};

/* An unknown peer (family 0) matches only a rule for any address. */
static __always_inline bool bg_net_rule_match(const struct bg_net_rule *r,
					      const struct bg_net_match *m)
{
	if (r->op && r->op != m->op)
		return false;
	if (r->port && r->port != m->port)
		return false;
	if (r->family && (r->family != m->family || !bg_prefix_match(r->addr, m->addr, r->prefix)))
		return false;
	return true;
}

/* The destination a cgroup sock_addr program (connect, sendmsg, bind) sees. */
static __always_inline void bg_net_match_sock_addr(struct bg_net_match *m,
						   struct bpf_sock_addr *ctx, bool v6)
{
	bg_sock_addr_dst(ctx, v6, &m->family, &m->port, m->addr);
}

#endif /* BG_NETMATCH_BPF_H */
