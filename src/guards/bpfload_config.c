// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * BPF load patterns (YAML), and guards.bpf_load of the agent config:
 * validated and compiled into the rules the bpf_load guard's map holds
 * (docs/bpfload.md).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfguard/events.h>
#include "guards/bpfload.h"
#include "core/guard.h"
#include "disasm/disasm.h"
#include "events/format.h"
#include "events/json.h"
#include "events/output.h"
#include "events/ring.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/persist.h"
#include "core/probe.h"

static const char *const actions[] = {"alert", "deny", "kill", NULL};
static const int action_val[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};

/* ---- patterns ---------------------------------------------------------- */

/* Index of name among libbpf's names for a kind of type (prog, attach, map). */
static int type_index(const char *(*str)(int), const char *name, int max)
{
	int t;

	for (t = 0; t < max; t++) {
		const char *s = str(t);

		if (s && !strcmp(s, name))
			return t;
	}
	return -1;
}

static const char *prog_type_str(int t)
{
	return libbpf_bpf_prog_type_str(t);
}

static const char *attach_type_str(int t)
{
	return libbpf_bpf_attach_type_str(t);
}

static const char *map_type_str(int t)
{
	return libbpf_bpf_map_type_str(t);
}

/* types: [kprobe, ...] into a bit mask of up to 64 * words entries. */
static int parse_types(struct bg_yaml *y, yaml_node_t *n, const char *what, const char *(*str)(int),
		       int max, __u64 *mask)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	const char *s;
	int err, t;

	err = bg_yaml_check_seq(y, n, what);
	if (err)
		return err;
	BG_YAML_FOR_EACH(y, n, it, e)
	{
		err = bg_yaml_str(y, e, what, &s);
		if (err)
			return err;
		t = type_index(str, s, max);
		if (t < 0)
			return bg_yaml_error(y, e, "%s: unknown type '%s'", what, s);
		mask[t / 64] |= 1ULL << (t % 64);
	}
	return 0;
}

/* "bpf_probe_write_user", "bpf_probe_write_user >= 1", "send_signal > 0". */
static int parse_helper(struct bg_yaml *y, yaml_node_t *n, struct bg_load_rule *r)
{
	char name[64];
	const char *s, *p;
	unsigned long min = 1;
	size_t len;
	char *end;
	int id, err;

	err = bg_yaml_str(y, n, "helpers", &s);
	if (err)
		return err;
	for (p = s; *p && (isalnum((unsigned char)*p) || *p == '_'); p++)
		;
	len = (size_t)(p - s);
	if (!len || len >= sizeof(name))
		return bg_yaml_error(y, n, "helpers: expected 'NAME' or 'NAME >= N', got '%s'", s);
	memcpy(name, s, len);
	name[len] = 0;
	while (*p == ' ')
		p++;
	if (*p) {
		bool gt = p[0] == '>' && p[1] != '=';

		if (strncmp(p, ">=", 2) && !gt)
			return bg_yaml_error(y, n,
					     "helpers: '%s': the only comparisons are >= and >", s);
		p += gt ? 1 : 2;
		while (*p == ' ')
			p++;
		errno = 0;
		min = strtoul(p, &end, 10);
		if (errno || end == p || *end || min > 0xfffe)
			return bg_yaml_error(y, n, "helpers: '%s': bad count", s);
		min += gt;
		if (!min)
			return bg_yaml_error(y, n, "helpers: '%s': a count of 0 always matches", s);
	}
	id = bg_helper_id(name);
	if (id < 0)
		return bg_yaml_error(
			y, n, "helpers: unknown helper '%s' (not in this build's uapi header)",
			name);
	if (id >= BG_LOAD_HELPERS)
		return bg_yaml_error(y, n, "helpers: '%s' has id %d, beyond the %d counted", name,
				     id, BG_LOAD_HELPERS);
	if (r->nhelpers >= BG_LOAD_RULE_HELPERS)
		return bg_yaml_error(y, n, "helpers: at most %d conditions per rule",
				     BG_LOAD_RULE_HELPERS);
	r->helper_id[r->nhelpers] = id;
	r->helper_min[r->nhelpers] = min;
	r->nhelpers++;
	return 0;
}

