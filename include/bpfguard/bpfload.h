/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Patterns of the BPF load guard, compiled by src/guards/bpfload.c into the rules
 * array of bpf/bpfload.bpf.c. A rule matches a BPF_PROG_LOAD when every
 * condition it sets holds; among matching rules the strongest action wins
 * (kill > deny > alert), the first one in the file on a tie.
 */
#ifndef BPFGUARD_BPFLOAD_H
#define BPFGUARD_BPFLOAD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <bpfguard/events.h>

#define BG_LOAD_RULES_MAX    32
#define BG_LOAD_RULE_HELPERS 6	 /* helper conditions per rule */
#define BG_LOAD_GLOB	     16	 /* bytes of a name pattern's prefix or suffix */
#define BG_LOAD_EXCEPT_MAX   256 /* (rule, executable) exceptions */
/* Instructions scanned per load: 64 per bpf_loop step. Larger programs are
 * scanned up to here and flagged BG_LOAD_F_TRUNCATED. */
#define BG_LOAD_CHUNK	 64
#define BG_LOAD_SCAN_MAX (1 << 17)

#define BG_LR_NAME	     0x01 /* name pattern set */
#define BG_LR_NAME_EXACT     0x02 /* no '*': the whole name must equal prefix */
#define BG_LR_TYPES	     0x04 /* prog_types mask set */
#define BG_LR_ATTACH	     0x08 /* attach_types mask set */
#define BG_LR_EXCEPT	     0x10 /* some loaders are excepted (except map) */
#define BG_LR_UNREADABLE     0x20 /* matches loads whose instructions could not all be read */
#define BG_LOAD_CALL_IDS_MAX 8192 /* kernel call targets known as helpers (xlated code) */

struct bg_load_rule {
	__u32 id;    /* 1-based rule id; 0: unused slot */
	__u8 action; /* enum bg_action */
	__u8 flags;  /* BG_LR_* */
	__u8 nhelpers;
	__u8 prefix_len;
	__u8 suffix_len;
	__u8 mid_len; /* "prefix*mid*suffix": mid anywhere in between */
	__u8 pad[6];
	__u64 prog_types;      /* bit n: BPF program type n */
	__u64 attach_types[2]; /* bit n: expected attach type n */
	__u64 map_types;       /* non-zero: one of these map types must be referenced */
	__u16 helper_id[BG_LOAD_RULE_HELPERS];
	__u16 helper_min[BG_LOAD_RULE_HELPERS]; /* calls needed, >= 1 */
	char prefix[BG_LOAD_GLOB];
	char suffix[BG_LOAD_GLOB];
	char mid[BG_LOAD_GLOB];
	char name[BG_LOAD_RULE];
};

/* Key of the exceptions map: this rule does not apply to this executable. */
struct bg_load_except {
	__u32 rule_id;
	__u32 dev;
	__u64 ino;
};

_Static_assert(sizeof(struct bg_load_rule) == 152, "bg_load_rule layout");
_Static_assert(sizeof(struct bg_load_except) == 16, "bg_load_except layout");

#endif /* BPFGUARD_BPFLOAD_H */
