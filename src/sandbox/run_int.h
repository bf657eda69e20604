/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `bpfguard run` inside: the command's state and the parts split out of
 * run.c (run_landlock.c: files as Landlock rules; run_seccomp.c: the
 * filter, its notifications and the event printers). Not for other commands.
 */
#ifndef BG_SANDBOX_RUN_INT_H
#define BG_SANDBOX_RUN_INT_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bpfguard/events.h>

#include "core/cgroup.h"
#include "core/context.h"
#include "policy/policy.h"
#include "sandbox/php.h"
#include "sandbox/redirect.h"

#ifndef X32_SYSCALL_BIT
#define X32_SYSCALL_BIT 0x40000000u
#endif

enum { RULE_SYSCALLS = 1, RULE_FILES = 2, RULE_NETWORK = 3, RULE_EXEC = 4 };

struct bg_sandbox_bpf;
struct bg_run_lsm_bpf;
struct bg_refusals_bpf;

/* One page shared with the child from fork to its exec. */
struct run_shared {
	uint32_t go;	/* futex word: 1 once bpfguard holds the seccomp listener */
	int exec_errno; /* why execve failed: the child cannot print with the filter on */
};

struct run {
	const char *policy_path;
	int action;	   /* index in actions[], then enum bg_action */
	struct bg_ctx ctx; /* format, output (stderr by default), events */
	char **cmd;
	struct bg_policy pol;
	struct bg_cgroup cg;
	struct bg_sandbox_bpf *skel;
	struct bg_run_lsm_bpf *lsm_skel;
	struct bg_refusals_bpf *refusals; /* names seccomp's kills (kill only) */
	unsigned lsm;			  /* sections BPF LSM enforces (BG_LSM_*) */
	bool no_lsm;
	int php_traps;	   /* index in php_traps[]: auto, calls, handlers */
	struct bg_php php; /* the php: section (src/sandbox/php.c) */
	pid_t self, child;
	struct run_shared *sh;
	char exe[BG_PATH_MAX]; /* cmd[0] found in PATH, as execvp would */
	int notify_fd;
	unsigned long long decisions;
	bool *widen;	/* per files entry: granted through its directory */
	size_t n_widen; /* how many: names are checked at open's exit */

	const char *redirect;	   /* --redirect FILE */
	const char *cgroup_parent; /* --cgroup-parent DIR */
	struct bg_redirect redir;  /* --action redirect (src/sandbox/redirect.c) */
};

/* run_landlock.c */
size_t bg_run_plan_widening(const struct bg_policy *p, bool *widen);
int bg_run_apply_landlock(const struct bg_policy *p, const bool *widen);

/* run_seccomp.c */
scmp_filter_ctx bg_run_build_filter(const struct bg_policy *p, uint32_t deflt, const void *go);
void bg_run_handle_notification(struct run *r);
/* The process fields of an event, read from /proc/PID (seccomp's side). */
void bg_run_fill_proc(struct bg_proc *p, pid_t pid);
bool bg_run_is_listener(int fd);
const char *bg_run_syscall_name(const struct bg_syscall_event *e, const char **abi);

#endif
