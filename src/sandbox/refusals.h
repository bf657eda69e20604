/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_REFUSALS_H
#define BG_REFUSALS_H

#include <stdbool.h>
#include <stdint.h>

struct bg_events;
struct bg_policy;
struct bg_refusals_bpf;

struct bg_refusals_cfg {
	struct bg_events *ev;
	int cgroup_fd;	     /* the command's cgroup v2 directory */
	uint32_t kill_rule;  /* nonzero: name seccomp's kills, with this rule id */
	uint32_t files_rule; /* nonzero: report Landlock's EACCES, with this rule id */
	/* Set: kill a process of the cgroup that opens for reading or writing
	 * a file the policy does not name, with an event (files_rule). */
	const struct bg_policy *exact_names;
};

/*
 * Watch the command's cgroup (bpf/refusals.bpf.c) for what other mechanisms
 * refuse without telling: the syscall SECCOMP_RET_KILL_PROCESS killed for
 * (an event, type syscall, action kill) and file calls Landlock refused
 * (events run_file, mechanism landlock), and, with exact_names, files opened
 * below a directory Landlock had to grant whole (mechanism tracepoint,
 * action kill).
 */
int bg_refusals_start(const struct bg_refusals_cfg *cfg, struct bg_refusals_bpf **out);
/* The last syscall killed for: true and its number and enum bg_abi, or false. */
bool bg_refusals_last_kill(const struct bg_refusals_bpf *skel, uint32_t *nr, uint32_t *abi);
void bg_refusals_stop(struct bg_refusals_bpf *skel);

#endif