/* Up to two '*': "prefix", "prefix*suffix", "prefix*mid*suffix", matched
 * in the kernel (bpf/bpfload.bpf.c, name_matches). */
static int parse_glob(struct bg_yaml *y, yaml_node_t *n, struct bg_load_rule *r)
{
	const char *s, *star, *star2 = NULL;
	size_t pl, ml = 0, sl;
	int err;

	err = bg_yaml_str(y, n, "prog_name", &s);
	if (err)
		return err;
	star = strchr(s, '*');
	if (star)
		star2 = strchr(star + 1, '*');
	if (star2 && strchr(star2 + 1, '*'))
		return bg_yaml_error(y, n, "prog_name: '%s': at most two '*'", s);
	if (strchr(s, '?') || strchr(s, '['))
		return bg_yaml_error(y, n, "prog_name: '%s': only '*' is supported", s);
	pl = star ? (size_t)(star - s) : strlen(s);
	if (star2) {
		ml = (size_t)(star2 - star - 1);
		sl = strlen(star2 + 1);
	} else {
		sl = star ? strlen(star + 1) : 0;
	}
	if (pl > BG_LOAD_NAME - 1 || ml > BG_LOAD_NAME - 1 || sl > BG_LOAD_NAME - 1)
		return bg_yaml_error(y, n,
				     "prog_name: '%s': the kernel keeps %d bytes of a program name",
				     s, BG_LOAD_NAME - 1);
	memcpy(r->prefix, s, pl);
	if (star2) {
		memcpy(r->mid, star + 1, ml);
		memcpy(r->suffix, star2 + 1, sl);
	} else if (star) {
		memcpy(r->suffix, star + 1, sl);
	}
	r->prefix_len = pl;
	r->mid_len = ml;
	r->suffix_len = sl;
	r->flags |= BG_LR_NAME | (star ? 0 : BG_LR_NAME_EXACT);
	return 0;
}

