/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The file an open-family call just returned, read at tp_btf/sys_exit:
 * where BPF LSM (file_open) is refused, this is how a guard sees opens
 * (bpf/files.bpf.c, bpf/taint.bpf.c).
 */
#ifndef BG_OPENFD_BPF_H
#define BG_OPENFD_BPF_H

#include "lib/common.bpf.h"

#define TS_COMPAT 0x0002

/* open, creat, openat, openat2, open_by_handle_at: the calls that return a
 * new descriptor for a path or handle. x32 uses the 64-bit numbers. The
 * number is checked first: most syscalls leave here on one comparison. */
static __always_inline bool bg_is_open_call(struct task_struct *task, __u64 nr)
{
	__u64 n = nr & ~(__u64)X32_BIT;
	bool native = n == 2 || n == 85 || n == 257 || n == 437 || n == 304;
	bool compat = nr == 5 || nr == 8 || nr == 295 || nr == 437 || nr == 342;

	if (!native && !compat)
		return false;
	if (task->thread_info.status & TS_COMPAT)
		return compat;
	return native;
}

/*
 * bpf_rdonly_cast (6.2+) turns a kernel address into a BTF-typed
 * (untrusted, read-only) pointer whose fields are read with plain
 * exception-handled loads instead of one bpf_probe_read_kernel() call
 * each. Kernels without it load bg_files_sys_exit_compat (user space
 * picks: src/guards/files.c, src/guards/taint.c).
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/*
 * The new descriptor's struct file, or NULL. task is BTF-typed: plain loads
 * down to the fd array. The array's slot is a bare pointer, which BTF does
 * not type: with cast, the slot is read as the first member of a struct
 * that starts with a struct file pointer (kiocb.ki_filp, at offset 0 on
 * every kernel; checked at load by CO-RE, else the probe read), which
 * gives a typed file pointer with no helper call at all.
 */
static __always_inline struct file *bg_open_exit_file(struct pt_regs *regs, long ret, bool cast)
{
	struct task_struct *task;
	struct fdtable *fdt;
	struct file *file = NULL;
	struct kiocb *slot;

	if (ret < 0)
		return NULL;
	task = bpf_get_current_task_btf();
	if (!bg_is_open_call(task, regs->orig_ax))
		return NULL;
	fdt = task->files->fdt;
	if ((unsigned long)ret >= fdt->max_fds)
		return NULL;
	if (cast && bpf_core_field_offset(struct kiocb, ki_filp) == 0) {
		slot = bpf_rdonly_cast((void *)&fdt->fd[ret],
				       bpf_core_type_id_kernel(struct kiocb));
		return slot->ki_filp;
	}
	if (bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[ret]) < 0)
		return NULL;
	if (cast && file)
		file = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
	return file;
}

#endif
