// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * BPF half of tests/integration/lsm_file_open: an lsm/file_open program
 * that denies opens of one file (inode number + device) by one process
 * (thread group id) and allows everything else. User space fills the three
 * targets into .rodata before load, so the verifier sees them as constants.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#ifndef EPERM
#define EPERM 1 /* not 13: that is EACCES */
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load. */
const volatile __u32 target_tgid = 0;
const volatile __u64 target_ino = 0;
const volatile __u32 target_dev = 0; /* kernel encoding: major << 20 | minor */

/* Read back by user space: how often the program was called and denied. */
__u64 calls = 0;
__u64 denied = 0;

SEC("lsm/file_open")
int BPF_PROG(deny_file_open, struct file *file, int ret)
{
	struct inode *inode;
	__u32 tgid;

	/* An earlier LSM (or an earlier BPF program) already said no. */
	if (ret)
		return ret;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!target_tgid || tgid != target_tgid)
		return 0;
	__sync_fetch_and_add(&calls, 1);

	inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	if (BPF_CORE_READ(inode, i_ino) != target_ino)
		return 0;
	if (BPF_CORE_READ(inode, i_sb, s_dev) != target_dev)
		return 0;

	__sync_fetch_and_add(&denied, 1);
	return -EPERM;
}
