// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process limits (guards.limits): memory and children. Its network bans are
 * bpf/netban.bpf.c, loaded on the same maps (lib/limrules.bpf.h).
 *
 * A rule names a target (an executable by (dev, ino), a cgroup v2 id or a
 * comm) and applies to the matching processes and to every process they
 * fork (tracked in lim_tasks), so that `sh -c` cannot step out of a rule.
 *
 * - memory: at sys_enter of mmap, brk and mremap, the bytes asked for and
 *   mm->total_vm (address space, as RLIMIT_AS counts it) plus those bytes
 *   are compared with max_memory; over it, SIGKILL before the call returns.
 * - children: live processes are counted at sched_process_fork and
 *   sched_process_exit, per parent (max_children) and per tree below the
 *   first matching ancestor (max_descendants). deny: lsm/task_alloc fails
 *   the fork with EAGAIN. kill: sys_enter of fork/vfork/clone/clone3 sends
 *   SIGKILL; copy_process() sees the pending signal and creates no child.
 *   A tree over max_descendants is condemned: each member dies at its
 *   next fork, which is what ends a fork bomb.
 * - sys_enter decodes the ia32 (int $0x80) and x32 entries into the x86_64
 *   numbering (lib/syscall32.bpf.h): any process can use them.
 */
#include "lib/common.bpf.h"
#include "lib/limrules.bpf.h"
#include "lib/syscall32.bpf.h"
#include <bpfguard/limits.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EAGAIN	     11
#define CLONE_THREAD 0x00010000
#define PAGE_SHIFT   12

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bg_lim_key);
	__type(value, struct bg_lim_count);
} lim_counts SEC(".maps");

/* ---- events ---- */

static __always_inline void emit_limit(__u8 action, __u8 mech, __u32 idx, __u32 what, __u32 nr,
				       __u64 limit, __u64 value, __u64 request, __u32 root)
{
	__u8 outcome = action == BG_ACT_ALERT ? BG_OUT_SUCCESS : BG_OUT_FAILURE;
	struct bg_limit_event *e;

	e = bg_event(BG_EV_LIMIT, sizeof(*e), action, mech, outcome, BG_LIM_RULE_ID(idx));
	if (!e)
		return;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->what = what;
	e->nr = nr;
	e->limit = limit;
	e->value = value;
	e->request = request;
	e->root_pid = root;
	e->pad = 0;
	bg_submit(e);
}

/* ---- memory ---- */

static __always_inline void check_memory(struct task_struct *task, __u32 nr, __u64 request)
{
	struct bg_lim_task *info;
	struct bg_lim_rule *r;
	__u64 total;
	__u32 idx, what;

	if (!request)
		return;
	r = task_rule(task, &idx, &info);
	if (!r || !r->max_memory)
		return;
	total = ((__u64)task->mm->total_vm << PAGE_SHIFT) + request;
	if (request > r->max_memory)
		what = BG_LIM_MEM_REQUEST;
	else if (total > r->max_memory)
		what = BG_LIM_MEM_TOTAL;
	else
		return;
	if (r->action == BG_ACT_ALERT) {
		if (first_report(task, 1u << what))
			emit_limit(BG_ACT_ALERT, BG_MECH_TRACEPOINT, idx, what, nr, r->max_memory,
				   total, request, 0);
		return;
	}
	/* deny has no hook here: memory limits always kill. */
	bpf_send_signal(SIGKILL);
	emit_limit(BG_ACT_KILL, BG_MECH_TRACEPOINT, idx, what, nr, r->max_memory, total, request,
		   0);
}

/* ---- children ---- */

static __always_inline struct bg_lim_count *count_of(__u32 tgid, __u64 start, bool create)
{
	struct bg_lim_key k = {.tgid = tgid, .start = start};
	struct bg_lim_count zero = {}, *c;

	c = bpf_map_lookup_elem(&lim_counts, &k);
	if (c || !create)
		return c;
	bpf_map_update_elem(&lim_counts, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&lim_counts, &k);
}

struct verdict {
	struct bg_lim_rule *rule;
	__u32 idx;
	__u32 what;
	__u64 limit;
	__u64 value;
	__u32 root;
	struct bg_lim_count *root_count;
};

/* Would one more child of the current process go over a limit? */
static __always_inline bool fork_over(struct task_struct *task, struct verdict *v)
{
	struct bg_lim_count *own, *rc;
	struct bg_lim_task *info;
	__u64 start = task->group_leader->start_boottime;

	v->rule = task_rule(task, &v->idx, &info);
	if (!v->rule || (!v->rule->max_children && !v->rule->max_descendants))
		return false;
	if (info) {
		v->root = info->root;
		rc = count_of(info->root, info->root_start, false);
	} else {
		v->root = task->tgid;
		rc = count_of(task->tgid, start, false);
	}
	v->root_count = rc;
	if (rc && rc->condemned) {
		v->what = BG_LIM_CONDEMNED;
		v->limit = v->rule->max_descendants;
		v->value = rc->descendants;
		return true;
	}
	own = count_of(task->tgid, start, false);
	if (v->rule->max_children && own && own->children >= v->rule->max_children) {
		v->what = BG_LIM_CHILDREN;
		v->limit = v->rule->max_children;
		v->value = own->children;
		return true;
	}
	if (v->rule->max_descendants && rc && rc->descendants >= v->rule->max_descendants) {
		v->what = BG_LIM_DESCENDANTS;
		v->limit = v->rule->max_descendants;
		v->value = rc->descendants;
		return true;
	}
	return false;
}

