// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard run`: the network allowlist, enforced by cgroup sock_addr hooks
 * on the cgroup the command runs in. connect, sendto/sendmsg with an
 * address, and bind are checked before the kernel acts; a peer outside the
 * policy gets EPERM (deny) or only an event (alert). Only the sandboxed
 * cgroup runs these programs: bystanders pay nothing.
 */
#include "lib/common.bpf.h"
#include "lib/ratelimit.bpf.h"
#include "lib/netrules.bpf.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u8 action = BG_ACT_DENY; /* BG_ACT_DENY or BG_ACT_ALERT */
const volatile __u32 rule_id = 0;	  /* the rule name user space prints */

static __always_inline int check(struct bpf_sock_addr *ctx, __u8 op, bool v6)
{
	struct bg_net_match m = {};
	struct bg_net_event *e;
	int verdict = action == BG_ACT_ALERT ? 1 : 0;

	m.op = op;
	bg_net_match_sock_addr(&m, ctx, v6);
	if (bg_net_allowed(&m))
		return 1;
	e = bg_rl_event(BG_EV_NET, sizeof(*e), action, BG_MECH_CGROUP,
			action == BG_ACT_ALERT ? BG_OUT_SUCCESS : BG_OUT_FAILURE, rule_id);
	if (e) {
		bg_fill_proc(&e->proc, &e->hdr.flags, false);
		e->family = m.family;
		e->port = m.port;
		e->op = op;
		e->protocol = ctx->protocol;
		__builtin_memcpy(e->addr, m.addr, 16);
		bg_submit(e);
	}
	return verdict;
}

/* sb_connect4, sb_connect6, sb_sendmsg4, sb_sendmsg6, sb_bind4, sb_bind6 */
BG_SOCK_ADDR_PROGS(sb, connect, check, BG_NET_CONNECT)
BG_SOCK_ADDR_PROGS(sb, sendmsg, check, BG_NET_SENDTO)
BG_SOCK_ADDR_PROGS(sb, bind, check, BG_NET_BIND)
