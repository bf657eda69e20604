/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP ingress filter's maps, shared by bpf/xdp.bpf.c and src/guards/net/.
 * Rules live in these maps, pinned under <bpffs>/bpfguard/net/<ifname>/,
 * so `bpfguard net allow|deny|remove` changes them in place without
 * reloading the program. docs/network.md describes the semantics.
 */
#ifndef BPFGUARD_NET_H
#define BPFGUARD_NET_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* What a setting asks for a class of packets. */
enum bg_net_action {
	BG_NET_PASS = 0,
	BG_NET_DROP = 1,
	/* Pass if the source is allowed (and not denied), else the default
	 * action: for packets without ports to check. */
	BG_NET_SOURCE = 2,
};

/* Why a packet got its verdict: the counters are indexed by
 * reason * 2 + (dropped ? 1 : 0), so every packet is counted once. */
enum bg_net_reason {
	BG_NET_R_ALLOWED = 0,	/* source and destination port allowed */
	BG_NET_R_DENIED = 1,	/* source in a deny prefix */
	BG_NET_R_NO_SOURCE = 2, /* source in no allow prefix: default action */
	BG_NET_R_NO_PORT = 3,	/* destination port not allowed: default action */
	BG_NET_R_FRAGMENT = 4,	/* non-first fragment: fragments action */
	BG_NET_R_OTHER = 5,	/* IP, but neither TCP nor UDP: other action */
	BG_NET_R_MALFORMED = 6, /* truncated or inconsistent headers */
	BG_NET_R_NON_IP = 7,	/* ARP and other ethertypes */
	BG_NET_R_MAX = 8,
};

#define BG_NET_COUNTERS (BG_NET_R_MAX * 2)

struct bg_net_counter {
	__u64 packets;
	__u64 bytes;
};

/* Settings, one entry of an array map so that they too change in place. */
struct bg_net_cfg {
	__u8 default_action; /* TCP/UDP that no allow rule admits: PASS or DROP */
	__u8 frag_action;    /* non-first fragments */
	__u8 other_action;   /* IP protocols other than TCP and UDP */
	__u8 malformed_action;
	__u8 non_ip_action;
	/* BG_NET_F_*: which prefix tries hold entries. Kept by user space (set
	 * before the first insert, cleared after the last removal) so that the
	 * program skips the lookup of an empty trie: a deny list is often
	 * empty, and an LPM lookup is the costliest step per packet. */
	__u8 nonempty;
	__u8 pad[2];
	__u32 sample_per_sec; /* drop events per second per CPU; 0: none */
	__u32 pad2;
};

enum bg_net_cfg_flags {
	BG_NET_F_ALLOW4 = 1,
	BG_NET_F_ALLOW6 = 2,
	BG_NET_F_DENY4 = 4,
	BG_NET_F_DENY6 = 8,
};

/* LPM trie keys: prefix length in bits, then the address in network order. */
struct bg_net_lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct bg_net_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* IPv4 prefilter: which /16 networks any allow (or deny) prefix overlaps.
 * Bit n of word[k] is the /16 numbered k * 32 + n (the address's top 16
 * bits); a source whose /16 has no bit set matches no prefix of that list,
 * so its trie is not walked. User space keeps it a superset of the truth:
 * bits are set before a prefix goes in and cleared only after it is gone.
 * 16 KiB, so random sources stay in cache. */
struct bg_net_src16 {
	__u32 allow;
	__u32 deny;
};
#define BG_NET_SRC16_WORDS (65536 / 32)

/* Finer IPv4 prefilter, checked after bg_net_src16: one bit per /24 (the
 * address's top 24 bits; bit n % 64 of word n / 64) that any allow or deny
 * prefix overlaps, both lists in one bitmap. A prefix of length <= 24 sets
 * every /24 it covers, a longer one its own /24. Same ordering rules as
 * bg_net_src16. 2 MiB, an mmapable array of u64 words that user space
 * rewrites in place. */
#define BG_NET_SRC24_WORDS ((1U << 24) / 64)

/* The /24 networks that hold prefixes longer than /24 (either list), keyed
 * by the address's top 24 bits: the answer for every source in them without
 * a trie walk. e[] holds those longer prefixes, longest first (the first
 * that matches wins); cover[] is, per list, the rule id of the longest
 * prefix of length <= 24 that covers the whole /24 (0: none), which user
 * space reads from the trie itself. A /24 with more than
 * BG_NET_LONG24_MAX longer prefixes is marked overflow: the trie decides.
 * User space rewrites an entry after the tries change (src/guards/net/maps.c). */
#define BG_NET_LONG24_MAX 8
struct bg_net_long24_ent {
	__u8 low;  /* the prefix's last byte */
	__u8 mask; /* of the last byte, from its length (25-32) */
	__u8 deny;
	__u8 pad;
	__u32 id;
};

struct bg_net_long24 {
	__u32 cover[2]; /* [0] allow, [1] deny */
	__u8 n;
	__u8 overflow;
	__u16 pad;
	struct bg_net_long24_ent e[BG_NET_LONG24_MAX];
};

/* Port allowlist: an array indexed by proto * 65536 + port whose value is
 * the rule id (0: not allowed). A port range shares one rule id. */
enum bg_net_proto {
	BG_NET_TCP = 0,
	BG_NET_UDP = 1,
};
#define BG_NET_PORT_SLOTS (2 * 65536)

/* Rule ids index the per-rule counters; 0 means no rule. The prefix maps'
 * values are rule ids too. */
#define BG_NET_DEFAULT_MAX_RULES 16384

/* Rate limit state of drop events, per CPU. */
struct bg_net_sample {
	__u64 window_ns;
	__u32 sent;
	__u32 suppressed;
};

_Static_assert(sizeof(struct bg_net_cfg) == 16, "bg_net_cfg layout");
_Static_assert(sizeof(struct bg_net_lpm4) == 8, "bg_net_lpm4 layout");
_Static_assert(sizeof(struct bg_net_lpm6) == 20, "bg_net_lpm6 layout");
_Static_assert(sizeof(struct bg_net_sample) == 16, "bg_net_sample layout");
_Static_assert(sizeof(struct bg_net_src16) == 8, "bg_net_src16 layout");
_Static_assert(sizeof(struct bg_net_long24) == 12 + 8 * BG_NET_LONG24_MAX, "bg_net_long24 layout");

#endif /* BPFGUARD_NET_H */
