// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/files: cost of the protected-files guard on open+close, with
 * 10,000 protected paths loaded, in one run, interleaved rounds, medians:
 *   bare     no program on the hook
 *   empty    an empty program on the same hook (tests/bpf/empty_files):
 *            the floor of any program there
 *   guard    bpf/files.bpf.c with the 10,000 paths
 * for two loops: an unprotected file, and a protected file opened by an
 * allowed process (this program is the allowed reader). The hook is BPF
 * LSM file_open where it loads (the VM), else tp_btf/sys_exit.
 * Targets (issue 6): guard's added cost within 1.2x of the empty
 * program's; with LSM, under 5% over bare on the unprotected path.
 *
 * Usage: bench_files [ITERATIONS] [ROUNDS]; defaults 100000 and 7, or
 * $BG_BENCH_ITERS and $BG_BENCH_ROUNDS (for the VM rig, which passes no
 * arguments: VM_TEST_ENV="BG_BENCH_ITERS=5000" tests/vm/vm.sh run ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "events/ring.h"
#include "files.h"
#include "ident.h"
#include "probe.h"
#include "empty_files.skel.h"
#include "files.skel.h"

#define NPATHS 10000
#define MAX_ROUNDS 15

enum { BARE, EMPTY, GUARD, NCOND };
static const char *const cond_names[NCOND] = { "bare", "empty", "guard" };

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double loop(const char *path, long n)
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* 10,000 files in dir, all protected by one rule whose only reader is us. */
static int make_config(const char *dir, struct bg_files_config *c, struct bg_files_rule_cfg *r)
{
	char path[256];
	int i, fd;

	memset(r, 0, sizeof(*r));
	r->name = "bench";
	r->action = BG_ACT_KILL;
	r->restrict_read = true;
	r->paths = calloc(NPATHS, sizeof(*r->paths));
	r->read = calloc(1, sizeof(*r->read));
	if (!r->paths || !r->read)
		return -ENOMEM;
	for (i = 0; i < NPATHS; i++) {
		snprintf(path, sizeof(path), "%s/p%05d", dir, i);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0 || bg_ident_from_fd(fd, &r->paths[i].id))
			return -errno;
		close(fd);
	}
	r->n_paths = NPATHS;
	if (bg_ident_from_path("/proc/self/exe", &r->read[0].id))
		return -errno;
	r->n_read = 1;
	c->rules = r;
	c->n_rules = 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *ei = getenv("BG_BENCH_ITERS"), *er = getenv("BG_BENCH_ROUNDS");
	long iters = argc > 1 ? atol(argv[1]) : ei ? atol(ei) : 100000;
	int rounds = argc > 2 ? atoi(argv[2]) : er ? atoi(er) : 7, i, k, cond, err = 1;
	char dir[] = "/var/tmp/bg-bench-files-XXXXXX", unprot[256], prot[256];
	double t[2][NCOND][MAX_ROUNDS], med[2][NCOND];
	struct bg_files_config cfg = { 0 };
	struct bg_files_rule_cfg rule;
	struct bg_files_guard g = { 0 };
	struct empty_files *empty = NULL;
	struct bg_events ev = { 0 };
	struct bg_caps caps;
	bool lsm;

	if (rounds < 1 || rounds > MAX_ROUNDS || iters < 1) {
		fprintf(stderr, "usage: bench_files [ITERATIONS] [ROUNDS <= %d]\n", MAX_ROUNDS);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(unprot, sizeof(unprot), "%s/unprotected", dir);
	snprintf(prot, sizeof(prot), "%s/p%05d", dir, NPATHS / 2);
	close(open(unprot, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	if (make_config(dir, &cfg, &rule)) {
		perror("creating the protected files");
		goto out;
	}
	bg_probe(&caps);
	lsm = bg_has(&caps, BG_FEAT_LSM);
	if (bg_events_create(&ev, 1 << 20) || bg_files_guard_start(&g, &cfg, BG_ACT_KILL, &ev, &caps))
		goto out;
	bg_files_bpf__detach(g.skel);
	empty = empty_files__open();
	if (!empty)
		goto out;
	bpf_program__set_autoload(lsm ? empty->progs.empty_sys_exit : empty->progs.empty_file_open,
				  false);
	if (empty_files__load(empty))
		goto out;

	printf("bench/files: open+close, %d protected paths, hook %s, %ld iterations x %d rounds\n",
	       NPATHS, lsm ? "lsm/file_open" : "tp_btf/sys_exit", iters, rounds);
	for (k = 0; k < rounds; k++) {
		for (cond = 0; cond < NCOND; cond++) {
			if (cond == EMPTY && empty_files__attach(empty))
				goto out;
			if (cond == GUARD && bg_files_bpf__attach(g.skel))
				goto out;
			t[0][cond][k] = loop(unprot, iters);
			t[1][cond][k] = loop(prot, iters);
			if (cond == EMPTY)
				empty_files__detach(empty);
			if (cond == GUARD)
				bg_files_bpf__detach(g.skel);
		}
	}
	for (i = 0; i < 2; i++)
		for (cond = 0; cond < NCOND; cond++)
			med[i][cond] = median(t[i][cond], rounds);
	for (i = 0; i < 2; i++) {
		double bare = med[i][BARE], add_e = med[i][EMPTY] - bare, add_g = med[i][GUARD] - bare;

		printf("%s file%s:\n", i ? "protected" : "unprotected",
		       i ? " (opened by the allowed reader)" : "");
		for (cond = 0; cond < NCOND; cond++)
			printf("  %-6s %8.1f ns/op  %.3fx bare\n", cond_names[cond], med[i][cond],
			       med[i][cond] / bare);
		printf("  added cost: empty %+.1f ns, guard %+.1f ns; guard/empty %.2f (target <= "
		       "1.2)\n",
		       add_e, add_g, add_e > 0 ? add_g / add_e : 0.0);
		if (lsm && !i)
			printf("  guard over bare: %+.1f%% (target < 5%% with LSM)\n",
			       100 * (med[i][GUARD] / bare - 1));
	}
	err = 0;
out:
	if (err)
		fprintf(stderr, "bench_files: setup failed\n");
	empty_files__destroy(empty);
	if (g.skel)
		bg_files_guard_stop(&g);
	bg_events_close(&ev);
	for (i = 0; i < NPATHS; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/p%05d", dir, i);
		unlink(path);
	}
	unlink(unprot);
	rmdir(dir);
	free(rule.paths);
	free(rule.read);
	return err;
}
