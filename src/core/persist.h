/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `bpfguard agent --persist`: everything the agent attaches stays pinned
 * while it runs, so that a crash (kill -9) does not detach it: the links,
 * the event ring buffer and the stats. Layout (docs/agent.md):
 *
 *   <root>/                       --pin-dir, default <bpffs>/bpfguard/agent
 *   <root>/<pid>-<starttime>/     one agent process (start time in clock
 *                                 ticks, so a reused pid is not taken for it)
 *       events, stats, state      ring buffer, bg_stats, drops it reported
 *       names                     rule id -> name, for the events it leaves
 *       exec-*, files-*, ...      one link per attached program
 *
 * A starting agent adopts the directories of agents that are gone: it reads
 * their ring buffers, reports their drops, attaches its own programs, and
 * only then unpins theirs, so no moment is without rules.
 */
#ifndef BG_PERSIST_H
#define BG_PERSIST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_object_skeleton;
struct bg_events;

struct bg_persist {
	char root[PATH_MAX];
	char dir[PATH_MAX]; /* this agent's directory; "" without --persist */
	int state_fd;	    /* pinned "state": drops this agent has reported */
	int names_fd;	    /* pinned "names": rule id -> name */
	uint64_t noted_drops;
	/* names pinned since bg_persist_sync_begin(), to remove the others */
	char **names;
	size_t n_names, cap_names;
	/* directories of agents that are gone, unpinned once ours are in */
	char **adopted;
	size_t n_adopted;
	int *rings; /* their ring buffers, kept open: read until we exit */
	size_t n_rings;
	/* their rule names, for the events their programs wrote */
	struct bg_persist_name *old_names;
	size_t n_old_names;
};

struct bg_persist_name {
	uint32_t id;
	char name[68];
};

/* What adoption found, for the agent's state line. */
struct bg_persist_adoption {
	size_t dirs, links;
	uint64_t dropped; /* drops no agent reported (the ring was full while it was down) */
	pid_t pid;	  /* of the last one adopted */
};

/* root: --pin-dir or NULL for <bpffs>/bpfguard/agent; create: --persist
 * (mount bpffs and create the directory if needed). -ENOENT when there is
 * no such directory and nothing to create. */
int bg_persist_init(struct bg_persist *p, const char *root, bool create);
/* Find the directories of agents that are gone; add their ring buffers to
 * ev's consumer (so what their programs wrote is read) and sum their
 * unreported drops. Nothing is unpinned yet. */
int bg_persist_adopt(struct bg_persist *p, struct bg_events *ev, struct bg_persist_adoption *out);
/* --persist: create this agent's directory and pin ev's ring buffer and stats. */
int bg_persist_begin(struct bg_persist *p, struct bg_events *ev);
/* Pin the current set of links: begin, one call per link, end (which
 * unpins what the set no longer has, detaching it). A link's pin is
 * replaced atomically (rename), so it is never unpinned in between. */
void bg_persist_sync_begin(struct bg_persist *p);
int bg_persist_link(struct bg_persist *p, const char *name, int link_fd);
/* Every attached link of a skeleton as <prefix>-<program> (bpffs refuses dots). */
int bg_persist_links(struct bg_persist *p, struct bpf_object_skeleton *s, const char *prefix);
int bg_persist_sync_end(struct bg_persist *p);
/* The names of the rule ids handed out now: forget the old ones, then one
 * call per rule (what an adopting agent names the events we leave with). */
void bg_persist_names_clear(struct bg_persist *p);
void bg_persist_name(struct bg_persist *p, uint32_t rule_id, const char *name);
/* The name an adopted agent gave a rule id (NULL if unknown); ctx is the
 * struct bg_persist, for struct bg_events' adopted_rule_name. */
const char *bg_persist_old_rule_name(void *ctx, uint32_t rule_id);
/* Record the drops the agent has reported (cheap when unchanged). */
void bg_persist_note_drops(struct bg_persist *p, uint64_t reported);
/* Unpin the adopted directories (their programs detach); returns the
 * number of pins removed. */
int bg_persist_release_adopted(struct bg_persist *p);
/* Unpin this agent's own directory (start failed, nothing left behind). */
void bg_persist_remove_own(struct bg_persist *p);
void bg_persist_free(struct bg_persist *p);
/* Unpin everything under dir (detaching what it kept) and remove it;
 * returns the number of pins removed or -errno. */
int bg_persist_clear(const char *dir);

#endif
