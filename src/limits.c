// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * guards.limits: process limits (memory, children) and per-process network
 * bans. User half of bpf/limits.bpf.c: the config section, the choice of
 * mechanism per rule, the maps, the cgroup attachments, the event printers.
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

#include "cgroup.h"
#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "ident.h"
#include "limits_guard.h"
#include "log.h"
#include "persist.h"
#include "policy/policy.h"
#include "policy/yaml.h"
#include "probe.h"
#include "limits.skel.h"

#define for_each_item(y, n, it, node)                                                              \
	for (it = (n)->data.sequence.items.start;                                                  \
	     it < (n)->data.sequence.items.top &&                                                  \
	     ((node) = yaml_document_get_node(&(y)->doc, *it));                                    \
	     it++)

static const char *const section_keys[] = {"rules", NULL};
static const char *const rule_keys[] = {"name",		"match",	   "action",  "max_memory",
					"max_children", "max_descendants", "network", NULL};
static const char *const match_keys[] = {"exe", "cgroup", "comm", NULL};
static const char *const net_keys[] = {"ban", "allow", NULL};
static const char *const actions[] = {"alert", "deny", "kill", NULL};
static const int action_val[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};
static const char *const ban_names[] = {"connect", "send", "receive", NULL};

/* ---- config ---- */

static int parse_match(struct bg_yaml *y, yaml_node_t *n, struct bg_limits_rule *r)
{
	yaml_node_pair_t *p;
	const char *s;
	int err, i;

	err = bg_yaml_check_map(y, n, "match", match_keys);
	if (err)
		return err;
	p = n->data.mapping.pairs.start;
	if (n->data.mapping.pairs.top - p != 1)
		return bg_yaml_error(
			y, n, "rule '%s': match takes exactly one of exe, cgroup, comm", r->name);
	for (i = 0; match_keys[i]; i++)
		if (bg_yaml_get(y, n, match_keys[i]))
			break;
	err = bg_yaml_str(y, yaml_document_get_node(&y->doc, p->value), match_keys[i], &s);
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
		err = bg_ident_from_path(s, &r->exe);
		if (err)
			return bg_yaml_error(y, n, "rule '%s': exe %s: %s", r->name, s,
					     strerror(-err));
		break;
	case 1: {
		char procs[sizeof(r->target) + 16];

		r->match = BG_LIM_MATCH_CGROUP;
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", s);
		if (s[0] != '/' || access(procs, F_OK) || bg_cgroup_id(s, &r->cgroup_id))
			return bg_yaml_error(y, n, "rule '%s': %s is not a cgroup directory",
					     r->name, s);
		break;
	}
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
	for_each_item(y, v, it, item)
	{
		err = bg_yaml_enum(y, item, "network.ban", ban_names, &i);
		if (err)
			return err;
		r->r.net_ban |= 1u << i;
	}
	if (!r->r.net_ban)
		return bg_yaml_error(y, v, "rule '%s': network.ban is empty", r->name);
	v = bg_yaml_get(y, n, "allow");
	if (!v)
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, v, "rule '%s': network.allow must be a list of peers",
				     r->name);
	for_each_item(y, v, it, item)
	{
		struct bg_policy_net pn;
		struct bg_lim_peer *p;

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
		p = &r->r.peers[r->r.n_peers++];
		p->family = pn.family;
		p->port = pn.port;
		p->prefix = pn.prefix;
		memcpy(p->addr, pn.addr, sizeof(p->addr));
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

static int parse_rule(struct bg_yaml *y, yaml_node_t *n, struct bg_limits_config *c,
		      struct bg_limits_rule *r)
{
	unsigned long long v;
	yaml_node_t *x;
	const char *s;
	size_t i;
	int err, a;

	err = bg_yaml_check_map(y, n, "a guards.limits rule", rule_keys);
	if (err)
		return err;
	x = bg_yaml_get(y, n, "name");
	if (!x)
		return bg_yaml_error(y, n, "guards.limits rule without a name");
	err = bg_yaml_str(y, x, "rule name", &s);
	if (err)
		return err;
	if (!*s || strlen(s) >= sizeof(r->name))
		return bg_yaml_error(y, x, "rule names are 1 to 64 characters");
	for (i = 0; i < c->n_rules; i++)
		if (!strcmp(c->rules[i].name, s))
			return bg_yaml_error(y, x, "duplicate rule name '%s'", s);
	strcpy(r->name, s);
	x = bg_yaml_get(y, n, "match");
	if (!x)
		return bg_yaml_error(y, n, "rule '%s' has no match (exe, cgroup or comm)", s);
	err = parse_match(y, x, r);
	if (err)
		return err;
	if ((x = bg_yaml_get(y, n, "action"))) {
		err = bg_yaml_enum(y, x, "action", actions, &a);
		if (err)
			return err;
		r->action = action_val[a];
	}
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
	for (i = 0; i < c->n_rules; i++) {
		const struct bg_limits_rule *o = &c->rules[i];

		if (o->match == r->match &&
		    ((r->match == BG_LIM_MATCH_EXE && !memcmp(&o->exe, &r->exe, sizeof(r->exe))) ||
		     (r->match == BG_LIM_MATCH_CGROUP && o->cgroup_id == r->cgroup_id) ||
		     (r->match == BG_LIM_MATCH_COMM && !strcmp(o->comm, r->comm))))
			return bg_yaml_error(y, n, "rules '%s' and '%s' match the same target",
					     o->name, r->name);
	}
	return 0;
}

int bg_limits_config_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_limits_config *c)
{
	yaml_node_item_t *it;
	yaml_node_t *rules, *item;
	size_t cnt;
	int err;

	err = bg_yaml_check_map(y, n, "guards.limits", section_keys);
	if (err)
		return err;
	rules = bg_yaml_get(y, n, "rules");
	if (!rules)
		return 0;
	if (rules->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, rules, "guards.limits.rules must be a list");
	cnt = rules->data.sequence.items.top - rules->data.sequence.items.start;
	if (cnt > BG_LIM_RULES_MAX)
		return bg_yaml_error(y, rules, "at most %d rules", BG_LIM_RULES_MAX);
	if (!cnt)
		return 0;
	c->rules = calloc(cnt, sizeof(*c->rules));
	if (!c->rules)
		return -ENOMEM;
	for_each_item(y, rules, it, item)
	{
		err = parse_rule(y, item, c, &c->rules[c->n_rules]);
		if (err)
			return err;
		c->n_rules++;
	}
	return 0;
}

