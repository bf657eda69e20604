// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF load guard, user half of bpf/bpfload.bpf.c: patterns (YAML) are
 * validated and compiled into the rules map, the guard is started with the
 * strongest hook this kernel allows (lsm/bpf, else tp_btf sys_enter), and
 * its events are printed. `bpfguard bpf watch` runs it alone.
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

#include "bpfload.h"
#include "guard.h"
#include "disasm/disasm.h"
#include "events/format.h"
#include "events/json.h"
#include "events/output.h"
#include "events/ring.h"
#include "ident.h"
#include "log.h"
#include "persist.h"
#include "probe.h"
#include "bpfload.skel.h"

static const char *const actions[] = {"alert", "deny", "kill", NULL};
static const int action_val[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};

/* ---- patterns ---------------------------------------------------------- */

#define FOR_EACH_ITEM(y, seq, it, node)                                                            \
	for (it = (seq)->data.sequence.items.start;                                                \
	     it < (seq)->data.sequence.items.top &&                                                \
	     ((node) = yaml_document_get_node(&(y)->doc, *it));                                    \
	     it++)

static int seq_check(struct bg_yaml *y, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "%s must be a list", what);
	return 0;
}

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

	err = seq_check(y, n, what);
	if (err)
		return err;
	FOR_EACH_ITEM(y, n, it, e)
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
		err = seq_check(y, v, "helpers");
		if (err)
			return err;
		FOR_EACH_ITEM(y, v, it, e)
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
		err = seq_check(y, v, "except_loaders");
		if (err)
			return err;
		FOR_EACH_ITEM(y, v, it, e)
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
		err = seq_check(y, v, "rules");
		if (err)
			return err;
		FOR_EACH_ITEM(y, v, it, e)
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
		err = seq_check(y, v, "except_loaders");
		if (err)
			return err;
		FOR_EACH_ITEM(y, v, it, e)
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

int bg_bpfload_config_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_bpfload_config *c)
{
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
		rc = seq_check(y, inl, "guards.bpf_load.rules");
		if (!rc) {
			yaml_node_item_t *it;
			yaml_node_t *e;

			FOR_EACH_ITEM(y, inl, it, e)
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

void bg_bpfload_config_free(struct bg_bpfload_config *c)
{
	bg_load_rules_free(&c->rules);
}

/* ---- the guard ---------------------------------------------------------- */

/*
 * Verified code calls helpers by address: imm = function - __bpf_call_base.
 * Map every kernel text symbol that is recognisably a helper (or the map
 * operation the verifier calls for one) to its id, keyed by that imm, for
 * lsm/bpf_prog's scan of the kernel's copy. Returns entries added.
 */
static int fill_call_ids(int fd)
{
	struct ent {
		unsigned long long addr;
		__u16 id;
	} *v = NULL, *nv;
	unsigned long long addr, base = 0;
	size_t n = 0, cap = 0, i;
	char line[512], type, name[256];
	int added = 0, id;
	__s32 imm;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (!strcmp(name, "__bpf_call_base")) {
			base = addr;
			continue;
		}
		if (type != 't' && type != 'T')
			continue;
		id = bg_helper_id_from_symbol(name);
		if (id < 0 || id >= BG_LOAD_HELPERS)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n].addr = addr;
		v[n++].id = id;
	}
	fclose(f);
	for (i = 0; base && i < n; i++) {
		long long d = (long long)(v[i].addr - base);

		if (d < INT32_MIN || d > INT32_MAX)
			continue;
		imm = (__s32)d;
		if (!bpf_map_update_elem(fd, &imm, &v[i].id, BPF_ANY))
			added++;
	}
	free(v);
	return base ? added : -ENOENT;
}

static int put_except(int fd, __u32 rule, const struct bg_ident *id)
{
	struct bg_load_except k = {.rule_id = rule, .dev = id->dev, .ino = id->ino};
	__u8 one = 1;

	return bpf_map_update_elem(fd, &k, &one, BPF_ANY) ? -errno : 0;
}

