/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Cgroup sock_addr programs (connect, sendmsg, bind; IPv4 and IPv6): the
 * destination they see, the rewrite a redirect makes, and the family of
 * SEC() programs that hand their context to one check. Used by run's
 * network allowlist (bpf/sandbox.bpf.c, through lib/netmatch.bpf.h), the
 * limits guard's bans (bpf/netban.bpf.c) and taint's egress
 * (bpf/taint.bpf.c). Include after vmlinux.h and the libbpf headers.
 */
#ifndef BG_SOCKADDR_BPF_H
#define BG_SOCKADDR_BPF_H

#include <bpf/bpf_endian.h>

/* The destination: family, port (host order) and address (network order,
 * in addr[0..3] or addr[0..15]). user_ip6 is read one 32-bit word at a
 * time, as the verifier wants its context read. */
static __always_inline void bg_sock_addr_dst(struct bpf_sock_addr *ctx, bool v6, __u16 *family,
					     __u16 *port, __u8 *addr)
{
	*family = v6 ? AF_INET6 : AF_INET;
	*port = bpf_ntohs(ctx->user_port);
	if (v6) {
		__u32 w[4];

		w[0] = ctx->user_ip6[0];
		w[1] = ctx->user_ip6[1];
		w[2] = ctx->user_ip6[2];
		w[3] = ctx->user_ip6[3];
		__builtin_memcpy(addr, w, 16);
	} else {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(addr, &a, 4);
	}
}

/* Make the call go to addr (network order, 4 or 16 bytes) and port (host
 * order) instead: the kernel connects or sends there. */
static __always_inline void bg_sock_addr_set_dst(struct bpf_sock_addr *ctx, bool v6,
						 const void *addr, __u16 port)
{
	if (v6) {
		__u32 w[4];

		__builtin_memcpy(w, addr, 16);
		ctx->user_ip6[0] = w[0];
		ctx->user_ip6[1] = w[1];
		ctx->user_ip6[2] = w[2];
		ctx->user_ip6[3] = w[3];
	} else {
		__u32 a;

		__builtin_memcpy(&a, addr, 4);
		ctx->user_ip4 = a;
	}
	ctx->user_port = bpf_htons(port);
}

/* SEC("cgroup/<hook>4") and ("cgroup/<hook>6") programs named
 * <prefix>_<hook>4 and <prefix>_<hook>6, returning fn(ctx, op, v6). */
#define BG_SOCK_ADDR_PROG(prefix, hook, fn, op, v6)                                                \
	SEC("cgroup/" #hook)                                                                       \
	int prefix##_##hook(struct bpf_sock_addr *ctx)                                             \
	{                                                                                          \
		return fn(ctx, op, v6);                                                            \
	}
#define BG_SOCK_ADDR_PROGS(prefix, hook, fn, op)                                                   \
	BG_SOCK_ADDR_PROG(prefix, hook##4, fn, op, false)                                          \
	BG_SOCK_ADDR_PROG(prefix, hook##6, fn, op, true)

#endif /* BG_SOCKADDR_BPF_H */
