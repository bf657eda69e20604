// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Event output to a reader that stopped reading: a signal interrupts the
 * blocked write and the caller gets its loop back with nothing lost, and
 * closing gives up after a bounded wait instead of hanging the agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "events/output.h"

static void on_alarm(int sig)
{
	(void)sig;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* An output whose fd is the write end of a pipe nobody reads. */
static void stalled_output(struct bg_output *o, int p[2])
{
	assert_int_equal(pipe(p), 0);
	assert_int_equal(bg_output_open(o, "-"), 0);
	o->fd = p[1];
}

static void test_signal_interrupts_blocked_write(void **state)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART, as the commands */
	struct itimerval it = {.it_value = {.tv_usec = 200000}};
	struct bg_output o;
	char line[100];
	size_t i, total;
	int p[2];

	(void)state;
	stalled_output(&o, p);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	for (i = 0; i < 2000; i++) /* 200 KB: more than a pipe holds */
		bg_buf_put(&o.buf, line, sizeof(line));
	total = o.buf.len;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	assert_int_equal(bg_output_flush(&o), -EINTR);
	/* What did not fit in the pipe is kept for the next flush. */
	assert_true(o.buf.len > 0 && o.buf.len < total);
	assert_int_equal(o.write_errors, 0);
	/* Closing waits a bounded time for the reader, then gives up. */
	{
		double t = now();

		bg_output_close(&o);
		assert_true(now() - t < 5);
	}
	assert_int_equal(o.write_errors, 1);
	close(p[0]);
	close(p[1]);
}

static void test_close_writes_to_a_reading_reader(void **state)
{
	struct bg_output o;
	char got[64] = {0};
	int p[2];

	(void)state;
	stalled_output(&o, p);
	bg_buf_puts(&o.buf, "{\"a\":1}\n");
	bg_output_close(&o);
	assert_int_equal(o.write_errors, 0);
	assert_int_equal(read(p[0], got, sizeof(got) - 1), 8);
	assert_string_equal(got, "{\"a\":1}\n");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_interrupts_blocked_write),
		cmocka_unit_test(test_close_writes_to_a_reading_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
