// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bench/syscalls: the floor of any per-syscall BPF hook, an empty program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(empty_sys_enter, struct pt_regs *regs, long id)
{
	return 0;
}
