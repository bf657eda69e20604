// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * XDP ingress filter: source prefix allow/deny lists (LPM tries, IPv4 and
 * IPv6) and TCP/UDP destination port allowlists, decided before the kernel
 * allocates anything for the packet. Rules and settings live in maps that
 * user space pins and changes in place (src/guards/net.c); docs/network.md gives
 * the order of evaluation.
 *
 * Every read is checked against data_end first; a frame whose headers do
 * not fit or do not agree with each other is "malformed" and gets the
 * malformed action, never a read past the end.
 *
 * The common flood frame (untagged IPv4, TCP/UDP, from a source near no
 * prefix) is decided first by fast_ip4() in registers; everything else
 * goes through parse() and the lookups.
 */
#include "lib/common.bpf.h"
#include <bpf/bpf_endian.h>
#include <bpfguard/net.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define IP_MF	  0x2000
#define IP_OFFSET 0x1FFF

#define NEXTHDR_HOP	 0
#define NEXTHDR_TCP	 6
#define NEXTHDR_UDP	 17
#define NEXTHDR_ROUTING	 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH	 51
#define NEXTHDR_DEST	 60

#define MAX_VLAN   2 /* 802.1ad outer + 802.1Q inner (QinQ) */
#define MAX_EXTHDR 6 /* IPv6 extension headers walked; more is malformed */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_net_cfg);
} bg_net_cfg SEC(".maps");

/* Prefix maps, allow and deny for each family: value is the rule id.
 * Sizes are set by user space. */
#define PREFIX_MAP(name, key_type)                                                                 \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                                               \
		__uint(max_entries, BG_NET_DEFAULT_MAX_RULES);                                     \
		__uint(map_flags, BPF_F_NO_PREALLOC);                                              \
		__type(key, key_type);                                                             \
		__type(value, __u32);                                                              \
	} name SEC(".maps")
PREFIX_MAP(bg_net_allow4, struct bg_net_lpm4);
PREFIX_MAP(bg_net_allow6, struct bg_net_lpm6);
PREFIX_MAP(bg_net_deny4, struct bg_net_lpm4);
PREFIX_MAP(bg_net_deny6, struct bg_net_lpm6);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_NET_SRC16_WORDS);
	__type(key, __u32);
	__type(value, struct bg_net_src16);
} bg_net_src16 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_NET_SRC24_WORDS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} bg_net_src24 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_NET_DEFAULT_MAX_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct bg_net_long24);
} bg_net_long24 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_NET_PORT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} bg_net_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_NET_COUNTERS);
	__type(key, __u32);
	__type(value, struct bg_net_counter);
} bg_net_counters SEC(".maps");

/* Packets each rule matched, indexed by rule id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_NET_DEFAULT_MAX_RULES + 1);
	__type(key, __u32);
	__type(value, __u64);
} bg_net_rule_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_net_sample);
} bg_net_sample_state SEC(".maps");

/* What the parser learnt about one packet. Only the first 12 bytes are
 * zeroed per packet (one 8- and one 4-byte store instead of zeroing all 56):
 * the addresses are written by the parser for the family it found and
 * read only for that family. */
struct pkt {
	__u8 family; /* 4, 6, 0 */
	__u8 proto;
	__u8 frag; /* non-first fragment */
	__u8 l4;   /* TCP or UDP header parsed */
	__u16 vlan;
	__u16 sport, dport;
	__u16 pad;
	union {
		struct bg_net_lpm4 k4;
		struct bg_net_lpm6 k6;
	};
	__u32 src4; /* IPv4 source in host order: the prefilters' indexes */
	__u8 daddr[16];
};

/* The 6.1 verifier does not bound the result of a byte swap, and pointer
 * arithmetic needs a bounded operand; the compiler would drop a plain mask
 * (it knows the value fits 16 bits), so it is done in asm. */
static __always_inline __u32 bounded16(__u32 v)
{
	asm volatile("%0 &= 0xffff" : "+r"(v));
	return v;
}

static __always_inline void rule_hit(__u32 id)
{
	__u64 *v;

	if (!id)
		return;
	v = bpf_map_lookup_elem(&bg_net_rule_hits, &id);
	if (v)
		*v += 1; /* per-CPU slot */
}

/* The slow part of lookup_src, out of line so that the common frame's code
 * stays small: the /24 table for IPv4 sources the prefilters let through,
 * else the LPM trie. */