int bg_bpfload_guard_pin(struct bg_bpfload_guard *g, struct bg_persist *p)
{
	return bg_persist_links(p, g->skel->skeleton, "bpfload");
}

int bg_bpfload_guard_start(struct bg_bpfload_guard *g, const struct bg_bpfload_config *c,
			   struct bg_events *ev, const struct bg_caps *caps)
{
	struct bg_ident self;
	unsigned int i;
	int err, fd;

	g->skel = NULL;
	g->lsm = caps && bg_has(caps, BG_FEAT_LSM);
	/* `bpf watch` does not probe tp_btf: its own load below is the test. */
	if (!g->lsm && caps && caps->f[BG_FEAT_TP_BTF].probed && !bg_has(caps, BG_FEAT_TP_BTF)) {
		pr_err("bpf_load guard needs BPF LSM or tp_btf programs; this kernel refuses "
		       "both\n");
		return -EOPNOTSUPP;
	}
	for (i = 0; i < c->rules.n && !g->lsm; i++)
		if (c->rules.r[i].action == BG_ACT_DENY) {
			pr_warn("bpf_load: no BPF LSM here: rule '%s' (deny) kills the loader at "
				"the syscall instead\n",
				c->rules.r[i].name);
		}
	g->skel = bg_bpfload_bpf__open();
	if (!g->skel) {
		err = -errno;
		pr_err("bpf_load guard: open failed: %s\n", strerror(errno));
		return err;
	}
	g->skel->rodata->self_tgid = getpid();
	g->skel->rodata->report_all = c->report_all;
	g->skel->rodata->nrules = c->rules.n;
	bpf_program__set_autoload(g->skel->progs.bg_load_lsm, g->lsm);
	bpf_program__set_autoload(g->skel->progs.bg_load_lsm_prog, g->lsm);
	bpf_program__set_autoload(g->skel->progs.bg_load_sys_enter, !g->lsm);
	err = bg_events_share(ev, g->skel->obj);
	if (err)
		goto cleanup;
	err = bg_bpfload_bpf__load(g->skel);
	if (err) {
		pr_err("bpf_load guard: load failed (%s): %s\n",
		       g->lsm ? "lsm/bpf" : "no BPF LSM here, tried tp_btf/sys_enter",
		       strerror(-err));
		goto cleanup;
	}
	fd = bpf_map__fd(g->skel->maps.load_rules);
	for (i = 0; i < c->rules.n; i++) {
		if (bpf_map_update_elem(fd, &i, &c->rules.r[i], BPF_ANY)) {
			err = -errno;
			pr_err("bpf_load guard: rules map: %s\n", strerror(errno));
			goto cleanup;
		}
	}
	/* bpfguard's own executable is excepted from every rule: other
	 * bpfguard commands (run, profile) load programs of their own. */
	fd = bpf_map__fd(g->skel->maps.load_except);
	err = bg_ident_from_path("/proc/self/exe", &self);
	if (!err)
		err = put_except(fd, 0, &self);
	if (err) {
		pr_err("bpf_load guard: cannot except bpfguard's own executable: %s\n",
		       strerror(-err));
		goto cleanup;
	}
	for (i = 0; i < c->rules.nexcept; i++) {
		struct bg_ident id;

		err = bg_ident_from_path(c->rules.except[i].path, &id);
		if (err) {
			pr_warn("bpf_load: except_loaders: %s: %s (ignored)\n",
				c->rules.except[i].path, strerror(-err));
			continue;
		}
		err = put_except(fd, c->rules.except[i].rule_id, &id);
		if (err) {
			pr_err("bpf_load guard: exceptions map: %s\n", strerror(-err));
			goto cleanup;
		}
	}
	if (g->lsm) {
		err = fill_call_ids(bpf_map__fd(g->skel->maps.call_ids));
		if (err <= 0) {
			/* The re-check then sees no helper calls: say so. */
			pr_warn("bpf_load: cannot map helper addresses from /proc/kallsyms (%s): "
				"the "
				"kernel-copy re-check counts no helpers\n",
				err ? strerror(-err) : "no helper symbols");
		}
	}
	err = bg_bpfload_bpf__attach(g->skel);
	if (err) {
		pr_err("bpf_load guard: attach failed: %s\n", strerror(-err));
		goto cleanup;
	}
	return 0;
cleanup:
	bg_bpfload_guard_stop(g);
	return err;
}

