// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Tiny programs `bpfguard probe` loads one at a time to find out what this
 * kernel allows (src/core/probe.c). Every program here is autoload-off by
 * default in user space; each probe turns on exactly one.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "lib/consts.bpf.h"
#include "lib/kfuncs.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TC_ACT_OK 0

/* Set by user space after load: the only process the signal probe acts on. */
__u32 target_tgid;
__u64 hits;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} probe_rb SEC(".maps");

SEC("lsm/file_open")
int BPF_PROG(probe_lsm, struct file *file)
{
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(probe_fentry)
{
	return 0;
}

SEC("kprobe/do_unlinkat")
int probe_kprobe(struct pt_regs *ctx)
{
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(probe_tp_btf, struct task_struct *parent, struct task_struct *child)
{
	return 0;
}

SEC("raw_tp/sched_process_fork")
int probe_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int probe_tracepoint(void *ctx)
{
	return 0;
}

SEC("uprobe")
int probe_uprobe(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("usdt")
int probe_usdt(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("cgroup/connect4")
int probe_cgroup_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("xdp")
int probe_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int probe_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

/* The target child calls getppid(): it must die of SIGKILL sent from here
 * and a record must arrive through the ring buffer. */
SEC("raw_tp/sys_enter")
int probe_send_signal(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 *rec;

	if (bpf_get_current_pid_tgid() >> 32 != target_tgid || ctx->args[1] != 110 /* getppid */)
		return 0;
	rec = bpf_ringbuf_reserve(&probe_rb, sizeof(*rec), 0);
	if (rec) {
		*rec = target_tgid;
		bpf_ringbuf_submit(rec, 0);
	}
	bpf_send_signal(SIGKILL);
	return 0;
}

/* What bpf/lib/sharers.bpf.h needs from a tp_btf program: the task
 * iterator, a reference on a task it yields, a signal to that task. Only
 * loaded; never attached. */
SEC("tp_btf/sys_exit")
int BPF_PROG(probe_kill_task, struct pt_regs *regs, long ret)
{
	struct task_struct *t, *ref;
	struct bpf_iter_task it;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_THREADS);
	while ((t = bpf_iter_task_next(&it))) {
		if (t->tgid != target_tgid)
			continue;
		ref = bpf_task_acquire(t);
		if (ref) {
			bpf_send_signal_task(ref, SIGKILL, PIDTYPE_TGID, 0);
			bpf_task_release(ref);
		}
	}
	bpf_iter_task_destroy(&it);
	return 0;
}

/* Refused at load under lockdown "integrity" or "confidentiality". */
SEC("raw_tp/sys_enter")
int probe_write_user(struct bpf_raw_tracepoint_args *ctx)
{
	char c = 0;

	if (bpf_get_current_pid_tgid() >> 32 == target_tgid)
		bpf_probe_write_user((void *)ctx->args[0], &c, 1);
	return 0;
}
