// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/fleet: what ancestry, executable hashes and container identity
 * (events.ancestry / hashes / containers) cost the running agent, on and
 * off side by side: the agent (exec guard only) is started in turn with
 * all three off and all three on (ancestry 4), ROUNDS times each; in each
 * run a burst of EXECS fork+execs of a few programs, and we read
 *  - the agent's CPU time (utime + stime, /proc/PID/stat) per exec, from
 *    the first event to the last one written: exec and exit events, each
 *    through the process table, the hash cache and the cgroup read;
 *  - its VmRSS after the burst (the process table, the hash cache).
 * The throughput of the consumer alone is bench/events' "enrich" mode.
 *
 * Usage: bench_fleet [ROUNDS [EXECS]]  (3, 3000)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../bench.h"

#define MAX_ROUNDS 16

static const char config_fmt[] = "events: { format: json, ancestry: %d, hashes: %s, "
				 "containers: %s }\n"
				 "guards:\n"
				 "  exec: { enabled: true }\n"
				 "  bpf_load: { enabled: false }\n";

/* Bytes in a file, or -1. */
static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* One run: the agent on cfg, a burst of execs; its CPU per exec and RSS. */
static int run(const char *bg, const char *dir, bool on, int execs, double *cpu_us, long *kb)
{
	/* Four programs, each with arguments it accepts quietly. */
	static const char *const progs[][3] = {{"/bin/true", "x", NULL},
					       {"/bin/echo", "x", NULL},
					       {"/usr/bin/env", "true", NULL},
					       {"/bin/sh", "-c", ":"}};
	char cfg[PATH_MAX], out[PATH_MAX], text[512];
	double c0, t0;
	long long last = -1, now_size;
	pid_t agent;
	int i, fd;

	snprintf(cfg, sizeof(cfg), "%s/fleet.yaml", dir);
	snprintf(out, sizeof(out), "%s/events.json", dir);
	snprintf(text, sizeof(text), config_fmt, on ? 4 : 0, on ? "true" : "false",
		 on ? "true" : "false");
	fd = open(cfg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd);
	unlink(out);
	agent = bench_agent_fork(bg, cfg, out);
	for (t0 = now_s(); !file_holds(out, "\"agent-start\""); usleep(20000))
		if (now_s() - t0 > 30 || waitpid(agent, NULL, WNOHANG) == agent)
			return -1;
	c0 = proc_cpu_s(agent);
	for (i = 0; i < execs; i++) {
		const char *const *p = progs[i % 4];
		pid_t c = fork();

		if (c == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			dup2(null, 2);
			execl(p[0], p[0], p[1], p[2], (char *)NULL);
			_exit(127);
		}
		waitpid(c, NULL, 0);
	}
	/* Until the output stops growing for 300 ms: the agent caught up. */
	for (t0 = now_s(); now_s() - t0 < 0.3; usleep(50000)) {
		now_size = size_of(out);
		if (now_size != last)
			t0 = now_s();
		last = now_size;
	}
	*cpu_us = (proc_cpu_s(agent) - c0) * 1e6 / execs;
	*kb = proc_status_kb(agent, "VmRSS:");
	kill(agent, SIGTERM);
	waitpid(agent, NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3, execs = argc > 2 ? atoi(argv[2]) : 3000, r, k;
	static double cpu[2][MAX_ROUNDS], rss[2][MAX_ROUNDS];
	char bg[PATH_MAX], dir[] = "/tmp/bgfl-bench.XXXXXX";
	double load[3] = {0};
	long kb;

	if (rounds < 1 || rounds > MAX_ROUNDS || execs < 100) {
		fprintf(stderr, "usage: bench_fleet [ROUNDS (1-%d) [EXECS (>= 100)]]\n",
			MAX_ROUNDS);
		return 2;
	}
	if (bench_bpfguard(bg))
		return 1;
	if (geteuid() || access(bg, X_OK)) {
		printf("bench_fleet: SKIP: needs root and %s\n", bg);
		return 0;
	}
	if (!mkdtemp(dir))
		return 1;
	getloadavg(load, 3);
	printf("bench/fleet: %d rounds, %d execs per run, off and on alternated; load average "
	       "%.2f %.2f %.2f\n",
	       rounds, execs, load[0], load[1], load[2]);
	printf("%-6s %-4s %18s %14s\n", "round", "mode", "agent CPU/exec us", "VmRSS kB");
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			if (run(bg, dir, k, execs, &cpu[k][r], &kb)) {
				fprintf(stderr, "bench/fleet: the agent did not start\n");
				return 1;
			}
			rss[k][r] = kb;
			printf("%-6d %-4s %18.1f %14ld\n", r + 1, k ? "on" : "off", cpu[k][r], kb);
		}
	}
	{
		double c0 = median(cpu[0], rounds), c1 = median(cpu[1], rounds);
		double m0 = median(rss[0], rounds) / 1024, m1 = median(rss[1], rounds) / 1024;

		printf("median: agent CPU per exec %.1f us off, %.1f us on; VmRSS %.1f MB off, "
		       "%.1f MB on\n",
		       c0, c1, m0, m1);
		/* Baseline: all three off. Goals: at most twice the CPU, 4 MB more. */
		printf("summary: agent CPU per exec, ancestry+hash+container on|%.1f us|%.1f "
		       "us|%.2f|<= 2|%s\n",
		       c0, c1, c0 > 0 ? c1 / c0 : 0, c1 <= 2 * c0 ? "met" : "NOT met");
		printf("summary: agent RSS after %d execs, ancestry+hash+container on|%.1f MB|%.1f "
		       "MB|%.2f|<= +4 MB|%s\n",
		       execs, m0, m1, m1 / m0, m1 <= m0 + 4 ? "met" : "NOT met");
	}
	unlink_in(dir, "fleet.yaml");
	unlink_in(dir, "events.json");
	rmdir(dir);
	return 0;
}
