// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/events: how many events per second the shared pipeline carries
 * from kernel to a JSON-lines file, beside a consumer that discards the
 * records unformatted (the floor: ring buffer and wakeup cost only).
 *
 * The producer, pinned to one CPU, runs the trigger program with
 * BPF_PROG_TEST_RUN in a loop; each run emits BATCH events through the same
 * reserve/process-context/submit path as a guard. The consumer runs pinned
 * to the other CPU. Modes alternate (json, floor, json, floor, ...) in one
 * run so both see the same machine state.
 *
 * A third mode, "enrich", is json with the agent's ancestry (4), hashes and
 * containers on (src/events/enrich.c): the records all come from this
 * process, so it measures the steady state (table, hash and ancestry
 * lookups per event); formatter-alone figures add the cost of a process
 * seen for the first time (its /proc/PID/exe stat and /proc/PID/cgroup).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "../bench.h"
#include "events/enrich.h"
#include "events/format.h"
#include "events/ring.h"
#include "core/log.h"
#include "trigger.skel.h"

#define BATCH 64

struct producer {
	int prog_fd;
	int cpu;
	atomic_bool stop;
	unsigned long long runs;
};

static double thread_cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	__u64 args[1] = {BATCH};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	pin(p->cpu);
	pthread_setname_np(pthread_self(), "bg-producer"); /* apart in perf */
	while (!atomic_load(&p->stop)) {
		if (bpf_prog_test_run_opts(p->prog_fd, &opts))
			break;
		p->runs++;
	}
	return NULL;
}

struct result {
	double secs;
	double consumer_cpu; /* CPU seconds the consumer thread used */
	unsigned long long produced, received, dropped;
	long long bytes;
};

static int run_mode(bool json, struct bg_enrich *enrich, double secs, const char *path,
		    struct result *r)
{
	struct bg_events ev;
	struct bg_output out;
	struct trigger *skel = NULL;
	struct producer p = {.cpu = 1};
	struct bg_ev_stats st;
	pthread_t th;
	struct stat sb;
	double t0, c0;
	int err = -1;

	unlink(path);
	if (bg_events_create(&ev, 16u << 20))
		return -1;
	if (bg_output_open(&out, path))
		goto out_ev;
	if (bg_events_start(&ev, &out, true, false))
		goto out_out;
	ev.discard = !json;
	ev.fmt.enrich = bg_enrich_hook(enrich);
	skel = trigger__open();
	if (!skel || bg_events_share(&ev, skel->obj) || trigger__load(skel))
		goto out_out;
	p.prog_fd = bpf_program__fd(skel->progs.trigger);
	pin(0);
	t0 = now_s();
	c0 = thread_cpu();
	if (pthread_create(&th, NULL, produce, &p))
		goto out_out;
	while (now_s() - t0 < secs)
		bg_events_poll(&ev, 10);
	atomic_store(&p.stop, true);
	pthread_join(th, NULL);
	bg_events_drain(&ev);
	r->secs = now_s() - t0;
	r->consumer_cpu = thread_cpu() - c0;
	bg_events_read_stats(&ev, &st);
	r->produced = p.runs * BATCH;
	r->received = st.received;
	r->dropped = st.dropped;
	bg_output_flush(&out);
	r->bytes = stat(path, &sb) ? 0 : sb.st_size;
	err = 0;
out_out:
	bg_output_close(&out);
out_ev:
	trigger__destroy(skel);
	bg_events_close(&ev);
	unlink(path);
	return err;
}

/* The formatter alone: ns of CPU per JSON line for a typical record, no
 * ring buffer and no write (where the consumer's time goes, in part). */
