// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard profile`: record what a process tree does, aggregated here in
 * maps (a set of syscalls, executables, files and network peers), never an
 * event per call. The tree is selected by cgroup (profile -- CMD and
 * --cgroup) or by tgid followed across forks (--pid). Every other process
 * leaves after one map lookup.
 *
 * The records are independent of the mechanism that later enforces them:
 * files are recorded at the successful return of open (the object the
 * kernel resolved), not from the path string a process passed, so the same
 * policy holds under seccomp/Landlock, tracepoints or LSM.
 */
#include "lib/common.bpf.h"
#include <bpf/bpf_endian.h>
#include <bpfguard/profile.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET	     2
#define AF_INET6     10
#define TS_COMPAT    0x0002
#define X32_BIT	     0x40000000
#define O_ACCMODE    00000003
#define O_WRONLY     00000001
#define O_RDWR	     00000002
#define O_CREAT	     00000100
#define O_TRUNC	     00001000
#define AT_FDCWD     -100
#define AT_REMOVEDIR 0x200
#define S_IFMT	     00170000
#define S_IFDIR	     0040000
#define FMODE_EXEC   0x20

/* Which selectors are in use: bystanders pay only for these lookups. */
const volatile bool filter_cgroup = false;
const volatile bool filter_tgid = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64); /* cgroup v2 id */
	__type(value, __u8);
} prof_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* tgid */
	__type(value, __u8);
} prof_tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_prof_sys);
} prof_sys SEC(".maps");

/* Key: the path; value: BG_ACC_* bits seen for it, ORed (64-bit: the
 * atomic OR of BPF ISA v1/v2 is 64-bit only). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, struct bg_prof_file);
	__type(value, __u64);
} prof_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct bg_prof_net);
	__type(value, __u64);
} prof_net SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_PERR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} prof_errors SEC(".maps");

struct prof_scratch {
	struct bg_prof_file file;
	char cat[2 * BG_PATH_MAX + 1]; /* directory + '/' + name */
	struct bg_prof_net net;
	char sa[28]; /* sockaddr_in6 */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prof_scratch);
} prof_scratch_map SEC(".maps");

static __always_inline void perr(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&prof_errors, &idx);

	if (v)
		*v += 1;
}

static __always_inline bool tracked(void)
{
	if (filter_cgroup) {
		__u64 cg = bpf_get_current_cgroup_id();

		if (bpf_map_lookup_elem(&prof_cgroups, &cg))
			return true;
	}
	if (filter_tgid) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;

		if (bpf_map_lookup_elem(&prof_tgids, &tgid))
			return true;
	}
	return false;
}

static __always_inline bool in_compat(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT;
}

/* Add acc to the bits of the path in s->file. */
static __always_inline void record_key(struct prof_scratch *s, __u64 acc)
{
	__u64 *old = bpf_map_lookup_elem(&prof_files, &s->file);

	if (old) {
		if ((*old & acc) != acc)
			__sync_fetch_and_or(old, acc);
		return;
	}
	if (bpf_map_update_elem(&prof_files, &s->file, &acc, BPF_NOEXIST) == -7 /* E2BIG */)
		perr(BG_PERR_FILES_FULL);
}

/* Record one file (path of `f`) with access bits. */
static __always_inline void record_file(struct file *f, __u64 acc)
{
	struct prof_scratch *s;
	struct bg_scratch *bs;
	__u32 zero = 0, flags = 0, pos;
	struct inode *inode;

	s = bpf_map_lookup_elem(&prof_scratch_map, &zero);
	bs = bpf_map_lookup_elem(&bg_scratch_map, &zero);
	if (!s || !bs || !f)
		return;
	/* f may come from the fd table (read with a probe, not BTF-typed):
	 * CO-RE probe reads work for both cases. */
	inode = BPF_CORE_READ(f, f_inode);
	if (inode && (BPF_CORE_READ(inode, i_mode) & S_IFMT) == S_IFDIR)
		acc |= BG_ACC_DIR;
	pos = bg_path_walk(&f->f_path, bs->buf, &flags);
	if (flags)
		perr(BG_PERR_PATH_TRUNC);
	if (bpf_probe_read_kernel(s->file.path, BG_PATH_MAX, &bs->buf[pos]) < 0)
		return;
	record_key(s, acc);
}

/*
 * Record an entry operation (unlink, rename, mkdir, rmdir) on the name the
 * process passed, relative to dfd (or the working directory): the inode
 * may be gone, so the name is kept as written after the directory's path,
 * and user space folds "." and "..". Called after the call succeeded.
 */