static __noinline __u32 lookup_deep(struct pkt *p, bool deny)
{
	struct bg_net_long24 *l;
	__u32 *id, w24;
	int i;

	if (p->family == 4) {
		/* A /24 that holds longer prefixes (where a trie walk is
		 * deepest): one hash lookup and at most 8 byte compares. */
		w24 = p->src4 >> 8;
		l = bpf_map_lookup_elem(&bg_net_long24, &w24);
		if (l && !l->overflow) {
#pragma unroll
			for (i = 0; i < BG_NET_LONG24_MAX; i++) {
				if (i >= l->n)
					break;
				if (l->e[i].deny == deny &&
				    ((__u8)p->src4 & l->e[i].mask) == l->e[i].low)
					return l->e[i].id;
			}
			return l->cover[deny];
		}
		p->k4.prefixlen = 32; /* set here: most frames never reach a trie */
		id = bpf_map_lookup_elem(deny ? (void *)&bg_net_deny4 : (void *)&bg_net_allow4,
					 &p->k4);
	} else {
		p->k6.prefixlen = 128;
		id = bpf_map_lookup_elem(deny ? (void *)&bg_net_deny6 : (void *)&bg_net_allow6,
					 &p->k6);
	}
	return id ? *id : 0;
}

/* The rule id of the longest prefix of the source address in one of the
 * tries (allow or deny, per family), 0 if none. The trie is walked only if
 * it may hold a match: an empty trie (bg_net_cfg.nonempty) or, for IPv4, a
 * source whose /16 (bg_net_src16) or /24 (bg_net_src24) no prefix overlaps
 * cannot. An LPM lookup is the costliest step per packet. */
static __always_inline __u32 lookup_src(struct pkt *p, const struct bg_net_cfg *cfg, bool deny)
{
	if (p->family == 4) {
		/* /16 number (top 16 bits) / 32 and % 32; /24 number / 64. */
		__u32 w = p->src4 >> 21;
		__u32 bit = 1U << ((p->src4 >> 16) & 31);
		__u32 w24 = p->src4 >> 14;
		struct bg_net_src16 *s;
		__u64 *s24;

		if (!(cfg->nonempty & (deny ? BG_NET_F_DENY4 : BG_NET_F_ALLOW4)))
			return 0;
		s = bpf_map_lookup_elem(&bg_net_src16, &w);
		if (!s || !((deny ? s->deny : s->allow) & bit))
			return 0;
		s24 = bpf_map_lookup_elem(&bg_net_src24, &w24);
		if (!s24 || !(*s24 & (1ULL << ((p->src4 >> 8) & 63))))
			return 0;
	} else if (!(cfg->nonempty & (deny ? BG_NET_F_DENY6 : BG_NET_F_ALLOW6))) {
		return 0;
	}
	return lookup_deep(p, deny);
}

/* Walk IPv6 extension headers up to the upper-layer header. Returns the
 * offset of the upper-layer header, or -1 if malformed. */
static __always_inline int ipv6_skip_ext(void *data, void *data_end, int off, struct pkt *p)
{
	__u8 nh = p->proto;
	int i;

#pragma unroll
	for (i = 0; i < MAX_EXTHDR; i++) {
		__u8 *h = data + off;
		int len;

		switch (nh) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
			if ((void *)(h + 2) > data_end)
				return -1;
			len = (h[1] + 1) * 8;
			break;
		case NEXTHDR_AUTH:
			if ((void *)(h + 2) > data_end)
				return -1;
			len = (h[1] + 2) * 4;
			break;
		case NEXTHDR_FRAGMENT: {
			struct frag_hdr *fh = (void *)h;

			if ((void *)(fh + 1) > data_end)
				return -1;
			/* Offset in 8-byte units in the top 13 bits. */
			if (bpf_ntohs(fh->frag_off) & 0xFFF8)
				p->frag = 1;
			len = 8;
			break;
		}
		default:
			p->proto = nh;
			return off;
		}
		nh = h[0];
		off += len;
		/* The next header must start inside the frame; this also keeps
		 * off bounded for the verifier. */
		if (off > 0xFFFF || data + off > data_end)
			return -1;
		if (p->frag) {
			p->proto = nh;
			return off;
		}
	}
	return -1;
}

/* TCP or UDP ports of the header at off (p->proto says which). Returns 0,
 * or -1 if malformed. */
