/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Process limits and per-process network bans (bpf/limits.bpf.c,
 * src/guards/limits.c): rule and target maps shared by the kernel and user space.
 * docs/agent.md describes the config and what each check measures.
 */
#ifndef BPFGUARD_LIMITS_H
#define BPFGUARD_LIMITS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include <bpfguard/netrule.h>

#define BG_LIM_RULES_MAX   64
#define BG_LIM_PEERS_MAX   16 /* allowed peers per rule */
#define BG_LIM_TARGETS_MAX 1024

/* hdr.rule_id of limits events: type 13 in the top byte, rule index + 1. */
#define BG_LIM_RULE_ID(idx)   ((13u << 24) | ((idx) + 1))
#define BG_LIM_IS_RULE_ID(id) (((id) >> 24) == 13u)
#define BG_LIM_RULE_IDX(id)   (((id)&0xffffu) - 1)

/* Kinds of targets the rules name (bits of the program's lim_kinds): the
 * target map of a kind no rule uses is not looked up. */
#define BG_LIM_KIND_EXE	   0x1
#define BG_LIM_KIND_CGROUP 0x2
#define BG_LIM_KIND_COMM   0x4

/* Network operations a rule bans (bits of bg_lim_rule.net_ban). */
#define BG_BAN_CONNECT 0x1 /* connect (and accept: inbound TCP) */
#define BG_BAN_SEND    0x2
#define BG_BAN_RECV    0x4

struct bg_lim_rule {
	__u64 max_memory;      /* bytes of address space (mm->total_vm); 0: none */
	__u32 max_children;    /* live child processes of one process; 0: none */
	__u32 max_descendants; /* live processes in a tree below a matching root; 0: none */
	__u8 action;	       /* enum bg_action: alert, deny, kill */
	__u8 net_ban;	       /* BG_BAN_* */
	__u8 n_peers;
	__u8 net_mech; /* enum bg_mechanism that enforces the ban: lsm, cgroup, tracepoint */
	__u8 pad[4];
	struct bg_net_rule peers[BG_LIM_PEERS_MAX]; /* allowed peers (op 0) */
	/* action redirect: where a banned connect or send goes instead, [0]
	 * IPv4, [1] IPv6 (port 0: none for that family, which is denied). The
	 * sinkholes are among the allowed peers too. */
	struct bg_net_rule sinkhole[2];
};

/* What the kernel keeps about a process created by a tracked process. */
struct bg_lim_task {
	__u32 parent; /* tgid of the parent that forked it */
	__u32 root;   /* tgid of the tree's root (the first matching ancestor) */
	__u64 parent_start;
	__u64 root_start;
	__u32 rule; /* rule index */
	__u32 pad;
};

/* Counters of one process, keyed by (tgid, start). */
struct bg_lim_key {
	__u32 tgid;
	__u32 pad;
	__u64 start;
};

struct bg_lim_count {
	__s64 children;	   /* live children it forked */
	__s64 descendants; /* live processes in its tree (roots only) */
	__u32 condemned;   /* kill: the tree went over its limit; members die at their next fork */
	__u32 dead;	   /* the process itself exited; entry kept while descendants live */
};

/* What a limits event (type 13) reports. */
enum bg_lim_what {
	BG_LIM_MEM_REQUEST = 1, /* one mmap/brk/mremap larger than max_memory */
	BG_LIM_MEM_TOTAL = 2,	/* total_vm plus the request over max_memory */
	BG_LIM_CHILDREN = 3,
	BG_LIM_DESCENDANTS = 4,
	BG_LIM_CONDEMNED = 5, /* a member of a tree that went over its limit forked */
};

#endif /* BPFGUARD_LIMITS_H */