void bg_bpfload_guard_stop(struct bg_bpfload_guard *g)
{
	bg_bpfload_bpf__destroy(g->skel);
	g->skel = NULL;
}

/* ---- events ------------------------------------------------------------- */

static void kstrn(struct bg_json *j, const char *key, const char *s, size_t max)
{
	bg_json_key(j, key);
	bg_json_strn(j, s, bg_kstrlen(s, max));
}

static const char *stage_name(unsigned int s)
{
	return s == BG_LOAD_SYSCALL  ? "syscall-entry"
	       : s == BG_LOAD_LSM    ? "lsm-bpf"
	       : s == BG_LOAD_KERNEL ? "kernel-copy"
				     : "unknown";
}

static void load_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_bpf_load_event *e = rec;
	const char *s;
	char num[16];
	int i;

	(void)f;
	bg_json_kobj(j, "prog");
	kstrn(j, "name", e->name, sizeof(e->name));
	s = libbpf_bpf_prog_type_str(e->prog_type);
	if (s)
		bg_json_kstr(j, "type", s);
	bg_json_ku64(j, "type_id", e->prog_type);
	/* 0 is a real attach type (cgroup_inet_ingress) but also what every
	 * loader leaves there when the program type has none. */
	s = libbpf_bpf_attach_type_str(e->attach_type);
	if (s && (e->attach_type || e->prog_type == BPF_PROG_TYPE_CGROUP_SKB))
		bg_json_kstr(j, "expected_attach_type", s);
	bg_json_ku64(j, "expected_attach_type_id", e->attach_type);
	bg_json_ku64(j, "insn_cnt", e->insn_cnt);
	bg_json_ku64(j, "insns_scanned", e->insns_scanned);
	kstrn(j, "license", e->license, sizeof(e->license));
	bg_json_ku64(j, "prog_flags", e->prog_flags);
	/* Always present (docs/events.md): 0 says none, as for the ids above. */
	bg_json_ku64(j, "attach_btf_id", e->attach_btf_id);
	bg_json_obj_end(j);
	bg_json_kobj(j, "helpers");
	for (i = 0; i < BG_LOAD_HELPERS; i++) {
		if (!e->helpers[i])
			continue;
		s = bg_helper_name(i);
		if (!s) {
			snprintf(num, sizeof(num), "#%d", i);
			s = num;
		}
		bg_json_ku64(j, s, e->helpers[i]);
	}
	bg_json_obj_end(j);
	bg_json_ku64(j, "helper_calls", e->helper_calls);
	bg_json_ku64(j, "helper_calls_unknown", e->helper_unknown);
	bg_json_ku64(j, "kfunc_calls", e->kfunc_calls);
	bg_json_ku64(j, "subprog_calls", e->subprog_calls);
	bg_json_karr(j, "kfunc_btf_ids");
	for (i = 0; i < (int)e->nkfuncs && i < BG_LOAD_KFUNCS; i++)
		bg_json_u64(j, e->kfunc_ids[i]);
	bg_json_arr_end(j);
	bg_json_karr(j, "map_types");
	for (i = 0; i < 64; i++) {
		if (!(e->map_types >> i & 1))
			continue;
		s = libbpf_bpf_map_type_str(i);
		if (s) {
			bg_json_str(j, s);
		} else {
			snprintf(num, sizeof(num), "#%d", i);
			bg_json_str(j, num);
		}
	}
	bg_json_arr_end(j);
	bg_json_kobj(j, "loader");
	bg_json_ku64(j, "exe_dev", e->exe_dev);
	bg_json_ku64(j, "exe_ino", e->exe_ino);
	bg_json_obj_end(j);
	bg_json_kstr(j, "stage", stage_name(e->stage));
	if (e->load_flags & BG_LOAD_F_TRUNCATED)
		bg_json_kbool(j, "truncated", true);
	if (e->load_flags & BG_LOAD_F_READ_ERR)
		bg_json_kbool(j, "read_error", true);
	if (e->load_flags & BG_LOAD_F_SELF)
		bg_json_kbool(j, "self", true);
	if (e->load_flags & BG_LOAD_F_MAPIDX)
		bg_json_kbool(j, "maps_by_index", true);
	if (e->hdr.rule_id)
		kstrn(j, "rule_name", e->rule, sizeof(e->rule));
}

