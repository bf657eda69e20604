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
#include "policy/yaml.h"

/* Per generation: half of each map, so a swap always has room. */
#define TARGETS_PER_GEN (BG_FILES_TARGETS_MAX / 2)
#define ALLOW_PER_GEN	(BG_FILES_ALLOW_MAX / 2)

static const char *const section_keys[] = {"rules", NULL};
static const char *const rule_keys[] = {"name",	  "paths",	    "read", "write",
					"action", "ignore_missing", NULL};
static const char *const actions[] = {"alert", "deny", "kill", NULL};
static const int action_value[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};

static void objs_free(struct bg_files_obj *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(o[i].path);
	free(o);
}

/* A list of absolute paths, kept with where each was written. */
static int parse_paths(struct bg_yaml *y, yaml_node_t *n, const char *what,
		       struct bg_files_obj **out, size_t *count)
{
	yaml_node_item_t *it;
	yaml_node_t *item;
	struct bg_files_obj *o;
	const char *s;
	size_t len;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "%s must be a list of paths", what);
	len = n->data.sequence.items.top - n->data.sequence.items.start;
	o = calloc(len ? len : 1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	*out = o;
	*count = 0;
	BG_YAML_FOR_EACH(y, n, it, item)
	{
		err = bg_yaml_str(y, item, what, &s);
		if (err)
			return err;
		if (s[0] != '/')
			return bg_yaml_error(y, item, "%s: '%s' is not an absolute path", what, s);
		o[*count].path = strdup(s);
		if (!o[*count].path)
			return -ENOMEM;
		o[*count].at = bg_yaml_pos(item);
		(*count)++;
	}
	return 0;
}

static const struct bg_yaml_rules kind = {.section = "guards.files",
					  .keys = rule_keys,
					  .max = BG_FILES_RULES_MAX,
					  .actions = actions,
					  .action_values = action_value};

static int parse_rule(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *n,
		      struct bg_files_rule_cfg *r)
{
	yaml_node_t *v, *paths;
	const char *s;
	int err;

	r->action = -1;
	err = bg_yaml_rule_head(y, list, n, &kind, &s, &r->action);
	if (err)
		return err;
	r->name = strdup(s);
	if (!r->name)
		return -ENOMEM;
	if ((v = bg_yaml_get(y, n, "ignore_missing"))) {
		err = bg_yaml_bool(y, v, "ignore_missing", &r->ignore_missing);
		if (err)
			return err;
	}
	paths = bg_yaml_get(y, n, "paths");
	if (!paths)
		return bg_yaml_error(y, n, "rule '%s' has no paths", r->name);
	r->at_paths = bg_yaml_pos(paths);
	err = parse_paths(y, paths, "paths", &r->paths, &r->n_paths);
	if (err)
		return err;
	if (!r->n_paths)
		return bg_yaml_error(y, paths, "rule '%s': paths is empty", r->name);
	if ((v = bg_yaml_get(y, n, "read"))) {
		r->restrict_read = true;
		err = parse_paths(y, v, "read", &r->read, &r->n_read);
		if (err)
			return err;
	}
	if ((v = bg_yaml_get(y, n, "write"))) {
		r->restrict_write = true;
		err = parse_paths(y, v, "write", &r->write, &r->n_write);
		if (err)
			return err;
	}
	if (!r->restrict_read && !r->restrict_write)
		return bg_yaml_error(
			y, n, "rule '%s' restricts nothing: give read:, write: or both", r->name);
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
		targets += r->n_paths;
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
		free(c->rules[i].name);
		objs_free(c->rules[i].paths, c->rules[i].n_paths);
		objs_free(c->rules[i].read, c->rules[i].n_read);
		objs_free(c->rules[i].write, c->rules[i].n_write);
	}
	free(c->rules);
	c->rules = NULL;
	c->n_rules = 0;
}

/*
 * Each path of a list to its identity on this host: a missing path is an
 * error, not a rule that silently never matches, unless the rule says
 * ignore_missing (a shipped config that names programs some systems lack;
 * the entry is dropped). Executables must be regular files; protected
 * paths may be files or directories (everything beneath).
 */
static int resolve_paths(struct bg_resolve *rs, const struct bg_files_rule_cfg *r,
			 const char *what, bool executables, struct bg_files_obj *o, size_t *count)
{
	struct stat st;
	size_t i, j, kept = 0;

	for (i = 0; i < *count; i++) {
		const char *s = o[i].path;

		if (stat(s, &st) < 0) {
			if (errno == ENOENT && r->ignore_missing) {
				free(o[i].path);
				o[i].path = NULL;
				continue;
			}
			return bg_resolve_error(rs, o[i].at, "%s: %s: %s", what, s,
						strerror(errno));
		}
		if (executables && !S_ISREG(st.st_mode))
			return bg_resolve_error(rs, o[i].at, "%s: %s is not a regular file", what,
						s);
		if (!executables && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			return bg_resolve_error(rs, o[i].at,
						"%s: %s is neither a file nor a directory", what, s);
		if (kept != i) {
			o[kept] = o[i];
			o[i].path = NULL; /* moved: freed once, whatever happens next */
		}
		bg_ident_from_stat(&st, &o[kept].id);
		o[kept].dir = S_ISDIR(st.st_mode);
		for (j = 0; j < kept; j++)
			if (!memcmp(&o[j].id, &o[kept].id, sizeof(o[j].id)))
				return bg_resolve_error(rs, o[kept].at,
							"%s: %s is the same file as %s", what, s,
							o[j].path);
		kept++;
	}
	*count = kept;
	return 0;
}

int bg_files_config_resolve(void *cfg, struct bg_resolve *rs)
{
	struct bg_files_config *c = cfg;
	size_t i, j, k, q;
	int err;

	for (i = 0; i < c->n_rules; i++) {
		struct bg_files_rule_cfg *r = &c->rules[i];

		err = resolve_paths(rs, r, "paths", false, r->paths, &r->n_paths);
		if (!err)
			err = resolve_paths(rs, r, "read", true, r->read, &r->n_read);
		if (!err)
			err = resolve_paths(rs, r, "write", true, r->write, &r->n_write);
		if (err)
			return err;
		if (!r->n_paths)
			return bg_resolve_error(rs, r->at_paths,
						"rule '%s': every path is missing (ignore_missing)",
						r->name);
		/* One file, one rule: the kernel looks a file up once. */
		for (j = 0; j < i; j++)
			for (k = 0; k < c->rules[j].n_paths; k++)
				for (q = 0; q < r->n_paths; q++)
					if (!memcmp(&c->rules[j].paths[k].id, &r->paths[q].id,
						    sizeof(r->paths[q].id)))
						return bg_resolve_error(
							rs, r->at_paths,
							"rule '%s': %s is already protected by "
							"rule '%s' (%s)",
							r->name, r->paths[q].path, c->rules[j].name,
							c->rules[j].paths[k].path);
	}
	return 0;
}
