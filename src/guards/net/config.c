// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The agent config's `network:` section (docs/network.md): parsed and
 * checked with errors at FILE:LINE:COL.
 */
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>

#include "policy/yaml.h"
#include "guards/net/net_int.h"

const char *const net_action_names[] = {"pass", "drop", "source", NULL};
static const char *const mode_names[] = {"auto", "native", "generic", NULL};

void bg_net_config_defaults(void *cfg)
{
	struct bg_net_config *c = cfg;

	memset(c, 0, sizeof(*c));
	c->mode = BG_NET_MODE_AUTO;
	c->cfg.default_action = BG_NET_DROP;
	c->cfg.frag_action = BG_NET_SOURCE;
	c->cfg.other_action = BG_NET_PASS;
	c->cfg.malformed_action = BG_NET_DROP;
	c->cfg.non_ip_action = BG_NET_PASS;
	c->max_rules = BG_NET_DEFAULT_MAX_RULES;
}

void bg_net_config_free(void *cfg)
{
	struct bg_net_config *c = cfg;
	size_t i;

	for (i = 0; i < c->n_ifaces; i++)
		free(c->ifaces[i]);
	free(c->ifaces);
	free(c->rules);
	c->ifaces = NULL;
	c->rules = NULL;
	c->n_ifaces = c->n_rules = 0;
}

static int check_list(struct bg_yaml *y, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "%s must be a list", what);
	return 0;
}

/* A new rule must not repeat or overlap one already in the section. */
static int add_checked(struct bg_yaml *y, yaml_node_t *at, struct bg_net_config *c,
		       const struct bg_xdp_rule *r)
{
	char a[64], b[64];
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		const struct bg_xdp_rule *o = &c->rules[i];

		if (r->is_port && o->is_port && o->proto == r->proto && r->lo <= o->hi &&
		    o->lo <= r->hi) {
			bg_net_rule_str(r, a, sizeof(a));
			bg_net_rule_str(o, b, sizeof(b));
			return bg_yaml_error(y, at, "port rule %s overlaps %s", a, b);
		}
		if (!r->is_port && net_same_rule(r, o)) {
			bg_net_rule_str(r, a, sizeof(a));
			return bg_yaml_error(y, at, "prefix %s is listed twice", a);
		}
	}
	return net_rule_append(&c->rules, &c->n_rules, r);
}

/* A YAML list of rules like `tmpl`: prefixes (allow or deny), or ports of
 * one protocol. */
static int parse_rules(struct bg_yaml *y, yaml_node_t *n, const char *what,
		       const struct bg_xdp_rule *tmpl, struct bg_net_config *c)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	struct bg_xdp_rule r;
	const char *s;
	char msg[160];
	int err = check_list(y, n, what);

	if (err)
		return err;
	BG_YAML_FOR_EACH(y, n, it, e)
	{
		err = bg_yaml_str(y, e, what, &s);
		if (err)
			return err;
		r = *tmpl;
		if (!tmpl->is_port && bg_net_parse_prefix(s, &r, msg, sizeof(msg)))
			return bg_yaml_error(y, e, "%s: %s", what, msg);
		if (tmpl->is_port && net_parse_range(s, &r.lo, &r.hi))
			return bg_yaml_error(
				y, e, "%s: '%s' is not a port, a range such as 8000-8080, or any",
				what, s);
		r.deny = tmpl->deny;
		err = add_checked(y, e, c, &r);
		if (err)
			return err;
	}
	return 0;
}

static int parse_action(struct bg_yaml *y, yaml_node_t *root, const char *key, bool source_ok,
			__u8 *out)
{
	static const char *const two[] = {"pass", "drop", NULL};
	char what[64];
	yaml_node_t *n = bg_yaml_get(y, root, key);
	int i, err;

	if (!n)
		return 0;
	snprintf(what, sizeof(what), "network.%s", key);
	err = bg_yaml_enum(y, n, what, source_ok ? net_action_names : two, &i);
	if (err)
		return err;
	*out = i;
	return 0;
}

/* The kernel's dev_valid_name(): what it would refuse at attach is refused
 * here, at FILE:LINE:COL. Its isspace() includes 0xa0 (Latin-1 NBSP). */
bool bg_net_ifname_valid(const char *s)
{
	return *s && strlen(s) < IF_NAMESIZE && strcmp(s, ".") && strcmp(s, "..") &&
	       !strpbrk(s, "/: \t\n\v\f\r\xa0");
}