void bg_limits_config_free(struct bg_limits_config *c)
{
	free(c->rules);
	c->rules = NULL;
	c->n_rules = 0;
}

/* ---- guard ---- */

/*
 * The rule as the kernel runs it: the action this kernel can carry out and
 * the mechanism of the network ban. deny needs BPF LSM for forks and for
 * executable/comm bans; without it they are enforced by kill.
 */
static void effective(const struct bg_limits_guard *g, const struct bg_limits_rule *cr, int mode,
		      struct bg_lim_rule *out)
{
	int action = cr->action ? cr->action : mode;

	*out = cr->r;
	/* A cgroup rule's network ban denies without LSM (cgroup hooks). */
	if (action == BG_ACT_DENY && !g->lsm &&
	    (cr->match != BG_LIM_MATCH_CGROUP || cr->r.max_children || cr->r.max_descendants))
		action = BG_ACT_KILL;
	out->action = action;
	if (cr->match == BG_LIM_MATCH_CGROUP)
		out->net_mech = BG_MECH_CGROUP;
	else if (g->lsm && action != BG_ACT_KILL)
		out->net_mech = BG_MECH_LSM;
	else
		out->net_mech = BG_MECH_TRACEPOINT;
}

/* Does any rule need the sys_enter program (memory checks, kill at a fork,
 * a network ban enforced at the syscall)? */
