// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Verdicts of the XDP filter on crafted frames, through BPF_PROG_TEST_RUN:
 * truncated headers, IPv4 ihl<5 and options, IPv6 hop-by-hop + fragment
 * headers, too many extension headers, QinQ and a third VLAN tag, deny
 * over allow, fragments, other protocols. Each frame's verdict is checked,
 * and at the end every per-reason counter must equal the frames sent with
 * that reason. Needs no network namespace: test runs touch no interface.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>
#include <bpfguard/net.h>

#include "core/log.h"
#include "xdp.skel.h"

struct frame {
	unsigned char b[512];
	size_t len;
};

static unsigned long long expect[BG_NET_COUNTERS];
static int failures;

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put16(struct frame *f, unsigned int v)
{
	unsigned char b[2] = {v >> 8, v & 0xff};

	put(f, b, 2);
}

static void eth(struct frame *f, const unsigned int *tags, int ntags, unsigned int proto)
{
	static const unsigned char macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	int i;

	f->len = 0;
	put(f, macs, 12);
	for (i = 0; i < ntags; i++) {
		put16(f, tags[i]);
		put16(f, 100 + i); /* VLAN id */
	}
	put16(f, proto);
}

/* IPv4 header, ihl words (options are NOPs), payload of `plen` bytes follows. */
static void ip4(struct frame *f, const char *src, unsigned int ihl, unsigned int proto,
		unsigned int frag, unsigned int plen)
{
	unsigned char h[60] = {0};
	unsigned int tot = ihl * 4 + plen;

	h[0] = 0x40 | (ihl & 0xf);
	h[2] = tot >> 8;
	h[3] = tot & 0xff;
	h[6] = frag >> 8;
	h[7] = frag & 0xff;
	h[8] = 64;
	h[9] = proto;
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, "10.1.0.1", h + 16);
	memset(h + 20, 1, sizeof(h) - 20); /* NOP options */
	put(f, h, ihl >= 5 ? ihl * 4 : 20);
}

static void ip6(struct frame *f, const char *src, unsigned int nexthdr, unsigned int plen)
{
	unsigned char h[40] = {0x60};

	h[4] = plen >> 8;
	h[5] = plen & 0xff;
	h[6] = nexthdr;
	h[7] = 64;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, "fd00::1", h + 24);
	put(f, h, 40);
}

static void tcp(struct frame *f, unsigned int dport, unsigned int doff)
{
	unsigned char h[20] = {0x30, 0x39};

	h[2] = dport >> 8;
	h[3] = dport & 0xff;
	h[12] = doff << 4;
	h[13] = 0x02; /* SYN */
	put(f, h, 20);
}

static void udp(struct frame *f, unsigned int dport, unsigned int len)
{
	unsigned char h[8] = {0x30, 0x39};

	h[2] = dport >> 8;
	h[3] = dport & 0xff;
	h[4] = len >> 8;
	h[5] = len & 0xff;
	put(f, h, 8);
}

static void icmp4(struct frame *f, const char *src)
{
	eth(f, NULL, 0, 0x0800), ip4(f, src, 5, 1, 0, 8), put(f, "\x08\0\0\0\0\0\0\0", 8);
}

static void arp(struct frame *f)
{
	eth(f, NULL, 0, 0x0806), put(f, "arp-payload-of-28-bytes.....", 28);
}

static void check(struct bg_xdp_bpf *skel, const char *what, struct frame *f, int want, int reason)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bg_xdp_filter), &o);

	if (err) {
		printf("FAIL %s: test run: %s\n", what, strerror(-err));
		failures++;
		return;
	}
	if ((int)o.retval != want) {
		printf("FAIL %s: verdict %s, want %s\n", what,
		       o.retval == XDP_DROP   ? "drop"
		       : o.retval == XDP_PASS ? "pass"
					      : "?",
		       want == XDP_DROP ? "drop" : "pass");
		failures++;
	} else {
		printf("ok   %s: %s\n", what, want == XDP_DROP ? "drop" : "pass");
	}
	expect[reason * 2 + (want == XDP_DROP)]++;
}

