/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every bpfguard BPF object shares: the one ring buffer, the stats
 * counters, the executable-path cache, and the helpers that fill the event
 * header and the process context. User space creates the shared maps once
 * and hands their fds to every object before load (src/events/ring.c), so
 * all guards write into the same ring buffer.
 */
#ifndef BG_COMMON_BPF_H
#define BG_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpfguard/events.h>

#include "lib/consts.bpf.h"

/* Size is set by user space (events.ring_buffer_size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} bg_stats SEC(".maps");

/* Executable path per thread group, keyed by tgid, valid while mm->exe_file
 * is the file it was computed from. */
struct bg_exe_entry {
	__u64 exe_file;
	__u32 flags;
	__u32 pad;
	char path[BG_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct bg_exe_entry);
} bg_exe_cache SEC(".maps");

/* Per-CPU scratch: the path walk needs twice BG_PATH_MAX so that masked
 * offsets plus masked lengths always stay inside the buffer. */
struct bg_scratch {
	char buf[2 * BG_PATH_MAX];
	struct bg_exe_entry entry;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_scratch);
} bg_scratch_map SEC(".maps");

static __always_inline void bg_stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&bg_stats, &idx);

	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}

/* Reserve a record; a failure is counted, never silent. */
static __always_inline void *bg_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		bg_stat_inc(BG_STAT_DROPPED);
	return e;
}

static __always_inline void bg_submit(void *e)
{
	bpf_ringbuf_submit(e, 0);
	bg_stat_inc(BG_STAT_EMITTED);
}

static __always_inline void bg_hdr(struct bg_event_hdr *h, __u16 type, __u16 size)
{
	h->ktime_ns = bpf_ktime_get_boot_ns();
	h->type = type;
	h->size = size;
	h->action = BG_ACT_NONE;
	h->mechanism = BG_MECH_NONE;
	h->outcome = BG_OUT_UNKNOWN;
	h->flags = 0;
	h->rule_id = 0;
	h->suppressed = 0;
}

/* A record of type and size with its header filled; NULL when the ring
 * buffer is full (counted). The caller fills the rest and submits. */
static __always_inline void *bg_event(__u16 type, __u16 size, __u8 action, __u8 mechanism,
				      __u8 outcome, __u32 rule_id)
{
	struct bg_event_hdr *h = bg_reserve(size);

	if (!h)
		return NULL;
	bg_hdr(h, type, size);
	h->action = action;
	h->mechanism = mechanism;
	h->outcome = outcome;
	h->rule_id = rule_id;
	return h;
}

#define BG_PATH_DEPTH 64 /* components walked before giving up (truncated) */

struct bg_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct mount *mnt_parent;
	__u32 pos;
	__u32 flags;
	bool done;
};

/* One step up the dentry tree; bpf_loop() calls it so that the verifier
 * checks the body once, whatever the depth. */