static bool needs_sys_enter(const struct bg_limits_guard *g, const struct bg_limits_config *c,
			    int mode)
{
	struct bg_lim_rule r;
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		effective(g, &c->rules[i], mode, &r);
		if (r.max_memory || (r.net_ban && r.net_mech == BG_MECH_TRACEPOINT) ||
		    ((r.max_children || r.max_descendants) && r.action == BG_ACT_KILL))
			return true;
	}
	return false;
}

static int sys_enter_set(struct bg_limits_guard *g, bool on)
{
	int err;

	if (on && !g->sys_enter) {
		g->sys_enter = bpf_program__attach(g->skel->progs.lim_sys_enter);
		if (!g->sys_enter) {
			err = -errno;
			pr_err("limits guard: cannot attach sys_enter: %s\n", strerror(errno));
			return err;
		}
	} else if (!on && g->sys_enter) {
		bpf_link__destroy(g->sys_enter);
		g->sys_enter = NULL;
	}
	return 0;
}

static int cg_attach(struct bg_limits_guard *g, const struct bg_limits_rule *cr)
{
	struct bpf_program *progs[6] = {
		g->skel->progs.lim_connect4,	g->skel->progs.lim_connect6,
		g->skel->progs.lim_sendmsg4,	g->skel->progs.lim_sendmsg6,
		g->skel->progs.lim_skb_ingress, g->skel->progs.lim_skb_egress,
	};
	struct bg_limits_cg *cg, *grown;
	size_t i;
	int fd, err = 0;

	for (i = 0; i < g->n_cgs; i++)
		if (g->cgs[i].id == cr->cgroup_id)
			return 0;
	grown = realloc(g->cgs, (g->n_cgs + 1) * sizeof(*g->cgs));
	if (!grown)
		return -ENOMEM;
	g->cgs = grown;
	cg = &g->cgs[g->n_cgs];
	memset(cg, 0, sizeof(*cg));
	cg->id = cr->cgroup_id;
	fd = open(cr->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("limits: rule '%s': cannot open %s: %s\n", cr->name, cr->target,
		       strerror(errno));
		return err;
	}
	for (i = 0; i < 6; i++) {
		cg->links[i] = bpf_program__attach_cgroup(progs[i], fd);
		if (!cg->links[i]) {
			err = -errno;
			pr_err("limits: rule '%s': cannot attach %s to %s: %s\n", cr->name,
			       bpf_program__name(progs[i]), cr->target, strerror(errno));
			break;
		}
	}
	close(fd);
	if (err) {
		while (i--)
			bpf_link__destroy(cg->links[i]);
		return err;
	}
	g->n_cgs++;
	return 0;
}

/* Detach the cgroups no rule of c names any more. */
static void cg_prune(struct bg_limits_guard *g, const struct bg_limits_config *c)
{
	size_t i, j, k = 0;
	bool keep;

	for (i = 0; i < g->n_cgs; i++) {
		keep = false;
		for (j = 0; c && j < c->n_rules; j++)
			if (c->rules[j].match == BG_LIM_MATCH_CGROUP &&
			    c->rules[j].cgroup_id == g->cgs[i].id && c->rules[j].r.net_ban)
				keep = true;
		if (keep) {
			g->cgs[k++] = g->cgs[i];
			continue;
		}
		for (j = 0; j < 6; j++)
			bpf_link__destroy(g->cgs[i].links[j]);
	}
	g->n_cgs = k;
}

/* Delete the keys of map that are not in the new set (present(key) false). */
static void prune_map(int fd, size_t ksz, const struct bg_limits_config *c, enum bg_lim_match m)
{
	char key[64], next[64];
	void *prev = NULL;
	size_t i;
	bool keep;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		keep = false;
		for (i = 0; i < c->n_rules; i++) {
			const struct bg_limits_rule *r = &c->rules[i];

			if (r->match != m)
				continue;
			if ((m == BG_LIM_MATCH_EXE && !memcmp(&r->exe, key, ksz)) ||
			    (m == BG_LIM_MATCH_CGROUP && !memcmp(&r->cgroup_id, key, ksz)) ||
			    (m == BG_LIM_MATCH_COMM && !memcmp(r->comm, key, ksz)))
				keep = true;
		}
		if (!keep) {
			bpf_map_delete_elem(fd, key);
			prev = NULL; /* restart: the iteration order changed */
		}
	}
}

