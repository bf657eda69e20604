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

#define TS_COMPAT	0x0002
#define SYS_BIND	2 /* ia32 socketcall's call number */

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

/* Both names of each rename: user space learns from them which renamed
 * names were directories (Landlock's rights differ for those). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, struct bg_prof_rename);
	__type(value, __u8);
} prof_renames SEC(".maps");

struct prof_scratch {
	struct bg_prof_file file;
	struct bg_prof_rename pair;
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
		bg_stat_inc(BG_STAT_PROF_FILES_FULL);
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
		bg_stat_inc(BG_STAT_PROF_PATH_TRUNC);
	if (bpf_probe_read_kernel(s->file.path, BG_PATH_MAX, &bs->buf[pos]) < 0)
		return;
	record_key(s, acc);
}

/*
 * Record an entry operation (unlink, rename, link, symlink, mknod, mkdir,
 * rmdir, truncate by path) on the name the process passed, relative to dfd
 * (or the working directory): the inode may be gone, so the name is kept
 * as written after the directory's path, and user space folds "." and
 * "..". Called after the call succeeded. The name stays in s->file.path.
 * Not inlined: the exit program calls it for both names of a call.
 */
static __noinline void record_name(struct task_struct *task, int dfd, const char *uname, __u64 acc)
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
	/* Zero-padded: the whole key is hashed. */
	__builtin_memset(s->file.path, 0, BG_PATH_MAX);
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
			bg_stat_inc(BG_STAT_PROF_PATH_TRUNC);
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
		bg_stat_inc(BG_STAT_PROF_NET_FULL);
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

/*
 * The call as its x86_64 number, and its arguments. An ia32 call (int 0x80,
 * sysenter, from any process) has its own numbers and registers and 32-bit
 * pointers; each file call is mapped to its x86_64 twin so one decoder
 * serves both. Returns -1 for calls nothing is recorded for at exit.
 */
static __always_inline long native_call(struct pt_regs *regs, bool compat, __u64 *a)
{
	__u32 sc[3];
	long nr = regs->orig_ax;

	if (!compat) {
		a[0] = regs->di, a[1] = regs->si, a[2] = regs->dx;
		a[3] = regs->r10, a[4] = regs->r8;
		return nr;
	}
	a[0] = (__u32)regs->bx, a[1] = (__u32)regs->cx, a[2] = (__u32)regs->dx;
	a[3] = (__u32)regs->si, a[4] = (__u32)regs->di;
	switch (nr) {
	case 5:
		return 2; /* open */
	case 8:
		return 85; /* creat */
	case 295:
		return 257; /* openat */
	case 437:
		return 437; /* openat2 */
	case 9:
		return 86; /* link */
	case 10:
		return 87; /* unlink */
	case 14:
		return 133; /* mknod */
	case 38:
		return 82; /* rename */
	case 39:
		return 83; /* mkdir */
	case 40:
		return 84; /* rmdir */
	case 83:
		return 88; /* symlink */
	case 92:
	case 193:
		return 76; /* truncate, truncate64 (path first) */
	case 93:
	case 194:
		return 77; /* ftruncate, ftruncate64 (fd first) */
	case 296:
		return 258; /* mkdirat */
	case 297:
		return 259; /* mknodat */
	case 301:
		return 263; /* unlinkat */
	case 302:
		return 264; /* renameat */
	case 303:
		return 265; /* linkat */
	case 304:
		return 266; /* symlinkat */
	case 353:
		return 316; /* renameat2 */
	case 361:
		return 49; /* bind */
	case 102:	   /* socketcall(call, args): bind's three words */
		if (a[0] != SYS_BIND || bpf_probe_read_user(sc, sizeof(sc), (void *)a[1]))
			return -1;
		a[0] = sc[0], a[1] = sc[1], a[2] = sc[2];
		return 49;
	}
	return -1;
}

/* The flags argument of an open-family call (creat implies its own). */
static __always_inline unsigned int passed_flags(long nr, __u64 *a)
{
	__u64 how = 0;

	if (nr == 85)
		return O_CREAT | O_TRUNC;
	if (nr == 2)
		return a[1];
	if (nr == 437) {
		bpf_probe_read_user(&how, sizeof(how), (void *)a[2]);
		return how;
	}
	return a[2]; /* openat */
}

/* The word of a node mknod made, by its type (0 is a regular file). */
static __always_inline __u64 mknod_acc(__u64 mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return BG_ACC_MKFIFO;
	case S_IFSOCK:
		return BG_ACC_MKSOCK;
	case S_IFCHR:
		return BG_ACC_MKCHAR;
	case S_IFBLK:
		return BG_ACC_MKBLOCK;
	}
	return BG_ACC_CREAT;
}

/* The fd's file, from the task's table. */
static __always_inline struct file *fd_file(struct task_struct *task, __u64 fd)
{
	struct file **fds = task->files->fdt->fd, *f = NULL;

	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xffffff]) < 0)
		return NULL;
	return f;
}

/* Files: at the successful return of the open family, resolve the new fd
 * to the file the kernel opened; entry operations by the names passed. */
