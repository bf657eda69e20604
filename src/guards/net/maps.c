// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP filter's pinned maps: opened by pin, rules read back, added and
 * removed in place with the prefilters (src16, src24, long24) kept in step.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "guards/net/net_int.h"

const char *const net_map_pins[M_N] = {
	"cfg",	    "allow4",	 "allow6", "deny4", "deny6",  "ports",
	"counters", "rule_hits", "src16",  "src24", "long24",
};

int net_ncpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

void net_maps_init(struct net_maps *m)
{
	int i;

	for (i = 0; i < M_N; i++)
		m->fd[i] = -1;
	m->max_rules = 0;
}

void net_maps_close(struct net_maps *m)
{
	int i;

	for (i = 0; i < M_N; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	net_maps_init(m);
}

static int rule_capacity(int fd, unsigned int *max_rules)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*max_rules = info.max_entries ? info.max_entries - 1 : 0;
	return 0;
}

int net_maps_open(struct net_maps *m, const char *dir)
{
	char path[PATH_MAX];
	int i, err;

	net_maps_init(m);
	for (i = 0; i < M_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, net_map_pins[i]);
		m->fd[i] = bpf_obj_get(path);
		/* A filter pinned before bg_net_long24 existed walks its trie
		 * for every /24: nothing to keep in step. */
		if (m->fd[i] < 0 && i == M_LONG24 && errno == ENOENT)
			continue;
		if (m->fd[i] < 0) {
			err = -errno;
			pr_err("%s: %s\n", path, strerror(errno));
			goto cleanup;
		}
	}
	err = rule_capacity(m->fd[M_RULE_HITS], &m->max_rules);
	if (err) {
		pr_err("%s: cannot read the rule capacity: %s\n", dir, strerror(-err));
		goto cleanup;
	}
	return 0;
cleanup:
	net_maps_close(m);
	return err;
}

/* Port slots: an array read and written in batches where the kernel has
 * them, one element at a time otherwise. */
static int ports_read(int fd, __u32 *vals)
{
	__u32 *keys = malloc(BG_NET_PORT_SLOTS * sizeof(*keys)), count = BG_NET_PORT_SLOTS, out = 0;
	__u32 i;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL) &&
	    !(errno == ENOENT && count == BG_NET_PORT_SLOTS)) {
		for (i = 0; i < BG_NET_PORT_SLOTS; i++) {
			if (bpf_map_lookup_elem(fd, &i, &vals[i])) {
				err = -errno;
				break;
			}
		}
	}
	free(keys);
	return err;
}

static int ports_write(int fd, __u32 proto, __u32 lo, __u32 hi, __u32 id)
{
	__u32 n = hi - lo + 1, i, count = n;
	__u32 *keys = calloc(n, sizeof(*keys)), *vals = calloc(n, sizeof(*vals));
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		keys[i] = proto * 65536 + lo + i;
		vals[i] = id;
	}
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
		for (i = 0; i < n; i++) {
			if (bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY)) {
				err = -errno;
				break;
			}
		}
	}
cleanup:
	free(keys);
	free(vals);
	return err;
}

void net_rules_free(struct net_rule_set *s)
{
	free(s->r);
	free(s->ports);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

static int read_lpm(struct net_rule_set *s, int fd, int family, bool deny)
{
	struct bg_net_lpm6 key, next;
	struct bg_xdp_rule r;
	bool first = true;
	__u32 id;
	int err;

	for (;;) {
		if (bpf_map_get_next_key(fd, first ? NULL : &key, &next))
			return errno == ENOENT ? 0 : -errno;
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &id))
			continue; /* removed meanwhile */
		memset(&r, 0, sizeof(r));
		r.family = family;
		r.deny = deny;
		r.plen = key.prefixlen;
		memcpy(r.addr, key.addr, family == 4 ? 4 : 16);
		r.id = id;
		err = net_rule_append(&s->r, &s->n, &r);
		if (err)
			return err;
	}
}