static __u32 kind_bit(enum bg_lim_match m)
{
	return m == BG_LIM_MATCH_EXE	  ? BG_LIM_KIND_EXE
	       : m == BG_LIM_MATCH_CGROUP ? BG_LIM_KIND_CGROUP
					  : BG_LIM_KIND_COMM;
}

static int write_rules(struct bg_limits_guard *g, const struct bg_limits_config *c, int mode)
{
	int rules = bpf_map__fd(g->skel->maps.lim_rules);
	int exe = bpf_map__fd(g->skel->maps.lim_exe), cgm = bpf_map__fd(g->skel->maps.lim_cgroup);
	int comm = bpf_map__fd(g->skel->maps.lim_comm);
	char(*names)[65];
	__u32 kinds = 0;
	size_t i;
	int err;

	names = calloc(c->n_rules ? c->n_rules : 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	/* The new kinds are looked up before their targets go in (the old
	 * ones stay until theirs are pruned): no target is ever skipped. */
	for (i = 0; i < c->n_rules; i++)
		kinds |= kind_bit(c->rules[i].match);
	__atomic_store_n(&g->skel->bss->lim_kinds, g->skel->bss->lim_kinds | kinds,
			 __ATOMIC_RELEASE);
	for (i = 0; i < c->n_rules; i++) {
		const struct bg_limits_rule *cr = &c->rules[i];
		struct bg_lim_rule r;
		__u32 idx = i;

		effective(g, cr, mode, &r);
		if (cr->action == BG_ACT_DENY && r.action == BG_ACT_KILL)
			pr_warn("limits: rule '%s': deny needs BPF LSM, which this kernel refuses: "
				"enforced by kill\n",
				cr->name);
		strcpy(names[i], cr->name);
		err = bpf_map_update_elem(rules, &idx, &r, BPF_ANY);
		if (!err && cr->match == BG_LIM_MATCH_EXE)
			err = bpf_map_update_elem(exe, &cr->exe, &idx, BPF_ANY);
		else if (!err && cr->match == BG_LIM_MATCH_CGROUP)
			err = bpf_map_update_elem(cgm, &cr->cgroup_id, &idx, BPF_ANY);
		else if (!err)
			err = bpf_map_update_elem(comm, cr->comm, &idx, BPF_ANY);
		if (!err && cr->match == BG_LIM_MATCH_CGROUP && r.net_ban)
			err = cg_attach(g, cr);
		if (err) {
			err = err < 0 ? err : -EINVAL;
			pr_err("limits: rule '%s': %s\n", cr->name, strerror(-err));
			free(names);
			return err;
		}
	}
	prune_map(exe, sizeof(struct bg_ident), c, BG_LIM_MATCH_EXE);
	prune_map(cgm, sizeof(__u64), c, BG_LIM_MATCH_CGROUP);
	prune_map(comm, BG_COMM_LEN, c, BG_LIM_MATCH_COMM);
	__atomic_store_n(&g->skel->bss->lim_kinds, kinds, __ATOMIC_RELEASE);
	cg_prune(g, c);
	free(g->names);
	g->names = names;
	g->n_names = c->n_rules;
	return 0;
}

int bg_limits_guard_start(struct bg_limits_guard *g, const struct bg_limits_config *c, int mode,
			  struct bg_events *ev, const struct bg_caps *caps)
{
	struct bpf_program *lsm_progs[5];
	size_t i;
	int err;

	memset(g, 0, sizeof(*g));
	if (!bg_has(caps, BG_FEAT_TP_BTF)) {
		pr_err("limits guard needs tp_btf programs, which this kernel refuses (%s)\n",
		       caps->f[BG_FEAT_TP_BTF].detail);
		return -EOPNOTSUPP;
	}
	g->skel = bg_limits_bpf__open();
	if (!g->skel) {
		err = -errno;
		pr_err("limits guard: open failed: %s\n", strerror(errno));
		return err;
	}
	g->lsm = bg_has(caps, BG_FEAT_LSM);
	lsm_progs[0] = g->skel->progs.lim_task_alloc;
	lsm_progs[1] = g->skel->progs.lim_socket_connect;
	lsm_progs[2] = g->skel->progs.lim_socket_sendmsg;
	lsm_progs[3] = g->skel->progs.lim_socket_recvmsg;
	lsm_progs[4] = g->skel->progs.lim_socket_accept;
	for (i = 0; i < 5 && !g->lsm; i++)
		bpf_program__set_autoload(lsm_progs[i], false);
	bpf_program__set_autoattach(g->skel->progs.lim_sys_enter, false);
	err = bg_events_share(ev, g->skel->obj);
	if (err)
		goto cleanup;
	err = bg_limits_bpf__load(g->skel);
	if (err) {
		pr_err("limits guard: load failed: %s\n", strerror(-err));
		goto cleanup;
	}
	/* Rules before attach: the programs never run without them. */
	err = write_rules(g, c, mode);
	if (err)
		goto cleanup;
	err = bg_limits_bpf__attach(g->skel);
	if (err) {
		pr_err("limits guard: attach failed: %s\n", strerror(-err));
		goto cleanup;
	}
	err = sys_enter_set(g, needs_sys_enter(g, c, mode));
	if (err)
		goto cleanup;
	return 0;
cleanup:
	bg_limits_guard_stop(g);
	return err;
}

int bg_limits_guard_update(struct bg_limits_guard *g, const struct bg_limits_config *c, int mode)
{
	bool need = needs_sys_enter(g, c, mode);
	int err;

	/* Attached before the rules that need it, detached after the last
	 * one is gone: no rule is ever without its hook. */
	if (need) {
		err = sys_enter_set(g, true);
		if (err)
			return err;
	}
	err = write_rules(g, c, mode);
	if (!err && !need)
		sys_enter_set(g, false);
	return err;
}

void bg_limits_guard_stop(struct bg_limits_guard *g)
{
	sys_enter_set(g, false);
	cg_prune(g, NULL);
	free(g->cgs);
	g->cgs = NULL;
	bg_limits_bpf__destroy(g->skel);
	g->skel = NULL;
	free(g->names);
	g->names = NULL;
	g->n_names = 0;
}

int bg_limits_guard_pin(struct bg_limits_guard *g, struct bg_persist *p)
{
	char name[64];
	size_t i, j;
	int err;

	err = bg_persist_links(p, g->skel->skeleton, "limits");
	/* Attached apart from the skeleton, and only while rules need them. */
	if (!err && g->sys_enter)
		err = bg_persist_link(p, "limits-lim_sys_enter", bpf_link__fd(g->sys_enter));
	for (i = 0; !err && i < g->n_cgs; i++)
		for (j = 0; !err && j < 6; j++) {
			snprintf(name, sizeof(name), "limits-cg%llu-%zu",
				 (unsigned long long)g->cgs[i].id, j);
			err = bg_persist_link(p, name, bpf_link__fd(g->cgs[i].links[j]));
		}
	return err;
}

const char *bg_limits_rule_name(const struct bg_limits_guard *g, uint32_t rule_id)
{
	uint32_t idx = BG_LIM_RULE_IDX(rule_id);

	return idx < g->n_names ? g->names[idx] : NULL;
}

/* ---- events ---- */

static const char *const what_names[] = {
	[BG_LIM_MEM_REQUEST] = "memory-request", [BG_LIM_MEM_TOTAL] = "memory-total",
	[BG_LIM_CHILDREN] = "children",		 [BG_LIM_DESCENDANTS] = "descendants",
	[BG_LIM_CONDEMNED] = "condemned-tree",
};

static const char *what_name(uint32_t w)
{
	return w < sizeof(what_names) / sizeof(what_names[0]) && what_names[w] ? what_names[w]
									       : "unknown";
}

static void limit_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_limit_event *e = rec;

	(void)f;
	bg_json_kobj(j, "limit");
	bg_json_kstr(j, "kind", what_name(e->what));
	bg_json_ku64(j, "limit", e->limit);
	bg_json_ku64(j, "value", e->value);
	if (e->request)
		bg_json_ku64(j, "request", e->request);
	if (e->root_pid)
		bg_json_ku64(j, "root_pid", e->root_pid);
	if (e->nr)
		bg_json_ku64(j, "syscall", e->nr);
	bg_json_obj_end(j);
}