int bg_net_config_parse(struct bg_yaml *y, yaml_node_t *root, void *cfg)
{
	static const char *const keys[] = {
		"interfaces", "mode",	 "default", "fragments", "other_protocols",
		"malformed",  "non_ip",	 "allow",   "deny",	 "sample_drops",
		"max_rules",  "persist", NULL};
	static const char *const allow_keys[] = {"sources", "tcp", "udp", NULL};
	static const char *const deny_keys[] = {"sources", NULL};
	static const struct bg_xdp_rule allow_src = {0}, deny_src = {.deny = true},
					tcp = {.is_port = true, .proto = BG_NET_TCP},
					udp = {.is_port = true, .proto = BG_NET_UDP};
	yaml_node_item_t *it;
	yaml_node_t *n, *e, *sec;
	unsigned long long v;
	const char *s;
	size_t i, nprefix = 0;
	struct bg_net_config *c = cfg;
	int err, k;

	bg_net_config_defaults(c);
	c->enabled = true;
	err = bg_yaml_check_map(y, root, "network", keys);
	if (err)
		return err;
	n = bg_yaml_get(y, root, "interfaces");
	if (!n)
		return bg_yaml_error(y, root, "network.interfaces is required (a list of names)");
	err = check_list(y, n, "network.interfaces");
	if (err)
		return err;
	BG_YAML_FOR_EACH(y, n, it, e)
	{
		char **ni;

		err = bg_yaml_str(y, e, "network.interfaces", &s);
		if (err)
			return err;
		if (!bg_net_ifname_valid(s)) {
			char shown[IF_NAMESIZE * 4 + 1];
			size_t o = 0;

			/* A newline in the name must not break the message. */
			for (i = 0; s[i] && o + 5 < sizeof(shown); i++)
				o += snprintf(shown + o, sizeof(shown) - o,
					      isgraph((unsigned char)s[i]) ? "%c" : "\\x%02x",
					      (unsigned char)s[i]);
			shown[o] = 0;
			return bg_yaml_error(y, e,
					     "'%s' is not an interface name (1 to %d bytes, not . "
					     "or .., no '/', ':' or white space)",
					     shown, IF_NAMESIZE - 1);
		}
		for (i = 0; i < c->n_ifaces; i++)
			if (!strcmp(c->ifaces[i], s))
				return bg_yaml_error(y, e, "interface %s is listed twice", s);
		ni = realloc(c->ifaces, (c->n_ifaces + 1) * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		c->ifaces = ni;
		c->ifaces[c->n_ifaces] = strdup(s);
		if (!c->ifaces[c->n_ifaces])
			return -ENOMEM;
		c->n_ifaces++;
	}
	if (!c->n_ifaces)
		return bg_yaml_error(y, n, "network.interfaces is empty");
	if ((n = bg_yaml_get(y, root, "mode"))) {
		err = bg_yaml_enum(y, n, "network.mode", mode_names, &k);
		if (err)
			return err;
		c->mode = k;
	}
	err = parse_action(y, root, "default", false, &c->cfg.default_action);
	if (!err)
		err = parse_action(y, root, "fragments", true, &c->cfg.frag_action);
	if (!err)
		err = parse_action(y, root, "other_protocols", true, &c->cfg.other_action);
	if (!err)
		err = parse_action(y, root, "malformed", false, &c->cfg.malformed_action);
	if (!err)
		err = parse_action(y, root, "non_ip", false, &c->cfg.non_ip_action);
	if (err)
		return err;
	if ((n = bg_yaml_get(y, root, "sample_drops"))) {
		err = bg_yaml_u64(y, n, "network.sample_drops", &v);
		if (err)
			return err;
		if (v > 1000000)
			return bg_yaml_error(y, n,
					     "network.sample_drops: at most 1000000 per second");
		c->cfg.sample_per_sec = v;
	}
	if ((n = bg_yaml_get(y, root, "max_rules"))) {
		err = bg_yaml_u64(y, n, "network.max_rules", &v);
		if (err)
			return err;
		if (v < 1 || v > (1u << 20))
			return bg_yaml_error(y, n, "network.max_rules must be 1 to 1048576");
		c->max_rules = v;
	}
	if ((n = bg_yaml_get(y, root, "persist"))) {
		err = bg_yaml_bool(y, n, "network.persist", &c->persist);
		if (err)
			return err;
	}
	if ((sec = bg_yaml_get(y, root, "allow"))) {
		err = bg_yaml_check_map(y, sec, "network.allow", allow_keys);
		if (!err && (n = bg_yaml_get(y, sec, "sources")))
			err = parse_rules(y, n, "network.allow.sources", &allow_src, c);
		if (!err && (n = bg_yaml_get(y, sec, "tcp")))
			err = parse_rules(y, n, "network.allow.tcp", &tcp, c);
		if (!err && (n = bg_yaml_get(y, sec, "udp")))
			err = parse_rules(y, n, "network.allow.udp", &udp, c);
		if (err)
			return err;
	}
	if ((sec = bg_yaml_get(y, root, "deny"))) {
		err = bg_yaml_check_map(y, sec, "network.deny", deny_keys);
		if (!err && (n = bg_yaml_get(y, sec, "sources")))
			err = parse_rules(y, n, "network.deny.sources", &deny_src, c);
		if (err)
			return err;
	}
	for (i = 0; i < c->n_rules; i++)
		nprefix += !c->rules[i].is_port;
	if (c->n_rules > c->max_rules)
		return bg_yaml_error(y, root, "network: %zu rules, more than max_rules (%u)",
				     c->n_rules, c->max_rules);
	(void)nprefix;
	return 0;
}