static int add_except(struct bg_yaml *y, yaml_node_t *n, struct bg_load_rules *out, __u32 rule)
{
	struct bg_load_except_path *e;
	const char *s;
	int err;

	err = bg_yaml_str(y, n, "except_loaders", &s);
	if (err)
		return err;
	if (s[0] != '/')
		return bg_yaml_error(y, n, "except_loaders: '%s' is not an absolute path", s);
	if (out->nexcept >= BG_LOAD_EXCEPT_MAX)
		return bg_yaml_error(y, n, "except_loaders: more than %d", BG_LOAD_EXCEPT_MAX);
	e = realloc(out->except, (out->nexcept + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	out->except = e;
	e[out->nexcept].rule_id = rule;
	e[out->nexcept].path = strdup(s);
	if (!e[out->nexcept].path)
		return -ENOMEM;
	out->nexcept++;
	return 0;
}

static const char *const rule_keys[] = {
	"name",		"note",	     "action",	   "helpers",	     "prog_name", "types",
	"attach_types", "map_types", "unreadable", "except_loaders", NULL};

static int parse_rule(struct bg_yaml *y, yaml_node_t *n, struct bg_load_rules *out)
{
	struct bg_load_rule *r = &out->r[out->n];
	yaml_node_item_t *it;
	yaml_node_t *v, *e;
	const char *s;
	int err, i;
	bool cond = false;

	err = bg_yaml_check_map(y, n, "a rule", rule_keys);
	if (err)
		return err;
	memset(r, 0, sizeof(*r));
	r->id = out->n + 1;
	v = bg_yaml_get(y, n, "name");
	if (!v)
		return bg_yaml_error(y, n, "a rule needs a name");
	err = bg_yaml_str(y, v, "name", &s);
	if (err)
		return err;
	if (!*s || strlen(s) >= BG_LOAD_RULE)
		return bg_yaml_error(y, v, "name: 1 to %d bytes", BG_LOAD_RULE - 1);
	for (i = 0; i < (int)out->n; i++)
		if (!strcmp(out->r[i].name, s))
			return bg_yaml_error(y, v, "name: a rule named '%s' already exists", s);
	strcpy(r->name, s);
	if ((v = bg_yaml_get(y, n, "note"))) {
		err = bg_yaml_str(y, v, "note", &s);
		if (err)
			return err;
	}
	if ((v = bg_yaml_get(y, n, "action"))) {
		err = bg_yaml_enum(y, v, "action", actions, &i);
		if (err)
			return err;
		r->action = action_val[i];
	}
	if ((v = bg_yaml_get(y, n, "helpers"))) {
		err = bg_yaml_check_seq(y, v, "helpers");
		if (err)
			return err;
		BG_YAML_FOR_EACH(y, v, it, e)
		{
			err = parse_helper(y, e, r);
			if (err)
				return err;
		}
		cond = true;
	}
	if ((v = bg_yaml_get(y, n, "prog_name"))) {
		err = parse_glob(y, v, r);
		if (err)
			return err;
		cond = true;
	}
	if ((v = bg_yaml_get(y, n, "types"))) {
		err = parse_types(y, v, "types", prog_type_str, 64, &r->prog_types);
		if (err)
			return err;
		r->flags |= BG_LR_TYPES;
		cond = true;
	}
	if ((v = bg_yaml_get(y, n, "attach_types"))) {
		err = parse_types(y, v, "attach_types", attach_type_str, 128, r->attach_types);
		if (err)
			return err;
		r->flags |= BG_LR_ATTACH;
		cond = true;
	}
	if ((v = bg_yaml_get(y, n, "map_types"))) {
		err = parse_types(y, v, "map_types", map_type_str, 64, &r->map_types);
		if (err)
			return err;
		cond = true;
	}
	if ((v = bg_yaml_get(y, n, "unreadable"))) {
		bool b;

		err = bg_yaml_bool(y, v, "unreadable", &b);
		if (err)
			return err;
		if (!b)
			return bg_yaml_error(y, v, "unreadable: only 'true' is a condition");
		r->flags |= BG_LR_UNREADABLE;
		cond = true;
	}
	if (!cond)
		return bg_yaml_error(y, n, "rule '%s' has no condition: it would match every load",
				     r->name);
	if ((v = bg_yaml_get(y, n, "except_loaders"))) {
		err = bg_yaml_check_seq(y, v, "except_loaders");
		if (err)
			return err;
		BG_YAML_FOR_EACH(y, v, it, e)
		{
			err = add_except(y, e, out, r->id);
			if (err)
				return err;
		}
		r->flags |= BG_LR_EXCEPT;
	}
	out->n++;
	return 0;
}

static const char *const doc_keys[] = {"rules", "except_loaders", NULL};

int bg_load_rules_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_load_rules *out)
{
	yaml_node_item_t *it;
	yaml_node_t *v, *e;
	int err;

	if (!n)
		return bg_yaml_error(y, NULL, "empty patterns");
	err = bg_yaml_check_map(y, n, "the patterns", doc_keys);
	if (err)
		return err;
	if ((v = bg_yaml_get(y, n, "rules"))) {
		err = bg_yaml_check_seq(y, v, "rules");
		if (err)
			return err;
		BG_YAML_FOR_EACH(y, v, it, e)
		{
			if (out->n >= BG_LOAD_RULES_MAX)
				return bg_yaml_error(y, e, "more than %d rules", BG_LOAD_RULES_MAX);
			err = parse_rule(y, e, out);
			if (err)
				return err;
		}
	}
	/* Loaders excepted from every rule. */
	if ((v = bg_yaml_get(y, n, "except_loaders"))) {
		err = bg_yaml_check_seq(y, v, "except_loaders");
		if (err)
			return err;
		BG_YAML_FOR_EACH(y, v, it, e)
		{
			err = add_except(y, e, out, 0);
			if (err)
				return err;
		}
	}
	return 0;
}

void bg_load_rules_free(struct bg_load_rules *r)
{
	unsigned int i;

	for (i = 0; i < r->nexcept; i++)
		free(r->except[i].path);
	free(r->except);
	r->except = NULL;
	r->nexcept = 0;
	r->n = 0;
}

int bg_load_rules_load(const char *path, struct bg_load_rules *out, char *err, size_t errlen)
{
	struct bg_yaml y;
	int rc = bg_yaml_load(&y, path);

	memset(out, 0, sizeof(*out));
	if (!rc)
		rc = bg_load_rules_parse(&y, bg_yaml_root(&y), out);
	if (rc) {
		snprintf(err, errlen, "%s", y.err[0] ? y.err : strerror(-rc));
		bg_load_rules_free(out);
	}
	bg_yaml_free(&y);
	return rc;
}

/* ---- agent config: guards.bpf_load ------------------------------------ */

static const char *const cfg_keys[] = {"enabled", "action", "report", "patterns", "rules", NULL};
static const char *const reports[] = {"all", "matches", NULL};

int bg_bpfload_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	struct bg_bpfload_config *c = cfg;
	struct bg_load_rules file;
	yaml_node_t *v, *inl;
	const char *s, *slash;
	char err[512], path[4096];
	unsigned int i;
	int rc, k;

	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->action = BG_ACT_ALERT;
	c->report_all = true;
	rc = bg_yaml_check_map(y, n, "guards.bpf_load", cfg_keys);
	if (rc)
		return rc;
	if ((v = bg_yaml_get(y, n, "enabled")) &&
	    (rc = bg_yaml_bool(y, v, "guards.bpf_load.enabled", &c->enabled)))
		return rc;
	if ((v = bg_yaml_get(y, n, "action"))) {
		rc = bg_yaml_enum(y, v, "guards.bpf_load.action", actions, &k);
		if (rc)
			return rc;
		c->action = action_val[k];
	}
	if ((v = bg_yaml_get(y, n, "report"))) {
		rc = bg_yaml_enum(y, v, "guards.bpf_load.report", reports, &k);
		if (rc)
			return rc;
		c->report_all = k == 0;
	}
	if ((v = bg_yaml_get(y, n, "patterns"))) {
		rc = bg_yaml_str(y, v, "guards.bpf_load.patterns", &s);
		if (rc)
			return rc;
		/* A relative path is relative to the config file's directory. */
		slash = y->file ? strrchr(y->file, '/') : NULL;
		if (s[0] != '/' && slash)
			snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - y->file), y->file, s);
		else
			snprintf(path, sizeof(path), "%s", s);
		rc = bg_load_rules_load(path, &file, err, sizeof(err));
		if (rc)
			return bg_yaml_error(y, v, "patterns: %s", err);
		c->rules = file;
	}
	/* Inline rules come after the file's, numbered on from them. */
	if ((inl = bg_yaml_get(y, n, "rules"))) {
		rc = bg_yaml_check_seq(y, inl, "guards.bpf_load.rules");
		if (!rc) {
			yaml_node_item_t *it;
			yaml_node_t *e;

			BG_YAML_FOR_EACH(y, inl, it, e)
			{
				if (c->rules.n >= BG_LOAD_RULES_MAX) {
					rc = bg_yaml_error(y, e, "more than %d rules",
							   BG_LOAD_RULES_MAX);
					break;
				}
				rc = parse_rule(y, e, &c->rules);
				if (rc)
					break;
			}
		}
		if (rc) {
			bg_bpfload_config_free(c);
			return rc;
		}
	}
	for (i = 0; i < c->rules.n; i++)
		if (!c->rules.r[i].action)
			c->rules.r[i].action = c->action;
	return 0;
}

void bg_bpfload_config_free(void *cfg)
{
	struct bg_bpfload_config *c = cfg;

	bg_load_rules_free(&c->rules);
}