static __always_inline void check_fork(struct task_struct *task, __u32 nr)
{
	struct verdict v = {};

	if (!fork_over(task, &v) || v.rule->action != BG_ACT_KILL)
		return;
	if (v.what == BG_LIM_DESCENDANTS && v.root_count)
		v.root_count->condemned = 1;
	bpf_send_signal(SIGKILL);
	emit_limit(BG_ACT_KILL, BG_MECH_TRACEPOINT, v.idx, v.what, nr, v.limit, v.value, 0,
		   v.what == BG_LIM_CHILDREN ? 0 : v.root);
}

/* Counting: every process forked by a tracked process is tracked too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(lim_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_lim_task *info, ni = {};
	struct bg_lim_count *pc, *rc;
	struct bg_lim_rule *r;
	__u32 idx, ctgid = child->tgid;
	__s64 n;

	if (child->pid != ctgid)
		return 0; /* a thread */
	r = task_rule(task, &idx, &info);
	if (!r)
		return 0;
	ni.parent = task->tgid;
	ni.parent_start = task->group_leader->start_boottime;
	ni.rule = idx;
	if (info) {
		ni.root = info->root;
		ni.root_start = info->root_start;
	} else {
		ni.root = ni.parent;
		ni.root_start = ni.parent_start;
	}
	bpf_map_update_elem(&lim_tasks, &ctgid, &ni, BPF_ANY);
	pc = count_of(ni.parent, ni.parent_start, true);
	if (pc) {
		n = __sync_fetch_and_add(&pc->children, 1) + 1;
		if (r->action == BG_ACT_ALERT && r->max_children && n == r->max_children + 1)
			emit_limit(BG_ACT_ALERT, BG_MECH_TRACEPOINT, idx, BG_LIM_CHILDREN, 0,
				   r->max_children, n, 0, 0);
	}
	rc = count_of(ni.root, ni.root_start, true);
	if (rc) {
		n = __sync_fetch_and_add(&rc->descendants, 1) + 1;
		if (r->action == BG_ACT_ALERT && r->max_descendants && n == r->max_descendants + 1)
			emit_limit(BG_ACT_ALERT, BG_MECH_TRACEPOINT, idx, BG_LIM_DESCENDANTS, 0,
				   r->max_descendants, n, 0, ni.root);
	}
	return 0;
}

static __always_inline void count_drop(__u32 tgid, __u64 start, bool child)
{
	struct bg_lim_key k = {.tgid = tgid, .start = start};
	struct bg_lim_count *c = bpf_map_lookup_elem(&lim_counts, &k);

	if (!c)
		return;
	if (child) {
		__sync_fetch_and_sub(&c->children, 1);
		return;
	}
	if (__sync_fetch_and_sub(&c->descendants, 1) <= 1 && c->dead)
		bpf_map_delete_elem(&lim_counts, &k);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(lim_exit, struct task_struct *p)
{
	struct bg_lim_key k = {.tgid = p->tgid, .start = p->group_leader->start_boottime};
	struct bg_lim_task *info;
	struct bg_lim_count *c;

	/* Only when the whole thread group is gone (the last thread). */
	if (p->signal->live.counter)
		return 0;
	info = bpf_map_lookup_elem(&lim_tasks, &k.tgid);
	if (info) {
		count_drop(info->parent, info->parent_start, true);
		count_drop(info->root, info->root_start, false);
		bpf_map_delete_elem(&lim_tasks, &k.tgid);
	}
	c = bpf_map_lookup_elem(&lim_counts, &k);
	if (c) {
		/* A root's count outlives it while its tree lives: a fork
		 * bomb's first process exits at once. */
		if (c->descendants <= 0)
			bpf_map_delete_elem(&lim_counts, &k);
		else
			c->dead = 1;
	}
	bpf_map_delete_elem(&lim_reported, &k);
	return 0;
}

/* deny: the fork fails with EAGAIN, as it does at RLIMIT_NPROC or pids.max. */
SEC("lsm/task_alloc")
int BPF_PROG(lim_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct verdict v = {};

	if (ret || (clone_flags & CLONE_THREAD))
		return ret;
	if (!fork_over(cur, &v) || v.rule->action != BG_ACT_DENY)
		return 0;
	emit_limit(BG_ACT_DENY, BG_MECH_LSM, v.idx, v.what, 0, v.limit, v.value, 0,
		   v.what == BG_LIM_CHILDREN ? 0 : v.root);
	return -EAGAIN;
}

/* The host-wide hook: every call costs one lookup-free switch before it
 * leaves; only the memory and fork calls go further. The event's syscall
 * number is the x86_64 one whatever the entry. */
SEC("tp_btf/sys_enter")
int BPF_PROG(lim_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct call c = {};
	__u64 flags = 0, a, b;

	switch (id & ~(long)X32_BIT) {
	BG_SC_MEMORY_FORK_IDS:
		break;
	default:
		return 0;
	}
	task = bpf_get_current_task_btf();
	if (!decode(task, regs, id, &c))
		return 0;
	switch (c.nr) {
	case NR_mmap:
		check_memory(task, c.nr, c.a[1]);
		break;
	case NR_brk:
		a = c.a[0];
		b = task->mm->brk;
		if (a > b)
			check_memory(task, c.nr, a - b);
		break;
	case NR_mremap:
		a = c.a[2]; /* new_len */
		b = c.a[1]; /* old_len */
		if (a > b)
			check_memory(task, c.nr, a - b);
		break;
	case NR_clone:
		if (c.a[0] & CLONE_THREAD)
			break;
		check_fork(task, c.nr);
		break;
	case NR_clone3:
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)c.a[0]) < 0 ||
		    (flags & CLONE_THREAD))
			break;
		check_fork(task, c.nr);
		break;
	case NR_fork:
	case NR_vfork:
		check_fork(task, c.nr);
		break;
	}
	return 0;
}
