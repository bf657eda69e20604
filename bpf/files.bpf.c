// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Protected files (agent guard `guards.files`, user half src/guards/files.c).
 *
 * A rule protects files and directories (everything beneath) and lists the
 * executables allowed to read and to write them. Files and executables are
 * both identified by (device, inode) read here in the kernel, so a hard
 * link is the same file, a renamed copy of an allowed binary is a different
 * executable, and comm (PR_SET_NAME) plays no part.
 *
 * Two ways to act, chosen by user space from the kernel's capabilities:
 *  - BPF LSM (file_open and the integrity hooks): the check runs before the
 *    operation; deny returns -EPERM, kill denies and sends SIGKILL.
 *  - tp_btf/sys_exit, where LSM is refused: at the return of the
 *    open-family calls the new descriptor is resolved to its inode; a
 *    violation under kill/deny gets SIGKILL, delivered before the process
 *    returns to user space. The open itself has completed (O_TRUNC
 *    truncated, O_CREAT created): docs/guarantees.md lists what this path
 *    cannot stop.
 */
#include "lib/common.bpf.h"
#include "lib/ident.bpf.h"
#include "lib/sharers.bpf.h"
#include "lib/openfd.bpf.h"
#include <bpfguard/files.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Written by user space through the mmapped .bss: the generation in use,
 * and whether each generation has directory rules (else no ancestor walk). */
__u32 files_gen;
__u32 files_has_dirs[2];
/* Per generation, a filter of the targets (include/bpfguard/ident.h): an
 * open of a file that is not protected, and each ancestor of it, costs a
 * bit test instead of a lookup. */
__u64 files_filter[2][BG_FILES_FILTER_WORDS];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_FILES_TARGETS_MAX);
	__type(key, struct bg_files_target_key);
	__type(value, struct bg_files_target);
} files_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_FILES_ALLOW_MAX);
	__type(key, struct bg_files_allow_key);
	__type(value, __u32); /* BG_FILES_READ/WRITE */
} files_allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * BG_FILES_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_files_rule);
} files_rules SEC(".maps");

struct match {
	const struct bg_files_rule *rule;
	struct bg_ident file;
	struct bg_ident exe;
	__u32 gen;
	__u32 rule_idx;
	__u32 depth;
	__u32 sharers;
};

/* The ancestor walk, one step per bpf_loop iteration: the verifier checks
 * the step once, not once per level. The dentry is read with probe reads
 * (it is kept as a plain address between steps). */
struct walk {
	struct bg_files_target_key k;
	__u64 dentry;
	__u32 depth, rule;
};

static long walk_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct dentry *d = (struct dentry *)w->dentry, *parent = BPF_CORE_READ(d, d_parent);
	const struct bg_files_target *t;

	if (!parent || parent == d)
		return 1;
	w->dentry = (__u64)parent;
	bg_ident_inode(BPF_CORE_READ(parent, d_inode), &w->k.id);
	if (!bg_ident_maybe(files_filter[w->k.gen & 1], BG_FILES_FILTER_LOG2, &w->k.id))
		return 0;
	t = bpf_map_lookup_elem(&files_targets, &w->k);
	if (!t || !(t->flags & BG_FILES_T_DIR))
		return 0;
	w->depth = i + 1;
	w->rule = t->rule;
	return 1;
}

/*
 * Is this inode (or, with directory rules, one of the dentry's first
 * BG_FILES_DIR_DEPTH ancestors) protected? The walk follows d_parent and
 * stops at the root of the filesystem the dentry is on: it does not cross
 * mount points. A clear bit in the generation's filter skips the lookup.
 */
