// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "events/ring.h"
#include "log.h"

/* Must match bpf/lib/common.bpf.h. */
struct exe_entry {
	uint64_t exe_file;
	uint32_t flags;
	uint32_t pad;
	char path[BG_PATH_MAX];
};

#define EXE_CACHE_ENTRIES 16384

size_t bg_ring_size_round(size_t bytes)
{
	size_t page = sysconf(_SC_PAGESIZE), s = page;

	while (s < bytes && s < ((size_t)1 << 30))
		s <<= 1;
	return s;
}

int bg_events_create(struct bg_events *ev, size_t ring_size)
{
	int err;

	memset(ev, 0, sizeof(*ev));
	ev->rb_fd = ev->stats_fd = ev->cache_fd = -1;
	ev->ring_size = bg_ring_size_round(ring_size ? ring_size : BG_RING_DEFAULT);
	ev->rb_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "events", 0, 0, ev->ring_size, NULL);
	if (ev->rb_fd < 0) {
		err = -errno;
		pr_err("cannot create the event ring buffer (%zu bytes): %s\n", ev->ring_size,
		       strerror(errno));
		goto cleanup;
	}
	ev->stats_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bg_stats", sizeof(uint32_t),
				      sizeof(uint64_t), BG_STAT_MAX, NULL);
	if (ev->stats_fd < 0) {
		err = -errno;
		pr_err("cannot create the stats map: %s\n", strerror(errno));
		goto cleanup;
	}
	ev->cache_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "bg_exe_cache", sizeof(uint32_t),
				      sizeof(struct exe_entry), EXE_CACHE_ENTRIES, NULL);
	if (ev->cache_fd < 0) {
		err = -errno;
		pr_err("cannot create the executable cache: %s\n", strerror(errno));
		goto cleanup;
	}
	return 0;
cleanup:
	bg_events_close(ev);
	return err;
}

int bg_events_share(struct bg_events *ev, struct bpf_object *obj)
{
	static const char *const names[] = {"events", "bg_stats", "bg_exe_cache"};
	int fds[] = {ev->rb_fd, ev->stats_fd, ev->cache_fd};
	size_t i;
	int err;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, names[i]);

		if (!m)
			continue; /* this object does not emit events */
		err = bpf_map__reuse_fd(m, fds[i]);
		if (err) {
			pr_err("cannot share map %s with %s: %s\n", names[i], bpf_object__name(obj),
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * libbpf (1.1 and later) keeps consuming inside one ring_buffer__poll() or
 * ring_buffer__consume() for as long as records keep arriving: under a
 * flood it never returns, and a loop that checks its signal flags between
 * polls never sees them. A negative return from the callback is the only
 * way out (libbpf commits the consumer position past the record first), so
 * every BG_POLL_BUDGET records, or when a write was interrupted by a signal,
 * the callback ends the call and the caller gets its loop back.
 */
#define BG_YIELD (-ECANCELED)

static int on_record(void *ctx, void *data, size_t size)
{
	struct bg_events *ev = ctx;
	int err = 0;

	ev->received++;
	ev->batch++;
	if (ev->discard)
		goto out;
	if (ev->hook && ev->hook(ev->hook_ctx, data, size))
		goto out;
	bg_fmt_event(&ev->fmt, &ev->out->buf, data, size);
	err = bg_output_maybe_flush(ev->out);
out:
	return ev->batch >= BG_POLL_BUDGET || err == -EINTR ? BG_YIELD : 0;
}

int bg_events_start(struct bg_events *ev, struct bg_output *out, bool json, bool color)
{
	ev->out = out;
	bg_fmt_init(&ev->fmt, json, color);
	ev->rb = ring_buffer__new(ev->rb_fd, on_record, ev, NULL);
	if (!ev->rb) {
		int err = -errno;

		pr_err("cannot open the event ring buffer: %s\n", strerror(errno));
		return err;
	}
	return 0;
}

/* The records one call read, whether it ended by itself or by BG_YIELD. */
static int batch_result(struct bg_events *ev, int n)
{
	if (n == BG_YIELD)
		return (int)ev->batch;
	return n == -EINTR ? (int)ev->batch : n;
}

/* A record from an adopted ring: its rule ids were handed out by another
 * agent (whose config may differ), so they are named by its names. */
static int on_adopted_record(void *ctx, void *data, size_t size)
{
	struct bg_events *ev = ctx;
	const char *(*names)(void *, uint32_t) = ev->fmt.rule_name;
	void *names_ctx = ev->fmt.rule_ctx;
	int ret;

	ev->fmt.rule_name = ev->adopted_rule_name;
	ev->fmt.rule_ctx = ev->adopted_rule_ctx;
	ret = on_record(ctx, data, size);
	ev->fmt.rule_name = names;
	ev->fmt.rule_ctx = names_ctx;
	return ret;
}

int bg_events_add_ring(struct bg_events *ev, int fd)
{
	int err = ring_buffer__add(ev->rb, fd, on_adopted_record, ev);

	if (err)
		pr_err("cannot read an adopted ring buffer: %s\n", strerror(-err));
	return err;
}

int bg_events_poll(struct bg_events *ev, int timeout_ms)
{
	int n;

	ev->batch = 0;
	n = batch_result(ev, ring_buffer__poll(ev->rb, timeout_ms));
	if (ev->out)
		bg_output_flush(ev->out);
	return n;
}

static double mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int bg_events_drain(struct bg_events *ev)
{
	double until = mono_now() + BG_DRAIN_SECONDS;
	int n, total = 0;

	if (!ev->rb)
		return 0;
	/* Budget by budget until the ring is empty; a producer we do not own
	 * (a pinned program, another loader) may never let it be, so the
	 * time bound ends the drain: what is left stays in the ring. */
	do {
		ev->batch = 0;
		n = batch_result(ev, ring_buffer__consume(ev->rb));
		if (n < 0)
			break;
		total += n;
		if (ev->out && bg_output_flush(ev->out) == -EINTR)
			break;
	} while (n >= BG_POLL_BUDGET && mono_now() < until);
	return n < 0 ? n : total;
}

int bg_events_read_stats(struct bg_events *ev, struct bg_ev_stats *st)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sums[BG_STAT_MAX] = {0};
	uint64_t *vals;
	uint32_t k;
	int i;

	memset(st, 0, sizeof(*st));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < BG_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(ev->stats_fd, &k, vals)) {
			int err = -errno;

			free(vals);
			return err;
		}
		for (i = 0; i < ncpu; i++)
			sums[k] += vals[i];
	}
	free(vals);
	st->emitted = sums[BG_STAT_EMITTED];
	st->dropped = sums[BG_STAT_DROPPED];
	st->path_errors = sums[BG_STAT_PATH_ERR];
	st->received = ev->received;
	return 0;
}

void bg_events_report(struct bg_events *ev, bool final)
{
	struct bg_ev_stats st;

	if (!ev->out || bg_events_read_stats(ev, &st))
		return;
	if (!final && st.dropped == ev->reported_drops)
		return;
	ev->reported_drops = st.dropped;
	bg_fmt_stats(&ev->fmt, &ev->out->buf, &st, final);
	bg_output_flush(ev->out);
}

void bg_events_close(struct bg_events *ev)
{
	ring_buffer__free(ev->rb);
	ev->rb = NULL;
	if (ev->rb_fd >= 0)
		close(ev->rb_fd);
	if (ev->stats_fd >= 0)
		close(ev->stats_fd);
	if (ev->cache_fd >= 0)
		close(ev->cache_fd);
	ev->rb_fd = ev->stats_fd = ev->cache_fd = -1;
}
