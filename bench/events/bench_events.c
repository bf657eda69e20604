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

#include "events/ring.h"
#include "log.h"
#include "trigger.skel.h"

#define BATCH 64

struct producer {
	int prog_fd;
	int cpu;
	atomic_bool stop;
	unsigned long long runs;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

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

static int run_mode(bool json, double secs, const char *path, struct result *r)
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
	skel = trigger__open();
	if (!skel || bg_events_share(&ev, skel->obj) || trigger__load(skel))
		goto out_out;
	p.prog_fd = bpf_program__fd(skel->progs.trigger);
	pin(0);
	t0 = now();
	c0 = thread_cpu();
	if (pthread_create(&th, NULL, produce, &p))
		goto out_out;
	while (now() - t0 < secs)
		bg_events_poll(&ev, 10);
	atomic_store(&p.stop, true);
	pthread_join(th, NULL);
	bg_events_drain(&ev);
	r->secs = now() - t0;
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

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	int rounds = argc > 2 ? atoi(argv[2]) : 3, i;
	char path[256];
	double best_json = 0, best_floor = 0, core_json = 0, core_floor = 0;
	struct result r;

	bg_log_libbpf();
	snprintf(path, sizeof(path), "%s/bg-bench-events.json",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		fprintf(stderr, "warning: one CPU: producer and consumer share it\n");
	printf("bench/events: %d rounds of %.1f s per mode, batch %d events per trigger run\n",
	       rounds, secs, BATCH);
	printf("received/s is wall-clock; per-core/s is events per CPU-second of the consumer "
	       "thread\n");
	printf("%-6s %-6s %12s %12s %12s %12s %8s %8s\n", "round", "mode", "produced/s",
	       "received/s", "per-core/s", "drops", "ns/event", "B/event");
	for (i = 0; i < rounds * 2; i++) {
		bool json = !(i & 1);
		double rate;

		if (run_mode(json, secs, path, &r)) {
			fprintf(stderr, "bench/events: setup failed (root and BPF needed)\n");
			return 1;
		}
		rate = r.received / r.secs;
		printf("%-6d %-6s %12.0f %12.0f %12.0f %12llu %8.0f %8.0f\n", i / 2 + 1,
		       json ? "json" : "floor", r.produced / r.secs, rate,
		       r.received / r.consumer_cpu, r.dropped,
		       r.received ? r.consumer_cpu * 1e9 / r.received : 0,
		       r.received ? (double)r.bytes / r.received : 0);
		if (json && rate > best_json) {
			best_json = rate;
			core_json = r.received / r.consumer_cpu;
		}
		if (!json && rate > best_floor) {
			best_floor = rate;
			core_floor = r.received / r.consumer_cpu;
		}
	}
	printf("best: json %.0f events/s, floor %.0f events/s, ratio json/floor %.2f\n", best_json,
	       best_floor, best_floor ? best_json / best_floor : 0);
	printf("per consumer CPU-second: json %.0f, floor %.0f\n", core_json, core_floor);
	printf("targets: json >= 1000000 events/s on one consumer core: %s; ratio >= 0.70: %s\n",
	       core_json >= 1e6 && best_json >= 1e6 ? "met" : "NOT met",
	       best_floor && best_json / best_floor >= 0.7 ? "met" : "NOT met");
	return 0;
}
