/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_PHP_STATE_H
#define BG_PHP_STATE_H

/* The PHP guard's state, shared by its parts (php.c, php_builtins.c). */
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox/php_engine.h"

struct bg_policy;
struct bg_php_bpf;
struct bpf_link;

/* The PHP guard (bpf/php.bpf.c): profile records a php: section, run
 * enforces it. A zeroed struct is "not started"; bg_php_stop is safe on it. */
struct bg_php {
	struct bg_php_bpf *skel;
	char bin[PATH_MAX]; /* the PHP binary probed */
	struct bg_php_layout layout;
	int action;
	const struct bg_policy *pol;
	/* Per-call mode (asked for, or no uprobe_multi): every built-in call
	 * is seen through dtrace_execute_internal. Otherwise run and monitor
	 * trap only the handlers of built-ins outside the policy, and profile
	 * each handler until it is first called (src/sandbox/php_builtins.c). */
	bool calls;
	bool multi; /* the kernel has uprobe_multi links */
	/* Asked for (run --php-traps handlers, BPFGUARD_PHP_CALLS=0): trap
	 * the handlers even without uprobe_multi, one single uprobe each:
	 * no cost to an allowed call, but each detach at the end waits for
	 * the kernel (docs/php.md). */
	bool handler_traps;
	int *trap_fds; /* the uprobe_multi links (-1: none) */
	size_t n_traps, n_trapped;
	struct bpf_link **trap_links; /* the single uprobes (handlers without uprobe_multi) */
	size_t n_links;
	double trap_ms; /* time to find and attach them */
	/* profile: every built-in's handler is trapped until the kernel has
	 * recorded its names; a thread then detaches it. */
	struct bg_php_trap_name {
		size_t link;
		char *name;
	} * trap_names;
	size_t n_names, n_detached;
	struct bg_php_handler {
		char *path;
		uint64_t off;
		bool done; /* all its names recorded: left out of the links */
	} * handlers;
	size_t n_handlers;
	pthread_t detacher;
	bool detacher_on;
	volatile bool detacher_stop;
	/* kill-user: the hook another guard set before ours, called first. */
	int (*prev_hook)(void *ctx, const void *data, size_t size);
	void *prev_ctx;
};

#endif