static int add4(int fd, const char *a, unsigned int plen, __u32 id)
{
	struct bg_net_lpm4 k = {.prefixlen = plen};

	inet_pton(AF_INET, a, k.addr);
	return bpf_map_update_elem(fd, &k, &id, BPF_ANY);
}

static int add6(int fd, const char *a, unsigned int plen, __u32 id)
{
	struct bg_net_lpm6 k = {.prefixlen = plen};

	inet_pton(AF_INET6, a, k.addr);
	return bpf_map_update_elem(fd, &k, &id, BPF_ANY);
}

/* The IPv4 prefilter bit of the /16 that holds address a. */
static int src16(int fd, const char *a, bool deny)
{
	unsigned char b[4];
	struct bg_net_src16 v;
	__u32 k;

	inet_pton(AF_INET, a, b);
	k = (b[0] << 8 | b[1]) / 32;
	if (bpf_map_lookup_elem(fd, &k, &v))
		return -1;
	*(deny ? &v.deny : &v.allow) |= 1U << (b[1] % 32);
	return bpf_map_update_elem(fd, &k, &v, BPF_ANY);
}

/* The /24 prefilter bit of the /24 that holds address a. */
static int src24(int fd, const char *a)
{
	unsigned char b[4];
	__u64 v;
	__u32 k;

	inet_pton(AF_INET, a, b);
	k = ((__u32)b[0] << 16 | b[1] << 8 | b[2]) / 64;
	if (bpf_map_lookup_elem(fd, &k, &v))
		return -1;
	v |= 1ULL << (b[2] % 64);
	return bpf_map_update_elem(fd, &k, &v, BPF_ANY);
}

static unsigned long long counter(struct bg_xdp_bpf *skel, __u32 idx)
{
	int n = libbpf_num_possible_cpus(), i;
	struct bg_net_counter *v = calloc(n, sizeof(*v));
	unsigned long long sum = 0;

	if (!v || bpf_map__lookup_elem(skel->maps.bg_net_counters, &idx, sizeof(idx), v,
				       n * sizeof(*v), 0)) {
		free(v);
		return ~0ULL;
	}
	for (i = 0; i < n; i++)
		sum += v[i].packets;
	free(v);
	return sum;
}

/* A frame padded to the 60 bytes of a minimal Ethernet frame: long enough
 * for the filter's fast path (untagged IPv4 without options, TCP or UDP),
 * which must give every such frame the general path's verdict. */
static void pad60(struct frame *f)
{
	while (f->len < 60)
		f->b[f->len++] = 0;
}

static struct bg_net_drop_event last_drop;
static int ndrops;

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len >= sizeof(last_drop) && ((struct bg_event_hdr *)data)->type == BG_EV_NET_DROP) {
		memcpy(&last_drop, data, sizeof(last_drop));
		ndrops++;
	}
	return 0;
}

/* The frames the fast path sees, from sources outside every prefix, in a
 * /16 without prefixes (198.51.100.1) and in a /16 with prefixes but a /24
 * without (192.0.3.1), and from sources it must hand over to the lookups
 * (192.0.2.x): each malformed or special shape must still get the general
 * path's reason. One IPv4 header (ihl 5) and its TCP, UDP or ICMP header,
 * padded to 60 bytes; `at`, when set, is a byte of the frame overwritten
 * with `val` afterwards. */
struct fast_case {
	const char *what, *src;
	unsigned int proto, frag, plen, dport, l4arg; /* l4arg: UDP length or TCP doff */
	unsigned int at, val;
	int verdict, reason;
};

