/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command `bpfguard run` watches: its cgroup, index 0 of target_cgroup,
 * set by user space. Its descendants are in scope too, as for the cgroup
 * hooks of bpf/sandbox.bpf.c. Host-wide hooks (bpf/run_lsm.bpf.c,
 * bpf/refusals.bpf.c) ask this first: other tasks leave after that one
 * cgroup-array lookup. Include after lib/common.bpf.h.
 */
#ifndef BG_SCOPE_BPF_H
#define BG_SCOPE_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target_cgroup SEC(".maps");

static __always_inline bool bg_in_scope(void)
{
	return bpf_current_task_under_cgroup(&target_cgroup, 0) == 1;
}

#endif /* BG_SCOPE_BPF_H */
