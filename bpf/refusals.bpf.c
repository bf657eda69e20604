// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard run --action kill`: name the syscall seccomp killed for.
 * SECCOMP_RET_KILL_PROCESS sends SIGSYS from inside the offending call, in
 * the task itself, with the call's number and architecture in the siginfo
 * (SYS_SECCOMP); nothing of it reaches user space but the exit status. The
 * tracepoint signal_generate sees that siginfo as the signal is queued,
 * before the task dies. Only tasks in the command's cgroup (and below) are
 * looked at; a signal is rare next to a syscall, so bystanders pay little.
 *
 * Landlock refuses with EACCES and tells no one: its audit records (ABI 7)
 * need audit on, and the CI kernel emits none even then. So the file calls
 * Landlock governs are watched at their return (syscalls:sys_exit_*, which
 * cost other syscalls nothing): an EACCES in the command's cgroup, while
 * Landlock enforces its files, is reported with the path the process
 * passed and the access it asked for.
 * User half: src/sandbox/refusals.c.
 */
#include "lib/common.bpf.h"
#include "lib/ratelimit.bpf.h"
#include "lib/scope.bpf.h"
#include "lib/pathrules.bpf.h"
#include "lib/ident.bpf.h"
#include <bpfguard/profile.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SIGSYS		  31
#define SYS_SECCOMP	  1
#define AUDIT_ARCH_X86_64 0xc000003eu
#define AUDIT_ARCH_I386	  0x40000003u

const volatile __u32 rule_id = 0;
const volatile __u32 files_rule_id = 0;
/* Landlock was given read or write rights on a directory, for files the
 * policy names there that did not exist yet or are replaced while the
 * command runs: check each opened file's name (file_rules) at open's exit. */
const volatile bool exact_names = false;

/* The last kill, for run's closing line (the event may be dropped). */
__u32 last_nr = 0;
__u32 last_abi = 0;
__u32 kills = 0;

SEC("tp_btf/signal_generate")
int BPF_PROG(rf_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct bg_syscall_event *e;
	struct pt_regs *regs;
	__u32 arch, nr, abi;

	/* info is SEND_SIG_NOINFO (0) or SEND_SIG_PRIV (1) for most senders. */
	if (sig != SIGSYS || (unsigned long)info <= 1)
		return 0;
	if (BPF_CORE_READ(info, si_code) != SYS_SECCOMP)
		return 0;
	/* seccomp signals the calling task itself: current is the one killed. */
	if (task != bpf_get_current_task_btf() || !bg_in_scope())
		return 0;
	nr = BPF_CORE_READ(info, _sifields._sigsys._syscall);
	arch = BPF_CORE_READ(info, _sifields._sigsys._arch);
	abi = arch == AUDIT_ARCH_I386	  ? BG_ABI_IA32
	      : arch != AUDIT_ARCH_X86_64 ? BG_ABI_IA32
	      : (nr & X32_BIT)		  ? BG_ABI_X32
					  : BG_ABI_NATIVE;
	last_nr = nr;
	last_abi = abi;
	__sync_fetch_and_add(&kills, 1);
	e = bg_event(BG_EV_SYSCALL, sizeof(*e), BG_ACT_KILL, BG_MECH_SECCOMP, BG_OUT_FAILURE,
		     rule_id);
	if (!e)
		return 0;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->nr = nr;
	e->compat = abi;
	/* The call's arguments are still in the user registers it entered with. */
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (abi == BG_ABI_IA32) {
		e->args[0] = (__u32)BPF_CORE_READ(regs, bx);
		e->args[1] = (__u32)BPF_CORE_READ(regs, cx);
		e->args[2] = (__u32)BPF_CORE_READ(regs, dx);
		e->args[3] = (__u32)BPF_CORE_READ(regs, si);
		e->args[4] = (__u32)BPF_CORE_READ(regs, di);
		e->args[5] = (__u32)BPF_CORE_READ(regs, bp);
	} else {
		e->args[0] = BPF_CORE_READ(regs, di);
		e->args[1] = BPF_CORE_READ(regs, si);
		e->args[2] = BPF_CORE_READ(regs, dx);
		e->args[3] = BPF_CORE_READ(regs, r10);
		e->args[4] = BPF_CORE_READ(regs, r8);
		e->args[5] = BPF_CORE_READ(regs, r9);
	}
	bg_submit(e);
	return 0;
}

/* ---- Landlock: EACCES from the calls it governs ------------------------ */

struct sys_exit_ctx { /* syscalls:sys_exit_* as BPF sees it */
	__u64 regs;
	int nr;
	int pad;
	long ret;
};

static __always_inline __u32 open_access(__u64 flags)
{
	__u32 acc = (flags & 3) == O_WRONLY ? BG_ACC_WRITE
		    : (flags & 3) == O_RDWR ? BG_ACC_READ | BG_ACC_WRITE
					    : BG_ACC_READ;

	if (flags & O_CREAT)
		acc |= BG_ACC_CREAT;
	if (flags & O_TRUNC)
		acc |= BG_ACC_TRUNC | BG_ACC_WRITE;
	return acc;
}