static __always_inline int parse_l4(void *data, void *data_end, int off, struct pkt *p)
{
	if (off > 0xFFFF)
		return -1;
	if (p->proto == NEXTHDR_TCP) {
		struct tcphdr *th = data + off;

		if ((void *)(th + 1) > data_end || th->doff < 5 ||
		    data + off + th->doff * 4 > data_end)
			return -1;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->l4 = 1;
	} else if (p->proto == NEXTHDR_UDP) {
		struct udphdr *uh = data + off;

		if ((void *)(uh + 1) > data_end || bpf_ntohs(uh->len) < sizeof(*uh))
			return -1;
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		p->l4 = 1;
	}
	return 0;
}

/* The IPv4 header at off and what follows. Returns 0, or -1 if malformed. */
static __always_inline int parse_ip4(void *data, void *data_end, int off, struct pkt *p)
{
	struct iphdr *ip = data + off;
	__u32 tot_len;
	int ihl;

	if ((void *)(ip + 1) > data_end)
		return -1;
	ihl = ip->ihl * 4;
	tot_len = bounded16(bpf_ntohs(ip->tot_len));
	if (ip->version != 4 || ihl < (int)sizeof(*ip) || tot_len < ihl ||
	    data + off + tot_len > data_end)
		return -1;
	p->family = 4;
	p->proto = ip->protocol;
	__builtin_memcpy(p->k4.addr, &ip->saddr, 4);
	p->src4 = bpf_ntohl(ip->saddr);
	__builtin_memcpy(p->daddr, &ip->daddr, 4);
	if (bpf_ntohs(ip->frag_off) & IP_OFFSET) {
		p->frag = 1;
		return 0;
	}
	return parse_l4(data, data_end, off + ihl, p); /* options included */
}

/* The IPv6 header at off and what follows. Returns 0, or -1 if malformed. */
static __always_inline int parse_ip6(void *data, void *data_end, int off, struct pkt *p)
{
	struct ipv6hdr *ip6 = data + off;

	if ((void *)(ip6 + 1) > data_end)
		return -1;
	if (ip6->version != 6 ||
	    data + off + sizeof(*ip6) + bounded16(bpf_ntohs(ip6->payload_len)) > data_end)
		return -1;
	p->family = 6;
	p->proto = ip6->nexthdr;
	__builtin_memcpy(p->k6.addr, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6->daddr, 16);
	off = ipv6_skip_ext(data, data_end, off + sizeof(*ip6), p);
	if (off < 0)
		return -1;
	if (p->frag)
		return 0;
	return parse_l4(data, data_end, off, p);
}

/* Parse up to L4. Returns 0, or -1 if the frame is malformed. */
static __always_inline int parse(struct xdp_md *ctx, struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 proto;
	int off, i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	proto = eth->h_proto;
	/* Untagged IPv4 first, at a constant offset: the compiler folds the
	 * offset arithmetic, and the VLAN tests are skipped. */
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ip4(data, data_end, sizeof(*eth), p);
	off = sizeof(*eth);
#pragma unroll
	for (i = 0; i < MAX_VLAN; i++) {
		struct vlan_hdr *vh = data + off;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return -1;
		if (!i)
			p->vlan = bpf_ntohs(vh->h_vlan_TCI) & 0x0FFF;
		proto = vh->h_vlan_encapsulated_proto;
		off += sizeof(*vh);
	}
	/* A third tag is deeper than any legitimate stacking we accept. */
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		return -1;
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ip4(data, data_end, off, p);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ip6(data, data_end, off, p);
	return 0;
}

/* Sampled drop event, at most cfg->sample_per_sec per second per CPU; the
 * rest are counted and reported with the next one that goes out. */
static __noinline int sample_drop(struct xdp_md *ctx, struct pkt *p, __u32 reason, __u32 rule,
				  __u32 limit)
{
	struct bg_net_sample *s;
	struct bg_net_drop_event *e;
	__u32 zero = 0;
	__u64 now;

	s = bpf_map_lookup_elem(&bg_net_sample_state, &zero);
	if (!s)
		return 0;
	/* The coarse clock (the last tick) is enough for a one-second
	 * window, and reading it costs a few ns less on every drop than a
	 * clocksource read: this runs for every dropped frame. */
	now = bpf_ktime_get_coarse_ns();
	if (now - s->window_ns >= 1000000000ULL) {
		s->window_ns = now;
		s->sent = 0;
	}
	if (s->sent >= limit) {
		s->suppressed++;
		return 0;
	}
	/* rule_id in the header indexes the agent's rule table; ours are per
	 * interface, so the deny rule id travels in the record itself. */
	e = bg_event(BG_EV_NET_DROP, sizeof(*e), BG_ACT_DENY, BG_MECH_XDP, BG_OUT_FAILURE, 0);
	if (!e)
		return 0;
	e->hdr.suppressed = s->suppressed;
	e->ifindex = ctx->ingress_ifindex;
	e->pkt_len = ctx->data_end - ctx->data;
	e->family = p->family;
	e->proto = p->proto;
	e->reason = reason;
	e->pad0 = 0;
	e->vlan = p->vlan;
	e->sport = p->sport;
	e->dport = p->dport;
	e->pad1 = 0;
	e->rule_id = rule;
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memset(e->daddr, 0, sizeof(e->daddr));
	if (p->family == 4) {
		__builtin_memcpy(e->saddr, p->k4.addr, 4);
		__builtin_memcpy(e->daddr, p->daddr, 4);
	} else if (p->family == 6) {
		__builtin_memcpy(e->saddr, p->k6.addr, 16);
		__builtin_memcpy(e->daddr, p->daddr, 16);
	}
	bg_submit(e);
	s->sent++;
	s->suppressed = 0;
	return 0;
}