static void load_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_bpf_load_event *e = rec;
	const char *s, *sep = "";
	int i;

	(void)f;
	bg_buf_puts(out, " prog=");
	bg_text_escape(out, e->name, bg_kstrlen(e->name, sizeof(e->name)));
	s = libbpf_bpf_prog_type_str(e->prog_type);
	bg_buf_printf(out, " type=%s insns=%u license=", s ? s : "?", e->insn_cnt);
	bg_text_escape(out, e->license, bg_kstrlen(e->license, sizeof(e->license)));
	bg_buf_puts(out, " helpers=");
	for (i = 0; i < BG_LOAD_HELPERS; i++) {
		if (!e->helpers[i])
			continue;
		s = bg_helper_name(i);
		if (s)
			bg_buf_printf(out, "%s%s:%u", sep, s, e->helpers[i]);
		else
			bg_buf_printf(out, "%s#%d:%u", sep, i, e->helpers[i]);
		sep = ",";
	}
	if (e->kfunc_calls)
		bg_buf_printf(out, " kfuncs=%u", e->kfunc_calls);
	if (e->load_flags & BG_LOAD_F_SELF)
		bg_buf_puts(out, " self");
}

/* The kernel copied the rule's name into the record (NUL-terminated). */
static const char *load_rule_name(const void *rec)
{
	return ((const struct bg_bpf_load_event *)rec)->rule;
}

const struct bg_event_desc bg_bpf_load_desc = {
	.type = BG_EV_BPF_LOAD,
	.name = "bpf_load",
	.size = sizeof(struct bg_bpf_load_event),
	.category = "process",
	.ecs_type = "info",
	.action = "bpf-prog-load",
	.has_proc = true,
	.json_bg = load_json_bg,
	.text = load_text,
	.color = "\033[33m",
	.rule_name = load_rule_name,
};

/* ---- the guard: guards.bpf_load ---- */

static int bpfload_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	return bg_bpfload_config_parse(y, n, cfg);
}

static void bpfload_free(void *cfg)
{
	bg_bpfload_config_free(cfg);
}

static bool bpfload_enabled(const void *cfg)
{
	return ((const struct bg_bpfload_config *)cfg)->enabled;
}

static int bpfload_start(void *g, const void *cfg, const struct bg_guard_env *env)
{
	return bg_bpfload_guard_start(g, cfg, env->ev, env->caps);
}

static void bpfload_stop(void *g)
{
	bg_bpfload_guard_stop(g);
}

static int bpfload_pin(void *g, struct bg_persist *p)
{
	return bg_bpfload_guard_pin(g, p);
}

static const struct bg_event_desc *const bpfload_events[] = {&bg_bpf_load_desc, NULL};

/* Restarted on reload, so that changed patterns apply. */
const struct bg_guard bg_guard_bpf_load = {
	.key = "guards.bpf_load",
	.cfg_size = sizeof(struct bg_bpfload_config),
	.state_size = sizeof(struct bg_bpfload_guard),
	.reload = BG_GUARD_RESTART,
	.parse = bpfload_parse,
	.free = bpfload_free,
	.enabled = bpfload_enabled,
	.start = bpfload_start,
	.stop = bpfload_stop,
	.pin = bpfload_pin,
	.events = bpfload_events,
};
