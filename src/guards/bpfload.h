/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_BPFLOAD_H
#define BG_BPFLOAD_H

#include <stdbool.h>

#include <bpfguard/bpfload.h>

#include "policy/yaml.h"

struct bg_events;
struct bg_caps;
struct bg_bpfload_bpf;
struct bg_persist;

/* A loader excepted from one rule (0: from all), by path until start. */
struct bg_load_except_path {
	__u32 rule_id;
	char *path;
};

/* Compiled patterns (docs/bpfload.md). Rules with action 0 take the
 * guard's action when the guard starts. */
struct bg_load_rules {
	struct bg_load_rule r[BG_LOAD_RULES_MAX];
	unsigned int n;
	struct bg_load_except_path *except;
	unsigned int nexcept;
};

/* guards.bpf_load in the agent config. */
struct bg_bpfload_config {
	bool enabled;
	int action;	 /* enum bg_action: default of rules that name none */
	bool report_all; /* every load, not only matches */
	struct bg_load_rules rules;
};

/* Parse a patterns document (a mapping with `rules:`) from node n. */
int bg_load_rules_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_load_rules *out);
/* Load and parse a patterns file; err gets FILE:LINE:COL: why. */
int bg_load_rules_load(const char *path, struct bg_load_rules *out, char *err, size_t errlen);
void bg_load_rules_free(struct bg_load_rules *r);

/* The guards.bpf_load section of the agent config: the guard's parse and
 * free (struct bg_guard); cfg is a struct bg_bpfload_config. */
int bg_bpfload_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg);
void bg_bpfload_config_free(void *cfg);

struct bg_bpfload_guard {
	struct bg_bpfload_bpf *skel;
	bool lsm; /* lsm/bpf attached (deny possible); else tp_btf sys_enter */
};

/* The guard: bg_guard_bpf_load (core/guard.h), also what `bpf watch` runs;
 * its state is a struct bg_bpfload_guard. */
extern const struct bg_guard bg_guard_bpf_load;

#endif