static __always_inline bool files_match(struct dentry *dentry, struct inode *inode, struct match *m,
					bool btf)
{
	struct walk w = {};
	const struct bg_files_target *t;
	__u32 idx, rule;

	m->gen = files_gen & 1;
	w.k.gen = m->gen;
	if (inode) {
		/* LSM hooks get BTF-typed pointers: plain loads instead of
		 * probe reads on the path every open takes. */
		if (btf) {
			w.k.id.ino = inode->i_ino;
			w.k.id.dev = inode->i_sb->s_dev;
		} else {
			bg_ident_inode(inode, &w.k.id);
		}
		m->file = w.k.id;
		t = bg_ident_maybe(files_filter[m->gen], BG_FILES_FILTER_LOG2, &w.k.id)
			    ? bpf_map_lookup_elem(&files_targets, &w.k)
			    : NULL;
		if (t) {
			m->depth = 0;
			rule = t->rule;
			goto found;
		}
	}
	if (!files_has_dirs[m->gen] || !dentry)
		return false;
	w.dentry = (__u64)dentry;
	bpf_loop(BG_FILES_DIR_DEPTH, walk_step, &w, 0);
	if (!w.depth)
		return false;
	m->depth = w.depth;
	if (!inode)
		m->file = w.k.id; /* a name being created: report the directory */
	rule = w.rule;
found:
	m->rule_idx = rule;
	idx = m->gen * BG_FILES_RULES_MAX + (rule & (BG_FILES_RULES_MAX - 1));
	m->rule = bpf_map_lookup_elem(&files_rules, &idx);
	return m->rule && m->rule->valid;
}

/* Does the current executable lack a permission the operation needs? */
static __always_inline bool files_violates(struct match *m, __u32 want)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_files_allow_key k = {};
	__u32 restricted = want & m->rule->restrict_, *allowed;

	struct mm_struct *mm;
	struct file *exe;
	struct inode *inode;

	if (!restricted)
		return false;
	/* bg_ident_exe() with plain loads: task is BTF-typed. */
	mm = task->mm;
	exe = mm ? mm->exe_file : NULL;
	inode = exe ? exe->f_inode : NULL;
	if (!inode)
		return false; /* kernel threads have no executable and no rules */
	m->exe.ino = inode->i_ino;
	m->exe.dev = inode->i_sb->s_dev;
	k.gen = m->gen;
	k.rule = m->rule_idx;
	k.exe = m->exe;
	allowed = bpf_map_lookup_elem(&files_allow, &k);
	return !allowed || (restricted & ~*allowed);
}

static __always_inline void files_emit(struct match *m, __u16 type, __u32 op, __u32 want,
				       __u32 oflags, long ret, __u8 action, __u8 mech, __u8 outcome,
				       const struct path *path, struct dentry *dentry)
{
	struct bg_file_event *e;
	__u32 pflags = 0;

	e = bg_event(type, sizeof(*e), action, mech, outcome, m->rule->rule_id);
	if (!e)
		return;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->ino = m->file.ino;
	e->dev = m->file.dev;
	e->op = op;
	e->access = want;
	e->flags = oflags;
	e->ret = ret;
	e->exe_ino = m->exe.ino;
	e->exe_dev = m->exe.dev;
	e->depth = m->depth;
	e->sharers = m->sharers;
	e->pad = 0;
	e->path[0] = 0;
	if (path)
		bg_path_copy(path, e->path, &pflags); /* after bg_fill_proc */
	else if (dentry)
		bpf_probe_read_kernel_str(e->path, BG_PATH_MAX, BPF_CORE_READ(dentry, d_name.name));
	bg_submit(e);
}

/* LSM: decide one operation on a dentry/inode; returns 0 or -EPERM. */
static __always_inline int files_lsm_check(struct dentry *dentry, struct inode *inode, __u16 type,
					   __u32 op, __u32 want, __u32 oflags,
					   const struct path *path)
{
	struct match m = {};
	__u8 action;

	if (!files_match(dentry, inode, &m, true) || !files_violates(&m, want))
		return 0;
	action = m.rule->action;
	if (action == BG_ACT_ALERT) {
		files_emit(&m, type, op, want, oflags, 0, action, BG_MECH_LSM, BG_OUT_SUCCESS, path,
			   dentry);
		return 0;
	}
	if (action == BG_ACT_KILL)
		bpf_send_signal(SIGKILL);
	files_emit(&m, type, op, want, oflags, -EPERM, action, BG_MECH_LSM, BG_OUT_FAILURE, path,
		   dentry);
	return -EPERM;
}