static double format_ns(struct bg_enrich *enrich, bool new_process)
{
	struct bg_test_event e = {0};
	struct bg_fmt f;
	struct bg_buf b;
	double t0;
	int i, n = 1000000;

	bg_buf_init(&b);
	bg_fmt_init(&f, true, false);
	f.enrich = bg_enrich_hook(enrich);
	if (new_process)
		n = 20000;
	e.hdr.type = BG_EV_TEST;
	e.hdr.size = sizeof(e);
	e.hdr.ktime_ns = 1234567890123ULL;
	/* This process and its parent, so that /proc has them. */
	e.proc.pid = e.proc.tid = getpid();
	e.proc.ppid = getppid();
	e.proc.start_ns = 1234000000000ULL;
	e.proc.cgroup_id = 7777;
	snprintf(e.proc.comm, sizeof(e.proc.comm), "bench_events");
	snprintf(e.proc.exe, sizeof(e.proc.exe), "/usr/local/bin/bench_events");
	t0 = thread_cpu();
	for (i = 0; i < n; i++) {
		e.seq = i;
		e.hdr.ktime_ns += 997;
		if (new_process) /* a new start: the table takes it for a new process */
			e.proc.start_ns += 1000000000ULL;
		bg_fmt_event(&f, &b, &e, sizeof(e));
		if (b.len > 65536)
			b.len = 0;
	}
	t0 = thread_cpu() - t0;
	bg_buf_free(&b);
	return t0 * 1e9 / n;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	int rounds = argc > 2 ? atoi(argv[2]) : 3, i;
	char path[256];
	double best_json = 0, best_floor = 0, load[3] = {0};
	static double core[3][64]; /* per consumer CPU-second: json, floor, enrich */
	static const char *const names[3] = {"json", "floor", "enrich"};
	struct bg_enrich_config ec = {.ancestry = 4, .hashes = true, .containers = true};
	struct bg_enrich *enrich;
	struct result r;

	bg_log_libbpf();
	snprintf(path, sizeof(path), "%s/bg-bench-events.json",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		fprintf(stderr, "warning: one CPU: producer and consumer share it\n");
	printf("bench/events: %d rounds of %.1f s per mode, batch %d events per trigger run\n",
	       rounds, secs, BATCH);
	if (rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: bench_events [SECONDS [ROUNDS (1-64)]]\n");
		return 2;
	}
	getloadavg(load, 3);
	if (bg_enrich_start(&enrich, &ec, NULL, NULL))
		return 1;
	printf("formatter alone: %.0f ns of CPU per JSON line\n", format_ns(NULL, false));
	printf("formatter alone, ancestry+hash+container: %.0f ns per line (a known process), "
	       "%.0f ns (a process seen for the first time)\n",
	       format_ns(enrich, false), format_ns(enrich, true));
	printf("received/s is wall-clock; per-core/s is events per CPU-second of the consumer "
	       "thread\n");
	printf("%-6s %-6s %12s %12s %12s %12s %8s %8s\n", "round", "mode", "produced/s",
	       "received/s", "per-core/s", "drops", "ns/event", "B/event");
	for (i = 0; i < rounds * 3; i++) {
		int mode = i % 3;
		bool json = mode != 1;
		double rate;

		if (run_mode(json, mode == 2 ? enrich : NULL, secs, path, &r)) {
			fprintf(stderr, "bench/events: setup failed (root and BPF needed)\n");
			return 1;
		}
		rate = r.received / r.secs;
		printf("%-6d %-6s %12.0f %12.0f %12.0f %12llu %8.0f %8.0f\n", i / 3 + 1,
		       names[mode], r.produced / r.secs, rate, r.received / r.consumer_cpu,
		       r.dropped, r.received ? r.consumer_cpu * 1e9 / r.received : 0,
		       r.received ? (double)r.bytes / r.received : 0);
		core[mode][i / 3] = r.received / r.consumer_cpu;
		if (mode == 0 && rate > best_json)
			best_json = rate;
		if (!json && rate > best_floor)
			best_floor = rate;
	}
	printf("best: json %.0f events/s, floor %.0f events/s, ratio json/floor %.2f\n", best_json,
	       best_floor, best_floor ? best_json / best_floor : 0);
	printf("per consumer CPU-second (median of %d rounds): json %.0f, floor %.0f, enrich "
	       "%.0f\n",
	       rounds, median(core[0], rounds), median(core[1], rounds), median(core[2], rounds));
	printf("load average %.2f %.2f %.2f\n", load[0], load[1], load[2]);
	/* Baseline: the floor, records read and discarded. */
	printf("summary: JSON events per consumer CPU-second|%.2f M|%.2f M|%.2f|>= 2 M|%s\n",
	       median(core[1], rounds) / 1e6, median(core[0], rounds) / 1e6,
	       median(core[0], rounds) / median(core[1], rounds),
	       median(core[0], rounds) >= 2e6 ? "met" : "NOT met");
	/* Baseline: plain JSON; goal: the enrichment costs at most half. */
	printf("summary: JSON events per consumer CPU-second, ancestry+hash+container on|%.2f "
	       "M|%.2f M|%.2f|>= 0.5|%s\n",
	       median(core[0], rounds) / 1e6, median(core[2], rounds) / 1e6,
	       median(core[2], rounds) / median(core[0], rounds),
	       median(core[2], rounds) >= 0.5 * median(core[0], rounds) ? "met" : "NOT met");
	bg_enrich_stop(enrich);
	return 0;
}
