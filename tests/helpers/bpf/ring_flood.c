// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ring_flood PID SECONDS: write test events into the event ring buffer of a
 * running bpfguard (PID) as fast as one CPU can, for SECONDS or until
 * SIGTERM. The maps are found through the process's descriptors
 * (/proc/PID/fdinfo gives each map's id), so the flood goes through the
 * agent's own ring buffer and stats: it is the agent's consumer that must
 * keep up, or at least keep answering signals when it cannot.
 * Prints "flooding" once the first batch is in, "overflowing" once the ring
 * buffer is full (the stats count a drop: the consumer is behind), and
 * "produced N" at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "trigger.skel.h"

#define BATCH 256

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* The fd (in this process) of PID's map called name, or -1. */
static int find_map(int pid, const char *name)
{
	char dir[64], path[384], line[256];
	struct dirent *d;
	DIR *dp;
	int fd = -1;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while (fd < 0 && (d = readdir(dp))) {
		unsigned int id = 0;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "map_id: %u", &id) == 1)
				break;
		fclose(f);
		if (id) {
			struct bpf_map_info info = {0};
			__u32 len = sizeof(info);
			int mfd = bpf_map_get_fd_by_id(id);

			if (mfd >= 0 && !bpf_obj_get_info_by_fd(mfd, &info, &len) &&
			    !strcmp(info.name, name))
				fd = mfd;
			else if (mfd >= 0)
				close(mfd);
		}
	}
	closedir(dp);
	return fd;
}

static unsigned long long drops(int stats_fd)
{
	__u32 k = BG_STAT_DROPPED;
	unsigned long long sum = 0, v[512];
	int i, n = libbpf_num_possible_cpus();

	if (n <= 0 || n > 512 || bpf_map_lookup_elem(stats_fd, &k, v))
		return 0;
	for (i = 0; i < n; i++)
		sum += v[i];
	return sum;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"events", "bg_stats", "bg_exe_cache"};
	struct trigger *skel;
	__u64 args[1] = {BATCH};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	unsigned long long runs = 0, drops0 = 0;
	bool overflowing = false;
	struct timespec t0, t;
	double secs;
	size_t i;
	int pid;

	if (argc != 3) {
		fprintf(stderr, "usage: ring_flood PID SECONDS\n");
		return 2;
	}
	pid = atoi(argv[1]);
	secs = atof(argv[2]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	skel = trigger__open();
	if (!skel)
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int fd = find_map(pid, names[i]);
		struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, names[i]);

		if (fd < 0 || !m || bpf_map__reuse_fd(m, fd)) {
			fprintf(stderr, "ring_flood: no map %s in process %d\n", names[i], pid);
			return 1;
		}
		close(fd);
	}
	if (trigger__load(skel)) {
		fprintf(stderr, "ring_flood: cannot load the trigger program\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.trigger), &opts)) {
			perror("ring_flood: BPF_PROG_TEST_RUN");
			return 1;
		}
		if (!runs++) {
			drops0 = drops(bpf_map__fd(skel->maps.bg_stats));
			printf("flooding\n");
			fflush(stdout);
		}
		if (!overflowing && !(runs & 63) &&
		    drops(bpf_map__fd(skel->maps.bg_stats)) > drops0) {
			overflowing = true;
			printf("overflowing\n");
			fflush(stdout);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!stop && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	printf("produced %llu\n", runs * BATCH);
	trigger__destroy(skel);
	return 0;
}
