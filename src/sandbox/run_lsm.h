/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_RUN_LSM_H
#define BG_RUN_LSM_H

#include <stddef.h>
#include <stdint.h>

#include <bpfguard/run_lsm.h>

struct bg_policy;
struct bg_events;
struct bg_run_lsm_bpf;

struct bg_run_lsm_cfg {
	const struct bg_policy *pol;
	int action;    /* enum bg_action */
	int cgroup_fd; /* the command's cgroup v2 directory */
	uint32_t rule_files, rule_exec, rule_net;
	struct bg_events *ev;
};

/*
 * Enforce the policy's files, executables and network sections with BPF LSM
 * for the cgroup cgroup_fd and its descendants, if this kernel allows it: the attempt is the
 * probe. Returns the sections now enforced (BG_LSM_*), 0 when the kernel
 * refuses BPF LSM (the caller falls back), or -errno on other errors.
 */
int bg_run_lsm_start(const struct bg_run_lsm_cfg *cfg, struct bg_run_lsm_bpf **out);
void bg_run_lsm_stop(struct bg_run_lsm_bpf *skel);

/* The policy's files into a file_rules map (bpf/lib/pathrules.bpf.h),
 * sized 2 * n_files + 1. */
int bg_file_rules_fill(int fd, const struct bg_policy *p);

/* "syscalls: seccomp, files: lsm, ..." for the sections the policy has. */
void bg_run_mechanisms(const struct bg_policy *pol, unsigned lsm, int action, char *buf,
		       size_t len);

#endif
