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

int bg_exec_guard_start(struct bg_exec_guard *g, struct bg_events *ev, const struct bg_caps *caps);
void bg_exec_guard_stop(struct bg_exec_guard *g);
/* --persist: pin the links (src/core/persist.h). */
int bg_exec_guard_pin(struct bg_exec_guard *g, struct bg_persist *p);

#endif