/* A rate-limited event of the files rule, all but its path filled; NULL:
 * suppressed or no room. */
static __always_inline struct bg_run_file_event *file_event(__u8 action, __u8 mechanism, __u32 acc,
							    __u8 op)
{
	struct bg_run_file_event *e;

	e = bg_rl_event(BG_EV_RUN_FILE, sizeof(*e), action, mechanism, BG_OUT_FAILURE,
			files_rule_id);
	if (!e)
		return NULL;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->access = acc;
	e->op = op;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	return e;
}

/* The path's argument: the first, or the one after a dfd or an old name. */
static __always_inline __u64 path_arg(struct pt_regs *regs, int nr)
{
	switch (nr) {
	case 2:	  /* open(path, flags) */
	case 85:  /* creat(path, mode) */
	case 59:  /* execve(path) */
	case 87:  /* unlink(path) */
	case 84:  /* rmdir(path) */
	case 83:  /* mkdir(path) */
	case 133: /* mknod(path, mode, dev) */
	case 76:  /* truncate(path, len) */
		return BPF_CORE_READ(regs, di);
	case 264: /* renameat(odfd, old, ndfd, new) */
	case 316: /* renameat2(odfd, old, ndfd, new, flags) */
	case 265: /* linkat(odfd, old, ndfd, new, flags) */
		return BPF_CORE_READ(regs, r10);
	case 266: /* symlinkat(target, dfd, path) */
		return BPF_CORE_READ(regs, dx);
	default: /* the *at calls, rename, link, symlink, bind */
		return BPF_CORE_READ(regs, si);
	}
}

static __always_inline int landlock_refused(struct sys_exit_ctx *ctx)
{
	/* ctx->regs is not readable by tracepoint programs: take the task's. */
	struct pt_regs *regs;
	struct bg_run_file_event *e;
	__u64 path, flags = 0;
	__u32 acc;
	__u8 op;

	if (ctx->ret != -EACCES || !bg_in_scope())
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	switch (ctx->nr) {
	case 2: /* open(path, flags) */
		flags = BPF_CORE_READ(regs, si);
		op = BG_RUN_OP_OPEN;
		acc = open_access(flags);
		break;
	case 85: /* creat(path, mode) */
		op = BG_RUN_OP_CREATE;
		acc = BG_ACC_WRITE | BG_ACC_CREAT | BG_ACC_TRUNC;
		break;
	case 257: /* openat(dfd, path, flags) */
		flags = BPF_CORE_READ(regs, dx);
		op = BG_RUN_OP_OPEN;
		acc = open_access(flags);
		break;
	case 437: /* openat2(dfd, path, how): how->flags first */
		bpf_probe_read_user(&flags, sizeof(flags), (void *)BPF_CORE_READ(regs, dx));
		op = BG_RUN_OP_OPEN;
		acc = open_access(flags);
		break;
	case 59:  /* execve */
	case 322: /* execveat */
		op = BG_RUN_OP_EXEC;
		acc = BG_ACC_EXEC;
		break;
	case 87: /* unlink */
		op = BG_RUN_OP_UNLINK;
		acc = BG_ACC_WRITE;
		break;
	case 263: /* unlinkat(dfd, path, flags) */
		op = BPF_CORE_READ(regs, dx) & AT_REMOVEDIR ? BG_RUN_OP_RMDIR : BG_RUN_OP_UNLINK;
		acc = BG_ACC_WRITE;
		break;
	case 84: /* rmdir */
		op = BG_RUN_OP_RMDIR;
		acc = BG_ACC_WRITE;
		break;
	case 83:  /* mkdir */
	case 258: /* mkdirat */
		op = BG_RUN_OP_MKDIR;
		acc = BG_ACC_CREAT;
		break;
	/* Two names: the new one is reported (Landlock does not say which
	 * end it refused; a refused reparenting is EXDEV, not reported). */
	case 82:  /* rename */
	case 264: /* renameat */
	case 316: /* renameat2 */
		op = BG_RUN_OP_RENAME;
		acc = BG_ACC_RENAME_TO;
		break;
	case 86:  /* link */
	case 265: /* linkat */
		op = BG_RUN_OP_LINK;
		acc = BG_ACC_LINK_TO;
		break;
	case 88:  /* symlink */
	case 266: /* symlinkat */
		op = BG_RUN_OP_SYMLINK;
		acc = BG_ACC_SYMLINK;
		break;
	case 133: /* mknod(path, mode, dev) */
	case 259: /* mknodat(dfd, path, mode, dev) */
		flags = ctx->nr == 133 ? BPF_CORE_READ(regs, si) : BPF_CORE_READ(regs, dx);
		flags &= S_IFMT;
		acc = flags == S_IFIFO	  ? BG_ACC_MKFIFO
		      : flags == S_IFSOCK ? BG_ACC_MKSOCK
		      : flags == S_IFCHR  ? BG_ACC_MKCHAR
		      : flags == S_IFBLK  ? BG_ACC_MKBLOCK
					  : BG_ACC_CREAT;
		op = acc == BG_ACC_CREAT ? BG_RUN_OP_CREATE : BG_RUN_OP_MKNOD;
		break;
	case 76: /* truncate */
		op = BG_RUN_OP_TRUNCATE;
		acc = BG_ACC_TRUNC;
		break;
	case 49: /* bind(fd, addr, len): a unix socket's path (an inet EACCES is a port) */
		op = BG_RUN_OP_MKNOD;
		acc = BG_ACC_MKSOCK;
		break;
	default:
		return 0;
	}
	path = path_arg(regs, ctx->nr);
	if (ctx->nr == 49) {
		if (bpf_probe_read_user(&flags, 2, (void *)path) || (__u16)flags != AF_UNIX)
			return 0;
		path += 2;
	}
	/* Landlock only refuses, whatever --action says. */
	e = file_event(BG_ACT_DENY, BG_MECH_LANDLOCK, acc, op);
	if (!e)
		return 0;
	/* The path as the process passed it (relative to its cwd or dfd). */
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), (void *)path) < 0)
		e->path[0] = 0;
	bg_submit(e);
	return 0;
}