static void limit_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_limit_event *e = rec;

	(void)f;
	bg_buf_printf(out, " %s value=%llu limit=%llu", what_name(e->what),
		      (unsigned long long)e->value, (unsigned long long)e->limit);
	if (e->request)
		bg_buf_printf(out, " request=%llu", (unsigned long long)e->request);
	if (e->root_pid)
		bg_buf_printf(out, " root=%u", e->root_pid);
}

const struct bg_event_desc bg_limit_desc = {
	.name = "limit",
	.size = sizeof(struct bg_limit_event),
	.category = "process",
	.ecs_type = "denied",
	.action = "limit-reached",
	.has_proc = true,
	.json_bg = limit_json_bg,
	.text = limit_text,
	.color = "\033[31m",
};

static const char *const op_names[] = {"unknown", "connect", "send", "receive", "accept"};

static const char *peer_ip(const struct bg_netban_event *e, char *buf, size_t len)
{
	if (e->family == AF_INET || e->family == AF_INET6)
		return inet_ntop(e->family, e->addr, buf, len);
	return NULL;
}

static void netban_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_netban_event *e = rec;
	char ip[INET6_ADDRSTRLEN];
	const char *a = peer_ip(e, ip, sizeof(ip));

	(void)f;
	if (a) {
		/* The peer: the destination of what we send, the source of what we receive. */
		bg_json_kobj(j, e->op >= BG_BAN_OP_RECV ? "source" : "destination");
		bg_json_kstr(j, "address", a);
		bg_json_ku64(j, "port", e->port);
		bg_json_obj_end(j);
	}
	bg_json_kobj(j, "network");
	if (e->family)
		bg_json_kstr(j, "type", e->family == AF_INET ? "ipv4" : "ipv6");
	bg_json_kstr(j, "transport",
		     e->protocol == 6	 ? "tcp"
		     : e->protocol == 17 ? "udp"
					 : "other");
	bg_json_obj_end(j);
}

