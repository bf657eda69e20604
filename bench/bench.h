/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the benches under bench/ share. */
#ifndef BPFGUARD_BENCH_H
#define BPFGUARD_BENCH_H

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

static inline int bench_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n); sorts v in place (v[0] and v[n - 1] are then the
 * range). */
static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* CLOCK_MONOTONIC in ns, and in seconds. */
static inline double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static inline double now_s(void)
{
	return now_ns() / 1e9;
}

/* ns per open+close of PATH (read-only), over n. */
static inline double open_close_ns(const char *path, long n)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
	return (now_ns() - t0) / n;
}

/* The ITERATIONS and ROUNDS of bench NAME: argv[1] and argv[2], else
 * $BG_BENCH_ITERS and $BG_BENCH_ROUNDS (for the VM rig, which passes no
 * arguments), else what *iters and *rounds hold. Prints the usage and
 * returns -1 where they are out of range. */
static inline int bench_iters_rounds(int argc, char **argv, const char *name, long *iters,
				     int *rounds, int max_rounds)
{
	const char *ei = getenv("BG_BENCH_ITERS"), *er = getenv("BG_BENCH_ROUNDS");

	*iters = argc > 1 ? atol(argv[1]) : ei ? atol(ei) : *iters;
	*rounds = argc > 2 ? atoi(argv[2]) : er ? atoi(er) : *rounds;
	if (*rounds < 1 || *rounds > max_rounds || *iters < 1) {
		fprintf(stderr, "usage: %s [ITERATIONS] [ROUNDS <= %d]\n", name, max_rounds);
		return -1;
	}
	return 0;
}

/* libbpf through our logger: a probe's expected load failures are
 * captured there instead of dumped to stderr. $BG_BENCH_VERBOSE shows
 * libbpf's warnings too, e.g. a verifier log. */
static inline void bench_log_libbpf(void)
{
	bg_log_libbpf();
	if (getenv("BG_BENCH_VERBOSE"))
		bg_log_set_level(BG_LOG_INFO);
}

/* $BPFGUARD, else the bpfguard of the build tree this bench is in
 * ($BUILD/bench/NAME/bench_NAME -> $BUILD/bpfguard), in bg (PATH_MAX). */
static inline int bench_bpfguard(char *bg)
{
	ssize_t n;
	char *p;
	int k;

	if (getenv("BPFGUARD")) {
		snprintf(bg, PATH_MAX, "%s", getenv("BPFGUARD"));
		return 0;
	}
	n = readlink("/proc/self/exe", bg, PATH_MAX - 1);
	if (n < 0)
		return -1;
	bg[n] = 0;
	for (k = 0; k < 3 && (p = strrchr(bg, '/')); k++)
		*p = 0;
	strncat(bg, "/bpfguard", PATH_MAX - strlen(bg) - 1);
	return 0;
}

/* Remove DIR/NAME. */
static inline void unlink_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* Fork `BG agent --config CFG --output OUT`, its stdout and stderr on
 * /dev/null; the agent's pid, or -1. */
static inline pid_t bench_agent_fork(const char *bg, const char *cfg, const char *out)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(bg, bg, "agent", "--config", cfg, "--output", out, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The kB of the line KEY (e.g. "VmRSS:") in /proc/PID/status, or -1. */
static inline long proc_status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	fclose(f);
	return v;
}

/* CPU seconds (user + system) pid has used, from /proc/PID/stat; -1 on an
 * error. */
static inline double proc_cpu_s(pid_t pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], buf[2048], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* Whether the file at path holds needle on one of its lines (of up to
 * 4 KiB). */
static inline bool file_holds(const char *path, const char *needle)
{
	char line[4096];
	bool r = false;
	FILE *f = fopen(path, "re");

	while (f && !r && fgets(line, sizeof(line), f))
		r = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return r;
}

#endif
