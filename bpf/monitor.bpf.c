// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard monitor`: hold processes bpfguard did not start to a policy,
 * with tracepoints only (no LSM, fentry or kprobes on the kernels we must
 * support), and bpf_send_signal(SIGKILL) for --action kill:
 *   syscalls     tp_btf/sys_enter, one bitmap per ABI (TS_COMPAT: ia32)
 *   network      tp_btf/sys_enter of connect/sendto/sendmsg/bind: the
 *                sockaddr the process passed
 *   executables  tp_btf/sched_process_exec: (dev, ino) of the new program
 *   files        syscalls:sys_exit_open* tracepoints: the new fd resolved
 *                to its file, matched by (dev, ino) of the file and of its
 *                parent directories
 * A kill lands when the call returns to user space: the call itself has
 * run (docs/guarantees.md measures what completes).
 *
 * Targets: a process is monitored when its tgid's bit is set in
 * mon_procs, a bitmap with one bit per possible pid. User space seeds it
 * through mon_seed (the pid and its descendants, the processes of the
 * cgroups, the processes running the executables); fork, exec, cgroup
 * migration and exit keep it current here. Everything else leaves the
 * per-syscall program after one array lookup, which the verifier inlines
 * (no hashing: bench/syscalls measures what a bystander pays).
 */
#include "lib/common.bpf.h"
#include "lib/ident.bpf.h"
#include "lib/prefix.bpf.h"
#include "lib/ratelimit.bpf.h"
#include "lib/sharers.bpf.h"
#include "lib/netrules.bpf.h"
#include <bpf/bpf_endian.h>
#include <bpfguard/monitor.h>
#include <bpfguard/profile.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TS_COMPAT	 0x0002
#define PROC_SUPER_MAGIC 0x9fa0
#define CGROUP_LEVELS	 16

const volatile __u8 action = BG_ACT_ALERT; /* BG_ACT_ALERT or BG_ACT_KILL */
const volatile bool has_syscalls = false, has_files = false, has_exec = false, has_net = false;
const volatile bool sel_cgroup = false, sel_exe = false;
const volatile __u32 self_tgid = 0; /* bpfguard itself is never monitored */
const volatile __u64 sys_native[BG_SYSCALL_WORDS] = {};
const volatile __u64 sys_compat[BG_SYSCALL_WORDS] = {};

/* Bit tgid % 64 of word tgid / 64; user space sizes it from pid_max. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_MON_PID_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} mon_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_MON_CGROUPS_MAX);
	__type(key, __u64); /* cgroup v2 id */
	__type(value, __u8);
} mon_cgroups SEC(".maps");

/* --exe: the executables whose processes are monitored. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct bg_ident);
	__type(value, __u8);
} mon_targets SEC(".maps");

/* The policy's executables. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_MON_EXES_MAX);
	__type(key, struct bg_ident);
	__type(value, __u8);
} mon_execs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_MON_FILES_MAX);
	__type(key, struct bg_ident);
	__type(value, struct bg_mon_file_rule);
} mon_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_MERR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} mon_errors SEC(".maps");

static __always_inline void merr(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&mon_errors, &idx);

	if (v)
		*v += 1;
}

static __always_inline bool is_monitored(__u32 tgid)
{
	__u32 w = tgid / 64;
	__u64 *bits = bpf_map_lookup_elem(&mon_procs, &w);

	return bits && (*bits >> (tgid % 64) & 1);
}

static __always_inline bool monitored(void)
{
	return is_monitored(bpf_get_current_pid_tgid() >> 32);
}

/* Atomic OR/AND: forks on other CPUs update neighbouring bits. */
static __always_inline void follow(__u32 tgid)
{
	__u32 w = tgid / 64;
	__u64 *bits;

	if (tgid == self_tgid)
		return;
	bits = bpf_map_lookup_elem(&mon_procs, &w);
	if (bits)
		__sync_fetch_and_or(bits, 1ULL << (tgid % 64));
	else
		merr(BG_MERR_PROCS_FULL);
}

