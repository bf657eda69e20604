// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The agent's config: the keys of its own (mode, events) here, each
 * guard's key parsed by that guard (src/guards/table.c lists them).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfguard/events.h>

#include "core/config.h"
#include "events/ring.h"
#include "core/guard.h"
#include "policy/yaml.h"

static const char *const event_keys[] = {"ring_buffer_size", "output", "format",     "syslog",
					 "ancestry",	     "hashes", "containers", NULL};
static const char *const syslog_keys[] = {"address", "facility", "buffer", NULL};
static const char *const modes[] = {"alert", "deny", "kill", NULL};
static const int mode_action[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};
static const char *const formats[] = {"auto", "json", "text", NULL};

#define MIN_RING (4096ULL)
#define MAX_RING (1ULL << 30)
#define GUARDS	 "guards."

/* The guard's key below guards: ("files"), or NULL for a top-level one. */
static const char *in_guards(const struct bg_guard *g)
{
	return strncmp(g->key, GUARDS, strlen(GUARDS)) ? NULL : g->key + strlen(GUARDS);
}

/* The keys of the top level (top) or of guards: (!top). */
static void keys(const char **out, bool top)
{
	size_t n = 0, i;

	if (top) {
		out[n++] = "mode";
		out[n++] = "events";
		out[n++] = "metrics";
		out[n++] = "guards";
	}
	for (i = 0; bg_guards[i]; i++)
		if (!in_guards(bg_guards[i]) == top)
			out[n++] = top ? bg_guards[i]->key : in_guards(bg_guards[i]);
	out[n] = NULL;
}

static int parse_syslog(struct bg_yaml *y, yaml_node_t *sl, struct bg_syslog_config *c)
{
	const char *s, *why;
	yaml_node_t *n;
	int err;

	err = bg_yaml_check_map(y, sl, "events.syslog", syslog_keys);
	if (err)
		return err;
	if ((n = bg_yaml_get(y, sl, "address"))) {
		err = bg_yaml_str(y, n, "events.syslog.address", &s);
		if (err)
			return err;
		why = bg_syslog_check_address(s);
		if (why)
			return bg_yaml_error(y, n, "events.syslog.address '%s': %s", s, why);
		c->address = strdup(s);
		if (!c->address)
			return -ENOMEM;
	}
	if ((n = bg_yaml_get(y, sl, "facility"))) {
		err = bg_yaml_str(y, n, "events.syslog.facility", &s);
		if (err)
			return err;
		c->facility = bg_syslog_facility(s);
		if (c->facility < 0)
			return bg_yaml_error(
				y, n,
				"events.syslog.facility '%s': expected kern, user, "
				"mail, daemon, auth, syslog, authpriv or local0..local7",
				s);
	}
	if ((n = bg_yaml_get(y, sl, "buffer"))) {
		err = bg_yaml_size(y, n, "events.syslog.buffer", &c->buffer);
		if (err)
			return err;
		if (c->buffer < 4096 || c->buffer > (1ULL << 30))
			return bg_yaml_error(y, n,
					     "events.syslog.buffer must be between 4K and 1G");
	}
	return 0;
}

static int parse_enrich(struct bg_yaml *y, yaml_node_t *ev, struct bg_enrich_config *c)
{
	unsigned long long v;
	yaml_node_t *n;
	int err;

	if ((n = bg_yaml_get(y, ev, "ancestry"))) {
		err = bg_yaml_u64(y, n, "events.ancestry", &v);
		if (err)
			return err;
		if (v > BG_ANCESTRY_MAX)
			return bg_yaml_error(y, n, "events.ancestry must be between 0 and %d",
					     BG_ANCESTRY_MAX);
		c->ancestry = v;
	}
	if ((n = bg_yaml_get(y, ev, "hashes")) &&
	    (err = bg_yaml_bool(y, n, "events.hashes", &c->hashes)))
		return err;
	if ((n = bg_yaml_get(y, ev, "containers")) &&
	    (err = bg_yaml_bool(y, n, "events.containers", &c->containers)))
		return err;
	return 0;
}

static int parse_events(struct bg_yaml *y, yaml_node_t *ev, struct bg_config *c)
{
	yaml_node_t *n;
	const char *s;
	int err, i;

	err = bg_yaml_check_map(y, ev, "events", event_keys);
	if (err)
		return err;
	if ((n = bg_yaml_get(y, ev, "ring_buffer_size"))) {
		err = bg_yaml_size(y, n, "events.ring_buffer_size", &c->ring_size);
		if (err)
			return err;
		if (c->ring_size < MIN_RING || c->ring_size > MAX_RING)
			return bg_yaml_error(y, n,
					     "events.ring_buffer_size must be between 4K and 1G");
	}
	if ((n = bg_yaml_get(y, ev, "output"))) {
		err = bg_yaml_str(y, n, "events.output", &s);
		if (err)
			return err;
		if (!*s)
			return bg_yaml_error(y, n, "events.output is empty (use - for stdout)");
		/* A file named syslog is written ./syslog. */
		c->to_syslog = !strcmp(s, "syslog");
		if (strcmp(s, "-") && !c->to_syslog) {
			c->output = strdup(s);
			if (!c->output)
				return -ENOMEM;
		}
	}
	if ((n = bg_yaml_get(y, ev, "format"))) {
		err = bg_yaml_enum(y, n, "events.format", formats, &i);
		if (err)
			return err;
		c->format = i;
	}
	if ((n = bg_yaml_get(y, ev, "syslog"))) {
		err = parse_syslog(y, n, &c->syslog);
		if (err)
			return err;
		if (!c->to_syslog)
			return bg_yaml_error(y, n,
					     "events.syslog is set but events.output is "
					     "not syslog");
	}
	if (c->to_syslog && c->format == BG_FORMAT_TEXT)
		return bg_yaml_error(y, bg_yaml_get(y, ev, "format"),
				     "events.output: syslog sends JSON: events.format text "
				     "cannot apply");
	return parse_enrich(y, ev, &c->enrich);
}

