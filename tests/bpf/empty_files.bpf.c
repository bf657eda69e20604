// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bench/files: the floor of the hooks the files guard uses, empty programs
 * (tp_btf/sys_exit natively, lsm/file_open where BPF LSM loads). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

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