static __always_inline void unfollow(__u32 tgid)
{
	__u32 w = tgid / 64;
	__u64 *bits = bpf_map_lookup_elem(&mon_procs, &w);

	if (bits)
		__sync_fetch_and_and(bits, ~(1ULL << (tgid % 64)));
}

/*
 * The action, taken before any event work so that rate limiting never
 * delays a kill. Returns the outcome of the observed operation: it runs
 * under alert; under kill the process dies when the call returns.
 */
static __always_inline __u8 act(void)
{
	if (action != BG_ACT_KILL)
		return BG_OUT_SUCCESS;
	if (bpf_send_signal(SIGKILL)) {
		merr(BG_MERR_SIGNAL);
		return BG_OUT_SUCCESS;
	}
	return BG_OUT_FAILURE;
}

/* A rate-limited record of the monitor's action, or NULL (suppressed, or no room). */
static __always_inline void *event(__u16 type, __u16 size, __u32 rule, __u8 outcome)
{
	return bg_rl_event(type, size, action, BG_MECH_TRACEPOINT, outcome, rule);
}

/* ---- syscalls ----------------------------------------------------------- */

static __always_inline bool sys_allowed(__u64 nr, bool compat)
{
	if (nr >= BG_SYSCALL_MAX)
		return false; /* x32 (bit 30 set) lands here too */
	if (compat)
		return sys_compat[(nr / 64) & (BG_SYSCALL_WORDS - 1)] >> (nr % 64) & 1;
	return sys_native[(nr / 64) & (BG_SYSCALL_WORDS - 1)] >> (nr % 64) & 1;
}

static __always_inline void syscall_violation(struct pt_regs *regs, __u64 nr, bool compat)
{
	struct bg_syscall_event *e;
	__u8 out = act();

	if (!regs)
		return;
	e = event(BG_EV_SYSCALL, sizeof(*e), BG_MON_RULE_SYSCALLS, out);
	if (!e)
		return;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->nr = nr;
	e->compat = compat;
	if (compat) { /* ia32 argument registers */
		e->args[0] = regs->bx;
		e->args[1] = regs->cx;
		e->args[2] = regs->dx;
		e->args[3] = regs->si;
		e->args[4] = regs->di;
		e->args[5] = regs->bp;
	} else {
		e->args[0] = regs->di;
		e->args[1] = regs->si;
		e->args[2] = regs->dx;
		e->args[3] = regs->r10;
		e->args[4] = regs->r8;
		e->args[5] = regs->r9;
	}
	bg_submit(e);
}

/* ---- network ------------------------------------------------------------ */

/* The socket's protocol, from the fd the call names (0 if unknown). */
static __always_inline __u8 fd_protocol(__u64 fd)
{
	struct file *f = bg_fd_file(bpf_get_current_task_btf(), fd);
	struct socket *sock;

	if (!f)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk, sk_protocol) : 0;
}