static __always_inline __u32 mode_want(__u32 mode, __u32 flags)
{
	__u32 want = 0;

	if (mode & FMODE_READ)
		want |= BG_FILES_READ;
	/* O_RDONLY|O_TRUNC truncates: the kernel checks it as a write. */
	if ((mode & FMODE_WRITE) || (flags & O_TRUNC))
		want |= BG_FILES_WRITE;
	return want;
}

SEC("lsm/file_open")
int BPF_PROG(bg_files_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	return files_lsm_check(file->f_path.dentry, file->f_inode, BG_EV_FILE, BG_FILE_OP_OPEN,
			       mode_want(file->f_mode, file->f_flags), file->f_flags,
			       &file->f_path);
}

SEC("lsm/inode_unlink")
int BPF_PROG(bg_files_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return files_lsm_check(dentry, dentry->d_inode, BG_EV_FILE_MODIFY, BG_FILE_OP_UNLINK,
			       BG_FILES_WRITE, 0, NULL);
}

SEC("lsm/inode_rename")
int BPF_PROG(bg_files_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = files_lsm_check(old_dentry, old_dentry->d_inode, BG_EV_FILE_MODIFY, BG_FILE_OP_RENAME,
			      BG_FILES_WRITE, 0, NULL);
	if (ret)
		return ret;
	/* The target name: an existing protected file it would replace, or a
	 * new name beneath a protected directory. */
	return files_lsm_check(new_dentry, new_dentry->d_inode, BG_EV_FILE_MODIFY,
			       BG_FILE_OP_REPLACE, BG_FILES_WRITE, 0, NULL);
}

SEC("lsm/path_truncate")
int BPF_PROG(bg_files_truncate, const struct path *path, int ret)
{
	struct dentry *dentry = path->dentry;

	if (ret)
		return ret;
	return files_lsm_check(dentry, dentry->d_inode, BG_EV_FILE_MODIFY, BG_FILE_OP_TRUNCATE,
			       BG_FILES_WRITE, 0, path);
}

SEC("lsm/path_chmod")
int BPF_PROG(bg_files_chmod, const struct path *path, umode_t mode, int ret)
{
	struct dentry *dentry = path->dentry;

	if (ret)
		return ret;
	return files_lsm_check(dentry, dentry->d_inode, BG_EV_FILE_MODIFY, BG_FILE_OP_CHMOD,
			       BG_FILES_WRITE, 0, path);
}

/* New names beneath a protected directory: the name is created before
 * file_open runs (O_CREAT), so creation has its own hooks. The dentry is
 * negative: only the ancestor walk can match. */
static __always_inline int files_create_check(struct dentry *dentry)
{
	return files_lsm_check(dentry, NULL, BG_EV_FILE_MODIFY, BG_FILE_OP_CREATE, BG_FILES_WRITE,
			       0, NULL);
}

SEC("lsm/inode_create")
int BPF_PROG(bg_files_create, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	return ret ? ret : files_create_check(dentry);
}

SEC("lsm/inode_mkdir")
int BPF_PROG(bg_files_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	return ret ? ret : files_create_check(dentry);
}

SEC("lsm/inode_mknod")
int BPF_PROG(bg_files_mknod, struct inode *dir, struct dentry *dentry, umode_t mode, dev_t dev,
	     int ret)
{
	return ret ? ret : files_create_check(dentry);
}

SEC("lsm/inode_symlink")
int BPF_PROG(bg_files_symlink, struct inode *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	return ret ? ret : files_create_check(dentry);
}

SEC("lsm/inode_link")
int BPF_PROG(bg_files_link, struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry,
	     int ret)
{
	return ret ? ret : files_create_check(new_dentry);
}

/* kuid_t and kgid_t are structs passed by value: read the context by
 * hand (path is argument 0, the previous hook's verdict argument 3). */
