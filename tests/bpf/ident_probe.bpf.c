// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reports the kernel's view of identity for tests/integration/ident_agree:
 * at the return of openat() in the target process, the (dev, ino) of the
 * new descriptor's file and of the process's executable, read with the
 * helpers of bpf/lib/ident.bpf.h exactly as the guards read them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lib/ident.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_tgid;

struct bg_ident file_id;
struct bg_ident exe_id;
__u32 hits;

SEC("tp_btf/sys_exit")
int BPF_PROG(ident_probe, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	if (BPF_CORE_READ(regs, orig_ax) != 257 /* __NR_openat, x86_64 */ || ret < 0)
		return 0;
	bg_ident_file(bg_fd_file(task, ret), &file_id);
	bg_ident_exe(task, &exe_id);
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
