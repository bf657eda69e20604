/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_FILES_H
#define BG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include <bpfguard/files.h>

#include "core/guard.h"
#include "guards/hostpaths.h"

struct bg_yaml;
struct bg_events;
struct bg_caps;
struct bg_files_bpf;
struct bg_persist;

struct bg_files_rule_cfg {
	struct bg_path_rule h; /* name, action, the protected paths */
	bool restrict_read, restrict_write;
	struct bg_host_path *read, *write; /* the executables allowed to */
	size_t n_read, n_write;
};

/* guards.files of the agent config (docs/agent.md). */
struct bg_files_config {
	struct bg_files_rule_cfg *rules;
	size_t n_rules;
};

/* The guard's parse, free and resolve (struct bg_guard): cfg is a
 * struct bg_files_config. */
int bg_files_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg);
void bg_files_config_free(void *cfg);
struct bg_resolve;
int bg_files_config_resolve(void *cfg, struct bg_resolve *r);

/* Keys one generation wrote, so that the next swap can delete them, and
 * the O_PATH descriptors that pin its inodes (no reuse of their numbers). */
struct bg_files_gen {
	struct bg_files_target_key *targets;
	struct bg_files_allow_key *allow;
	size_t n_targets, n_allow, n_pins;
	int *pins;
};

/* Protected files: user half of bpf/files.bpf.c. */
struct bg_files_guard {
	struct bg_files_bpf *skel;
	bool lsm; /* BPF LSM hooks (deny before the call) or sys_exit (kill after) */
	struct bg_files_gen gen[2];
	struct bg_gen_rules rules[2]; /* rule ids BG_GEN_RULE_ID(BG_EV_FILE, gen, index) */
};

/* The guard: bg_guard_files (core/guard.h); its state is a struct
 * bg_files_guard. An update swaps in a new rule set without a window
 * (docs/agent.md, reload); on error the old rules stay in force. */
extern const struct bg_guard bg_guard_files;

#endif