int net_rules_read(struct net_rule_set *s, const struct net_maps *m)
{
	struct bg_xdp_rule r;
	__u32 i;
	int err;

	memset(s, 0, sizeof(*s));
	s->ports = calloc(BG_NET_PORT_SLOTS, sizeof(*s->ports));
	s->used = calloc(m->max_rules + 1, 1);
	if (!s->ports || !s->used) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = read_lpm(s, m->fd[M_ALLOW4], 4, false);
	if (!err)
		err = read_lpm(s, m->fd[M_ALLOW6], 6, false);
	if (!err)
		err = read_lpm(s, m->fd[M_DENY4], 4, true);
	if (!err)
		err = read_lpm(s, m->fd[M_DENY6], 6, true);
	if (!err)
		err = ports_read(m->fd[M_PORTS], s->ports);
	if (err)
		goto cleanup;
	/* A port range is a run of slots with one id. */
	for (i = 0; i < BG_NET_PORT_SLOTS; i++) {
		if (!s->ports[i])
			continue;
		memset(&r, 0, sizeof(r));
		r.is_port = true;
		r.proto = i / 65536;
		r.lo = i % 65536;
		r.id = s->ports[i];
		while (i + 1 < BG_NET_PORT_SLOTS && (i + 1) % 65536 && s->ports[i + 1] == r.id)
			i++;
		r.hi = i % 65536;
		err = net_rule_append(&s->r, &s->n, &r);
		if (err)
			goto cleanup;
	}
	for (i = 0; i < s->n; i++)
		if (s->r[i].id <= m->max_rules)
			s->used[s->r[i].id] = 1;
	s->next = 1;
	return 0;
cleanup:
	net_rules_free(s);
	return err;
}

static int alloc_id(struct net_rule_set *s, const struct net_maps *m, __u32 *id)
{
	size_t vsz = (size_t)net_ncpus() * sizeof(__u64);
	void *zeros;
	int err = 0;

	while (s->next <= m->max_rules && s->used[s->next])
		s->next++;
	if (s->next > m->max_rules) {
		pr_err("rule table full: %u rules (raise max_rules)\n", m->max_rules);
		return -ENOSPC;
	}
	/* A reused id must not inherit the packets of the rule it named. */
	zeros = calloc(1, vsz);
	if (!zeros)
		return -ENOMEM;
	if (bpf_map_update_elem(m->fd[M_RULE_HITS], &s->next, zeros, BPF_ANY))
		err = -errno;
	free(zeros);
	if (err)
		return err;
	*id = s->next;
	s->used[s->next] = 1;
	return 0;
}

static int prefix_fd(const struct net_maps *m, const struct bg_xdp_rule *r)
{
	if (r->deny)
		return m->fd[r->family == 4 ? M_DENY4 : M_DENY6];
	return m->fd[r->family == 4 ? M_ALLOW4 : M_ALLOW6];
}

static void lpm_key(const struct bg_xdp_rule *r, struct bg_net_lpm6 *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = r->plen;
	memcpy(k->addr, r->addr, r->family == 4 ? 4 : 16);
}

int net_read_cfg(const struct net_maps *m, struct bg_net_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(m->fd[M_CFG], &zero, cfg) ? -errno : 0;
}

int net_cfg_write(const struct net_maps *m, const struct bg_net_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(m->fd[M_CFG], &zero, cfg, BPF_ANY) ? -errno : 0;
}

static __u8 prefix_flag(const struct bg_xdp_rule *r)
{
	if (r->deny)
		return r->family == 4 ? BG_NET_F_DENY4 : BG_NET_F_DENY6;
	return r->family == 4 ? BG_NET_F_ALLOW4 : BG_NET_F_ALLOW6;
}

/* Keep bg_net_cfg.nonempty true for the program, which skips the lookup of
 * a trie whose bit is clear: the bit is set before the first entry goes in
 * and cleared only once the trie is seen empty, so a rule is never skipped.
 * Rule changes are serialised by the lock do_rules() takes. */
