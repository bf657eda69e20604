/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One network rule, shared by the kernel and user space, for every check
 * that asks "is this peer allowed?": `run` (bpf/sandbox.bpf.c cgroup hooks,
 * bpf/run_lsm.bpf.c LSM hooks), `monitor` (bpf/monitor.bpf.c) and the
 * limits guard's network bans (bpf/netban.bpf.c). The kernel matches it in
 * one place (bpf/lib/netrules.bpf.h, bg_net_rule_match); user space fills
 * it from a policy peer in one place (src/policy/netrule.c).
 */
#ifndef BPFGUARD_NETRULE_H
#define BPFGUARD_NETRULE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BG_NET_RULES_MAX 256

/* The operation on a peer: profile records, rules, events. */
enum bg_net_op {
	BG_NET_CONNECT = 1,
	BG_NET_SENDTO = 2, /* send, sendto, sendmsg: "send" in netban events */
	BG_NET_BIND = 3,
	BG_NET_RECV = 4,   /* receive from (a ban's peer is the source) */
	BG_NET_ACCEPT = 5, /* accept an inbound TCP connection */
};

/* A peer a rule allows: op 0 is any operation (a ban's allowed peers, whose
 * operations are the ban's), family 0 any address, port 0 any port. */
struct bg_net_rule {
	__u8 op;      /* enum bg_net_op; 0: any */
	__u8 prefix;  /* bits of addr that must match */
	__u16 family; /* AF_INET, AF_INET6; 0: any */
	__u16 port;   /* host order; 0: any */
	__u16 pad;
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
};

_Static_assert(sizeof(struct bg_net_rule) == 24, "bg_net_rule is 24 bytes on both sides");

#endif /* BPFGUARD_NETRULE_H */
