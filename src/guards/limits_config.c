// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * guards.limits of the agent config: rules by executable, cgroup or
 * command name, with memory, children and network limits (docs/agent.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfguard/events.h>
#include "core/cgroup.h"
#include "events/container.h"
#include "events/hash.h"
#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/ident.h"
#include "guards/limits_guard.h"
#include "core/guard.h"
#include "core/log.h"
#include "core/persist.h"
#include "policy/netrule.h"
#include "policy/policy.h"
#include "policy/yaml.h"
#include "core/probe.h"

static const char *const section_keys[] = {"rules", NULL};
static const char *const rule_keys[] = {"name",		"match",	   "action",  "max_memory",
					"max_children", "max_descendants", "network", NULL};
static const char *const match_keys[] = {"exe", "cgroup", "comm", "container", "sha256", NULL};
static const char *const net_keys[] = {"ban", "allow", "redirect", NULL};
static const char *const actions[] = {"alert", "deny", "kill", "redirect", NULL};
static const int action_val[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL, BG_ACT_REDIRECT};
static const char *const ban_names[] = {"connect", "send", "receive", NULL};

/* ---- config ---- */

/*
 * match: { exe: PATH, sha256: HEX }: the rule is for that build of the
 * program. The kernel still matches by (device, inode); the hash is checked
 * here, at every load and reload, so a config written for one build refuses
 * to apply to another at the same path (docs/agent.md).
 */
static int check_sha256(struct bg_resolve *rs, const struct bg_limits_rule *r)
{
	unsigned char got[32];
	char hex[65], want[65];
	int err, fd;

	fd = open(r->target, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? -errno : bg_sha256_file(fd, got);
	if (fd >= 0)
		close(fd);
	if (err)
		return bg_resolve_error(rs, r->at_sha, "rule '%s': cannot hash %s: %s", r->name,
					r->target, strerror(-err));
	if (memcmp(r->sha256, got, 32)) {
		bg_sha256_hex(got, hex);
		bg_sha256_hex(r->sha256, want);
		return bg_resolve_error(rs, r->at_sha,
					"rule '%s': %s has sha256 %s, not the %s the rule names "
					"(another build is installed there)",
					r->name, r->target, hex, want);
	}
	return 0;
}

static int parse_match(struct bg_yaml *y, yaml_node_t *n, struct bg_limits_rule *r)
{
	yaml_node_t *sha;
	yaml_node_pair_t *p;
	const char *s;
	int err, i;

	err = bg_yaml_check_map(y, n, "match", match_keys);
	if (err)
		return err;
	p = n->data.mapping.pairs.start;
	sha = bg_yaml_get(y, n, "sha256");
	if (sha && !bg_yaml_get(y, n, "exe"))
		return bg_yaml_error(y, sha,
				     "rule '%s': sha256 goes with exe (the build of that "
				     "program the rule is for)",
				     r->name);
	if (n->data.mapping.pairs.top - p != 1 + !!sha)
		return bg_yaml_error(
			y, n, "rule '%s': match takes exactly one of exe, cgroup, comm, container",
			r->name);
	for (i = 0; match_keys[i]; i++)
		if (bg_yaml_get(y, n, match_keys[i]))
			break;
	err = bg_yaml_str(y, bg_yaml_get(y, n, match_keys[i]), match_keys[i], &s);
	if (err)
		return err;
	if (strlen(s) >= sizeof(r->target) || !*s)
		return bg_yaml_error(y, n, "rule '%s': %s is empty or too long", r->name,
				     match_keys[i]);
	strcpy(r->target, s);
	switch (i) {
	case 0:
		r->match = BG_LIM_MATCH_EXE;
		if (s[0] != '/')
			return bg_yaml_error(y, n, "rule '%s': exe '%s' is not an absolute path",
					     r->name, s);
		if (sha) {
			const char *h;

			r->at_sha = bg_yaml_pos(sha);
			err = bg_yaml_str(y, sha, "sha256", &h);
			if (err)
				return err;
			if (!bg_sha256_parse(h, r->sha256))
				return bg_yaml_error(y, sha,
						     "rule '%s': sha256 '%s' is not 64 hex digits",
						     r->name, h);
			r->has_sha256 = true;
		}
		break; /* its inode (and hash): bg_limits_config_resolve */
	case 1:
		r->match = BG_LIM_MATCH_CGROUP;
		if (s[0] != '/')
			return bg_yaml_error(y, n, "rule '%s': %s is not a cgroup directory",
					     r->name, s);
		break;
	case 3:
		/* its cgroup, found by the id prefix: bg_limits_config_resolve */
		r->match = BG_LIM_MATCH_CGROUP;
		r->container = true;
		break;
	default:
		r->match = BG_LIM_MATCH_COMM;
		if (strlen(s) >= sizeof(r->comm))
			return bg_yaml_error(y, n,
					     "rule '%s': comm '%s' is longer than 15 bytes (the "
					     "kernel keeps 15)",
					     r->name, s);
		strncpy(r->comm, s, sizeof(r->comm));
	}
	return 0;
}

/* One sinkhole of network.redirect: an address (not a prefix) and a port. */
static int parse_sinkhole(struct bg_yaml *y, yaml_node_t *n, struct bg_limits_rule *r)
{
	struct bg_policy_net pn;
	struct bg_net_rule *s;
	const char *str;
	int err = bg_yaml_str(y, n, "network.redirect", &str);

	if (err)
		return err;
	if (bg_net_parse(str, &pn) || !pn.port || !pn.family ||
	    pn.prefix != (pn.family == AF_INET ? 32 : 128))
		return bg_yaml_error(
			y, n,
			"rule '%s': sinkhole '%s' is not ADDR:PORT or [ADDR6]:PORT (one "
			"address, one port)",
			r->name, str);
	s = &r->r.sinkhole[pn.family == AF_INET ? 0 : 1];
	if (s->port)
		return bg_yaml_error(y, n, "rule '%s': one sinkhole per address family", r->name);
	bg_net_rule_from(s, &pn, 0);
	/* The redirected connection must get through the rule's own packet
	 * hooks (cgroup_skb): the sinkhole is an allowed peer. */
	if (r->r.n_peers == BG_LIM_PEERS_MAX)
		return bg_yaml_error(y, n, "rule '%s': at most %d allowed peers and sinkholes",
				     r->name, BG_LIM_PEERS_MAX);
	r->r.peers[r->r.n_peers++] = *s;
	return 0;
}

static int parse_network(struct bg_yaml *y, yaml_node_t *n, struct bg_limits_rule *r)
{
	yaml_node_item_t *it;
	yaml_node_t *v, *item;
	const char *s;
	int err, i;

	err = bg_yaml_check_map(y, n, "network", net_keys);
	if (err)
		return err;
	v = bg_yaml_get(y, n, "ban");
	if (!v || v->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(
			y, v ? v : n,
			"rule '%s': network.ban must be a list of connect, send, receive", r->name);
	BG_YAML_FOR_EACH(y, v, it, item)
	{
		err = bg_yaml_enum(y, item, "network.ban", ban_names, &i);
		if (err)
			return err;
		r->r.net_ban |= 1u << i;
	}
	if (!r->r.net_ban)
		return bg_yaml_error(y, v, "rule '%s': network.ban is empty", r->name);
	v = bg_yaml_get(y, n, "redirect");
	if (v && v->type == YAML_SEQUENCE_NODE) {
		BG_YAML_FOR_EACH(y, v, it, item)
		{
			err = parse_sinkhole(y, item, r);
			if (err)
				return err;
		}
	} else if (v) {
		err = parse_sinkhole(y, v, r);
		if (err)
			return err;
	}
	v = bg_yaml_get(y, n, "allow");
	if (!v)
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, v, "rule '%s': network.allow must be a list of peers",
				     r->name);
	BG_YAML_FOR_EACH(y, v, it, item)
	{
		struct bg_policy_net pn;

		err = bg_yaml_str(y, item, "network.allow", &s);
		if (err)
			return err;
		if (bg_net_parse(s, &pn))
			return bg_yaml_error(y, item,
					     "rule '%s': peer '%s' is not ADDR[/BITS]:PORT, "
					     "[ADDR6[/BITS]]:PORT or *:PORT (PORT may be *)",
					     r->name, s);
		if (r->r.n_peers == BG_LIM_PEERS_MAX)
			return bg_yaml_error(y, item, "rule '%s': at most %d allowed peers",
					     r->name, BG_LIM_PEERS_MAX);
		/* op 0: the ban's operations (net_ban), whichever. */
		bg_net_rule_from(&r->r.peers[r->r.n_peers++], &pn, 0);
	}
	return 0;
}

static int parse_count(struct bg_yaml *y, yaml_node_t *n, const char *what, __u32 *out)
{
	unsigned long long v;
	int err = bg_yaml_u64(y, n, what, &v);

	if (err)
		return err;
	if (v < 1 || v > 1000000)
		return bg_yaml_error(y, n, "%s must be between 1 and 1000000", what);
	*out = v;
	return 0;
}

/*
 * action redirect rewrites the destination in the cgroup connect/sendmsg
 * hooks, which only cgroup targets have (exe and comm bans are enforced by
 * LSM hooks or at the syscall, which cannot change the address); it needs
 * network.redirect, and applies to network bans only.
 */
static int check_redirect(struct bg_yaml *y, yaml_node_t *n, const struct bg_limits_rule *r)
{
	bool sink = r->r.sinkhole[0].port || r->r.sinkhole[1].port;
	yaml_node_t *at = bg_yaml_get(y, n, "action");

	if (r->action != BG_ACT_REDIRECT)
		return sink ? bg_yaml_error(y, n,
					    "rule '%s': network.redirect needs action: redirect",
					    r->name)
			    : 0;
	if (r->match != BG_LIM_MATCH_CGROUP)
		return bg_yaml_error(y, at,
				     "rule '%s': action redirect needs a cgroup target (the "
				     "destination is rewritten by the cgroup connect and sendmsg "
				     "hooks)",
				     r->name);
	if (!sink)
		return bg_yaml_error(y, at,
				     "rule '%s': action redirect needs network.redirect (the "
				     "sinkhole, ADDR:PORT)",
				     r->name);
	if (r->r.max_memory || r->r.max_children || r->r.max_descendants)
		return bg_yaml_error(y, at,
				     "rule '%s': action redirect applies to network bans only: put "
				     "the limits in a rule of their own",
				     r->name);
	return 0;
}

static const struct bg_yaml_rules kind = {.section = "guards.limits",
					  .keys = rule_keys,
					  .max = BG_LIM_RULES_MAX,
					  .actions = actions,
					  .action_values = action_val};

static int parse_rule(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *n,
		      struct bg_limits_config *c, struct bg_limits_rule *r)
{
	unsigned long long v;
	yaml_node_t *x;
	const char *s;
	size_t i;
	int err;

	err = bg_yaml_rule_head(y, list, n, &kind, &s, &r->action);
	if (err)
		return err;
	_Static_assert(sizeof(r->name) > 64, "rule names are up to 64 characters");
	strcpy(r->name, s);
	x = bg_yaml_get(y, n, "match");
	if (!x)
		return bg_yaml_error(y, n, "rule '%s' has no match (exe, cgroup or comm)", s);
	r->at = bg_yaml_pos(n);
	r->at_match = bg_yaml_pos(x);
	err = parse_match(y, x, r);
	if (err)
		return err;
	if ((x = bg_yaml_get(y, n, "max_memory"))) {
		err = bg_yaml_size(y, x, "max_memory", &v);
		if (err)
			return err;
		if (v < 4096)
			return bg_yaml_error(y, x, "max_memory must be at least 4KiB");
		r->r.max_memory = v;
	}
	if ((x = bg_yaml_get(y, n, "max_children"))) {
		err = parse_count(y, x, "max_children", &r->r.max_children);
		if (err)
			return err;
	}
	if ((x = bg_yaml_get(y, n, "max_descendants"))) {
		err = parse_count(y, x, "max_descendants", &r->r.max_descendants);
		if (err)
			return err;
	}
	if ((x = bg_yaml_get(y, n, "network"))) {
		err = parse_network(y, x, r);
		if (err)
			return err;
	}
	if (!r->r.max_memory && !r->r.max_children && !r->r.max_descendants && !r->r.net_ban)
		return bg_yaml_error(y, n,
				     "rule '%s' limits nothing: give max_memory, max_children, "
				     "max_descendants or network",
				     r->name);
	err = check_redirect(y, n, r);
	if (err)
		return err;
	for (i = 0; i < c->n_rules; i++) {
		const struct bg_limits_rule *o = &c->rules[i];

		/* exe and cgroup targets are compared by identity at resolve */
		if (o->match == r->match && r->match == BG_LIM_MATCH_COMM &&
		    !strcmp(o->comm, r->comm))
			return bg_yaml_error(y, n, "rules '%s' and '%s' match the same target",
					     o->name, r->name);
	}
	return 0;
}

int bg_limits_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	struct bg_limits_config *c = cfg;
	yaml_node_item_t *it;
	yaml_node_t *rules, *item;
	int err;

	err = bg_yaml_check_map(y, n, "guards.limits", section_keys);
	if (!err)
		err = bg_yaml_rule_list(y, n, &kind, sizeof(*c->rules), &rules, (void **)&c->rules);
	if (err || !rules)
		return err;
	BG_YAML_FOR_EACH(y, rules, it, item)
	{
		err = parse_rule(y, rules, item, c, &c->rules[c->n_rules]);
		if (err)
			return err;
		c->n_rules++;
	}
	return 0;
}

void bg_limits_config_free(void *cfg)
{
	struct bg_limits_config *c = cfg;

	free(c->rules);
	c->rules = NULL;
	c->n_rules = 0;
}

/* Each exe rule's executable to its inode, each cgroup rule's directory to
 * its cgroup id, on this host; then no two rules on the same target. */
int bg_limits_config_resolve(void *cfg, struct bg_resolve *rs)
{
	struct bg_limits_config *c = cfg;
	size_t i, j;
	int err;

	for (i = 0; i < c->n_rules; i++) {
		struct bg_limits_rule *r = &c->rules[i];

		if (r->match == BG_LIM_MATCH_EXE) {
			err = bg_ident_from_path(r->target, &r->exe);
			if (err)
				return bg_resolve_error(rs, r->at_match, "rule '%s': exe %s: %s",
							r->name, r->target, strerror(-err));
			if (r->has_sha256) {
				err = check_sha256(rs, r);
				if (err)
					return err;
			}
		} else if (r->container) {
			char why[256], dir[sizeof(r->target)];

			err = bg_container_cgroup(r->target, dir, sizeof(dir), why, sizeof(why));
			if (err || bg_cgroup_id(dir, &r->cgroup_id))
				return bg_resolve_error(rs, r->at_match, "rule '%s': container: %s",
							r->name, err ? why : strerror(errno));
			strcpy(r->target, dir); /* the cgroup it names, as a cgroup rule */
			r->container = false;
		} else if (r->match == BG_LIM_MATCH_CGROUP) {
			char procs[sizeof(r->target) + 16];

			snprintf(procs, sizeof(procs), "%s/cgroup.procs", r->target);
			if (access(procs, F_OK) || bg_cgroup_id(r->target, &r->cgroup_id))
				return bg_resolve_error(rs, r->at_match,
							"rule '%s': %s is not a cgroup directory",
							r->name, r->target);
		} else {
			continue;
		}
		for (j = 0; j < i; j++) {
			const struct bg_limits_rule *o = &c->rules[j];

			if (o->match == r->match &&
			    ((r->match == BG_LIM_MATCH_EXE &&
			      !memcmp(&o->exe, &r->exe, sizeof(r->exe))) ||
			     (r->match == BG_LIM_MATCH_CGROUP && o->cgroup_id == r->cgroup_id)))
				return bg_resolve_error(rs, r->at,
							"rules '%s' and '%s' match the same target",
							o->name, r->name);
		}
	}
	return 0;
}