static __always_inline void check_sockaddr(const void *uaddr, __u64 len, __u8 op, __u64 fd)
{
	struct bg_net_match m = {.op = op};
	struct bg_net_event *e;
	__u8 sa[28] = {};

	if (!uaddr || len < 8)
		return; /* sendto on a connected socket: checked at connect */
	if (bpf_probe_read_user(sa, sizeof(sa), uaddr) && bpf_probe_read_user(sa, 16, uaddr))
		return;
	m.family = *(__u16 *)&sa[0];
	if (m.family == AF_INET)
		__builtin_memcpy(m.addr, &sa[4], 4);
	else if (m.family == AF_INET6 && len >= 24)
		__builtin_memcpy(m.addr, &sa[8], 16);
	else
		return; /* unix sockets and others: not network peers */
	m.port = bpf_ntohs(*(__u16 *)&sa[2]);
	if (bg_net_allowed(&m))
		return;
	e = event(BG_EV_NET, sizeof(*e), BG_MON_RULE_NETWORK, act());
	if (!e)
		return;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->family = m.family;
	e->port = m.port;
	e->op = op;
	e->protocol = fd_protocol(fd);
	e->pad[0] = e->pad[1] = 0;
	__builtin_memcpy(e->addr, m.addr, 16);
	bg_submit(e);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(mon_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	bool compat;
	__u64 nr = id;

	if (!monitored())
		return 0;
	task = bpf_get_current_task_btf();
	/* A process sharing the table of an opener killed at sys_exit
	 * (kernels without the kfuncs that kill it there). */
	if (bg_condemned_kill(task))
		return 0;
	compat = task->thread_info.status & TS_COMPAT;
	if (has_syscalls && !sys_allowed(nr, compat)) {
		syscall_violation(regs, nr, compat);
		if (action == BG_ACT_KILL)
			return 0;
	}
	/* ia32 socketcall is not decoded: the ia32 syscall list covers it. */
	if (!has_net || compat)
		return 0;
	switch (nr) {
	case 42: /* connect(fd, addr, len) */
		check_sockaddr((void *)regs->si, regs->dx, BG_NET_CONNECT, regs->di);
		break;
	case 44: /* sendto(fd, buf, len, flags, addr, alen) */
		check_sockaddr((void *)regs->r8, regs->r9, BG_NET_SENDTO, regs->di);
		break;
	case 46: { /* sendmsg(fd, msg, flags): msg->msg_name */
		struct user_msghdr msg;

		if (!bpf_probe_read_user(&msg, sizeof(msg), (void *)regs->si))
			check_sockaddr(msg.msg_name, msg.msg_namelen, BG_NET_SENDTO, regs->di);
		break;
	}
	case 49: /* bind(fd, addr, len) */
		check_sockaddr((void *)regs->si, regs->dx, BG_NET_BIND, regs->di);
		break;
	}
	return 0;
}

/* Kernels without the kfuncs, files under kill: a monitored sharer of a
 * condemned table leaving a syscall it entered before the kill (a poll
 * waiting for the opener to die) dies before it can make another; at
 * sys_enter the call would still run (user space loads this only then). */
SEC("tp_btf/sys_exit")
int BPF_PROG(mon_sys_exit, struct pt_regs *regs, long ret)
{
	if (monitored())
		bg_condemned_kill(bpf_get_current_task_btf());
	return 0;
}

/* ---- files -------------------------------------------------------------- */

struct up_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 need;
	bool is_dir;
	bool allowed;
};

/* One directory up (crossing mount points), then look for a rule there. */
static long up_step(__u32 i, void *ctx)
{
	struct up_walk *w = ctx;
	struct dentry *dentry = w->dentry, *parent;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt, *mnt_parent;
	struct bg_mon_file_rule *r;
	struct bg_ident k;
	__u32 grant;
	int hop;

	/* At the root of a mount, continue from its mount point (a few
	 * stacked mounts at most). */
	for (hop = 0; hop < 4; hop++) {
		if (dentry != BPF_CORE_READ(vfsmnt, mnt_root))
			break;
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt)
			return 1; /* the root of everything */
		dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		mnt = mnt_parent;
		vfsmnt = &mnt_parent->mnt;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry)
		return 1;
	bg_ident_inode(BPF_CORE_READ(parent, d_inode), &k);
	w->dentry = parent;
	w->vfsmnt = vfsmnt;
	w->mnt = mnt;
	r = bpf_map_lookup_elem(&mon_files, &k);
	if (!r)
		return 0;
	grant = w->is_dir ? r->below_dir : r->below_file;
	if (w->need & ~grant)
		return 0;
	w->allowed = true;
	return 1;
}

struct sys_exit_ctx { /* syscalls:sys_exit_* as BPF sees it */
	__u64 regs;
	int nr;
	int pad;
	long ret;
};

/*
 * The flags the process passed: the kernel clears O_CREAT and O_TRUNC from
 * f_flags once the file is open, so they are read from the saved argument
 * registers of the call.
 */