static __always_inline void record_name(struct task_struct *task, int dfd, const char *uname,
					__u64 acc)
{
	struct prof_scratch *s;
	struct bg_scratch *bs;
	__u32 zero = 0, flags = 0, pos;
	struct file **fds, *f = NULL;
	const struct path *base;
	long len, n;

	s = bpf_map_lookup_elem(&prof_scratch_map, &zero);
	bs = bpf_map_lookup_elem(&bg_scratch_map, &zero);
	if (!s || !bs || !uname)
		return;
	if (bpf_probe_read_user_str(s->file.path, BG_PATH_MAX, uname) <= 1)
		return;
	if (s->file.path[0] != '/') {
		if (dfd == AT_FDCWD) {
			base = &task->fs->pwd;
		} else {
			fds = task->files->fdt->fd;
			if (bpf_probe_read_kernel(&f, sizeof(f), &fds[dfd & 0xffffff]) < 0 || !f)
				return;
			base = &f->f_path;
		}
		/* The directory's path is built at the end of buf's first half;
		 * copied to the start, then the name appended after a '/'. */
		pos = bg_path_walk(base, bs->buf, &flags);
		len = bpf_probe_read_kernel_str(s->cat, BG_PATH_MAX, &bs->buf[pos]);
		if (len < 1)
			return;
		len = (len - 1) & (BG_PATH_MAX - 1);
		s->cat[len] = '/';
		n = bpf_probe_read_user_str(&s->cat[len + 1], BG_PATH_MAX, uname);
		if (n < 0)
			return;
		if (flags || len + 1 + n > BG_PATH_MAX)
			perr(BG_PERR_PATH_TRUNC);
		__builtin_memcpy(s->file.path, s->cat, BG_PATH_MAX - 1);
		s->file.path[BG_PATH_MAX - 1] = 0;
	}
	record_key(s, acc);
}