static const struct fast_case fast_cases[] = {
	{"fast: udp, source in an empty /16", "198.51.100.1", 17, 0, 8, 53, 8, 0, 0, XDP_DROP,
	 BG_NET_R_NO_SOURCE},
	{"fast: tcp, source in an empty /24 of a used /16", "192.0.3.1", 6, 0, 20, 22, 5, 0, 0,
	 XDP_DROP, BG_NET_R_NO_SOURCE},
	{"fast: first fragment (MF, offset 0)", "198.51.100.1", 17, 0x2000, 8, 53, 8, 0, 0,
	 XDP_DROP, BG_NET_R_NO_SOURCE},
	{"fast: allowed source, allowed port", "192.0.2.7", 17, 0, 8, 53, 8, 0, 0, XDP_PASS,
	 BG_NET_R_ALLOWED},
	{"fast: allowed source, other port", "192.0.2.7", 17, 0, 8, 54, 8, 0, 0, XDP_DROP,
	 BG_NET_R_NO_PORT},
	{"fast: denied source", "192.0.2.200", 6, 0, 20, 22, 5, 0, 0, XDP_DROP, BG_NET_R_DENIED},
	{"fast: udp length 4", "198.51.100.1", 17, 0, 8, 53, 4, 0, 0, XDP_DROP, BG_NET_R_MALFORMED},
	{"fast: tcp doff 4", "198.51.100.1", 6, 0, 20, 22, 4, 0, 0, XDP_DROP, BG_NET_R_MALFORMED},
	{"fast: tcp doff past the end", "198.51.100.1", 6, 0, 20, 22, 15, 0, 0, XDP_DROP,
	 BG_NET_R_MALFORMED},
	{"fast: tot_len past the end", "198.51.100.1", 17, 0, 60, 53, 8, 0, 0, XDP_DROP,
	 BG_NET_R_MALFORMED},
	{"fast: tot_len 19", "198.51.100.1", 17, 0, 8, 53, 8, 14 + 3, 19, XDP_DROP,
	 BG_NET_R_MALFORMED},
	{"fast: ip version 6 in an ipv4 frame", "198.51.100.1", 17, 0, 8, 53, 8, 14, 0x65, XDP_DROP,
	 BG_NET_R_MALFORMED},
	{"fast: non-first fragment", "198.51.100.1", 17, 0x0010, 8, 53, 8, 0, 0, XDP_DROP,
	 BG_NET_R_FRAGMENT},
	{"fast: icmp, other protocols pass", "198.51.100.1", 1, 0, 8, 0, 0, 0, 0, XDP_PASS,
	 BG_NET_R_OTHER},
};

static void fast_frame(struct frame *f, const struct fast_case *c)
{
	eth(f, NULL, 0, 0x0800), ip4(f, c->src, 5, c->proto, c->frag, c->plen);
	if (c->proto == 17)
		udp(f, c->dport, c->l4arg);
	else if (c->proto == 6)
		tcp(f, c->dport, c->l4arg);
	else
		put(f, "\x08\0\0\0\0\0\0\0", 8); /* ICMP echo */
	pad60(f);
	if (c->at)
		f->b[c->at] = c->val;
}

