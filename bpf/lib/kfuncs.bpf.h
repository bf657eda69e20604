/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kfuncs that kill another task from a tracing program (6.13+ for
 * bpf_send_signal_task, 6.7+ for the task iterator), and others a guard
 * uses where the kernel has them: declared weak, so an
 * object that names them still loads on kernels without them as long as
 * the programs calling them are not loaded (src/core/probe.c finds out which).
 */
#ifndef BG_KFUNCS_BPF_H
#define BG_KFUNCS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type,
				__u64 value) __weak __ksym;
/* 6.2+: a program's context as the kernel's struct (the taint guard reads
 * a unix socket address from bpf_sock_addr_kern with it, 6.7+). */
extern void *bpf_cast_to_kern_ctx(void *obj) __weak __ksym;

#endif /* BG_KFUNCS_BPF_H */