static int parse(struct bg_yaml *y, struct bg_config *c)
{
	const char *top[BG_GUARDS_MAX + 5], *under[BG_GUARDS_MAX + 1];
	yaml_node_t *root = bg_yaml_root(y), *n, *guards;
	size_t i;
	int err, m;

	if (!root)
		return bg_yaml_error(y, NULL, "empty configuration");
	keys(top, true);
	keys(under, false);
	err = bg_yaml_check_map(y, root, "the configuration", top);
	if (err)
		return err;
	if ((n = bg_yaml_get(y, root, "mode"))) {
		err = bg_yaml_enum(y, n, "mode", modes, &m);
		if (err)
			return err;
		c->mode = mode_action[m];
	}
	if ((n = bg_yaml_get(y, root, "events"))) {
		err = parse_events(y, n, c);
		if (err)
			return err;
	}
	if ((n = bg_yaml_get(y, root, "metrics"))) {
		err = bg_metrics_parse(y, n, &c->metrics);
		if (err)
			return err;
	}
	guards = bg_yaml_get(y, root, "guards");
	if (guards) {
		err = bg_yaml_check_map(y, guards, "guards", under);
		if (err)
			return err;
	}
	for (i = 0; bg_guards[i]; i++) {
		const struct bg_guard *g = bg_guards[i];

		n = in_guards(g) ? (guards ? bg_yaml_get(y, guards, in_guards(g)) : NULL)
				 : bg_yaml_get(y, root, g->key);
		if (n) {
			err = g->parse(y, n, c->guard[i]);
			if (err)
				return err;
		}
	}
	return 0;
}

static int defaults(struct bg_config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->mode = BG_ACT_ALERT;
	c->ring_size = BG_RING_DEFAULT;
	c->format = BG_FORMAT_AUTO;
	c->syslog.facility = bg_syslog_facility("daemon");
	c->syslog.buffer = BG_SYSLOG_BUFFER_DEFAULT;
	c->enrich.ancestry = 4;
	c->enrich.hashes = true;
	c->enrich.containers = true;
	for (i = 0; bg_guards[i]; i++) {
		c->guard[i] = calloc(1, bg_guards[i]->cfg_size);
		if (!c->guard[i])
			return -ENOMEM;
		if (bg_guards[i]->defaults)
			bg_guards[i]->defaults(c->guard[i]);
	}
	return 0;
}

static int finish(struct bg_yaml *y, struct bg_config *out, char *err, size_t errlen)
{
	struct bg_config c;
	int rc;

	rc = defaults(&c);
	if (!rc && !(c.file = strdup(y->file)))
		rc = -ENOMEM;
	if (!rc)
		rc = parse(y, &c);
	if (rc) {
		snprintf(err, errlen, "%s", y->err[0] ? y->err : strerror(-rc));
		bg_config_free(&c);
		return rc;
	}
	*out = c;
	return 0;
}

/* Parse what bg_yaml_load or _load_string left in y (rc: their result). */
static int load(struct bg_yaml *y, int rc, struct bg_config *c, char *err, size_t errlen)
{
	if (!rc)
		rc = finish(y, c, err, errlen);
	else
		snprintf(err, errlen, "%s", y->err);
	bg_yaml_free(y);
	return rc;
}

int bg_config_parse(const char *name, const char *text, size_t len, struct bg_config *c, char *err,
		    size_t errlen)
{
	struct bg_yaml y;

	return load(&y, bg_yaml_load_string(&y, name, text, len), c, err, errlen);
}

int bg_config_load(const char *path, struct bg_config *c, char *err, size_t errlen)
{
	struct bg_yaml y;

	return load(&y, bg_yaml_load(&y, path), c, err, errlen);
}

int bg_resolve_error(struct bg_resolve *r, struct bg_yaml_pos at, const char *fmt, ...)
{
	va_list ap;
	int off;

	off = snprintf(r->err, r->errlen, "%s:%u:%u: ", r->file, at.line, at.col);
	if (off < 0 || (size_t)off >= r->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(r->err + off, r->errlen - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int bg_config_resolve(struct bg_config *c, char *err, size_t errlen)
{
	struct bg_resolve r = {c->file ? c->file : "config", err, errlen};
	size_t i;
	int rc;

	if (errlen)
		err[0] = 0;
	for (i = 0; bg_guards[i]; i++) {
		if (!bg_guards[i]->resolve || !c->guard[i])
			continue;
		rc = bg_guards[i]->resolve(c->guard[i], &r);
		if (rc) {
			if (rc != -EINVAL || !err[0])
				snprintf(err, errlen, "%s: %s", r.file, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void bg_config_free(struct bg_config *c)
{
	size_t i;

	free(c->output);
	c->output = NULL;
	free(c->file);
	c->file = NULL;
	free(c->syslog.address);
	c->syslog.address = NULL;
	for (i = 0; bg_guards[i]; i++) {
		if (c->guard[i] && bg_guards[i]->free)
			bg_guards[i]->free(c->guard[i]);
		free(c->guard[i]);
		c->guard[i] = NULL;
	}
}

void *bg_config_get(const struct bg_config *c, const struct bg_guard *g)
{
	size_t i;

	for (i = 0; bg_guards[i]; i++)
		if (bg_guards[i] == g)
			return c->guard[i];
	return NULL;
}