static long bg_walk_step(__u32 i, void *ctx)
{
	/* CO-RE reads go through locals: BPF_CORE_READ(w->x, ...) would
	 * relocate our own struct bg_walk too, which the kernel cannot. */
	struct bg_walk *w = ctx;
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt, *mnt_parent = w->mnt_parent;
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	const unsigned char *name;
	struct bg_scratch *s;
	__u32 zero = 0, len, pos = w->pos;

	if (dentry == mnt_root || dentry == parent) {
		if (mnt == mnt_parent) {
			w->done = true; /* the global root */
			return 1;
		}
		/* Step out to the mount point in the parent mount. */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		w->mnt_parent = BPF_CORE_READ(mnt_parent, mnt_parent);
		w->vfsmnt = &mnt_parent->mnt;
		return 0;
	}
	s = bpf_map_lookup_elem(&bg_scratch_map, &zero);
	if (!s)
		return 1;
	len = BPF_CORE_READ(dentry, d_name.len);
	name = BPF_CORE_READ(dentry, d_name.name);
	if (len + 1 > pos) {
		w->flags |= BG_F_EXE_TRUNCATED;
		w->done = true;
		return 1;
	}
	pos -= len;
	/* Masks prove to the verifier: offset < 256, size < 256, so the
	 * write stays inside the 512-byte buffer. */
	bpf_probe_read_kernel(&s->buf[pos & (BG_PATH_MAX - 1)], len & (BG_PATH_MAX - 1), name);
	pos -= 1;
	s->buf[pos & (BG_PATH_MAX - 1)] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/*
 * Resolve a struct path to an absolute path as seen from the initial mount
 * namespace, the host's view, which is what a security record needs. The
 * string is built backwards in the scratch buffer, ending at
 * buf[BG_PATH_MAX - 1]; the return value is its first byte's offset.
 * bpf_d_path() would be simpler but is only allowed in LSM/fentry programs
 * on a few functions, and those are refused on some kernels we support.
 */
static __always_inline __u32 bg_path_walk(const struct path *path, char *buf, __u32 *flags)
{
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	struct bg_walk w = {};

	w.dentry = BPF_CORE_READ(path, dentry);
	w.vfsmnt = vfsmnt;
	w.mnt = mnt;
	w.mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
	w.pos = BG_PATH_MAX - 1;
	buf[BG_PATH_MAX - 1] = 0;
	bpf_loop(BG_PATH_DEPTH, bg_walk_step, &w, 0);
	if (!w.done)
		w.flags |= BG_F_EXE_TRUNCATED;
	*flags |= w.flags;
	if (w.pos == BG_PATH_MAX - 1) {
		w.pos -= 1;
		buf[BG_PATH_MAX - 2] = '/';
	}
	return w.pos & (BG_PATH_MAX - 1);
}

/*
 * Write path's absolute path (bg_path_walk) to out, BG_PATH_MAX bytes;
 * empty if it cannot be read. The walk uses the scratch buffer, as
 * bg_fill_proc() does: call this after it, and copy out before anything
 * else can use the buffer.
 */
static __always_inline void bg_path_copy(const struct path *path, char *out, __u32 *flags)
{
	struct bg_scratch *s;
	__u32 zero = 0, pos;

	s = bpf_map_lookup_elem(&bg_scratch_map, &zero);
	if (!s)
		return;
	pos = bg_path_walk(path, s->buf, flags);
	if (bpf_probe_read_kernel(out, BG_PATH_MAX, &s->buf[pos]) < 0)
		out[0] = 0;
}

/*
 * Copy the current task's executable path into out (BG_PATH_MAX bytes).
 * The cache makes this one hash lookup and a copy for every event after
 * the first; refresh forces a walk (exec replaces the executable).
 */
static __always_inline void bg_exe_path(struct task_struct *task, char *out, __u8 *hflags,
					bool refresh)
{
	__u32 tgid = task->tgid;
	struct mm_struct *mm = task->mm;
	struct file *exe = mm ? mm->exe_file : NULL;
	struct bg_exe_entry *ent;
	struct bg_scratch *s;
	__u32 zero = 0, pos;

	if (!exe) { /* kernel thread */
		out[0] = 0;
		return;
	}
	if (!refresh) {
		ent = bpf_map_lookup_elem(&bg_exe_cache, &tgid);
		if (ent && ent->exe_file == (__u64)exe) {
			__builtin_memcpy(out, ent->path, BG_PATH_MAX);
			if (ent->flags)
				*hflags |= BG_F_EXE_TRUNCATED;
			return;
		}
	}
	s = bpf_map_lookup_elem(&bg_scratch_map, &zero);
	if (!s) {
		out[0] = 0;
		return;
	}
	s->entry.flags = 0;
	pos = bg_path_walk(&exe->f_path, s->buf, &s->entry.flags);
	s->entry.exe_file = (__u64)exe;
	if (bpf_probe_read_kernel(s->entry.path, BG_PATH_MAX, &s->buf[pos]) < 0) {
		bg_stat_inc(BG_STAT_PATH_ERR);
		out[0] = 0;
		return;
	}
	bpf_map_update_elem(&bg_exe_cache, &tgid, &s->entry, BPF_ANY);
	__builtin_memcpy(out, s->entry.path, BG_PATH_MAX);
	if (s->entry.flags)
		*hflags |= BG_F_EXE_TRUNCATED;
}

/*
 * Fill the process context of the current task, entirely from the kernel.
 * bpf_get_current_task_btf() gives a BTF-typed pointer, so field reads are
 * direct (CO-RE relocated) loads, far cheaper than bpf_probe_read_kernel().
 */
static __always_inline void bg_fill_proc(struct bg_proc *p, __u8 *hflags, bool refresh)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *parent = task->real_parent;
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();

	p->pid = id >> 32;
	p->tid = (__u32)id;
	p->uid = (__u32)ug;
	p->gid = ug >> 32;
	p->euid = task->cred->euid.val;
	p->ppid = parent->tgid;
	p->cgroup_id = bpf_get_current_cgroup_id();
	p->start_ns = task->group_leader->start_boottime;
	p->parent_start_ns = parent->group_leader->start_boottime;
	bpf_get_current_comm(p->comm, sizeof(p->comm));
	bg_exe_path(task, p->exe, hflags, refresh);
}

#endif /* BG_COMMON_BPF_H */
