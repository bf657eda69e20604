// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The `guards.taint` section of the agent config: classified paths
 * (resolved to (dev, ino) now: a missing path is an error unless the rule
 * says ignore_missing), the egress that stays allowed, the action, the
 * sinkholes of redirect, the taint's duration. Errors are FILE:LINE:COL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <bpfguard/events.h>

#include "core/guard.h"
#include "core/ident.h"
#include "guards/hostpaths.h"
#include "guards/taint.h"
#include "policy/yaml.h"

static const char *const section_keys[] = {"rules", NULL};
static const char *const rule_keys[] = {"name",	    "paths",	"allow",	  "action",
					"redirect", "duration", "ignore_missing", NULL};
static const char *const allow_keys[] = {"loopback", "unix", "ports", "networks", NULL};
static const char *const actions[] = {"alert", "deny", "kill", "redirect", NULL};
static const int action_value[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL, BG_ACT_REDIRECT};

/* ---- config ---- */

/* "10.0.0.0/8", "10.1.2.3:443", "10.0.0.0/8:443", "fd00::/8", "[fd00::1]/128:443",
 * "[::1]:9999". want_port: a port is required (sinkholes), else optional;
 * prefix: a /len is allowed. */
static int parse_addr(const char *s, struct bg_taint_net *n, bool want_port, bool prefix)
{
	char buf[80], *addr = buf, *slash, *colon = NULL, *end;
	unsigned long v;
	int max;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(n, 0, sizeof(*n));
	if (buf[0] == '[') {
		end = strchr(buf, ']');
		if (!end)
			return -EINVAL;
		*end = 0;
		addr = buf + 1;
		end++;
		slash = *end == '/' ? end : NULL;
		colon = strchr(end, ':');
		if (!slash && !colon && *end)
			return -EINVAL;
	} else {
		slash = strchr(buf, '/');
		/* One colon: IPv4 with a port; more: a bare IPv6 address. */
		colon = strchr(buf, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;
	}
	if (colon) {
		*colon = 0;
		v = strtoul(colon + 1, &end, 10);
		if (!colon[1] || *end || !v || v > 65535)
			return -EINVAL;
		n->port = (__u16)v;
	} else if (want_port) {
		return -EINVAL;
	}
	if (slash) {
		if (!prefix)
			return -EINVAL;
		*slash = 0;
	}
	if (inet_pton(AF_INET, addr, n->addr) == 1) {
		n->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, n->addr) == 1) {
		n->family = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	n->prefix_len = (__u8)max;
	if (slash) {
		v = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || v > (unsigned long)max)
			return -EINVAL;
		n->prefix_len = (__u8)v;
	}
	return 0;
}

/* "90", "90s", "15m", "2h", "1d". */
static int parse_duration(struct bg_yaml *y, yaml_node_t *n, __u64 *ns)
{
	const char *s;
	char *end;
	unsigned long long v, mul = 1;
	int err = bg_yaml_str(y, n, "duration", &s);

	if (err)
		return err;
	v = strtoull(s, &end, 10);
	if (end == s)
		goto bad;
	if (*end == 's')
		end++;
	else if (*end == 'm' && ++end)
		mul = 60;
	else if (*end == 'h' && ++end)
		mul = 3600;
	else if (*end == 'd' && ++end)
		mul = 86400;
	if (*end || !v || v > 365ULL * 86400 / mul)
		goto bad;
	*ns = v * mul * 1000000000ULL;
	return 0;
bad:
	return bg_yaml_error(
		y, n, "duration: '%s' is not a duration (90s, 15m, 2h, 1d; at most 365d)", s);
}

/* Each path to its identity (src/guards/hostpaths.h), a file or a
 * directory; one file, one rule: the kernel looks a file up once. */
int bg_taint_config_resolve(void *cfg, struct bg_resolve *rs)
{
	struct taint_config *c = cfg;
	const struct bg_host_path *same, *mine;
	size_t i, j;
	int err;

	for (i = 0; i < c->n_rules; i++) {
		struct bg_path_rule *h = &c->rules[i].h;

		err = bg_path_rule_resolve(rs, h);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if ((mine = bg_path_rule_overlap(&c->rules[j].h, h, &same)))
				return bg_resolve_error(
					rs, mine->at,
					"paths: %s is the same file as %s (rule '%s')", mine->path,
					same->path, c->rules[j].h.name);
	}
	return 0;
}

