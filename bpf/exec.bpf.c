// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process lifecycle: one event per completed execve and per thread-group
 * exit. Observation only; the guards that act on exec live with their rules.
 */
#include "lib/common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_exec")
int BPF_PROG(bg_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct bg_exec_event *e;
	unsigned long start, end;
	__u64 len;

	e = bg_event(BG_EV_EXEC, sizeof(*e), BG_ACT_NONE, BG_MECH_TRACEPOINT, BG_OUT_SUCCESS, 0);
	if (!e)
		return 0;
	bg_fill_proc(&e->proc, &e->hdr.flags, true);

	/* argv as the new program sees it: the mm is already the new one. */
	start = BPF_CORE_READ(task, mm, arg_start);
	end = BPF_CORE_READ(task, mm, arg_end);
	len = end > start ? end - start : 0;
	if (len >= BG_ARGS_MAX) {
		len = BG_ARGS_MAX - 1;
		e->hdr.flags |= BG_F_ARGS_TRUNCATED;
	}
	e->argc = BPF_CORE_READ(bprm, argc);
	if (bpf_probe_read_user(e->args, len & (BG_ARGS_MAX - 1), (void *)start) < 0)
		len = 0;
	e->args[len & (BG_ARGS_MAX - 1)] = 0;
	e->args_len = len;
	bg_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(bg_exit, struct task_struct *p)
{
	struct bg_exit_event *e;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if ((__u32)id != tgid)
		return 0; /* a thread, not the group leader */
	e = bg_event(BG_EV_EXIT, sizeof(*e), BG_ACT_NONE, BG_MECH_TRACEPOINT, BG_OUT_SUCCESS, 0);
	if (e) {
		bg_fill_proc(&e->proc, &e->hdr.flags, false);
		e->exit_code = BPF_CORE_READ(p, exit_code);
		e->pad = 0;
		bg_submit(e);
	}
	bpf_map_delete_elem(&bg_exe_cache, &tgid);
	return 0;
}