/* The one per-CPU counter update every frame gets: its reason and verdict. */
/* What parse() builds for an untagged IPv4 frame without options and
 * with a TCP or UDP header, from a frame the fast path has checked. */
static __always_inline void fill_ip4(struct pkt *p, struct iphdr *ip, void *l4)
{
	struct udphdr *ports = l4; /* TCP's ports are at the same place */

	__builtin_memset(p, 0, __builtin_offsetof(struct pkt, k4));
	p->family = 4;
	p->proto = ip->protocol;
	p->l4 = 1;
	p->sport = bpf_ntohs(ports->source);
	p->dport = bpf_ntohs(ports->dest);
	__builtin_memcpy(p->k4.addr, &ip->saddr, 4);
	p->src4 = bpf_ntohl(ip->saddr);
	__builtin_memcpy(p->daddr, &ip->daddr, 4);
}

/* A drop event for a frame the fast path decided: the packet state is
 * built only when an event may go out. */
static __noinline void sample_fast(struct xdp_md *ctx, struct iphdr *ip, void *l4, __u32 limit)
{
	struct pkt p;

	fill_ip4(&p, ip, l4);
	sample_drop(ctx, &p, BG_NET_R_NO_SOURCE, 0, limit);
}

/* The one per-CPU counter update every frame gets: its reason and verdict. */
static __always_inline void count(struct xdp_md *ctx, __u32 reason, __u8 action)
{
	__u32 idx = reason * 2 + (action == BG_NET_DROP);
	struct bg_net_counter *c = bpf_map_lookup_elem(&bg_net_counters, &idx);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
}

static __always_inline int verdict(struct xdp_md *ctx, struct pkt *p, __u32 reason, __u8 action,
				   __u32 rule, const struct bg_net_cfg *cfg)
{
	count(ctx, reason, action);
	if (action != BG_NET_DROP)
		return XDP_PASS;
	if (cfg->sample_per_sec)
		sample_drop(ctx, p, reason, rule, cfg->sample_per_sec);
	return XDP_DROP;
}

/* Ethernet, IPv4 without options and a TCP header without options: every
 * frame the fast path decides is at least this long (a minimal Ethernet
 * frame, 60 bytes, always is), so one bounds check covers every read. */
#define FAST_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct tcphdr))

enum { FAST_NO = -1, FAST_PARSED = -2 };

/* The flood case, decided without the general parser and without the
 * packet state on the stack: an untagged IPv4 frame without options that
 * is not a non-first fragment and carries a well-formed TCP or UDP header,
 * from a source whose /16, or else /24, no prefix of either list overlaps
 * (bg_net_src16, bg_net_src24: supersets of the truth, so a clear bit
 * proves that no prefix matches). Such a frame can only be "no source",
 * whatever the rest of the rules say. Returns its XDP verdict; FAST_PARSED
 * for a frame of that shape whose source a prefilter does not clear, with
 * *p filled as parse() would have (the lookups decide); FAST_NO for every
 * other frame, which the general path parses from scratch. The fast path
 * only skips work whose outcome it has proved, so the two cannot disagree.
 * The checks are the general path's, in registers. */