static int parse_allow(struct bg_yaml *y, yaml_node_t *n, struct bg_taint_rule *r)
{
	yaml_node_item_t *it;
	yaml_node_t *v, *item;
	unsigned long long port;
	const char *s;
	bool b;
	int err;

	err = bg_yaml_check_map(y, n, "allow", allow_keys);
	if (err)
		return err;
	if ((v = bg_yaml_get(y, n, "loopback"))) {
		err = bg_yaml_bool(y, v, "allow.loopback", &b);
		if (err)
			return err;
		r->loopback = b;
	}
	if ((v = bg_yaml_get(y, n, "unix"))) {
		if (v->type == YAML_SCALAR_NODE) {
			err = bg_yaml_bool(y, v, "allow.unix (true, false or a list of paths)", &b);
			if (err)
				return err;
			r->unix_any = b;
		} else {
			err = bg_yaml_check_seq(y, v, "allow.unix");
			if (err)
				return err;
			BG_YAML_FOR_EACH(y, v, it, item)
			{
				err = bg_yaml_str(y, item, "allow.unix", &s);
				if (err)
					return err;
				if ((s[0] != '/' && s[0] != '@') || strlen(s) >= BG_TAINT_UNIX_LEN)
					return bg_yaml_error(y, item,
							     "allow.unix: '%s' is not a socket "
							     "path (/path or @abstract, at most "
							     "%d bytes)",
							     s, BG_TAINT_UNIX_LEN - 1);
				if (r->n_unix >= BG_TAINT_UNIX_MAX)
					return bg_yaml_error(y, item,
							     "allow.unix: at most %d paths",
							     BG_TAINT_UNIX_MAX);
				strcpy(r->unix_paths[r->n_unix++], s);
			}
		}
	}
	if ((v = bg_yaml_get(y, n, "ports"))) {
		err = bg_yaml_check_seq(y, v, "allow.ports");
		if (err)
			return err;
		BG_YAML_FOR_EACH(y, v, it, item)
		{
			err = bg_yaml_u64(y, item, "allow.ports", &port);
			if (err)
				return err;
			if (!port || port > 65535)
				return bg_yaml_error(y, item, "allow.ports: %llu is not a port",
						     port);
			if (r->n_ports >= BG_TAINT_PORTS_MAX)
				return bg_yaml_error(y, item, "allow.ports: at most %d ports",
						     BG_TAINT_PORTS_MAX);
			r->ports[r->n_ports++] = (__u16)port;
		}
	}
	if ((v = bg_yaml_get(y, n, "networks"))) {
		err = bg_yaml_check_seq(y, v, "allow.networks");
		if (err)
			return err;
		BG_YAML_FOR_EACH(y, v, it, item)
		{
			err = bg_yaml_str(y, item, "allow.networks", &s);
			if (err)
				return err;
			if (r->n_nets >= BG_TAINT_NETS_MAX)
				return bg_yaml_error(y, item, "allow.networks: at most %d networks",
						     BG_TAINT_NETS_MAX);
			if (parse_addr(s, &r->nets[r->n_nets], false, true))
				return bg_yaml_error(
					y, item,
					"allow.networks: '%s' is not ADDR[/LEN][:PORT] "
					"(IPv6 in brackets with a port)",
					s);
			r->n_nets++;
		}
	}
	return 0;
}

static int parse_redirect(struct bg_yaml *y, yaml_node_t *n, struct bg_taint_rule *r)
{
	yaml_node_item_t *it;
	yaml_node_t *item;
	struct bg_taint_net a;
	const char *s;
	int err;

	err = bg_yaml_check_seq(y, n, "redirect (a list of sinkholes: ADDR:PORT, [ADDR6]:PORT)");
	if (err)
		return err;
	BG_YAML_FOR_EACH(y, n, it, item)
	{
		err = bg_yaml_str(y, item, "redirect", &s);
		if (err)
			return err;
		if (parse_addr(s, &a, true, false))
			return bg_yaml_error(y, item,
					     "redirect: '%s' is not ADDR:PORT or [ADDR6]:PORT", s);
		if (r->sinks & (a.family == 4 ? 1 : 2))
			return bg_yaml_error(y, item, "redirect: one sinkhole per address family");
		if (a.family == 4) {
			r->sinks |= 1;
			memcpy(&r->sink4_addr, a.addr, 4);
			r->sink4_port = a.port;
		} else {
			r->sinks |= 2;
			memcpy(r->sink6_addr, a.addr, 16);
			r->sink6_port = a.port;
		}
	}
	return 0;
}

static const struct bg_yaml_rules kind = {.section = "guards.taint",
					  .keys = rule_keys,
					  .max = BG_TAINT_RULES_MAX,
					  .actions = actions,
					  .action_values = action_value};

static int parse_rule(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *n,
		      struct taint_rule_cfg *r)
{
	yaml_node_t *v;
	int err;

	err = bg_path_rule_parse(y, list, n, &kind, &r->h);
	if (err)
		return err;
	if ((v = bg_yaml_get(y, n, "redirect"))) {
		err = parse_redirect(y, v, &r->r);
		if (err)
			return err;
		if (r->h.action != BG_ACT_REDIRECT)
			return bg_yaml_error(y, v, "rule '%s': redirect: without action: redirect",
					     r->h.name);
	} else if (r->h.action == BG_ACT_REDIRECT) {
		return bg_yaml_error(y, n, "rule '%s': action redirect needs redirect: [ADDR:PORT]",
				     r->h.name);
	}
	if ((v = bg_yaml_get(y, n, "duration"))) {
		err = parse_duration(y, v, &r->r.duration_ns);
		if (err)
			return err;
	}
	if ((v = bg_yaml_get(y, n, "allow"))) {
		err = parse_allow(y, v, &r->r);
		if (err)
			return err;
	}
	return 0;
}

int bg_taint_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	struct taint_config *c = cfg;
	yaml_node_item_t *it;
	yaml_node_t *rules, *item;
	size_t targets = 0;
	int err;

	err = bg_yaml_check_map(y, n, "guards.taint", section_keys);
	if (!err)
		err = bg_yaml_rule_list(y, n, &kind, sizeof(*c->rules), &rules, (void **)&c->rules);
	if (err || !rules)
		return err;
	BG_YAML_FOR_EACH(y, rules, it, item)
	{
		struct taint_rule_cfg *r = &c->rules[c->n_rules];

		err = parse_rule(y, rules, item, r);
		c->n_rules++; /* counted even on error, so that free sees it */
		if (err)
			return err;
		targets += r->h.n_paths;
		if (targets > BG_TAINT_TARGETS_PER_GEN)
			return bg_yaml_error(y, item, "too many paths in guards.taint (max %d)",
					     BG_TAINT_TARGETS_PER_GEN);
	}
	return 0;
}

void bg_taint_config_free(void *cfg)
{
	struct taint_config *c = cfg;
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		bg_path_rule_free(&c->rules[i].h);
	}
	free(c->rules);
	c->rules = NULL;
	c->n_rules = 0;
}
