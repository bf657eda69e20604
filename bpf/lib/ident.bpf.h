/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * (device, inode) identity read in the kernel: of a struct inode, of a
 * struct file, of the current task's executable (mm->exe_file), and of the
 * file behind one of the current task's descriptors. The key layout is
 * include/bpfguard/ident.h; user space builds the same key from stat()
 * (src/core/ident.c), and tests/integration/ident_agree.c checks that both agree.
 *
 * Every read is CO-RE relocated. Callers include vmlinux.h and the libbpf
 * headers first (lib/common.bpf.h does).
 */
#ifndef BG_IDENT_BPF_H
#define BG_IDENT_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpfguard/ident.h>

/* Can id be in the set whose filter is words (2^log2 bits, a constant)?
 * false: certainly not (include/bpfguard/ident.h). */
static __always_inline bool bg_ident_maybe(const __u64 *words, __u32 log2,
					   const struct bg_ident *id)
{
	__u32 b = bg_ident_bit(id->ino, id->dev, log2);

	return words[(b >> 6) & ((1U << (log2 - 6)) - 1)] & (1ULL << (b & 63));
}

/* Fill *id from an inode; false for a NULL inode (the key is then zero). */
static __always_inline bool bg_ident_inode(const struct inode *inode, struct bg_ident *id)
{
	id->pad = 0;
	if (!inode) {
		id->ino = 0;
		id->dev = 0;
		return false;
	}
	id->ino = BPF_CORE_READ(inode, i_ino);
	id->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	return true;
}

/*
 * Identity of an open file: f_inode is the inode the file was opened on.
 * On overlayfs this is the overlay inode, whose i_ino and s_dev can differ
 * from what stat() reports for the same path (docs/agent.md, limits).
 */
static __always_inline bool bg_ident_file(const struct file *file, struct bg_ident *id)
{
	struct inode *inode = file ? BPF_CORE_READ(file, f_inode) : NULL;

	return bg_ident_inode(inode, id);
}

/* Identity of a task's executable; false for kernel threads (no mm). */
static __always_inline bool bg_ident_exe(const struct task_struct *task, struct bg_ident *id)
{
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);

	return bg_ident_file(exe, id);
}

/*
 * The file behind descriptor fd of the current task, or NULL. Reads
 * files->fdt->fd[fd] with the bound the kernel itself uses (max_fds).
 * Called at the return of an open-family syscall, the descriptor was just
 * installed by this task; another thread could close or dup2 over it in
 * between, which at worst resolves to a different file of this process.
 */
static __always_inline struct file *bg_fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (unsigned long)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) < 0)
		return NULL;
	return f;
}

#endif /* BG_IDENT_BPF_H */