static int cfg_nonempty(const struct net_maps *m, const struct bg_xdp_rule *r, bool adding)
{
	struct bg_net_cfg cfg;
	struct bg_net_lpm6 k;
	__u8 flag = prefix_flag(r);
	int err;

	if (!adding) {
		if (!bpf_map_get_next_key(prefix_fd(m, r), NULL, &k))
			return 0; /* still has entries */
		if (errno != ENOENT)
			return -errno;
	}
	err = net_read_cfg(m, &cfg);
	if (err || !!(cfg.nonempty & flag) == adding)
		return err;
	cfg.nonempty = adding ? cfg.nonempty | flag : cfg.nonempty & ~flag;
	return net_cfg_write(m, &cfg);
}

/* The /16 networks an IPv4 prefix overlaps: [*lo, *hi]. */
static void src16_range(const struct bg_xdp_rule *r, __u32 *lo, __u32 *hi)
{
	__u32 n = r->plen >= 16 ? 1 : 1U << (16 - r->plen);

	*lo = ((__u32)r->addr[0] << 8 | r->addr[1]) & ~(n - 1);
	*hi = *lo + n - 1;
}

/* Set bits lo..hi of a u64 bitmap. */
static void bits_set(__u64 *w, __u32 lo, __u32 hi)
{
	for (; lo <= hi && lo % 64; lo++)
		w[lo / 64] |= 1ULL << (lo % 64);
	for (; lo + 63 <= hi; lo += 64)
		w[lo / 64] = ~0ULL;
	for (; lo <= hi; lo++)
		w[lo / 64] |= 1ULL << (lo % 64);
}

/* Rewrite, in place through a shared mapping, the words of bg_net_src24
 * that differ from want. */
static int src24_write(int fd, const __u64 *want)
{
	size_t len = (size_t)BG_NET_SRC24_WORDS * sizeof(*want), k;
	__u64 *have = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (have == MAP_FAILED)
		return -errno;
	for (k = 0; k < BG_NET_SRC24_WORDS; k++)
		if (have[k] != want[k])
			__atomic_store_n(&have[k], want[k], __ATOMIC_RELEASE);
	munmap(have, len);
	return 0;
}

/* Make the IPv4 prefilters (bg_net_src16, bg_net_src24) cover the prefixes
 * of s that are not removed, plus `extra`, rewriting only the words that
 * change. Called with the prefixes about to be added before they go in,
 * and with none once the tries are changed: the prefilters never hide a
 * prefix. */
int net_src16_sync(const struct net_rule_set *s, const struct net_maps *m,
		   const struct bg_xdp_rule *extra, size_t n_extra)
{
	struct bg_net_src16 *want = calloc(BG_NET_SRC16_WORDS, sizeof(*want)), have;
	__u64 *want24 = calloc(BG_NET_SRC24_WORDS, sizeof(*want24));
	__u32 k, lo, hi, n24, a24;
	size_t j;
	int err = 0;

	if (!want || !want24) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (j = 0; j < s->n + n_extra; j++) {
		const struct bg_xdp_rule *r = j < s->n ? &s->r[j] : &extra[j - s->n];

		if (r->is_port || r->family != 4 || r->removed)
			continue;
		src16_range(r, &lo, &hi);
		for (k = lo; k <= hi; k++)
			*(r->deny ? &want[k / 32].deny : &want[k / 32].allow) |= 1U << (k % 32);
		n24 = r->plen >= 24 ? 1 : 1U << (24 - r->plen);
		a24 = ((__u32)r->addr[0] << 16 | (__u32)r->addr[1] << 8 | r->addr[2]) & ~(n24 - 1);
		bits_set(want24, a24, a24 + n24 - 1);
	}
	/* Both prefilters only ever gain bits here before the tries do, and
	 * lose them after: each one alone is a superset of the truth. */
	err = src24_write(m->fd[M_SRC24], want24);
	for (k = 0; k < BG_NET_SRC16_WORDS && !err; k++) {
		if (bpf_map_lookup_elem(m->fd[M_SRC16], &k, &have))
			err = -errno;
		else if (memcmp(&have, &want[k], sizeof(have)) &&
			 bpf_map_update_elem(m->fd[M_SRC16], &k, &want[k], BPF_ANY))
			err = -errno;
	}
cleanup:
	free(want);
	free(want24);
	return err;
}

