// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The `guards.files` section of the agent config (docs/agent.md). Parsing
 * checks what the text says (keys, types, absolute paths, names) and keeps
 * where each path was written; resolving, when the config is applied
 * (bg_config_resolve: agent start, reload, --check), finds each path's
 * identity on this host, so that validating a config's text does not
 * depend on the host and a missing file is reported with the rule that
 * names it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpfguard/events.h>

#include "core/guard.h"
#include "core/ident.h"
#include "guards/files.h"
#include "guards/hostpaths.h"
#include "policy/yaml.h"

/* Per generation: half of each map, so a swap always has room. */
#define TARGETS_PER_GEN (BG_FILES_TARGETS_MAX / 2)
#define ALLOW_PER_GEN	(BG_FILES_ALLOW_MAX / 2)

static const char *const section_keys[] = {"rules", NULL};
static const char *const rule_keys[] = {"name",	  "paths",	    "read", "write",
					"action", "ignore_missing", NULL};
static const char *const actions[] = {"alert", "deny", "kill", NULL};
static const int action_value[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};

static const struct bg_yaml_rules kind = {.section = "guards.files",
					  .keys = rule_keys,
					  .max = BG_FILES_RULES_MAX,
					  .actions = actions,
					  .action_values = action_value};

static int parse_rule(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *n,
		      struct bg_files_rule_cfg *r)
{
	yaml_node_t *v;
	int err;

	err = bg_path_rule_parse(y, list, n, &kind, &r->h);
	if (err)
		return err;
	if ((v = bg_yaml_get(y, n, "read"))) {
		r->restrict_read = true;
		err = bg_host_paths_parse(y, v, "read", &r->read, &r->n_read);
		if (err)
			return err;
	}
	if ((v = bg_yaml_get(y, n, "write"))) {
		r->restrict_write = true;
		err = bg_host_paths_parse(y, v, "write", &r->write, &r->n_write);
		if (err)
			return err;
	}
	if (!r->restrict_read && !r->restrict_write)
		return bg_yaml_error(
			y, n, "rule '%s' restricts nothing: give read:, write: or both", r->h.name);
	return 0;
}

int bg_files_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	struct bg_files_config *c = cfg;
	yaml_node_item_t *it;
	yaml_node_t *rules, *item;
	size_t targets = 0, allow = 0;
	int err;

	err = bg_yaml_check_map(y, n, "guards.files", section_keys);
	if (!err)
		err = bg_yaml_rule_list(y, n, &kind, sizeof(*c->rules), &rules, (void **)&c->rules);
	if (err || !rules)
		return err;
	BG_YAML_FOR_EACH(y, rules, it, item)
	{
		struct bg_files_rule_cfg *r = &c->rules[c->n_rules];

		err = parse_rule(y, rules, item, r);
		c->n_rules++; /* counted even on error, so that free sees it */
		if (err)
			return err;
		targets += r->h.n_paths;
		allow += r->n_read + r->n_write;
		if (targets > TARGETS_PER_GEN || allow > ALLOW_PER_GEN)
			return bg_yaml_error(y, item,
					     "too many paths (max %d) or executables (max %d) in "
					     "guards.files",
					     TARGETS_PER_GEN, ALLOW_PER_GEN);
	}
	return 0;
}

void bg_files_config_free(void *cfg)
{
	struct bg_files_config *c = cfg;
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		bg_path_rule_free(&c->rules[i].h);
		bg_host_paths_free(c->rules[i].read, c->rules[i].n_read);
		bg_host_paths_free(c->rules[i].write, c->rules[i].n_write);
	}
	free(c->rules);
	c->rules = NULL;
	c->n_rules = 0;
}

/* Every path to its identity (src/guards/hostpaths.h): protected paths
 * are files or directories (everything beneath), executables regular
 * files; one file, one rule: the kernel looks a file up once. */
int bg_files_config_resolve(void *cfg, struct bg_resolve *rs)
{
	struct bg_files_config *c = cfg;
	const struct bg_host_path *same, *mine;
	size_t i, j;
	int err;

	for (i = 0; i < c->n_rules; i++) {
		struct bg_path_rule *h = &c->rules[i].h;
		struct bg_files_rule_cfg *r = &c->rules[i];

		err = bg_path_rule_resolve(rs, h);
		if (!err)
			err = bg_host_paths_resolve(rs, "read", BG_HOST_FILE, h->ignore_missing,
						    r->read, &r->n_read);
		if (!err)
			err = bg_host_paths_resolve(rs, "write", BG_HOST_FILE, h->ignore_missing,
						    r->write, &r->n_write);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if ((mine = bg_path_rule_overlap(&c->rules[j].h, h, &same)))
				return bg_resolve_error(
					rs, h->at_paths,
					"rule '%s': %s is already protected by rule '%s' (%s)",
					h->name, mine->path, c->rules[j].h.name, same->path);
	}
	return 0;
}
