/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_LIMRULES_BPF_H
#define BG_LIMRULES_BPF_H
/*
 * The rules of guards.limits and the processes they hold, shared by its two
 * objects: bpf/limits.bpf.c (memory, children; it tracks the descendants
 * at fork) and bpf/netban.bpf.c (network bans). Each object declares the
 * maps; user space loads netban with limits' map fds (bpf_map__reuse_fd),
 * so both read one set of rules and one process table.
 */
#include "lib/common.bpf.h"
#include "lib/ident.bpf.h"
#include <bpfguard/limits.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_LIM_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_lim_rule);
} lim_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LIM_TARGETS_MAX);
	__type(key, struct bg_ident);
	__type(value, __u32);
} lim_exe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LIM_TARGETS_MAX);
	__type(key, __u64);
	__type(value, __u32);
} lim_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LIM_TARGETS_MAX);
	__type(key, char[BG_COMM_LEN]);
	__type(value, __u32);
} lim_comm SEC(".maps");

/* Processes forked by tracked processes, by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct bg_lim_task);
} lim_tasks SEC(".maps");

/* Alert-only rules report once per process and kind (bit per what/op). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct bg_lim_key);
	__type(value, __u64); /* 64-bit: the atomic OR of BPF ISA v1/v2 is 64-bit only */
} lim_reported SEC(".maps");

/*
 * BG_LIM_KIND_*: the kinds of targets the rules name, kept by user space (a
 * kind's bit set before its first target goes in, cleared after its last is
 * gone). A process no rule matches still pays for every kind that has
 * rules: with one exe rule, its mmap, brk, fork and socket calls skip the
 * cgroup and comm lookups and the helpers that feed them.
 */
__u32 lim_kinds = 0;

/* The rule index the current process matches directly, or -1. */
static __always_inline int match_direct(struct task_struct *task)
{
	char comm[BG_COMM_LEN];
	struct bg_ident id;
	__u32 kinds = lim_kinds, *r;
	__u64 cg;

	if ((kinds & BG_LIM_KIND_EXE) && bg_ident_exe(task, &id)) {
		r = bpf_map_lookup_elem(&lim_exe, &id);
		if (r)
			return *r;
	}
	if (kinds & BG_LIM_KIND_CGROUP) {
		cg = bpf_get_current_cgroup_id();
		r = bpf_map_lookup_elem(&lim_cgroup, &cg);
		if (r)
			return *r;
	}
	if (kinds & BG_LIM_KIND_COMM) {
		bpf_get_current_comm(comm, sizeof(comm));
		r = bpf_map_lookup_elem(&lim_comm, comm);
		if (r)
			return *r;
	}
	return -1;
}

/* The rule of the current process: its own, else the one it inherited. */
static __always_inline struct bg_lim_rule *task_rule(struct task_struct *task, __u32 *idx,
						     struct bg_lim_task **info)
{
	__u32 tgid = task->tgid;
	int r;

	*info = bpf_map_lookup_elem(&lim_tasks, &tgid);
	r = match_direct(task);
	if (r < 0 && *info)
		r = (*info)->rule;
	if (r < 0)
		return NULL;
	*idx = r;
	return bpf_map_lookup_elem(&lim_rules, idx);
}

/* Alert rules: true the first time this process reports `bit`. */
static __always_inline bool first_report(struct task_struct *task, __u64 bit)
{
	struct bg_lim_key k = {.tgid = task->tgid, .start = task->group_leader->start_boottime};
	__u64 *v = bpf_map_lookup_elem(&lim_reported, &k), one = bit;

	if (v) {
		if (*v & bit)
			return false;
		__sync_fetch_and_or(v, bit);
		return true;
	}
	bpf_map_update_elem(&lim_reported, &k, &one, BPF_ANY);
	return true;
}

#endif
