// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfguard/events.h>

#include "config.h"
#include "events/ring.h"
#include "files.h"
#include "limits_guard.h"
#include "policy/yaml.h"

static const char *const top_keys[] = {"mode", "events", "guards", "network", NULL};
static const char *const event_keys[] = {"ring_buffer_size", "output", "format", NULL};
static const char *const guard_keys[] = {"exec", "files", "limits", "bpf_load", NULL};
static const char *const exec_keys[] = {"enabled", NULL};
static const char *const modes[] = {"alert", "deny", "kill", NULL};
static const int mode_action[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};
static const char *const formats[] = {"auto", "json", "text", NULL};

#define MIN_RING (4096ULL)
#define MAX_RING (1ULL << 30)

static int parse(struct bg_yaml *y, struct bg_config *c)
{
	yaml_node_t *root = bg_yaml_root(y), *n, *ev, *guards, *ex;
	const char *s;
	int err, i;

	if (!root)
		return bg_yaml_error(y, NULL, "empty configuration");
	err = bg_yaml_check_map(y, root, "the configuration", top_keys);
	if (err)
		return err;
	if ((n = bg_yaml_get(y, root, "mode"))) {
		err = bg_yaml_enum(y, n, "mode", modes, &i);
		if (err)
			return err;
		c->mode = mode_action[i];
	}
	if ((ev = bg_yaml_get(y, root, "events"))) {
		err = bg_yaml_check_map(y, ev, "events", event_keys);
		if (err)
			return err;
		if ((n = bg_yaml_get(y, ev, "ring_buffer_size"))) {
			err = bg_yaml_size(y, n, "events.ring_buffer_size", &c->ring_size);
			if (err)
				return err;
			if (c->ring_size < MIN_RING || c->ring_size > MAX_RING)
				return bg_yaml_error(
					y, n, "events.ring_buffer_size must be between 4K and 1G");
		}
		if ((n = bg_yaml_get(y, ev, "output"))) {
			err = bg_yaml_str(y, n, "events.output", &s);
			if (err)
				return err;
			if (!*s)
				return bg_yaml_error(y, n,
						     "events.output is empty (use - for stdout)");
			if (strcmp(s, "-")) {
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
	}
	if ((n = bg_yaml_get(y, root, "network"))) {
		err = bg_net_config_parse(y, n, &c->net);
		if (err)
			return err;
	}
	if ((guards = bg_yaml_get(y, root, "guards"))) {
		err = bg_yaml_check_map(y, guards, "guards", guard_keys);
		if (err)
			return err;
		if ((ex = bg_yaml_get(y, guards, "exec"))) {
			err = bg_yaml_check_map(y, ex, "guards.exec", exec_keys);
			if (err)
				return err;
			if ((n = bg_yaml_get(y, ex, "enabled"))) {
				err = bg_yaml_bool(y, n, "guards.exec.enabled", &c->exec_events);
				if (err)
					return err;
			}
		}
		if ((n = bg_yaml_get(y, guards, "files"))) {
			err = bg_files_config_parse(y, n, &c->files);
			if (err)
				return err;
		}
		if ((n = bg_yaml_get(y, guards, "limits"))) {
			err = bg_limits_config_parse(y, n, &c->limits);
			if (err)
				return err;
		}
		if ((n = bg_yaml_get(y, guards, "bpf_load"))) {
			err = bg_bpfload_config_parse(y, n, &c->bpf_load);
			if (err)
				return err;
		}
	}
	return 0;
}

static void defaults(struct bg_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = BG_ACT_ALERT;
	c->ring_size = BG_RING_DEFAULT;
	c->format = BG_FORMAT_AUTO;
	c->exec_events = true;
}

static int finish(struct bg_yaml *y, struct bg_config *out, char *err, size_t errlen)
{
	struct bg_config c;
	int rc;

	defaults(&c);
	rc = parse(y, &c);
	if (rc) {
		snprintf(err, errlen, "%s", y->err[0] ? y->err : strerror(-rc));
		bg_config_free(&c);
		return rc;
	}
	*out = c;
	return 0;
}

int bg_config_parse(const char *name, const char *text, size_t len, struct bg_config *c, char *err,
		    size_t errlen)
{
	struct bg_yaml y;
	int rc = bg_yaml_load_string(&y, name, text, len);

	if (!rc)
		rc = finish(&y, c, err, errlen);
	else
		snprintf(err, errlen, "%s", y.err);
	bg_yaml_free(&y);
	return rc;
}

int bg_config_load(const char *path, struct bg_config *c, char *err, size_t errlen)
{
	struct bg_yaml y;
	int rc = bg_yaml_load(&y, path);

	if (!rc)
		rc = finish(&y, c, err, errlen);
	else
		snprintf(err, errlen, "%s", y.err);
	bg_yaml_free(&y);
	return rc;
}

void bg_config_free(struct bg_config *c)
{
	free(c->output);
	c->output = NULL;
	bg_net_config_free(&c->net);
	bg_files_config_free(&c->files);
	bg_limits_config_free(&c->limits);
	bg_bpfload_config_free(&c->bpf_load);
}
