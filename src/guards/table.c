// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The agent's guards, one line each (src/core/guard.h says what a line brings). */
#include "core/guard.h"

extern const struct bg_guard bg_guard_exec, bg_guard_files, bg_guard_limits, bg_guard_bpf_load,
	bg_guard_network, bg_guard_taint;

const struct bg_guard *const bg_guards[] = {
	&bg_guard_exec,	    /* guards.exec: exec and exit events (exec.c) */
	&bg_guard_bpf_load, /* guards.bpf_load: BPF program loads (bpfload.c) */
	&bg_guard_files,    /* guards.files: protected files (files.c) */
	&bg_guard_limits,   /* guards.limits: memory, children (limits.c), network bans (netban.c) */
	&bg_guard_network,  /* network: the XDP ingress filter (net/) */
	&bg_guard_taint,    /* guards.taint: classified files cost the network (taint.c) */
	NULL,
};
