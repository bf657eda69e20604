// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "events/ring.h"
#include "core/log.h"
#include "core/metrics.h"

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
	ev->rb_fd = ev->stats_fd = ev->cache_fd = ev->epoll_fd = -1;
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
 * Our own consumer of the BPF ring buffer, in place of libbpf's
 * ring_buffer__poll(): libbpf stores the consumer position after every
 * record, and under a flood every one of those stores pulls the cache line
 * away from the producer, which reads it at every reservation, and back.
 * Here the position is published every BG_COMMIT_EVERY records and when a
 * call ends; the records in between stay reserved a little longer, which
 * only matters to a producer that finds the ring full (it counts a drop,
 * as it would have a moment later). Layout and protocol are the kernel's
 * (kernel/bpf/ringbuf.c): a consumer page we write, a producer page and the
 * data area (mapped twice) we read; each record an 8-byte header whose
 * length word carries the busy and discard bits.
 *
 * Under a flood faster than the consumer one call could go on forever and
 * a loop that checks its signal flags between polls would never see them:
 * every BG_POLL_BUDGET records, or when a write was interrupted by a
 * signal, the record callback ends the call (BG_YIELD) and the caller gets
 * its loop back, the position committed past the last record read.
 */
#define BG_YIELD	(-ECANCELED)
#define BG_COMMIT_EVERY 64

static int on_record(void *ctx, void *data, size_t size)
{
	struct bg_events *ev = ctx;
	int err = 0;

	ev->received++;
	ev->batch++;
	if (ev->metrics)
		bg_metrics_event(ev->metrics, &ev->fmt, data, size);
	if (ev->discard)
		goto out;
	if (ev->hook && ev->hook(ev->hook_ctx, data, size))
		goto out;
	bg_fmt_event(&ev->fmt, &ev->out->buf, data, size);
	err = bg_output_maybe_flush(ev->out);
out:
	return ev->batch >= BG_POLL_BUDGET || err == -EINTR ? BG_YIELD : 0;
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

static void ring_unmap(struct bg_ring *r)
{
	size_t page = sysconf(_SC_PAGESIZE);

	if (r->consumer_pos && r->consumer_pos != MAP_FAILED)
		munmap(r->consumer_pos, page);
	if (r->producer_pos && r->producer_pos != MAP_FAILED)
		munmap(r->producer_pos, r->len);
	r->consumer_pos = r->producer_pos = NULL;
}

static int ring_add(struct bg_events *ev, int fd, bool adopted)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = ev->nrings};
	struct bg_ring *rings, *r;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1)))
		return -EINVAL;
	rings = realloc(ev->rings, (ev->nrings + 1) * sizeof(*rings));
	if (!rings)
		return -ENOMEM;
	ev->rings = rings;
	r = &rings[ev->nrings];
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->adopted = adopted;
	r->mask = info.max_entries - 1;
	r->len = page + 2 * (size_t)info.max_entries;
	r->consumer_pos = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->consumer_pos == MAP_FAILED)
		goto sys_error;
	r->producer_pos = mmap(NULL, r->len, PROT_READ, MAP_SHARED, fd, page);
	if (r->producer_pos == MAP_FAILED)
		goto sys_error;
	r->data = (unsigned char *)r->producer_pos + page;
	if (epoll_ctl(ev->epoll_fd, EPOLL_CTL_ADD, fd, &e))
		goto sys_error;
	ev->nrings++;
	return 0;
sys_error:
	err = -errno;
	ring_unmap(r);
	return err;
}

int bg_events_start(struct bg_events *ev, struct bg_output *out, bool json, bool color)
{
	int err;

	ev->out = out;
	bg_fmt_init(&ev->fmt, json, color);
	ev->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	err = ev->epoll_fd < 0 ? -errno : ring_add(ev, ev->rb_fd, false);
	if (err)
		pr_err("cannot open the event ring buffer: %s\n", strerror(-err));
	return err;
}

int bg_events_add_ring(struct bg_events *ev, int fd)
{
	int err = ring_add(ev, fd, true);

	if (err)
		pr_err("cannot read an adopted ring buffer: %s\n", strerror(-err));
	return err;
}