static void fast_path_cases(struct bg_xdp_bpf *skel, struct bg_net_cfg *cfg)
{
	const struct fast_case flood = {"fast: default pass", "198.51.100.1", 17, 0, 8, 53, 8};
	__u32 zero = 0;
	struct frame f;
	struct ring_buffer *rb;
	unsigned char d[4];
	size_t i;

	for (i = 0; i < sizeof(fast_cases) / sizeof(fast_cases[0]); i++) {
		fast_frame(&f, &fast_cases[i]);
		check(skel, fast_cases[i].what, &f, fast_cases[i].verdict, fast_cases[i].reason);
	}

	/* Default pass, and a sampled drop event built by the fast path. */
	cfg->default_action = BG_NET_PASS;
	bpf_map_update_elem(bpf_map__fd(skel->maps.bg_net_cfg), &zero, cfg, BPF_ANY);
	fast_frame(&f, &flood);
	check(skel, "fast: default pass", &f, XDP_PASS, BG_NET_R_NO_SOURCE);
	cfg->default_action = BG_NET_DROP;
	cfg->sample_per_sec = 100;
	bpf_map_update_elem(bpf_map__fd(skel->maps.bg_net_cfg), &zero, cfg, BPF_ANY);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	fast_frame(&f, &flood);
	check(skel, "fast: sampled drop", &f, XDP_DROP, BG_NET_R_NO_SOURCE);
	inet_pton(AF_INET, "10.1.0.1", d);
	if (!rb || ring_buffer__consume(rb) < 0 || ndrops != 1 || last_drop.family != 4 ||
	    last_drop.proto != 17 || last_drop.reason != BG_NET_R_NO_SOURCE ||
	    last_drop.sport != 12345 || last_drop.dport != 53 || last_drop.vlan ||
	    last_drop.rule_id || last_drop.pkt_len != 60 ||
	    memcmp(last_drop.saddr, "\xc6\x33\x64\x01", 4) || memcmp(last_drop.daddr, d, 4) ||
	    last_drop.saddr[4] || last_drop.daddr[4]) {
		printf("FAIL fast: drop event: %d event(s), family %u proto %u reason %u ports "
		       "%u->%u len %u\n",
		       ndrops, last_drop.family, last_drop.proto, last_drop.reason, last_drop.sport,
		       last_drop.dport, last_drop.pkt_len);
		failures++;
	} else {
		printf("ok   fast: drop event fields\n");
	}
	ring_buffer__free(rb);
	cfg->sample_per_sec = 0;
	bpf_map_update_elem(bpf_map__fd(skel->maps.bg_net_cfg), &zero, cfg, BPF_ANY);
}