SEC("lsm/path_chown")
int bg_files_chown(unsigned long long *ctx)
{
	/* The verifier types ctx[0] from the hook's BTF: a trusted path. */
	const struct path *path = (const struct path *)ctx[0];
	int ret = (int)ctx[3];
	struct dentry *dentry;

	if (ret)
		return ret;
	dentry = path->dentry;
	return files_lsm_check(dentry, dentry->d_inode, BG_EV_FILE_MODIFY, BG_FILE_OP_CHOWN,
			       BG_FILES_WRITE, 0, path);
}

/*
 * Decide an open at its return; btf: file is BTF-typed (plain loads);
 * sharers: kill the processes sharing the descriptor table here (the
 * kfuncs exist), else condemn the table for bg_files_sys_enter.
 */
static __always_inline int files_exit_check(struct file *file, long ret, bool btf, bool sharers)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct match m = {};
	__u32 want, mode, flags;
	__u8 action;

	if (btf) {
		if (!files_match(file->f_path.dentry, file->f_inode, &m, true))
			return 0;
		mode = file->f_mode;
		flags = file->f_flags;
	} else {
		if (!files_match(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_inode),
				 &m, false))
			return 0;
		mode = BPF_CORE_READ(file, f_mode);
		flags = BPF_CORE_READ(file, f_flags);
	}
	want = mode_want(mode, flags);
	if (!files_violates(&m, want))
		return 0;
	action = m.rule->action;
	if (action == BG_ACT_KILL || action == BG_ACT_DENY) {
		/* Signal first: whatever happens to the event, the process
		 * does not get back to user space with the descriptor. */
		bpf_send_signal(SIGKILL);
		action = BG_ACT_KILL;
		/* The descriptor is in every table sharer's hands too. */
		if (sharers)
			m.sharers = bg_kill_sharers(task);
		else
			bg_condemn(task, ret, file);
	}
	/* outcome success: the open completed in the kernel (under kill the
	 * process never ran another instruction with the descriptor). */
	files_emit(&m, BG_EV_FILE, BG_FILE_OP_OPEN, want, flags, ret, action, BG_MECH_TRACEPOINT,
		   BG_OUT_SUCCESS, &file->f_path, NULL);
	return 0;
}

/*
 * Without the kfuncs, a sharer of a condemned table leaving any syscall
 * (one it entered before the kill: a poll waiting for the opener to die, a
 * read that failed before the open) dies here, before it can make another.
 */
static __always_inline int files_sys_exit(struct pt_regs *regs, long ret, bool cast, bool sharers)
{
	struct file *file;

	if (!sharers && bg_condemned_kill(bpf_get_current_task_btf()))
		return 0;
	file = bg_open_exit_file(regs, ret, cast);
	return file ? files_exit_check(file, ret, cast, sharers) : 0;
}

/* Three variants of one check, user space loads one (src/guards/files.c): with
 * the sharer-killing kfuncs (6.13+), with bpf_rdonly_cast (6.2+), with
 * probe reads. The last two go with bg_files_sys_enter. */
SEC("tp_btf/sys_exit")
int BPF_PROG(bg_files_sys_exit_sharers, struct pt_regs *regs, long ret)
{
	return files_sys_exit(regs, ret, true, true);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(bg_files_sys_exit, struct pt_regs *regs, long ret)
{
	return files_sys_exit(regs, ret, true, false);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(bg_files_sys_exit_compat, struct pt_regs *regs, long ret)
{
	return files_sys_exit(regs, ret, false, false);
}

/*
 * Kernels without the kfuncs: a process sharing a killed opener's table
 * dies at its next syscall (bpf/lib/sharers.bpf.h). Every task on the host
 * runs this: it leaves on one global read while nothing is condemned.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(bg_files_sys_enter, struct pt_regs *regs, long id)
{
	bg_condemned_kill(bpf_get_current_task_btf());
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(bg_files_task_exit, struct task_struct *p)
{
	bg_condemned_exit(p);
	return 0;
}