static __always_inline __u32 open_flags(struct sys_exit_ctx *ctx)
{
	/* ctx->regs is not readable by tracepoint programs: take the task's. */
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 how = 0;

	switch (ctx->nr) {
	case 2: /* open(path, flags, mode) */
		return BPF_CORE_READ(regs, si);
	case 85: /* creat(path, mode) */
		return O_CREAT | O_WRONLY | O_TRUNC;
	case 437: /* openat2(dfd, path, how, size): how->flags first */
		bpf_probe_read_user(&how, sizeof(how), (void *)BPF_CORE_READ(regs, dx));
		return how;
	default: /* openat, open_by_handle_at: flags third */
		return BPF_CORE_READ(regs, dx);
	}
}

/* sharers: kill the processes sharing the descriptor table here (the
 * kfuncs exist), else condemn the table for mon_sys_enter. */
static __always_inline int check_open(long ret, __u32 oflags, bool sharers)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *f = bg_fd_file(task, ret);
	struct bg_policy_file_event *e;
	struct bg_mon_file_rule *r;
	struct up_walk w = {};
	struct bg_ident k;
	struct inode *inode;
	__u32 flags, pflags = 0, nsharers = 0;
	__u8 out;

	if (!f) {
		merr(BG_MERR_FD);
		return 0;
	}
	inode = BPF_CORE_READ(f, f_inode);
	if (BPF_CORE_READ(inode, i_sb, s_magic) == PROC_SUPER_MAGIC)
		return 0; /* per-process inodes: see docs/policy.md */
	flags = BPF_CORE_READ(f, f_flags);
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		w.need = BG_ACC_WRITE;
		break;
	case O_RDWR:
		w.need = BG_ACC_READ | BG_ACC_WRITE;
		break;
	default:
		w.need = BG_ACC_READ;
	}
	/* A truncation needs w, as Landlock's TRUNCATE goes with w in run.
	 * Creation is held by identity: a new inode matches no entry of its
	 * own, only a directory's grant for files below it. c and t are
	 * reported, not required. */
	if (oflags & O_TRUNC)
		w.need |= BG_ACC_WRITE;
	w.is_dir = (BPF_CORE_READ(inode, i_mode) & S_IFMT) == S_IFDIR;
	bg_ident_inode(inode, &k);
	r = bpf_map_lookup_elem(&mon_files, &k);
	if (r && !(w.need & ~r->self))
		return 0;
	w.dentry = BPF_CORE_READ(f, f_path.dentry);
	w.vfsmnt = BPF_CORE_READ(f, f_path.mnt);
	w.mnt = container_of(w.vfsmnt, struct mount, mnt);
	bpf_loop(BG_MON_WALK_DEPTH, up_step, &w, 0);
	if (w.allowed)
		return 0;

	out = act();
	if (out == BG_OUT_FAILURE) {
		if (sharers)
			nsharers = bg_kill_sharers(task);
		else
			bg_condemn(task, ret, f);
	}
	e = event(BG_EV_POLICY_FILE, sizeof(*e), BG_MON_RULE_FILES, out);
	if (!e)
		return 0;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->acc = w.need | (w.is_dir ? BG_ACC_DIR : 0) | (oflags & O_CREAT ? BG_ACC_CREAT : 0) |
		 (oflags & O_TRUNC ? BG_ACC_TRUNC : 0);
	e->open_flags = flags;
	e->dev = k.dev;
	e->ino = k.ino;
	e->fd = ret;
	e->sharers = nsharers;
	e->path[0] = 0;
	/* A path longer than BG_PATH_MAX keeps its last components; dev and
	 * ino identify the file whatever its length. */
	bg_path_copy(&f->f_path, e->path, &pflags);
	bg_submit(e);
	return 0;
}

/*
 * Syscall-specific tracepoints rather than tp_btf/sys_exit: their cost for
 * other syscalls is one bit test in the kernel, where a sys_exit program
 * would run on every syscall of every task on the host. x86 does not fire
 * them for ia32 calls: the ia32 syscall list is what holds those. Two
 * variants each, user space loads one: _sharers where the kernel has the
 * kfuncs of bpf/lib/sharers.bpf.h (6.13+).
 */
