// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bench/files: the floors of the hooks the files guard uses:
 *  empty_*      empty programs (tp_btf/sys_exit natively, lsm/file_open
 *               where BPF LSM loads): the cost of any program there;
 *  fdfile_*     tp_btf/sys_exit doing only what every open needs before a
 *               guard can decide anything: pick the open-family calls and
 *               resolve the new descriptor to its struct file (the same
 *               reads as bg_files_sys_exit in bpf/files.bpf.c, without
 *               identity or lookup). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* Sink for the resolved file (its inode pointer, which any check needs),
 * so the reads are not optimised away. */
__u64 fdfile_seen;

SEC("tp_btf/sys_exit")
int BPF_PROG(empty_sys_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(empty_file_open, struct file *file, int ret)
{
	return ret;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fdfile_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct fdtable *fdt;
	struct kiocb *slot;
	struct file *file;
	__u64 nr;

	if (ret < 0)
		return 0;
	nr = regs->orig_ax;
	if (nr != 2 && nr != 257 && nr != 85 && nr != 437 && nr != 304)
		return 0;
	task = bpf_get_current_task_btf();
	fdt = task->files->fdt;
	if ((unsigned long)ret >= fdt->max_fds)
		return 0;
	slot = bpf_rdonly_cast((void *)&fdt->fd[ret], bpf_core_type_id_kernel(struct kiocb));
	file = slot->ki_filp;
	if (!file)
		return 0;
	fdfile_seen += file->f_inode != NULL;
	return 0;
}