/* ---- the names below a directory Landlock was widened on --------------- */

/*
 * Landlock's rules hold on inodes: a file that does not exist when run
 * starts, or is replaced by a rename or by remove-and-create, can only be
 * granted through its directory, and that right covers every file below
 * it (nginx's pid file: read and write of the whole prefix, so a location
 * aliased below it served a file it never served while profiled). The
 * open succeeded; its file is looked up by name as the LSM path would, and
 * one outside the policy kills the process here, at the syscall's exit,
 * before it returns to user space: the file is open but nothing was read
 * from it or written to it (rung 4 of docs/guarantees.md).
 */
static __always_inline int exact_name(struct sys_exit_ctx *ctx)
{
	struct bg_run_file_event *e;
	struct lsm_scratch *s;
	struct file *f;
	unsigned int fmode, imode;
	__u32 need = 0;

	if (!bg_in_scope())
		return 0;
	f = bg_fd_file(bpf_get_current_task_btf(), ctx->ret);
	if (!f)
		return 0;
	fmode = BPF_CORE_READ(f, f_mode);
	imode = BPF_CORE_READ(f, f_inode, i_mode);
	if (fmode & FMODE_READ)
		need |= BG_ACC_READ;
	if (fmode & FMODE_WRITE)
		need |= BG_ACC_WRITE;
	/* Landlock widens READ_FILE and WRITE_FILE only; O_PATH opens carry
	 * neither, directories are read with READ_DIR. */
	if (!need || (imode & S_IFMT) != S_IFREG)
		return 0;
	s = scratch();
	if (!s)
		return 0;
	path_key(s, &f->f_path);
	normalise_proc(s);
	if (bg_file_allowed(s, need, imode, BPF_CORE_READ(f, f_inode), fmode & FMODE_CREATED))
		return 0;
	bpf_send_signal(SIGKILL);
	e = file_event(BG_ACT_KILL, BG_MECH_TRACEPOINT, need, BG_RUN_OP_OPEN);
	if (!e)
		return 0;
	__builtin_memcpy(e->path, s->key, BG_PATH_MAX);
	bg_submit(e);
	return 0;
}

#define LL_EXIT(name)                                                                              \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int rf_exit_##name(struct sys_exit_ctx *ctx)                                               \
	{                                                                                          \
		return landlock_refused(ctx);                                                      \
	}
/* The opens: a refusal, or a file to check by name. */
#define OPEN_EXIT(name)                                                                            \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int rf_exit_##name(struct sys_exit_ctx *ctx)                                               \
	{                                                                                          \
		if (ctx->ret >= 0)                                                                 \
			return exact_names ? exact_name(ctx) : 0;                                  \
		return landlock_refused(ctx);                                                      \
	}
OPEN_EXIT(open)
OPEN_EXIT(creat)
OPEN_EXIT(openat)
OPEN_EXIT(openat2)
LL_EXIT(execve)
LL_EXIT(execveat)
LL_EXIT(unlink)
LL_EXIT(unlinkat)
LL_EXIT(rmdir)
LL_EXIT(mkdir)
LL_EXIT(mkdirat)
LL_EXIT(rename)
LL_EXIT(renameat)
LL_EXIT(renameat2)
LL_EXIT(link)
LL_EXIT(linkat)
LL_EXIT(symlink)
LL_EXIT(symlinkat)
LL_EXIT(mknod)
LL_EXIT(mknodat)
LL_EXIT(truncate)
LL_EXIT(bind)
