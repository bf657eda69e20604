/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_REDIRECT_H
#define BG_REDIRECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct bg_policy;
struct bg_ctx;
struct bg_proc;
struct seccomp_notif;
struct seccomp_notif_resp;

/* The open-family calls, per ABI: open, openat, creat, openat2. */
#define BG_REDIRECT_CALLS 4

/*
 * `bpfguard run --action redirect --redirect FILE` (docs/policy.md): an
 * open of a file outside the policy's files is answered, through the
 * seccomp listener, with a new descriptor of FILE instead
 * (SECCOMP_IOCTL_NOTIF_ADDFD); opens inside the policy continue and the
 * kernel (Landlock or BPF LSM) decides them as without redirect. The
 * requested file is never opened for the process.
 */
struct bg_redirect {
	bool on;
	const char *notice; /* FILE */
	const struct bg_policy *pol;
	bool allowed[2][BG_REDIRECT_CALLS]; /* [ia32][call]: the policy allowed the call itself */
	uint32_t rule_id;
	const uint64_t *cgroup_id; /* the command's cgroup, once it exists */
	struct bg_ctx *ctx;	   /* events */
	void (*fill_proc)(struct bg_proc *p, pid_t pid);
	unsigned long long redirected;
};

/*
 * Check FILE (a readable regular file) and the policy (it needs files:),
 * then route the open-family calls through the listener: they leave the
 * policy's syscall allowlist (a policy without syscalls: gets every other
 * call allowed). Returns 0, or -errno with the reason printed.
 */
int bg_redirect_init(struct bg_redirect *rd, const char *notice, struct bg_policy *pol);

/* A notification: true when it was an open-family call the policy allows
 * and resp holds the answer (continue, or the notice's descriptor); false:
 * not ours, the caller answers as usual. */
bool bg_redirect_handle(struct bg_redirect *rd, int notify_fd, const struct seccomp_notif *req,
			struct seccomp_notif_resp *resp);

#endif
