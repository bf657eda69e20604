// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A consumer that is slower than its producer still gets its loop back.
 * libbpf's ring_buffer__poll() and __consume() keep reading as long as
 * records arrive; bg_events_poll() must return after BG_POLL_BUDGET records
 * and bg_events_drain() within BG_DRAIN_SECONDS, or a command under an
 * event flood never sees its signal flags (issue 13).
 *
 * The producer thread runs the trigger program (BPF_PROG_TEST_RUN) without
 * pause; the consumer is slowed to ~5 us a record by a hook, and the ring
 * holds 16 MiB (~28,000 records, ~0.15 s of consumer time), so the producer
 * stays ahead whatever the machine's load. A poll that does not return
 * within 10 s fails the test through alarm().
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "events/ring.h"
#include "core/log.h"
#include "trigger.skel.h"

#define POLLS 5

static atomic_bool stop;
static int prog_fd;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void *produce(void *arg)
{
	__u64 args[1] = {256};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	(void)arg;
	while (!atomic_load(&stop))
		if (bpf_prog_test_run_opts(prog_fd, &opts))
			break;
	return NULL;
}

/* ~5 us of work a record, and no output. */
static int slow(void *ctx, const void *data, size_t size)
{
	double until = now() + 5e-6;

	(void)ctx, (void)data, (void)size;
	while (now() < until)
		;
	return 1;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "FAIL: a poll or drain did not return within 10 s while "
				  "records kept arriving\n";
	write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

int main(void)
{
	char path[] = "/tmp/bg-yield-XXXXXX";
	struct bg_events ev;
	struct bg_output out;
	struct bg_ev_stats st;
	struct trigger *skel;
	pthread_t th;
	double t, worst = 0;
	int fd, i, n;

	bg_log_libbpf();
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	if (bg_events_create(&ev, 16u << 20) || bg_output_open(&out, path) ||
	    bg_events_start(&ev, &out, true, false))
		return 1;
	ev.hook = slow;
	skel = trigger__open();
	if (!skel || bg_events_share(&ev, skel->obj) || trigger__load(skel)) {
		fprintf(stderr, "cannot load the trigger program\n");
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.trigger);
	if (pthread_create(&th, NULL, produce, NULL))
		return 1;
	/* Wait until the ring is full: a drop is counted. */
	t = now();
	do {
		usleep(10000);
		bg_events_read_stats(&ev, &st);
	} while (!st.dropped && now() - t < 60);
	if (!st.dropped) {
		fprintf(stderr, "the producer never filled the ring in 60 s\n");
		return 1;
	}
	signal(SIGALRM, on_alarm);
	for (i = 0; i < POLLS; i++) {
		alarm(10);
		t = now();
		n = bg_events_poll(&ev, 100);
		t = now() - t;
		alarm(0);
		printf("poll %d: %d records in %.0f ms\n", i + 1, n, t * 1e3);
		if (n <= 0 || n > BG_POLL_BUDGET) {
			fprintf(stderr, "FAIL: poll read %d records, expected 1..%d\n", n,
				BG_POLL_BUDGET);
			return 1;
		}
		if (t > worst)
			worst = t;
	}
	alarm(10);
	t = now();
	n = bg_events_drain(&ev);
	t = now() - t;
	alarm(0);
	printf("drain: %d records in %.0f ms (bound %.0f ms) while the producer runs\n", n, t * 1e3,
	       BG_DRAIN_SECONDS * 1e3);
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	bg_events_read_stats(&ev, &st);
	printf("received %llu, dropped %llu; slowest poll %.0f ms\n",
	       (unsigned long long)st.received, (unsigned long long)st.dropped, worst * 1e3);
	bg_output_close(&out);
	unlink(path);
	trigger__destroy(skel);
	bg_events_close(&ev);
	if (n < 0) {
		fprintf(stderr, "FAIL: drain failed: %s\n", strerror(-n));
		return 1;
	}
	return 0;
}
