/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_EXEC_H
#define BG_EXEC_H

#include <stdbool.h>

struct bg_events;
struct bg_caps;
struct bg_exec_bpf;
struct bg_persist;

/* guards.exec of the agent config. */
struct bg_exec_config {
	bool enabled; /* default true */
};

/* Process lifecycle events (exec, exit): user half of bpf/exec.bpf.c. */
struct bg_exec_guard {
	struct bg_exec_bpf *skel;
};

/* The guard: bg_guard_exec (core/guard.h). */
extern const struct bg_guard bg_guard_exec;

#endif
