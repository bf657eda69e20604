/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kill path's other readers: tasks that share the opener's descriptor
 * table (clone(CLONE_FILES) without CLONE_THREAD). bpf_send_signal() kills
 * the opener's thread group only, and the new descriptor is in the shared
 * table, so a sharer could read through it after the opener died. Used by
 * bpf/files.bpf.c and bpf/monitor.bpf.c at the return of an open they
 * kill; two ways, the program variant user space loads picks one:
 *
 *  - bg_kill_sharers(): where the kernel has the task iterator (6.7+) and
 *    bpf_send_signal_task (6.13+) kfuncs, every thread on the host is
 *    walked and the thread group of each one whose ->files is the opener's
 *    gets SIGKILL, before the opener's open returns. Only the variant that
 *    calls it ever reaches an older verifier's eyes when src/core/probe.c found
 *    the kfuncs (autoload off otherwise).
 *  - bg_condemn() / bg_condemned_kill(): on every kernel, the table and the
 *    descriptor are remembered, and a task with that descriptor still in
 *    its table is killed when it enters a syscall (every way to use a
 *    descriptor is one; a read entered with SIGKILL pending copies nothing
 *    from the page cache: filemap_read checks, shmem, the tmpfs read path,
 *    does not: docs/guarantees.md) or leaves one it entered before the
 *    kill (so a sharer waiting for the opener to die never reads).
 *
 * A fork in flight when the sharers are killed either sees the pending
 * signal in copy_process() and fails, or was added to the task list
 * before the kill, where the walk (or its first syscall) finds it.
 */
#ifndef BG_SHARERS_BPF_H
#define BG_SHARERS_BPF_H

#include "common.bpf.h"
#include "kfuncs.bpf.h"


/*
 * SIGKILL every other thread group whose descriptor table is task's;
 * returns how many. The iterator hands out RCU pointers, which
 * bpf_send_signal_task refuses: a reference is taken around the call.
 */
static __always_inline __u32 bg_kill_sharers(struct task_struct *task)
{
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct task_struct *t, *ref;
	struct bpf_iter_task it;
	__u32 tgid = BPF_CORE_READ(task, tgid), last = 0, killed = 0, t_tgid;

	/* Threads of one process share a table too: the walk runs only when
	 * a count above 1 says someone may share it. */
	if (!files || BPF_CORE_READ(files, count.counter) <= 1)
		return 0;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_THREADS);
	while ((t = bpf_iter_task_next(&it))) {
		if (t->files != files)
			continue;
		t_tgid = t->tgid;
		/* Threads of a group come one after the other: one signal
		 * per group. */
		if (t_tgid == tgid || t_tgid == last)
			continue;
		last = t_tgid;
		ref = bpf_task_acquire(t);
		if (!ref)
			continue;
		if (!bpf_send_signal_task(ref, SIGKILL, PIDTYPE_TGID, 0))
			killed++;
		bpf_task_release(ref);
	}
	bpf_iter_task_destroy(&it);
	return killed;
}

/* A table with a killed opener's descriptor: the slot and the file it held. */
struct bg_condemned {
	__u64 file;
	__u32 fd;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* struct files_struct * */
	__type(value, struct bg_condemned);
} bg_condemned_tables SEC(".maps");

/* Entries in bg_condemned_tables: sys_enter's fast path reads only this. */
__u32 bg_condemned_live;

static __always_inline void bg_condemn(struct task_struct *task, long fd, struct file *file)
{
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct bg_condemned v = {.file = (__u64)file, .fd = (__u32)fd};
	__u64 k = (__u64)files;

	if (!files || BPF_CORE_READ(files, count.counter) <= 1)
		return;
	if (!bpf_map_update_elem(&bg_condemned_tables, &k, &v, BPF_NOEXIST))
		__sync_fetch_and_add(&bg_condemned_live, 1);
	else
		bpf_map_update_elem(&bg_condemned_tables, &k, &v, BPF_ANY);
}

static __always_inline void bg_condemned_forget(__u64 k)
{
	if (!bpf_map_delete_elem(&bg_condemned_tables, &k))
		__sync_fetch_and_add(&bg_condemned_live, -1);
}

/*
 * At sys_enter or sys_exit: does the current task hold a condemned
 * descriptor? The
 * slot must still hold the same file, so a freed table whose memory went
 * to an unrelated process kills nobody (the entry is dropped instead).
 * Returns true when it sent SIGKILL.
 */
static __always_inline bool bg_condemned_kill(struct task_struct *task)
{
	struct bg_condemned *v;
	struct files_struct *files;
	struct file *f = NULL;
	struct file **fds;
	struct fdtable *fdt;
	__u64 k;

	if (!bg_condemned_live)
		return false;
	files = BPF_CORE_READ(task, files);
	k = (__u64)files;
	v = files ? bpf_map_lookup_elem(&bg_condemned_tables, &k) : NULL;
	if (!v)
		return false;
	fdt = BPF_CORE_READ(files, fdt);
	if (fdt && v->fd < BPF_CORE_READ(fdt, max_fds)) {
		fds = BPF_CORE_READ(fdt, fd);
		bpf_probe_read_kernel(&f, sizeof(f), &fds[v->fd]);
	}
	if ((__u64)f != v->file) {
		bg_condemned_forget(k);
		return false;
	}
	bpf_send_signal(SIGKILL);
	return true;
}

/* At a task's exit: the last user of a condemned table takes its entry. */
static __always_inline void bg_condemned_exit(struct task_struct *task)
{
	struct files_struct *files;
	__u64 k;

	if (!bg_condemned_live)
		return;
	files = BPF_CORE_READ(task, files);
	k = (__u64)files;
	if (files && BPF_CORE_READ(files, count.counter) <= 1 &&
	    bpf_map_lookup_elem(&bg_condemned_tables, &k))
		bg_condemned_forget(k);
}

#endif /* BG_SHARERS_BPF_H */