#define OPEN_EXIT(name)                                                                            \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int mon_exit_##name(struct sys_exit_ctx *ctx)                                              \
	{                                                                                          \
		if (!has_files || ctx->ret < 0 || !monitored())                                    \
			return 0;                                                                  \
		return check_open(ctx->ret, open_flags(ctx), false);                               \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int mon_exit_##name##_sharers(struct sys_exit_ctx *ctx)                                    \
	{                                                                                          \
		if (!has_files || ctx->ret < 0 || !monitored())                                    \
			return 0;                                                                  \
		return check_open(ctx->ret, open_flags(ctx), true);                                \
	}
OPEN_EXIT(open)
OPEN_EXIT(openat)
OPEN_EXIT(openat2)
OPEN_EXIT(creat)
OPEN_EXIT(open_by_handle_at)

/* ---- executables, and following the targets ------------------------------ */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(mon_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct bg_policy_exec_event *e;
	struct bg_ident k;
	__u32 tgid = p->tgid;

	bg_ident_file(bprm->file, &k);
	if (!is_monitored(tgid)) {
		if (sel_exe && bpf_map_lookup_elem(&mon_targets, &k))
			follow(tgid);
		return 0;
	}
	if (!has_exec || bpf_map_lookup_elem(&mon_execs, &k))
		return 0;
	e = event(BG_EV_POLICY_EXEC, sizeof(*e), BG_MON_RULE_EXEC, act());
	if (!e)
		return 0;
	bg_fill_proc(&e->proc, &e->hdr.flags, true);
	e->dev = k.dev;
	e->ino = k.ino;
	bg_submit(e);
	return 0;
}

/* Is cg (of the default hierarchy) a target cgroup or below one? */
static __always_inline bool cgroup_targeted(struct cgroup *cg)
{
	int i;

	for (i = 0; i < CGROUP_LEVELS && cg; i++) {
		__u64 id = BPF_CORE_READ(cg, kn, id);
		struct cgroup_subsys_state *parent;

		if (bpf_map_lookup_elem(&mon_cgroups, &id))
			return true;
		parent = BPF_CORE_READ(cg, self.parent);
		cg = parent ? BPF_CORE_READ(parent, cgroup) : NULL;
	}
	return false;
}

/* Descendants follow their parent (threads share the tgid). A child
 * created straight into a target cgroup (clone3 CLONE_INTO_CGROUP) is
 * picked up here too: cgroup_post_fork ran before this tracepoint. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(mon_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;

	if (ptgid == ctgid)
		return 0;
	if (is_monitored(ptgid) ||
	    (sel_cgroup && cgroup_targeted(BPF_CORE_READ(child, cgroups, dfl_cgrp))))
		follow(ctgid);
	return 0;
}

/* A process moved into a target cgroup is monitored from then on (and
 * stays monitored if it leaves: a move must not be a way out). */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(mon_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	struct cgroup_root *dfl = BPF_CORE_READ(task, cgroups, dfl_cgrp, root);

	if (!sel_cgroup || BPF_CORE_READ(dst, root) != dfl || !cgroup_targeted(dst))
		return 0;
	follow(BPF_CORE_READ(task, tgid));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(mon_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;

	bg_condemned_exit(p);
	/* signal->live drops to 0 before this tracepoint when the last
	 * thread of the group exits. */
	if (BPF_CORE_READ(p, signal, live.counter) == 0)
		unfollow(tgid);
	return 0;
}

/* User space adds the processes that already run through this program
 * (BPF_PROG_RUN), so its bits are set with the same atomic OR as the
 * kernel's, never by a read-modify-write that could lose a fork's bit. */
SEC("syscall")
int mon_seed(struct bg_mon_seed *a)
{
	follow(a->tgid);
	return 0;
}
