/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_REFUSALS_H
#define BG_REFUSALS_H

#include <stdbool.h>
#include <stdint.h>

struct bg_events;
struct bg_refusals_bpf;

/*
 * Name the syscall SECCOMP_RET_KILL_PROCESS killed a task of the cgroup
 * cgroup_fd for: an event (type syscall, mechanism seccomp, action kill)
 * and the number and ABI for run's closing line (bpf/refusals.bpf.c).
 */
int bg_refusals_start(struct bg_events *ev, int cgroup_fd, uint32_t rule_id,
		      struct bg_refusals_bpf **out);
/* The last syscall killed for: true and its number and enum bg_abi, or false. */
bool bg_refusals_last_kill(const struct bg_refusals_bpf *skel, uint32_t *nr, uint32_t *abi);
void bg_refusals_stop(struct bg_refusals_bpf *skel);

#endif