int main(void)
{
	static const char *const reasons[] = {"allowed",  "denied", "no-source", "no-port",
					      "fragment", "other",  "malformed", "non-ip"};
	struct bg_net_cfg cfg = {.default_action = BG_NET_DROP,
				 .nonempty = BG_NET_F_ALLOW4 | BG_NET_F_ALLOW6 | BG_NET_F_DENY4 |
					     BG_NET_F_DENY6,
				 .frag_action = BG_NET_SOURCE,
				 .other_action = BG_NET_PASS,
				 .malformed_action = BG_NET_DROP,
				 .non_ip_action = BG_NET_PASS};
	unsigned int qinq[2] = {0x88a8, 0x8100}, three[3] = {0x88a8, 0x8100, 0x8100};
	struct bg_xdp_bpf *skel;
	struct frame f;
	__u32 zero = 0, id, slot, i;
	int fd4, fd6, d4, d6, pfd, k;

	/* libbpf warnings (the verifier log of a refused load) are our info. */
	bg_log_set_level(BG_LOG_INFO);
	bg_log_libbpf();
	skel = bg_xdp_bpf__open();
	if (!skel) {
		printf("FAIL: open: %s\n", strerror(errno));
		return 1;
	}
	bpf_map__set_max_entries(skel->maps.events, 4096);
	bpf_map__set_max_entries(skel->maps.bg_exe_cache, 1);
	if (bg_xdp_bpf__load(skel)) {
		printf("FAIL: the XDP filter does not load on this kernel\n");
		return 1;
	}
	fd4 = bpf_map__fd(skel->maps.bg_net_allow4);
	fd6 = bpf_map__fd(skel->maps.bg_net_allow6);
	d4 = bpf_map__fd(skel->maps.bg_net_deny4);
	d6 = bpf_map__fd(skel->maps.bg_net_deny6);
	pfd = bpf_map__fd(skel->maps.bg_net_ports);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.bg_net_cfg), &zero, &cfg, BPF_ANY) ||
	    add4(fd4, "192.0.2.0", 24, 1) || add6(fd6, "2001:db8::", 32, 2) ||
	    add4(d4, "192.0.2.128", 25, 3) || add6(d6, "2001:db8:bad::", 48, 4) ||
	    src16(bpf_map__fd(skel->maps.bg_net_src16), "192.0.2.0", false) ||
	    src16(bpf_map__fd(skel->maps.bg_net_src16), "192.0.2.0", true) ||
	    src24(bpf_map__fd(skel->maps.bg_net_src24), "192.0.2.0")) {
		printf("FAIL: cannot write rules: %s\n", strerror(errno));
		return 1;
	}
	id = 5;
	slot = BG_NET_TCP * 65536 + 22;
	bpf_map_update_elem(pfd, &slot, &id, BPF_ANY);
	id = 6;
	slot = BG_NET_UDP * 65536 + 53;
	bpf_map_update_elem(pfd, &slot, &id, BPF_ANY);

	/* Allowed traffic in its shapes. */
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "ipv4 tcp allowed", &f, XDP_PASS, BG_NET_R_ALLOWED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 7, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "ipv4 options (ihl 7) tcp allowed", &f, XDP_PASS, BG_NET_R_ALLOWED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 15, 17, 0, 8), udp(&f, 53, 8);
	check(skel, "ipv4 options (ihl 15) udp allowed", &f, XDP_PASS, BG_NET_R_ALLOWED);
	eth(&f, qinq, 1, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "802.1Q ipv4 tcp allowed", &f, XDP_PASS, BG_NET_R_ALLOWED);
	eth(&f, qinq, 2, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "QinQ ipv4 tcp allowed", &f, XDP_PASS, BG_NET_R_ALLOWED);
	eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db8::5", 6, 20), tcp(&f, 22, 5);
	check(skel, "ipv6 tcp allowed", &f, XDP_PASS, BG_NET_R_ALLOWED);
	{
		/* hop-by-hop (8 bytes) -> fragment (offset 0, more) -> UDP */
		unsigned char hbh[8] = {44, 0, 1, 4, 0, 0, 0, 0};
		unsigned char fr[8] = {17, 0, 0x00, 0x01, 0, 0, 0, 1};

		eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db8::5", 0, 24), put(&f, hbh, 8);
		put(&f, fr, 8), udp(&f, 53, 8);
		check(skel, "ipv6 hbh+frag(first) udp allowed", &f, XDP_PASS, BG_NET_R_ALLOWED);
		fr[2] = 0x01; /* offset 32 bytes: a later fragment */
		fr[3] = 0x00;
		eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db8::5", 0, 24), put(&f, hbh, 8);
		put(&f, fr, 8), put(&f, "abcdefgh", 8);
		check(skel, "ipv6 hbh+frag(non-first) allowed source", &f, XDP_PASS,
		      BG_NET_R_FRAGMENT);
		eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db9::5", 0, 24), put(&f, hbh, 8);
		put(&f, fr, 8), put(&f, "abcdefgh", 8);
		check(skel, "ipv6 hbh+frag(non-first) other source", &f, XDP_DROP,
		      BG_NET_R_FRAGMENT);
		/* Seven destination-options headers: past the walk's bound. */
		eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db8::5", 60, 7 * 8 + 8);
		for (k = 0; k < 7; k++) {
			unsigned char d[8] = {k < 6 ? 60 : 17, 0, 1, 4, 0, 0, 0, 0};

			put(&f, d, 8);
		}
		udp(&f, 53, 8);
		check(skel, "ipv6 seven extension headers", &f, XDP_DROP, BG_NET_R_MALFORMED);
		/* Hop-by-hop whose length runs past the frame. */
		hbh[1] = 20;
		eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db8::5", 0, 16), put(&f, hbh, 8);
		put(&f, fr, 8);
		check(skel, "ipv6 hop-by-hop past the end", &f, XDP_DROP, BG_NET_R_MALFORMED);
	}
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0x0010, 8), put(&f, "abcdefgh", 8);
	check(skel, "ipv4 non-first fragment, allowed source", &f, XDP_PASS, BG_NET_R_FRAGMENT);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "198.51.100.1", 5, 6, 0x0010, 8), put(&f, "abcdefgh", 8);
	check(skel, "ipv4 non-first fragment, other source", &f, XDP_DROP, BG_NET_R_FRAGMENT);

	/* Rules. */
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.200", 5, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "deny prefix wins over allow (v4)", &f, XDP_DROP, BG_NET_R_DENIED);
	eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db8:bad::1", 6, 20), tcp(&f, 22, 5);
	check(skel, "deny prefix wins over allow (v6)", &f, XDP_DROP, BG_NET_R_DENIED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "198.51.100.1", 5, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "source not allowed", &f, XDP_DROP, BG_NET_R_NO_SOURCE);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 20), tcp(&f, 23, 5);
	check(skel, "tcp port not allowed", &f, XDP_DROP, BG_NET_R_NO_PORT);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 17, 0, 8), udp(&f, 22, 8);
	check(skel, "udp port only allowed for tcp", &f, XDP_DROP, BG_NET_R_NO_PORT);
	icmp4(&f, "198.51.100.1");
	check(skel, "icmp: other protocols pass", &f, XDP_PASS, BG_NET_R_OTHER);
	arp(&f);
	check(skel, "arp: non-ip passes", &f, XDP_PASS, BG_NET_R_NON_IP);

	/* Malformed and truncated. */
	eth(&f, NULL, 0, 0x8100);
	check(skel, "vlan tag cut off", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, three, 3, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "three vlan tags", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x0800), put(&f, "\x45\0\0\x28\0\0", 6);
	check(skel, "ipv4 header cut off", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 4, 6, 0, 20), tcp(&f, 22, 5);
	check(skel, "ipv4 ihl 4", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 15, 6, 0, 20);
	check(skel, "ipv4 options, then nothing (tot_len past end)", &f, XDP_DROP,
	      BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 20), tcp(&f, 22, 4);
	check(skel, "tcp doff 4", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 20), tcp(&f, 22, 15);
	check(skel, "tcp doff past the end", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0, 10), tcp(&f, 22, 5);
	f.len -= 10;
	check(skel, "tcp header cut off", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x86dd), ip6(&f, "2001:db8::5", 6, 20), tcp(&f, 22, 5);
	f.len -= 30;
	check(skel, "ipv6 payload length past the end", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x86dd), put(&f, "\x60\0\0\0\0\x14\x06\x40", 8);
	check(skel, "ipv6 header cut off", &f, XDP_DROP, BG_NET_R_MALFORMED);
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 17, 0, 8), udp(&f, 53, 4);
	check(skel, "udp length 4", &f, XDP_DROP, BG_NET_R_MALFORMED);

	fast_path_cases(skel, &cfg);

	/* The fragments, other-protocols and non-IP settings, set to drop. */
	cfg.frag_action = cfg.other_action = cfg.non_ip_action = BG_NET_DROP;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.bg_net_cfg), &zero, &cfg, BPF_ANY)) {
		printf("FAIL: cannot write the settings: %s\n", strerror(errno));
		return 1;
	}
	eth(&f, NULL, 0, 0x0800), ip4(&f, "192.0.2.7", 5, 6, 0x0010, 8), put(&f, "abcdefgh", 8);
	check(skel, "fragments: drop, allowed source", &f, XDP_DROP, BG_NET_R_FRAGMENT);
	icmp4(&f, "192.0.2.7");
	check(skel, "other_protocols: drop, allowed source", &f, XDP_DROP, BG_NET_R_OTHER);
	arp(&f);
	check(skel, "non_ip: drop", &f, XDP_DROP, BG_NET_R_NON_IP);

	/* Every counter equals the frames sent for it. */
	for (i = 0; i < BG_NET_COUNTERS; i++) {
		unsigned long long got = counter(skel, i);

		if (got != expect[i]) {
			printf("FAIL counter %s/%s: %llu, expected %llu\n", reasons[i / 2],
			       i % 2 ? "drop" : "pass", got, expect[i]);
			failures++;
		}
	}
	bg_xdp_bpf__destroy(skel);
	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	printf("all verdicts and counters as expected\n");
	return 0;
}