int bg_events_epoll_fd(const struct bg_events *ev)
{
	return ev->epoll_fd;
}

/* Read one ring until it is empty or a callback ends the call. Returns the
 * records read, or the callback's negative return. */
static int ring_consume(struct bg_events *ev, struct bg_ring *r)
{
	int (*cb)(void *, void *, size_t) = r->adopted ? on_adopted_record : on_record;
	unsigned long cons = *r->consumer_pos, prod;
	int n = 0, err = 0;

	while ((prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE)) > cons) {
		while (cons < prod) {
			__u32 *hdr = (__u32 *)(r->data + (cons & r->mask));
			__u32 len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			__u32 size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out; /* still being written: next call */
			cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				n++;
				err = cb(ev, (unsigned char *)hdr + BPF_RINGBUF_HDR_SZ, size);
				if (err < 0)
					goto out;
			}
			if (!(n % BG_COMMIT_EVERY))
				__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
		}
		/* Published before looking again: a producer that finds the
		 * ring empty at our position wakes us (and epoll checks it). */
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	}
out:
	__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return err < 0 ? err : n;
}

/* Every ring, or those epoll reported: records read, or a negative
 * callback return (BG_YIELD) or -errno. */
static int rings_consume(struct bg_events *ev, const struct epoll_event *e, int ne)
{
	int i, n, total = 0, cnt = e ? ne : ev->nrings;

	for (i = 0; i < cnt; i++) {
		__u32 k = e ? e[i].data.u32 : (__u32)i;

		if (k >= (__u32)ev->nrings)
			continue;
		n = ring_consume(ev, &ev->rings[k]);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

/* The records one call read, whether it ended by itself or by BG_YIELD. */
static int batch_result(struct bg_events *ev, int n)
{
	if (n == BG_YIELD)
		return (int)ev->batch;
	return n == -EINTR ? (int)ev->batch : n;
}

int bg_events_poll(struct bg_events *ev, int timeout_ms)
{
	struct epoll_event e[8];
	int n;

	ev->batch = 0;
	if (ev->epoll_fd < 0)
		return -EINVAL;
	n = epoll_wait(ev->epoll_fd, e, 8, timeout_ms);
	n = batch_result(ev, n < 0 ? -errno : rings_consume(ev, e, n));
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

	if (!ev->nrings)
		return 0;
	/* Budget by budget until the ring is empty; a producer we do not own
	 * (a pinned program, another loader) may never let it be, so the
	 * time bound ends the drain: what is left stays in the ring. */
	do {
		ev->batch = 0;
		n = batch_result(ev, rings_consume(ev, NULL, 0));
		if (n < 0)
			break;
		total += n;
		if (ev->out && bg_output_flush(ev->out) == -EINTR)
			break;
	} while (n >= BG_POLL_BUDGET && mono_now() < until);
	return n < 0 ? n : total;
}

int bg_stats_sum(int fd, uint64_t sums[BG_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	uint32_t k;
	int i, err = 0;

	memset(sums, 0, BG_STAT_MAX * sizeof(*sums));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < BG_STAT_MAX && !err; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		for (i = 0; i < ncpu; i++)
			sums[k] += vals[i];
	}
	free(vals);
	return err;
}

int bg_events_read_stats(struct bg_events *ev, struct bg_ev_stats *st)
{
	uint64_t sums[BG_STAT_MAX];
	int err;

	memset(st, 0, sizeof(*st));
	err = bg_stats_sum(ev->stats_fd, sums);
	if (err)
		return err;
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
	int i;

	for (i = 0; i < ev->nrings; i++)
		ring_unmap(&ev->rings[i]);
	free(ev->rings);
	ev->rings = NULL;
	ev->nrings = 0;
	if (ev->epoll_fd >= 0)
		close(ev->epoll_fd);
	ev->epoll_fd = -1;
	if (ev->rb_fd >= 0)
		close(ev->rb_fd);
	if (ev->stats_fd >= 0)
		close(ev->stats_fd);
	if (ev->cache_fd >= 0)
		close(ev->cache_fd);
	ev->rb_fd = ev->stats_fd = ev->cache_fd = -1;
}
