// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP filter's drop events, as ECS JSON and text.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include <bpfguard/events.h>

#include "events/format.h"
#include "events/json.h"
#include "guards/net/net_int.h"

const char *const net_reason_names[BG_NET_R_MAX] = {
	[BG_NET_R_ALLOWED] = "allowed",	    [BG_NET_R_DENIED] = "denied",
	[BG_NET_R_NO_SOURCE] = "no-source", [BG_NET_R_NO_PORT] = "no-port",
	[BG_NET_R_FRAGMENT] = "fragment",   [BG_NET_R_OTHER] = "other-protocol",
	[BG_NET_R_MALFORMED] = "malformed", [BG_NET_R_NON_IP] = "non-ip",
};

static void addr_str(const struct bg_net_drop_event *e, const __u8 *a, char *buf, size_t len)
{
	if (!inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, a, buf, len))
		snprintf(buf, len, "?");
}

static const char *reason_name(unsigned int r)
{
	return r < BG_NET_R_MAX ? net_reason_names[r] : "unknown";
}

/* ECS "source" or "destination": the address, and the port for TCP/UDP. */
static void endpoint_json(struct bg_json *j, const char *key, const struct bg_net_drop_event *e,
			  const __u8 *addr, __u16 port)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(e, addr, a, sizeof(a));
	bg_json_kobj(j, key);
	bg_json_kstr(j, "ip", a);
	if (e->proto == 6 || e->proto == 17)
		bg_json_ku64(j, "port", port);
	bg_json_obj_end(j);
}

static void net_drop_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	/* The setting of the network: section that decided the drop. */
	static const char *const rule_names[BG_NET_R_MAX] = {
		[BG_NET_R_DENIED] = "network.deny.sources",
		[BG_NET_R_NO_SOURCE] = "network.default",
		[BG_NET_R_NO_PORT] = "network.default",
		[BG_NET_R_FRAGMENT] = "network.fragments",
		[BG_NET_R_OTHER] = "network.other_protocols",
		[BG_NET_R_MALFORMED] = "network.malformed",
		[BG_NET_R_NON_IP] = "network.non_ip",
	};
	const struct bg_net_drop_event *e = rec;

	(void)f;
	bg_json_kobj(j, "rule");
	if (e->rule_id)
		bg_json_ku64(j, "id", e->rule_id);
	bg_json_kstr(j, "name",
		     e->reason < BG_NET_R_MAX && rule_names[e->reason] ? rule_names[e->reason]
								       : "network");
	bg_json_obj_end(j);
	if (e->family != 4 && e->family != 6)
		return;
	endpoint_json(j, "source", e, e->saddr, e->sport);
	endpoint_json(j, "destination", e, e->daddr, e->dport);
	bg_json_kobj(j, "network");
	bg_json_kstr(j, "type", e->family == 4 ? "ipv4" : "ipv6");
	if (e->proto == 6 || e->proto == 17)
		bg_json_kstr(j, "transport", e->proto == 6 ? "tcp" : "udp");
	bg_json_ku64(j, "iana_number", e->proto);
	if (e->vlan) {
		bg_json_kobj(j, "vlan");
		bg_json_kustr(j, "id", e->vlan);
		bg_json_obj_end(j);
	}
	bg_json_obj_end(j);
}

static void net_drop_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_net_drop_event *e = rec;

	(void)f;
	bg_json_kobj(j, "net");
	bg_json_kstr(j, "reason", reason_name(e->reason));
	bg_json_ku64(j, "ifindex", e->ifindex);
	bg_json_ku64(j, "length", e->pkt_len);
	if (e->rule_id)
		bg_json_ku64(j, "rule_id", e->rule_id);
	bg_json_obj_end(j);
}

static void net_drop_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_net_drop_event *e = rec;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	(void)f;
	if (e->family == 4 || e->family == 6) {
		addr_str(e, e->saddr, s, sizeof(s));
		addr_str(e, e->daddr, d, sizeof(d));
		if (e->proto == 6 || e->proto == 17)
			bg_buf_printf(out, " %s %s:%u > %s:%u", e->proto == 6 ? "tcp" : "udp", s,
				      e->sport, d, e->dport);
		else
			bg_buf_printf(out, " proto=%u %s > %s", e->proto, s, d);
	}
	if (e->vlan)
		bg_buf_printf(out, " vlan=%u", e->vlan);
	bg_buf_printf(out, " reason=%s ifindex=%u len=%u", reason_name(e->reason), e->ifindex,
		      e->pkt_len);
	if (e->rule_id)
		bg_buf_printf(out, " rule=%u", e->rule_id);
}

const struct bg_event_desc bg_net_drop_desc = {
	.type = BG_EV_NET_DROP,
	.name = "net_drop",
	.size = sizeof(struct bg_net_drop_event),
	.category = "network",
	.ecs_type = "denied",
	.action = "packet-dropped",
	.has_proc = false,
	.json = net_drop_json,
	.json_bg = net_drop_json_bg,
	.text = net_drop_text,
	.color = "\033[31m",
};