static void netban_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_netban_event *e = rec;

	(void)f;
	bg_json_kobj(j, "netban");
	bg_json_kstr(j, "op", op_names[e->op < 5 ? e->op : 0]);
	bg_json_kbool(j, "peer_known", e->family != 0);
	if (e->nr)
		bg_json_ku64(j, "syscall", e->nr);
	bg_json_obj_end(j);
}

static void netban_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_netban_event *e = rec;
	char ip[INET6_ADDRSTRLEN];
	const char *a = peer_ip(e, ip, sizeof(ip));

	(void)f;
	bg_buf_printf(out, " %s %s", op_names[e->op < 5 ? e->op : 0],
		      e->protocol == 6	  ? "tcp"
		      : e->protocol == 17 ? "udp"
					  : "?");
	if (a)
		bg_buf_printf(out, e->family == AF_INET6 ? " [%s]:%u" : " %s:%u", a, e->port);
	else
		bg_buf_printf(out, " peer=unknown");
}

const struct bg_event_desc bg_netban_desc = {
	.name = "netban",
	.size = sizeof(struct bg_netban_event),
	.category = "network",
	.ecs_type = "denied",
	.action = "network-banned",
	.has_proc = true,
	.json = netban_json,
	.json_bg = netban_json_bg,
	.text = netban_text,
	.color = "\033[31m",
};
