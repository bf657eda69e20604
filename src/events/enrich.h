/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_ENRICH_H
#define BG_ENRICH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "events/hash.h"

struct bg_fmt;
struct bg_event_hdr;
struct bg_proc;

/*
 * What the agent adds to every event with a process, from state it keeps
 * in user space (docs/events.md, "Ancestry, hashes, containers"): the
 * process's ancestors, its executable's SHA-256 and its container. Kept in
 * the agent rather than the kernel: each needs reading files (/proc, the
 * executable, /proc/PID/cgroup) that a BPF program cannot read, and the
 * event records every guard shares stay as they are.
 */
struct bg_enrich_config {
	unsigned int ancestry; /* ancestors per event; 0: none */
	bool hashes;
	bool containers;
};

#define BG_ANCESTRY_MAX 32

struct bg_enrich;
struct bg_fmt_enrich;

/* Seeds the process table from /proc (processes started before us) and
 * starts the hashing thread. done: called on that thread for each hash. */
int bg_enrich_start(struct bg_enrich **out, const struct bg_enrich_config *c, bg_hash_done_fn done,
		    void *done_ctx);
void bg_enrich_stop(struct bg_enrich *e);

/* The formatter's hooks (struct bg_fmt.enrich): a record with a process
 * feeds the table (exec, exit) and gets its ancestry, hash and container
 * printed. NULL for a NULL e. */
const struct bg_fmt_enrich *bg_enrich_hook(const struct bg_enrich *e);
/* Tests and benchmarks: wait until queued hashes are done. */
bool bg_enrich_hashes_idle(struct bg_enrich *e, int ms);

#endif
