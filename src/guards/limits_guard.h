/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_LIMITS_GUARD_H
#define BG_LIMITS_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include <bpfguard/ident.h>
#include <bpfguard/limits.h>

#include "guards/netban.h"
#include "policy/yaml.h"

struct bg_yaml;
struct bg_events;
struct bg_caps;
struct bg_limits_bpf;
struct bpf_link;
struct bg_persist;

enum bg_lim_match {
	BG_LIM_MATCH_EXE = 1,
	BG_LIM_MATCH_CGROUP = 2,
	BG_LIM_MATCH_COMM = 3,
};

/* One rule of guards.limits (docs/agent.md). */
struct bg_limits_rule {
	char name[65];
	enum bg_lim_match match;
	char target[512];		 /* the path or comm as written */
	struct bg_yaml_pos at, at_match; /* the rule and its match, in the config */
	bool container;			 /* target is a container id prefix until resolved */
	bool has_sha256;		 /* match: { exe, sha256 }: that build only */
	unsigned char sha256[32];
	struct bg_yaml_pos at_sha;
	struct bg_ident exe;
	uint64_t cgroup_id;
	char comm[16];
	int action; /* enum bg_action; 0: the config's mode */
	struct bg_lim_rule r;
};

struct bg_limits_config {
	struct bg_limits_rule *rules;
	size_t n_rules;
};

/* The guard's parse, free and resolve (struct bg_guard): cfg is a struct
 * bg_limits_config; resolve finds on this host what exe and cgroup rules
 * name (bg_config_resolve). */
int bg_limits_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg);
void bg_limits_config_free(void *cfg);
struct bg_resolve;
int bg_limits_config_resolve(void *cfg, struct bg_resolve *r);

/* User half of bpf/limits.bpf.c and, through ban, bpf/netban.bpf.c. */
struct bg_limits_guard {
	struct bg_limits_bpf *skel;
	bool lsm;	      /* BPF LSM programs loaded: deny is possible */
	struct bg_netban ban; /* its network bans (bpf/netban.bpf.c) */
	/* tp_btf/sys_enter, attached only while a rule needs it (memory, a
	 * kill on fork): it slows every syscall host-wide. */
	struct bpf_link *sys_enter;
	char (*names)[65]; /* rule names by index */
	size_t n_names;
};

/* The guard: bg_guard_limits (core/guard.h); its state is a struct
 * bg_limits_guard. An update rewrites the maps in place, with no window
 * without rules; pin pins every attached link (src/core/persist.h). */
extern const struct bg_guard bg_guard_limits;

#endif