SEC("tp_btf/sys_exit")
int BPF_PROG(prof_sys_exit, struct pt_regs *regs, long ret)
{
	/* Up to two names per call: (dfd, user pointer, access). */
	__u64 a[5], name[2] = {}, acc2[2] = {}, acc = 0;
	int dfd[2] = {AT_FDCWD, AT_FDCWD};
	struct prof_scratch *s;
	struct task_struct *task;
	__u32 zero = 0;
	struct file *f;
	unsigned int flags;
	bool pair = false;
	__u16 family = 0;
	long nr;

	if (ret < 0 || !tracked())
		return 0;
	task = bpf_get_current_task_btf();
	nr = native_call(regs, in_compat(task), a);
	switch (nr) {
	case 87: /* unlink(path) */
		name[0] = a[0], acc2[0] = BG_ACC_REMOVE;
		break;
	case 84: /* rmdir(path) */
		name[0] = a[0], acc2[0] = BG_ACC_RMDIR;
		break;
	case 83: /* mkdir(path, mode) */
		name[0] = a[0], acc2[0] = BG_ACC_MKDIR;
		break;
	case 263: /* unlinkat(dfd, path, flags) */
		dfd[0] = a[0], name[0] = a[1];
		acc2[0] = a[2] & AT_REMOVEDIR ? BG_ACC_RMDIR : BG_ACC_REMOVE;
		break;
	case 258: /* mkdirat(dfd, path, mode) */
		dfd[0] = a[0], name[0] = a[1], acc2[0] = BG_ACC_MKDIR;
		break;
	case 133: /* mknod(path, mode, dev) */
		name[0] = a[0], acc2[0] = mknod_acc(a[1]);
		break;
	case 259: /* mknodat(dfd, path, mode, dev) */
		dfd[0] = a[0], name[0] = a[1], acc2[0] = mknod_acc(a[2]);
		break;
	case 88: /* symlink(target, path): the target is only a string */
		name[0] = a[1], acc2[0] = BG_ACC_SYMLINK;
		break;
	case 266: /* symlinkat(target, dfd, path) */
		dfd[0] = a[1], name[0] = a[2], acc2[0] = BG_ACC_SYMLINK;
		break;
	case 86: /* link(old, new) */
		name[0] = a[0], acc2[0] = BG_ACC_LINK_FROM;
		name[1] = a[1], acc2[1] = BG_ACC_LINK_TO;
		break;
	case 265: /* linkat(odfd, old, ndfd, new, flags) */
		dfd[0] = a[0], name[0] = a[1], acc2[0] = BG_ACC_LINK_FROM;
		dfd[1] = a[2], name[1] = a[3], acc2[1] = BG_ACC_LINK_TO;
		break;
	case 82: /* rename(old, new) */
		name[0] = a[0], acc2[0] = BG_ACC_RENAME_FROM;
		name[1] = a[1], acc2[1] = BG_ACC_RENAME_TO;
		pair = true;
		break;
	case 264: /* renameat(odfd, old, ndfd, new) */
	case 316: /* renameat2(odfd, old, ndfd, new, flags) */
		dfd[0] = a[0], name[0] = a[1], acc2[0] = BG_ACC_RENAME_FROM;
		dfd[1] = a[2], name[1] = a[3], acc2[1] = BG_ACC_RENAME_TO;
		pair = true;
		/* RENAME_EXCHANGE: each name is removed and made again; the two
		 * objects may be of different kinds, so no pair. */
		if (nr == 316 && (a[4] & RENAME_EXCHANGE)) {
			acc2[0] = acc2[1] = BG_ACC_RENAME_FROM | BG_ACC_RENAME_TO;
			pair = false;
		}
		break;
	case 76: /* truncate(path, len): the name as passed, resolved in user space */
		name[0] = a[0], acc2[0] = BG_ACC_TRUNC;
		break;
	case 77: /* ftruncate(fd, len): the file open for writing */
		record_file(fd_file(task, a[0]), BG_ACC_TRUNC);
		return 0;
	case 49: /* bind(fd, addr, len): a unix socket's path is a new node */
		if (a[2] < 3 || bpf_probe_read_user(&family, sizeof(family), (void *)a[1]) ||
		    family != AF_UNIX)
			return 0;
		/* An abstract name (leading NUL) is not in the file system. */
		name[0] = a[1] + 2, acc2[0] = BG_ACC_MKSOCK;
		break;
	case 2:
	case 85:
	case 257:
	case 437:
		goto open;
	default:
		return 0;
	}
	if (!name[0])
		return 0;
	record_name(task, dfd[0], (const char *)name[0], acc2[0]);
	if (!name[1])
		return 0;
	s = bpf_map_lookup_elem(&prof_scratch_map, &zero);
	if (s && pair)
		__builtin_memcpy(s->pair.from, s->file.path, BG_PATH_MAX);
	record_name(task, dfd[1], (const char *)name[1], acc2[1]);
	if (s && pair) {
		__builtin_memcpy(s->pair.to, s->file.path, BG_PATH_MAX);
		if (bpf_map_update_elem(&prof_renames, &s->pair, &zero, BPF_ANY) == -7)
			bg_stat_inc(BG_STAT_PROF_FILES_FULL);
	}
	return 0;
open:
	f = fd_file(task, ret);
	if (!f)
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
	flags = passed_flags(nr, a);
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
