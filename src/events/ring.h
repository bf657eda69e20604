/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_RING_H
#define BG_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <bpfguard/events.h>

#include "events/format.h"
#include "events/output.h"

struct bpf_object;
struct bg_metrics;

/* One ring buffer as this consumer maps it (ring.c). */
struct bg_ring {
	int fd;
	bool adopted;		     /* records named by adopted_rule_name */
	unsigned long *consumer_pos; /* our page, read-write */
	unsigned long *producer_pos; /* the kernel's, read-only */
	unsigned char *data;	     /* mapped twice: a record never wraps */
	unsigned long mask;
	size_t len; /* of the producer mapping */
};

/*
 * The event pipeline every guard shares: one ring buffer, one per-CPU
 * stats array and one executable-path cache, created here before any BPF
 * object is loaded and handed to each object with bg_events_share().
 */
struct bg_events {
	int rb_fd;
	int stats_fd;
	int cache_fd;
	size_t ring_size;
	struct bg_ring *rings; /* [0] ours, then adopted ones */
	int nrings;
	int epoll_fd; /* -1 until bg_events_start() */
	struct bg_output *out;
	struct bg_fmt fmt;
	uint64_t received;
	uint64_t reported_drops; /* drops already announced */
	/* Called for every record before it is formatted; a guard that acts
	 * in user space (kill-user) hooks here. Non-zero skips output. */
	int (*hook)(void *ctx, const void *data, size_t size);
	void *hook_ctx;
	bool discard;	/* count records without formatting (benchmark floor) */
	uint32_t batch; /* records read by the current poll or consume */
	/* Rule names for records of rings added with bg_events_add_ring(). */
	const char *(*adopted_rule_name)(void *ctx, uint32_t rule_id);
	void *adopted_rule_ctx;
	struct bg_metrics *metrics; /* the agent's counters (core/metrics.h), or NULL */
};

/* 1 MiB: about 1100 exec records (900 bytes each with argv) of headroom
 * over a consumer woken at every record that reads over a million a second:
 * a burst must get that far ahead of it before anything drops. The ring's pages
 * are resident twice in the agent (the kernel maps the data area twice so
 * that a record never wraps): 2 MiB of its RSS, against 8 at 4 MiB. */
#define BG_RING_DEFAULT (1u << 20)
/* Records one poll reads at most before it returns to its caller's loop
 * (about 10 ms of JSON formatting): signals are seen between polls. */
#define BG_POLL_BUDGET 8192
/* How long bg_events_drain() goes on while records keep arriving. */
#define BG_DRAIN_SECONDS 0.2

/* ring_size: bytes, rounded up to a power of two of at least a page. */
int bg_events_create(struct bg_events *ev, size_t ring_size);
int bg_events_share(struct bg_events *ev, struct bpf_object *obj);
int bg_events_start(struct bg_events *ev, struct bg_output *out, bool json, bool color);
/* Also consume another ring buffer (one an agent that is gone left pinned,
 * src/core/persist.c), its records named by adopted_rule_name; fd stays the
 * caller's, open until bg_events_close(). */
int bg_events_add_ring(struct bg_events *ev, int fd);
/* Readable when a ring has records (for a caller's own poll()), or -1. */
int bg_events_epoll_fd(const struct bg_events *ev);
/* Consume what is there (waiting up to timeout_ms), at most BG_POLL_BUDGET
 * records, or fewer when a signal interrupts a write; returns records read
 * or -errno. */
int bg_events_poll(struct bg_events *ev, int timeout_ms);
/* Read everything left, without waiting, for at most BG_DRAIN_SECONDS. */
int bg_events_drain(struct bg_events *ev);
int bg_events_read_stats(struct bg_events *ev, struct bg_ev_stats *st);
/* Sum every CPU's slot of the counters map fd (bg_stats: enum bg_stat),
 * the one error and event counter all BPF objects share. */
int bg_stats_sum(int fd, uint64_t sums[BG_STAT_MAX]);
/* Emit a stats line if drops grew since the last one, or always if final. */
void bg_events_report(struct bg_events *ev, bool final);
void bg_events_close(struct bg_events *ev);

size_t bg_ring_size_round(size_t bytes);

#endif
