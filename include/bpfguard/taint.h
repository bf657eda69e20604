/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Taint (agent guard `guards.taint`): a process that opened a classified
 * file for reading loses the network, except the egress its rule allows.
 * The maps bpf/taint.bpf.c reads and src/guards/taint.c fills, and the
 * guard's two event records.
 *
 * Classified files are keyed by (device, inode) like the files guard's
 * (include/bpfguard/files.h), under a generation: a reload writes the new
 * rule set under the generation not in use and flips one word. A tainted
 * process keeps the identity of what tainted it (the file, or the
 * classified directory above it) and finds its rule through the current
 * generation at every check: a reload that drops the rule lifts the taint.
 */
#ifndef BPFGUARD_TAINT_H
#define BPFGUARD_TAINT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include <bpfguard/events.h>
#include <bpfguard/ident.h>

/* Event types, claimed from the guards' range (include/bpfguard/events.h). */
#define BG_EV_TAINT_EGRESS 32 /* a tainted process's egress, refused, redirected or alerted */
#define BG_EV_TAINT_SET	   33 /* a process opened a classified file: it is tainted now */

#define BG_TAINT_RULES_MAX   64	   /* rules per generation */
#define BG_TAINT_TARGETS_MAX 8192  /* classified files and directories, both generations */
#define BG_TAINT_PROCS_MAX   65536 /* tainted processes at once */
#define BG_TAINT_SLOTS	     4	   /* distinct taints one process carries */
#define BG_TAINT_NETS_MAX    16	   /* allowed prefixes per rule */
#define BG_TAINT_PORTS_MAX   16	   /* allowed destination ports (any address) per rule */
#define BG_TAINT_UNIX_MAX    8	   /* allowed unix socket paths per rule */
#define BG_TAINT_UNIX_LEN    108   /* sizeof(sun_path) */
#define BG_TAINT_DIR_DEPTH   16	   /* ancestors compared for directory rules */

#define BG_TAINT_T_DIR 0x1 /* target flag: a directory, everything beneath */

/* The filter in front of taint_targets, per generation
 * (include/bpfguard/ident.h, bg_ident_bit): 4,096 bits. */
#define BG_TAINT_FILTER_LOG2  12
#define BG_TAINT_FILTER_WORDS ((1 << BG_TAINT_FILTER_LOG2) / 64)

/* Egress operations in events. */
enum bg_taint_op {
	BG_TAINT_OP_CONNECT = 1,
	BG_TAINT_OP_SEND = 2, /* sendmsg/sendto with an address, or on a connected socket (LSM) */
};

struct bg_taint_target_key {
	__u32 gen;
	__u32 pad;
	struct bg_ident id;
};

struct bg_taint_target {
	__u32 rule;  /* index in the generation's rule table */
	__u32 flags; /* BG_TAINT_T_* */
};

/* An allowed destination prefix; port 0: any port. */
struct bg_taint_net {
	__u8 family; /* 4 or 6 */
	__u8 prefix_len;
	__u16 port; /* host order */
	__u8 addr[16];
};

/* taint_rules[gen * BG_TAINT_RULES_MAX + rule] */
struct bg_taint_rule {
	__u32 rule_id; /* hdr.rule_id of events */
	__u8 action;   /* enum bg_action: alert, deny, kill, redirect */
	__u8 valid;
	__u8 loopback; /* 1: 127/8, ::1 and the unspecified address stay allowed */
	__u8 unix_any; /* 1: every unix socket stays allowed */
	__u8 n_nets;
	__u8 n_ports;
	__u8 n_unix;
	__u8 sinks;	  /* redirect: bit 0 an IPv4 sinkhole, bit 1 an IPv6 one */
	__u16 sink4_port; /* host order */
	__u16 sink6_port;
	__u32 sink4_addr; /* network order */
	__u8 sink6_addr[16];
	__u32 pad;
	__u64 duration_ns; /* 0: the taint lasts until the process exits */
	struct bg_taint_net nets[BG_TAINT_NETS_MAX];
	__u16 ports[BG_TAINT_PORTS_MAX];
	char unix_paths[BG_TAINT_UNIX_MAX][BG_TAINT_UNIX_LEN];
};

/* What tainted a process: the open of one classified file. */
struct bg_taint_slot {
	struct bg_ident target; /* the key that matched: the file or its classified directory */
	struct bg_ident file;	/* the file opened */
	__u64 at_ns;		/* CLOCK_BOOTTIME of the open */
	__u64 expires_ns;	/* 0: never (until exit) */
	__u32 pid;		/* the process that opened it (an ancestor, after a fork) */
	__u32 depth;		/* 0: the file itself is classified; n: its n-th ancestor */
	__u64 start_ns;		/* that process's start, CLOCK_BOOTTIME */
	char path[BG_PATH_MAX]; /* the file, from its struct path */
	char exe[BG_PATH_MAX];	/* that process's executable */
};

/* taint_procs[tgid]; start_ns tells a reused pid from the process tainted. */
struct bg_taint_proc {
	__u64 start_ns;
	__u32 n; /* zero (reserved) */
	__u32 pad;
	struct bg_taint_slot slot[BG_TAINT_SLOTS];
};

/* Egress of a tainted process (type 32). */
struct bg_taint_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u8 op;       /* enum bg_taint_op */
	__u8 protocol; /* IPPROTO_TCP, IPPROTO_UDP, 0: other or unknown */
	__u16 family;  /* AF_INET, AF_INET6, AF_UNIX */
	__u16 port;    /* destination port, host order */
	__u16 sink_port;
	__u8 addr[16];			   /* destination; IPv4 in the first 4 bytes */
	__u8 sink_addr[16];		   /* redirect: where it was sent instead */
	char unix_path[BG_TAINT_UNIX_LEN]; /* AF_UNIX: the socket's path ('@' abstract) */
	__u32 pad;
	struct bg_taint_slot taint; /* the taint that refused it */
};

/* A process tainted (type 33): the slot just set. */
struct bg_taint_set_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	struct bg_taint_slot taint;
};

_Static_assert(sizeof(struct bg_taint_target_key) == 24, "bg_taint_target_key layout");
_Static_assert(sizeof(struct bg_taint_net) == 20, "bg_taint_net layout");
_Static_assert(sizeof(struct bg_taint_slot) == 64 + 2 * BG_PATH_MAX, "bg_taint_slot layout");
_Static_assert(sizeof(struct bg_taint_rule) % 8 == 0, "bg_taint_rule padding");
_Static_assert(sizeof(struct bg_taint_event) % 8 == 0, "bg_taint_event padding");
_Static_assert(sizeof(struct bg_taint_set_event) % 8 == 0, "bg_taint_set_event padding");

#endif /* BPFGUARD_TAINT_H */