static __always_inline int fast_ip4(struct xdp_md *ctx, const struct bg_net_cfg *cfg, struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	void *l4 = ip + 1;
	struct bg_net_src16 *s16;
	__u32 src, bit, w, tot;
	__u64 *s24;
	__u8 action;

	if (data + FAST_LEN > data_end)
		return FAST_NO;
	/* Version 4, ihl 5 (no options); fragment offset 0. */
	if (eth->h_proto != bpf_htons(ETH_P_IP) || *(__u8 *)ip != 0x45 ||
	    (ip->frag_off & bpf_htons(IP_OFFSET)))
		return FAST_NO;
	tot = bounded16(bpf_ntohs(ip->tot_len));
	if (tot < sizeof(*ip) || (void *)ip + tot > data_end)
		return FAST_NO;
	if (ip->protocol == NEXTHDR_UDP) {
		if (bpf_ntohs(((struct udphdr *)l4)->len) < sizeof(struct udphdr))
			return FAST_NO;
	} else if (ip->protocol == NEXTHDR_TCP) {
		struct tcphdr *th = l4;

		if (th->doff < 5 || l4 + th->doff * 4 > data_end)
			return FAST_NO;
	} else {
		return FAST_NO;
	}

	/* One src16 load answers both lists, and cfg->nonempty is not read:
	 * an empty list has no bits set here (bits are cleared only after its
	 * last prefix is gone, and a stale bit only costs the general path). */
	src = bpf_ntohl(ip->saddr);
	w = src >> 21;
	bit = 1U << ((src >> 16) & 31);
	s16 = bpf_map_lookup_elem(&bg_net_src16, &w);
	if (!s16)
		return FAST_NO;
	if ((s16->allow | s16->deny) & bit) {
		w = src >> 14;
		s24 = bpf_map_lookup_elem(&bg_net_src24, &w);
		if (!s24 || (*s24 & (1ULL << ((src >> 8) & 63)))) {
			fill_ip4(p, ip, l4);
			return FAST_PARSED;
		}
	}

	action = cfg->default_action;
	count(ctx, BG_NET_R_NO_SOURCE, action);
	if (action != BG_NET_DROP)
		return XDP_PASS;
	if (cfg->sample_per_sec)
		sample_fast(ctx, ip, l4, cfg->sample_per_sec);
	return XDP_DROP;
}

/* For fragments and other protocols set to "source": pass if allowed. */
static __always_inline __u8 resolve(__u8 action, __u32 allow_id, __u8 dflt)
{
	if (action != BG_NET_SOURCE)
		return action;
	return allow_id ? BG_NET_PASS : dflt;
}

SEC("xdp")
int bg_xdp_filter(struct xdp_md *ctx)
{
	struct pkt p;
	const struct bg_net_cfg *cfg;
	__u32 zero = 0, deny, allow, port_id, slot, reason, rule = 0;
	__u8 action;
	int ret;

	cfg = bpf_map_lookup_elem(&bg_net_cfg, &zero);
	if (!cfg)
		return XDP_PASS; /* cannot happen: array slot 0 always exists */
	ret = fast_ip4(ctx, cfg, &p);
	if (ret >= 0)
		return ret;
	if (ret == FAST_NO) {
		__builtin_memset(&p, 0, __builtin_offsetof(struct pkt, k4));
		if (parse(ctx, &p) < 0) {
			reason = BG_NET_R_MALFORMED;
			action = cfg->malformed_action;
			goto out;
		}
		if (!p.family) {
			reason = BG_NET_R_NON_IP;
			action = cfg->non_ip_action;
			goto out;
		}
	}

	/* One exit, one copy of verdict(): a smaller program. */
	deny = lookup_src(&p, cfg, true);
	if (deny) {
		rule_hit(deny);
		reason = BG_NET_R_DENIED;
		action = BG_NET_DROP;
		rule = deny;
		goto out;
	}
	allow = lookup_src(&p, cfg, false);
	rule_hit(allow);
	if (p.frag) {
		reason = BG_NET_R_FRAGMENT;
		action = resolve(cfg->frag_action, allow, cfg->default_action);
		goto out;
	}
	if (!p.l4) {
		reason = BG_NET_R_OTHER;
		action = resolve(cfg->other_action, allow, cfg->default_action);
		goto out;
	}
	reason = BG_NET_R_NO_SOURCE;
	action = cfg->default_action;
	if (!allow)
		goto out;
	slot = (p.proto == NEXTHDR_UDP ? BG_NET_UDP : BG_NET_TCP) * 65536 + p.dport;
	{
		__u32 *v = bpf_map_lookup_elem(&bg_net_ports, &slot);

		port_id = v ? *v : 0;
	}
	reason = BG_NET_R_NO_PORT;
	if (!port_id)
		goto out;
	rule_hit(port_id);
	reason = BG_NET_R_ALLOWED;
	action = BG_NET_PASS;
out:
	return verdict(ctx, &p, reason, action, rule, cfg);
}