/* (net << 32 | index) pairs: sorted, a /24's prefixes are adjacent. */
static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

static int cmp_net(const void *key, const void *elem)
{
	__u32 x = *(const __u32 *)key, y = *(const __u64 *)elem >> 32;

	return (x > y) - (x < y);
}

/* Longest first, so that the program can stop at the first match. */
static int cmp_ent(const void *a, const void *b)
{
	const struct bg_net_long24_ent *x = a, *y = b;

	return (y->mask > x->mask) - (y->mask < x->mask);
}

/* cover[]: the longest prefix of length <= 24 of each trie over the whole
 * /24, as the trie itself answers a lookup of that /24 at length 24. */
static int long24_cover(const struct net_maps *m, __u32 net, struct bg_net_long24 *v)
{
	struct bg_net_lpm4 k = {.prefixlen = 24};
	int fd[2] = {m->fd[M_ALLOW4], m->fd[M_DENY4]}, i;

	k.addr[0] = net >> 16;
	k.addr[1] = net >> 8;
	k.addr[2] = net;
	for (i = 0; i < 2; i++) {
		v->cover[i] = 0;
		if (bpf_map_lookup_elem(fd[i], &k, &v->cover[i]) && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* Make bg_net_long24 answer for the prefixes of s that are not removed,
 * called once the tries hold them (cover[] is read from the tries): every
 * /24 holding a prefix longer than /24 gets its entry, rewritten only if it
 * changes, and entries no longer needed go. Until then the program uses
 * the old entry: a change takes effect for those /24s when this returns. */
int net_long24_sync(const struct net_rule_set *s, const struct net_maps *m)
{
	struct bg_net_long24 want, have;
	__u32 key, next, net;
	size_t n = 0, j, k;
	bool first = true;
	__u64 *pairs;
	int err = 0;

	if (m->fd[M_LONG24] < 0)
		return 0;
	pairs = calloc(s->n + 1, sizeof(*pairs));
	if (!pairs)
		return -ENOMEM;
	for (j = 0; j < s->n; j++) {
		const struct bg_xdp_rule *r = &s->r[j];

		if (!r->is_port && r->family == 4 && !r->removed && r->plen > 24)
			pairs[n++] = (__u64)((__u32)r->addr[0] << 16 | (__u32)r->addr[1] << 8 |
					     r->addr[2])
					     << 32 |
				     j;
	}
	qsort(pairs, n, sizeof(*pairs), cmp_u64);
	for (j = 0; j < n && !err; j = k) {
		net = pairs[j] >> 32;
		memset(&want, 0, sizeof(want));
		for (k = j; k < n && pairs[k] >> 32 == net; k++) {
			const struct bg_xdp_rule *r = &s->r[(__u32)pairs[k]];
			struct bg_net_long24_ent *e;

			if (want.n == BG_NET_LONG24_MAX) {
				want.overflow = 1;
				continue;
			}
			e = &want.e[want.n++];
			e->mask = 0xff << (32 - r->plen);
			e->low = r->addr[3] & e->mask;
			e->deny = r->deny;
			e->id = r->id;
		}
		qsort(want.e, want.n, sizeof(want.e[0]), cmp_ent);
		err = long24_cover(m, net, &want);
		if (!err &&
		    (bpf_map_lookup_elem(m->fd[M_LONG24], &net, &have) ||
		     memcmp(&have, &want, sizeof(want))) &&
		    bpf_map_update_elem(m->fd[M_LONG24], &net, &want, BPF_ANY))
			err = -errno;
	}
	/* Entries of /24s that no longer hold a longer prefix. */
	while (!err && !bpf_map_get_next_key(m->fd[M_LONG24], first ? NULL : &key, &next)) {
		key = next;
		first = false;
		if (!bsearch(&key, pairs, n, sizeof(*pairs), cmp_net) &&
		    bpf_map_delete_elem(m->fd[M_LONG24], &key) && errno != ENOENT)
			err = -errno;
	}
	free(pairs);
	return err;
}

/* Add one rule; 1 if it was there already. Errors are printed here. */
int net_rule_add(struct net_rule_set *s, const struct net_maps *m, const struct bg_xdp_rule *r)
{
	char a[64], b[64];
	struct bg_net_lpm6 k;
	__u32 id, i;
	size_t j;
	int err;

	bg_net_rule_str(r, a, sizeof(a));
	for (j = 0; j < s->n; j++) {
		const struct bg_xdp_rule *o = &s->r[j];

		if (net_same_rule(o, r))
			return 1;
		if (r->is_port && o->is_port && o->proto == r->proto && r->lo <= o->hi &&
		    o->lo <= r->hi) {
			bg_net_rule_str(o, b, sizeof(b));
			pr_err("%s overlaps rule %s: remove that first\n", a, b);
			return -EEXIST;
		}
	}
	err = alloc_id(s, m, &id);
	if (err)
		return err;
	if (r->is_port) {
		err = ports_write(m->fd[M_PORTS], r->proto, r->lo, r->hi, id);
		for (i = r->lo; !err && i <= r->hi; i++)
			s->ports[r->proto * 65536 + i] = id;
	} else {
		lpm_key(r, &k);
		err = cfg_nonempty(m, r, true);
		if (!err && bpf_map_update_elem(prefix_fd(m, r), &k, &id, BPF_NOEXIST))
			err = -errno;
	}
	if (err) {
		s->used[id] = 0;
		pr_err("cannot add %s: %s\n", a, strerror(-err));
		return err;
	}
	{
		struct bg_xdp_rule c = *r;

		c.id = id;
		return net_rule_append(&s->r, &s->n, &c);
	}
}

/* Remove a rule given as text: a prefix from the allow and deny lists, or
 * a port range exactly as it was added. */
int net_rule_remove(struct net_rule_set *s, const struct net_maps *m, const struct bg_xdp_rule *r)
{
	char a[64], b[64];
	struct bg_net_lpm6 k;
	bool found = false;
	size_t j;
	int err;

	bg_net_rule_str(r, a, sizeof(a));
	for (j = 0; j < s->n; j++) {
		struct bg_xdp_rule *o = &s->r[j];

		if (r->is_port != o->is_port)
			continue;
		if (!r->is_port) {
			struct bg_xdp_rule t = *r;

			t.deny = o->deny;
			if (!net_same_rule(o, &t))
				continue;
			lpm_key(o, &k);
			err = bpf_map_delete_elem(prefix_fd(m, o), &k) && errno != ENOENT ? -errno
											  : 0;
			o->removed = true;
			if (!err)
				err = cfg_nonempty(m, o, false);
			if (err) {
				pr_err("cannot remove %s: %s\n", a, strerror(-err));
				return err;
			}
			found = true;
			continue;
		}
		if (o->proto != r->proto || r->lo > o->hi || o->lo > r->hi)
			continue;
		if (o->lo != r->lo || o->hi != r->hi) {
			bg_net_rule_str(o, b, sizeof(b));
			pr_err("%s is part of rule %s: remove that rule\n", a, b);
			return -EINVAL;
		}
		err = ports_write(m->fd[M_PORTS], o->proto, o->lo, o->hi, 0);
		if (err) {
			pr_err("cannot remove %s: %s\n", a, strerror(-err));
			return err;
		}
		found = true;
	}
	if (!found) {
		pr_err("%s: no such rule\n", a);
		return -ENOENT;
	}
	return 0;
}
