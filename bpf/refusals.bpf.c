// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard run --action kill`: name the syscall seccomp killed for.
 * SECCOMP_RET_KILL_PROCESS sends SIGSYS from inside the offending call, in
 * the task itself, with the call's number and architecture in the siginfo
 * (SYS_SECCOMP); nothing of it reaches user space but the exit status. The
 * tracepoint signal_generate sees that siginfo as the signal is queued,
 * before the task dies. Only tasks in the command's cgroup (and below) are
 * looked at; a signal is rare next to a syscall, so bystanders pay little.
 * User half: src/refusals.c.
 */
#include "lib/common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SIGSYS		  31
#define SYS_SECCOMP	  1
#define AUDIT_ARCH_X86_64 0xc000003eu
#define AUDIT_ARCH_I386	  0x40000003u
#define X32_SYSCALL_BIT	  0x40000000u

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target_cgroup SEC(".maps");

const volatile __u32 rule_id = 0;

/* The last kill, for run's closing line (the event may be dropped). */
__u32 last_nr = 0;
__u32 last_abi = 0;
__u32 kills = 0;

SEC("tp_btf/signal_generate")
int BPF_PROG(rf_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct bg_syscall_event *e;
	struct pt_regs *regs;
	__u32 arch, nr, abi;

	/* info is SEND_SIG_NOINFO (0) or SEND_SIG_PRIV (1) for most senders. */
	if (sig != SIGSYS || (unsigned long)info <= 1)
		return 0;
	if (BPF_CORE_READ(info, si_code) != SYS_SECCOMP)
		return 0;
	/* seccomp signals the calling task itself: current is the one killed. */
	if (task != bpf_get_current_task_btf() ||
	    bpf_current_task_under_cgroup(&target_cgroup, 0) != 1)
		return 0;
	nr = BPF_CORE_READ(info, _sifields._sigsys._syscall);
	arch = BPF_CORE_READ(info, _sifields._sigsys._arch);
	abi = arch == AUDIT_ARCH_I386	  ? BG_ABI_IA32
	      : arch != AUDIT_ARCH_X86_64 ? BG_ABI_IA32
	      : (nr & X32_SYSCALL_BIT)	  ? BG_ABI_X32
					  : BG_ABI_NATIVE;
	last_nr = nr;
	last_abi = abi;
	__sync_fetch_and_add(&kills, 1);
	e = bg_reserve(sizeof(*e));
	if (!e)
		return 0;
	bg_hdr(&e->hdr, BG_EV_SYSCALL, sizeof(*e));
	e->hdr.action = BG_ACT_KILL;
	e->hdr.mechanism = BG_MECH_SECCOMP;
	e->hdr.outcome = BG_OUT_FAILURE;
	e->hdr.rule_id = rule_id;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->nr = nr;
	e->compat = abi;
	/* The call's arguments are still in the user registers it entered with. */
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (abi == BG_ABI_IA32) {
		e->args[0] = (__u32)BPF_CORE_READ(regs, bx);
		e->args[1] = (__u32)BPF_CORE_READ(regs, cx);
		e->args[2] = (__u32)BPF_CORE_READ(regs, dx);
		e->args[3] = (__u32)BPF_CORE_READ(regs, si);
		e->args[4] = (__u32)BPF_CORE_READ(regs, di);
		e->args[5] = (__u32)BPF_CORE_READ(regs, bp);
	} else {
		e->args[0] = BPF_CORE_READ(regs, di);
		e->args[1] = BPF_CORE_READ(regs, si);
		e->args[2] = BPF_CORE_READ(regs, dx);
		e->args[3] = BPF_CORE_READ(regs, r10);
		e->args[4] = BPF_CORE_READ(regs, r8);
		e->args[5] = BPF_CORE_READ(regs, r9);
	}
	bg_submit(e);
	return 0;
}
