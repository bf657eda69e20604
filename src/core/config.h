/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CONFIG_H
#define BG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"
#include "events/enrich.h"
#include "events/syslog.h"
#include "core/metrics.h"

struct bg_guard;

#define BG_GUARDS_MAX 16

/* The agent's configuration (config/default.yaml documents every key). */
struct bg_config {
	int mode; /* enum bg_action: default action of rules */
	unsigned long long ring_size;
	char *output; /* NULL: stdout */
	char *file; /* the file it was read from: in messages */
	enum bg_format format;
	bool to_syslog; /* events.output: syslog */
	struct bg_syslog_config syslog;
	struct bg_enrich_config enrich; /* ancestry, hashes, containers */
	struct bg_metrics_cfg metrics; /* metrics: (off unless listen is given) */
	/* Each guard's own config, in the order of bg_guards (src/guards/table.c). */
	void *guard[BG_GUARDS_MAX];
};

/* Parse and validate the whole file; on error, err holds FILE:LINE:COL: why
 * and c is untouched. */
int bg_config_load(const char *path, struct bg_config *c, char *err, size_t errlen);
int bg_config_parse(const char *name, const char *text, size_t len, struct bg_config *c, char *err,
		    size_t errlen);
void bg_config_free(struct bg_config *c);
/*
 * Resolve what the config names on this host (files' and executables'
 * inodes, cgroups), guard by guard: done when a config is applied (agent
 * start, reload, --check), never while it is parsed. On error err holds
 * FILE:LINE:COL: the rule and what is missing, and nothing is applied.
 */
int bg_config_resolve(struct bg_config *c, char *err, size_t errlen);
/* The config of guard g (its struct, as g->parse filled it). */
void *bg_config_get(const struct bg_config *c, const struct bg_guard *g);

#endif
