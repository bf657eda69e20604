/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_GUARDS_TAINT_H
#define BG_GUARDS_TAINT_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include <bpfguard/taint.h>

#include "core/guard.h"
#include "guards/hostpaths.h"

struct bg_yaml;
struct bg_taint_bpf;

#define BG_TAINT_TARGETS_PER_GEN (BG_TAINT_TARGETS_MAX / 2)

/* guards.taint of the agent config (docs/agent.md), parsed by
 * src/guards/taint_config.c; paths are resolved to (dev, ino) here. */
struct taint_rule_cfg {
	struct bg_path_rule h;	/* name, action, the classified paths */
	struct bg_taint_rule r; /* everything the kernel reads, but rule_id and valid */
};

struct taint_config {
	struct taint_rule_cfg *rules;
	size_t n_rules;
};

/* Keys one generation wrote (for the next swap). */
struct taint_gen {
	struct bg_taint_target_key *targets;
	size_t n_targets;
};

/* The running guard: the state behind its struct bg_guard (bench/taint
 * detaches and attaches its programs between timed chunks). */
struct taint_guard {
	struct bg_taint_bpf *skel;
	bool lsm;
	bool cg_unix; /* no LSM, but cgroup hooks for unix sockets (6.7+) */
	struct taint_gen gen[2];
	struct bg_gen_rules rules[2]; /* rule ids BG_GEN_RULE_ID(BG_EV_TAINT_EGRESS, gen, i) */
};

int bg_taint_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg);
struct bg_resolve;
/* Each classified path to its identity on this host (bg_config_resolve). */
int bg_taint_config_resolve(void *cfg, struct bg_resolve *r);
void bg_taint_config_free(void *cfg);

#endif
