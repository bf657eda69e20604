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
#include <bpf/bpf_endian.h>
#include <bpfguard/profile.h>
#include <bpfguard/sandbox.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET	 2
#define AF_INET6 10

const volatile __u8 action = BG_ACT_DENY; /* BG_ACT_DENY or BG_ACT_ALERT */
const volatile __u32 n_rules = 0;
const volatile __u32 rule_id = 0; /* the rule name user space prints */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_NET_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_net_rule);
} net_rules SEC(".maps");

struct match_ctx {
	__u8 op;
	__u16 family;
	__u16 port;
	__u8 addr[16];
	bool allowed;
};

static __always_inline bool prefix_match(const __u8 *a, const __u8 *b, __u32 bits)
{
	__u32 i;

	for (i = 0; i < 16; i++) {
		__u8 mask;

		if (bits >= 8) {
			mask = 0xff;
			bits -= 8;
		} else {
			mask = (__u8)(0xff << (8 - bits));
			bits = 0;
		}
		if ((a[i] ^ b[i]) & mask)
			return false;
		if (!bits)
			return true;
	}
	return true;
}

static long match_one(__u32 i, void *c)
{
	struct match_ctx *m = c;
	struct bg_net_rule *r = bpf_map_lookup_elem(&net_rules, &i);

	if (!r)
		return 1;
	if (r->op != m->op || (r->port && r->port != m->port) ||
	    (r->family && r->family != m->family))
		return 0;
	if (r->family && r->prefix && !prefix_match(r->addr, m->addr, r->prefix))
		return 0;
	m->allowed = true;
	return 1;
}

static __always_inline int check(struct bpf_sock_addr *ctx, __u8 op, bool v6)
{
	struct match_ctx m = {};
	struct bg_net_event *e;
	struct bg_rl_state *rl;
	int verdict = action == BG_ACT_ALERT ? 1 : 0;
	__u32 sup;

	m.op = op;
	m.family = v6 ? AF_INET6 : AF_INET;
	m.port = bpf_ntohs(ctx->user_port);
	if (v6) {
		__u32 w[4];

		w[0] = ctx->user_ip6[0];
		w[1] = ctx->user_ip6[1];
		w[2] = ctx->user_ip6[2];
		w[3] = ctx->user_ip6[3];
		__builtin_memcpy(m.addr, w, 16);
	} else {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(m.addr, &a, 4);
	}
	bpf_loop(n_rules, match_one, &m, 0);
	if (m.allowed)
		return 1;
	if (!bg_rl_check(rule_id, &rl, &sup))
		return verdict;
	e = bg_reserve(sizeof(*e));
	if (!e) {
		bg_rl_unsend(rl, sup);
	} else {
		bg_hdr(&e->hdr, BG_EV_NET, sizeof(*e));
		e->hdr.suppressed = sup;
		e->hdr.action = action;
		e->hdr.mechanism = BG_MECH_CGROUP;
		e->hdr.outcome = action == BG_ACT_ALERT ? BG_OUT_SUCCESS : BG_OUT_FAILURE;
		e->hdr.rule_id = rule_id;
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

SEC("cgroup/connect4")
int sb_connect4(struct bpf_sock_addr *ctx)
{
	return check(ctx, BG_NET_CONNECT, false);
}

SEC("cgroup/connect6")
int sb_connect6(struct bpf_sock_addr *ctx)
{
	return check(ctx, BG_NET_CONNECT, true);
}

SEC("cgroup/sendmsg4")
int sb_sendmsg4(struct bpf_sock_addr *ctx)
{
	return check(ctx, BG_NET_SENDTO, false);
}

SEC("cgroup/sendmsg6")
int sb_sendmsg6(struct bpf_sock_addr *ctx)
{
	return check(ctx, BG_NET_SENDTO, true);
}

SEC("cgroup/bind4")
int sb_bind4(struct bpf_sock_addr *ctx)
{
	return check(ctx, BG_NET_BIND, false);
}

SEC("cgroup/bind6")
int sb_bind6(struct bpf_sock_addr *ctx)
{
	return check(ctx, BG_NET_BIND, true);
}
