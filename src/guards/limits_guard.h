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
	char target[512]; /* the path or comm as written */
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

int bg_limits_config_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_limits_config *c);
void bg_limits_config_free(struct bg_limits_config *c);
struct bg_resolve;
/* What exe and cgroup rules name, found on this host (bg_config_resolve). */
int bg_limits_config_resolve(struct bg_limits_config *c, struct bg_resolve *r);

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

int bg_limits_guard_start(struct bg_limits_guard *g, const struct bg_limits_config *c, int mode,
			  struct bg_events *ev, const struct bg_caps *caps);
/* New rules in place (maps rewritten, no window without rules). */
int bg_limits_guard_update(struct bg_limits_guard *g, const struct bg_limits_config *c, int mode);
void bg_limits_guard_stop(struct bg_limits_guard *g);
/* --persist: pin every attached link (src/core/persist.h). */
int bg_limits_guard_pin(struct bg_limits_guard *g, struct bg_persist *p);
const char *bg_limits_rule_name(const struct bg_limits_guard *g, uint32_t rule_id);

#endif
