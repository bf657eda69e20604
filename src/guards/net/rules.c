// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * XDP filter rules as text: prefixes and port ranges parsed, printed,
 * compared and collected.
 */
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "guards/net/net_int.h"


int bg_net_parse_prefix(const char *s, struct bg_xdp_rule *r, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	unsigned int i, bytes;
	char *end;

	memset(r, 0, sizeof(*r));
	if (alen == 0 || alen >= sizeof(addr)) {
		snprintf(err, errlen, "'%s' is not an address prefix", s);
		return -EINVAL;
	}
	memcpy(addr, s, alen);
	addr[alen] = 0;
	if (inet_pton(AF_INET, addr, r->addr) == 1) {
		r->family = 4;
	} else if (inet_pton(AF_INET6, addr, r->addr) == 1) {
		r->family = 6;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 prefix", s);
		return -EINVAL;
	}
	bytes = r->family == 4 ? 4 : 16;
	plen = bytes * 8;
	if (slash) {
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || plen > bytes * 8) {
			snprintf(err, errlen, "'%s': prefix length must be 0 to %u", s, bytes * 8);
			return -EINVAL;
		}
	}
	r->plen = plen;
	/* Host bits set usually mean a typo (10.0.0.1/8): refuse rather than
	 * guess which of the two the operator meant. */
	for (i = 0; i < bytes * 8; i++) {
		if (i >= plen && (r->addr[i / 8] & (0x80 >> (i % 8)))) {
			snprintf(err, errlen, "'%s' has bits set after the /%lu prefix", s, plen);
			return -EINVAL;
		}
	}
	return 0;
}

int net_parse_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	char *end;

	if (!strcmp(s, "any")) {
		*lo = 0;
		*hi = 65535;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -EINVAL;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end || errno || a > 65535 || b > 65535 || a > b)
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 0;
}

int bg_net_parse_port(const char *s, struct bg_xdp_rule *r, size_t *n, char *err, size_t errlen)
{
	const char *spec = s;
	int proto = -1;

	memset(r, 0, 2 * sizeof(*r));
	if (!strncmp(s, "tcp:", 4)) {
		proto = BG_NET_TCP;
		spec = s + 4;
	} else if (!strncmp(s, "udp:", 4)) {
		proto = BG_NET_UDP;
		spec = s + 4;
	}
	if (net_parse_range(spec, &r[0].lo, &r[0].hi)) {
		snprintf(err, errlen,
			 "'%s' is not a port rule (tcp:PORT, udp:PORT, PORT-PORT ranges, any)", s);
		return -EINVAL;
	}
	r[0].is_port = true;
	r[0].proto = proto < 0 ? BG_NET_TCP : proto;
	*n = 1;
	if (proto < 0) {
		r[1] = r[0];
		r[1].proto = BG_NET_UDP;
		*n = 2;
	}
	return 0;
}

void bg_net_rule_str(const struct bg_xdp_rule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (r->is_port) {
		const char *p = r->proto == BG_NET_UDP ? "udp" : "tcp";

		if (r->lo == r->hi)
			snprintf(buf, len, "%s:%u", p, r->lo);
		else
			snprintf(buf, len, "%s:%u-%u", p, r->lo, r->hi);
		return;
	}
	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, r->plen);
}

bool net_same_rule(const struct bg_xdp_rule *a, const struct bg_xdp_rule *b)
{
	if (a->is_port != b->is_port)
		return false;
	if (a->is_port)
		return a->proto == b->proto && a->lo == b->lo && a->hi == b->hi;
	return a->deny == b->deny && a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

/* Append to a growing array of rules (a config's, or those read back). */
int net_rule_append(struct bg_xdp_rule **v, size_t *n, const struct bg_xdp_rule *r)
{
	struct bg_xdp_rule *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *r;
	return 0;
}