/* connect/sendto/bind destination from the user's sockaddr. */
static __always_inline void record_sockaddr(const void *uaddr, __u64 len, __u8 op)
{
	struct prof_scratch *s;
	__u32 zero = 0;
	__u64 one = 1, *v;
	__u16 family;

	if (!uaddr || len < 8)
		return;
	s = bpf_map_lookup_elem(&prof_scratch_map, &zero);
	if (!s)
		return;
	__builtin_memset(&s->net, 0, sizeof(s->net));
	if (bpf_probe_read_user(s->sa, sizeof(s->sa), uaddr) < 0 &&
	    bpf_probe_read_user(s->sa, 16, uaddr) < 0)
		return;
	family = *(__u16 *)&s->sa[0];
	if (family == AF_INET) {
		__builtin_memcpy(s->net.addr, &s->sa[4], 4);
	} else if (family == AF_INET6 && len >= 24) {
		__builtin_memcpy(s->net.addr, &s->sa[8], 16);
	} else {
		return; /* unix sockets and others: not network peers */
	}
	s->net.family = family;
	s->net.port = bpf_ntohs(*(__u16 *)&s->sa[2]);
	s->net.op = op;
	v = bpf_map_lookup_elem(&prof_net, &s->net);
	if (v)
		__sync_fetch_and_add(v, 1);
	else if (bpf_map_update_elem(&prof_net, &s->net, &one, BPF_NOEXIST) == -7)
		perr(BG_PERR_NET_FULL);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(prof_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct bg_prof_sys *sys;
	__u32 zero = 0;
	__u64 nr = id;

	if (!tracked())
		return 0;
	sys = bpf_map_lookup_elem(&prof_sys, &zero);
	if (!sys)
		return 0;
	task = bpf_get_current_task_btf();
	if (in_compat(task)) {
		if (nr < BG_SYSCALL_MAX)
			__sync_fetch_and_or(&sys->compat[(nr / 64) & (BG_SYSCALL_WORDS - 1)],
					    1ULL << (nr % 64));
		return 0; /* network capture of ia32 socketcall is not decoded */
	}
	if (nr & X32_BIT) {
		__sync_fetch_and_add(&sys->x32_calls, 1);
		return 0;
	}
	if (nr >= BG_SYSCALL_MAX)
		return 0;
	__sync_fetch_and_or(&sys->native[(nr / 64) & (BG_SYSCALL_WORDS - 1)], 1ULL << (nr % 64));

	switch (nr) {
	case 42: /* connect(fd, addr, len) */
		record_sockaddr((void *)regs->si, regs->dx, BG_NET_CONNECT);
		break;
	case 44: /* sendto(fd, buf, len, flags, addr, alen) */
		record_sockaddr((void *)regs->r8, regs->r9, BG_NET_SENDTO);
		break;
	case 46: { /* sendmsg(fd, msg, flags): msg->msg_name */
		struct user_msghdr m;

		if (bpf_probe_read_user(&m, sizeof(m), (void *)regs->si) == 0)
			record_sockaddr(m.msg_name, m.msg_namelen, BG_NET_SENDTO);
		break;
	}
	case 49: /* bind(fd, addr, len) */
		record_sockaddr((void *)regs->si, regs->dx, BG_NET_BIND);
		break;
	}
	return 0;
}

/* The flags argument of an open-family call (creat implies its own). */
static __always_inline unsigned int passed_flags(struct pt_regs *regs, __u64 nr, bool compat)
{
	__u64 how = 0;

	if (compat) {
		/* ia32 arguments: bx, cx, dx, si, ... */
		if (nr == 8)
			return O_CREAT | O_TRUNC;
		if (nr == 5)
			return regs->cx;
		if (nr == 437) {
			bpf_probe_read_user(&how, sizeof(how), (void *)(regs->dx & 0xffffffff));
			return how;
		}
		return regs->dx; /* openat */
	}
	if (nr == 85)
		return O_CREAT | O_TRUNC;
	if (nr == 2)
		return regs->si;
	if (nr == 437) {
		bpf_probe_read_user(&how, sizeof(how), (void *)regs->dx);
		return how;
	}
	return regs->dx; /* openat */
}

/* Files: at the successful return of the open family, resolve the new fd
 * to the file the kernel opened. */
SEC("tp_btf/sys_exit")
int BPF_PROG(prof_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct file **fds, *f = NULL;
	__u64 nr, acc = 0;
	unsigned int flags;

	if (ret < 0 || !tracked())
		return 0;
	nr = regs->orig_ax;
	task = bpf_get_current_task_btf();
	if (!in_compat(task)) {
		/* Entry operations (x86_64 numbers; the arguments are still in
		 * the saved registers at exit). */
		switch (nr) {
		case 87: /* unlink(path) */
			record_name(task, AT_FDCWD, (void *)regs->di, BG_ACC_REMOVE);
			return 0;
		case 84: /* rmdir(path) */
			record_name(task, AT_FDCWD, (void *)regs->di, BG_ACC_RMDIR);
			return 0;
		case 83: /* mkdir(path, mode) */
			record_name(task, AT_FDCWD, (void *)regs->di, BG_ACC_MKDIR);
			return 0;
		case 263: /* unlinkat(dfd, path, flags) */
			record_name(task, regs->di, (void *)regs->si,
				    regs->dx & AT_REMOVEDIR ? BG_ACC_RMDIR : BG_ACC_REMOVE);
			return 0;
		case 258: /* mkdirat(dfd, path, mode) */
			record_name(task, regs->di, (void *)regs->si, BG_ACC_MKDIR);
			return 0;
		case 82: /* rename(old, new) */
			record_name(task, AT_FDCWD, (void *)regs->di, BG_ACC_RENAME_FROM);
			record_name(task, AT_FDCWD, (void *)regs->si, BG_ACC_RENAME_TO);
			return 0;
		case 264: /* renameat(odfd, old, ndfd, new) */
		case 316: /* renameat2(odfd, old, ndfd, new, flags) */
			record_name(task, regs->di, (void *)regs->si, BG_ACC_RENAME_FROM);
			record_name(task, regs->dx, (void *)regs->r10, BG_ACC_RENAME_TO);
			return 0;
		}
	}
	if (in_compat(task)) {
		/* ia32: open 5, creat 8, openat 295, openat2 437 */
		if (nr != 5 && nr != 8 && nr != 295 && nr != 437)
			return 0;
	} else if (nr != 2 && nr != 85 && nr != 257 && nr != 437) {
		return 0;
	}
	fds = task->files->fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[ret & 0xffffff]) < 0 || !f)
		return 0;
	flags = BPF_CORE_READ(f, f_flags);
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		acc = BG_ACC_WRITE;
		break;
	case O_RDWR:
		acc = BG_ACC_READ | BG_ACC_WRITE;
		break;
	default:
		acc = BG_ACC_READ;
	}
	/* The kernel clears O_CREAT and O_TRUNC from f_flags once the file is
	 * open: take them from the flags the process passed. */
	flags = passed_flags(regs, nr, in_compat(task));
	if (flags & O_CREAT)
		acc |= BG_ACC_CREAT;
	if (flags & O_TRUNC)
		acc |= BG_ACC_TRUNC | BG_ACC_WRITE;
	record_file(f, acc);
	return 0;
}

/* Executables, and the ELF interpreter the kernel opened for them. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(prof_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!tracked())
		return 0;
	record_file(bprm->file, BG_ACC_EXECVE | BG_ACC_EXEC | BG_ACC_READ);
	if (bpf_core_field_exists(bprm->interpreter) && bprm->interpreter)
		record_file(bprm->interpreter, BG_ACC_EXEC | BG_ACC_READ);
	return 0;
}

/* --pid: follow the tree across forks (threads share the tgid). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(prof_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (!filter_tgid || ptgid == ctgid || !bpf_map_lookup_elem(&prof_tgids, &ptgid))
		return 0;
	bpf_map_update_elem(&prof_tgids, &ctgid, &one, BPF_ANY);
	return 0;
}
