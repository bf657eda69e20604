// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/syscalls: the cost of a syscall-heavy loop (getppid; open+close),
 * in one run, interleaved, as ratios to bare:
 *   bare            no filter, no hook
 *   seccomp         a libseccomp allowlist of 300 syscalls, alone
 *   run:deny/kill/alert   under `bpfguard run` with a 300-syscall policy
 *   bystander       bare, while `bpfguard run` sandboxes another process
 *   tp_btf empty    bare, with an empty tp_btf sys_enter program attached
 *                   (the floor of any host-wide per-syscall hook)
 *   monitor: bystander  bare, while `bpfguard monitor` watches another
 *                   process (its per-syscall program runs for every task)
 *   monitor: monitored  the loop itself monitored (--exe), every call
 *                   checked against the 300-syscall allowlist
 * Usage: bench_syscalls [BPFGUARD] [ITERATIONS] [ROUNDS]
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "../bench.h"
#include "policy/policy.h"
#include "empty_sys_enter.skel.h"

/* The measured loop; prints ns per iteration for the parent to read. */
static int loop(const char *kind, long n)
{
	double t0 = now_ns();
	long i;

	if (strcmp(kind, "getppid")) {
		printf("%.1f\n", open_close_ns("/dev/null", n));
		return 0;
	}
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("%.1f\n", (now_ns() - t0) / n);
	return 0;
}

static int count_bits(const uint64_t *bm)
{
	int nr, n = 0;

	for (nr = 0; nr < BG_SYSCALL_MAX; nr++)
		n += bg_bit(bm, nr);
	return n;
}

/* Pad an allowlist with other known x86_64 syscalls up to 300. */
static int pad_to_300(uint64_t *bm)
{
	int nr;

	for (nr = 0; nr < BG_SYSCALL_MAX && count_bits(bm) < 300; nr++)
		if (bg_syscall_name(false, nr))
			bg_set_bit(bm, nr);
	return count_bits(bm);
}

/* The same allowlist as the policy, installed by the process itself. */
static int seccomp_loop(const char *kind, long n, const char *policy)
{
	struct bg_policy p;
	uint64_t *bm;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	char err[600];
	int nr;

	if (bg_policy_load(policy, &p, err, sizeof(err)))
		return 1;
	bm = p.sys_native;
	for (nr = 0; nr < BG_SYSCALL_MAX; nr++)
		if (bg_bit(bm, nr))
			seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (seccomp_load(ctx))
		return 1;
	return loop(kind, n);
}

/* Run argv with its descriptor fd (1 or 2) on a pipe, the other of stdout
 * and stderr on /dev/null; *rfd is the pipe's read end. */
static pid_t spawn_piped(char *const argv[], int fd, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, fd == 1 ? 2 : 1);
		dup2(p[1], fd);
		close(p[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/*
 * Start `bpfguard monitor` with ARGS and wait until its programs are
 * attached (its "monitoring" line on stderr). *errfd keeps the pipe open
 * until the monitor is stopped.
 */
static pid_t start_monitor(char *const argv[], int *errfd)
{
	char buf[512];
	size_t len = 0;
	ssize_t r;
	pid_t pid = spawn_piped(argv, 2, errfd);

	if (pid < 0)
		return -1;
	while (len < sizeof(buf) - 1 && (r = read(*errfd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += r;
		buf[len] = 0;
		if (strstr(buf, "monitoring"))
			break;
	}
	return pid;
}

static void stop(pid_t pid, int errfd)
{
	if (pid > 0) {
		kill(pid, SIGINT);
		waitpid(pid, NULL, 0);
	}
	if (errfd >= 0)
		close(errfd);
}

/* Run argv, read the ns/iteration it prints. */
static double measure(char *const argv[])
{
	char buf[64] = "";
	ssize_t r;
	int out;
	/* stderr (events and notes of bpfguard run) on /dev/null */
	pid_t pid = spawn_piped(argv, 1, &out);

	if (pid < 0)
		return -1;
	r = read(out, buf, sizeof(buf) - 1);
	close(out);
	waitpid(pid, NULL, 0);
	return r > 0 ? atof(buf) : -1;
}

int main(int argc, char **argv)
{
	const char *bg = argc > 1 ? argv[1] : "build/bpfguard";
	long iters = argc > 2 ? atol(argv[2]) : 2000000;
	int rounds = argc > 3 ? atoi(argv[3]) : 3, r, k, m;
	static const char *const kinds[] = {"getppid", "openclose"};
	enum { BARE, SECCOMP, DENY, KILL, ALERT, BYSTANDER, EMPTY, MON_BY, MON_SELF, NMODES };
	static const char *const names[] = {"bare",
					    "seccomp alone",
					    "run --action deny",
					    "run --action kill",
					    "run --action alert",
					    "bystander",
					    "tp_btf empty",
					    "monitor: bystander",
					    "monitor: monitored"};
	double best[2][NMODES];
	char self[512], n_s[32], pol[] = "/tmp/bg-bench-policy.XXXXXX";
	struct bg_policy p;
	ssize_t len;
	FILE *f;
	int fd;

	if (argc > 2 && !strcmp(argv[1], "--loop"))
		return loop(argv[2], atol(argv[3]));
	if (argc > 4 && !strcmp(argv[1], "--seccomp"))
		return seccomp_loop(argv[2], atol(argv[3]), argv[4]);
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0)
		return 1;
	self[len] = 0;
	snprintf(n_s, sizeof(n_s), "%ld", iters);

	/* The policy: what the loop needs (profiled by bpfguard itself),
	 * padded with other syscalls to 300, as a real allowlist would be. */
	fd = mkstemp(pol);
	if (fd < 0)
		return 1;
	close(fd);
	unlink(pol); /* profile --append starts a new policy when none exists */
	for (k = 0; k < 2; k++) {
		char *prof[] = {(char *)bg, "profile",	      "-o", pol, "--append", "--", self,
				"--loop",   (char *)kinds[k], "10", NULL};
		pid_t pid = fork();

		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(devnull, 1);
			dup2(devnull, 2);
			execv(bg, prof);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	{
		char err[600];

		if (bg_policy_load(pol, &p, err, sizeof(err))) {
			fprintf(stderr, "bench/syscalls: profiling the loop failed: %s\n", err);
			return 1;
		}
	}
	/* Like for like with "seccomp alone": the syscall allowlist only (a
	 * files section would add Landlock's cost to every open). */
	p.has_files = p.has_exec = p.has_net = false;
	k = count_bits(p.sys_native);
	printf("bench/syscalls: %d syscalls profiled, policy padded to %d, %ld iterations, "
	       "%d rounds, interleaved\n",
	       k, pad_to_300(p.sys_native), iters, rounds);
	f = fopen(pol, "w");
	if (!f || bg_policy_write(&p, f, NULL, 0) || fclose(f))
		return 1;
	for (k = 0; k < 2; k++)
		for (m = 0; m < NMODES; m++)
			best[k][m] = 1e18;

	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			char *bare[] = {self, "--loop", (char *)kinds[k], n_s, NULL};
			char *sec[] = {self, "--seccomp", (char *)kinds[k], n_s, pol, NULL};
			char *deny[] = {(char *)bg, "run", "--policy", pol,	 "--action",
					"deny",	    "--",  self,       "--loop", (char *)kinds[k],
					n_s,	    NULL};
			double v[NMODES];
			struct empty_sys_enter *e;
			pid_t by;

			v[BARE] = measure(bare);
			v[SECCOMP] = measure(sec);
			v[DENY] = measure(deny);
			deny[5] = "kill";
			v[KILL] = measure(deny);
			deny[5] = "alert";
			v[ALERT] = measure(deny);
			/* A bystander: bpfguard sandboxes a sleeper meanwhile. */
			by = fork();
			if (by == 0) {
				char *sl[] = {(char *)bg, "run",	"--policy", pol,
					      "--",	  "/bin/sleep", "60",	    NULL};
				int devnull = open("/dev/null", O_WRONLY);

				dup2(devnull, 2);
				execv(bg, sl);
				_exit(127);
			}
			usleep(300000);
			v[BYSTANDER] = measure(bare);
			kill(by, SIGTERM);
			waitpid(by, NULL, 0);
			e = empty_sys_enter__open_and_load();
			if (e && !empty_sys_enter__attach(e))
				v[EMPTY] = measure(bare);
			else
				v[EMPTY] = -1;
			empty_sys_enter__destroy(e);
			/* monitor: a sleeper is the target; the loop is a bystander. */
			by = fork();
			if (by == 0) {
				execl("/bin/sleep", "sleep", "60", (char *)NULL);
				_exit(127);
			}
			{
				char by_s[16], *mon[] = {(char *)bg, "monitor",	 "--policy",
							 pol,	     "--output", "/dev/null",
							 "--pid",    by_s,	 NULL};
				int errfd = -1;
				pid_t mp;

				snprintf(by_s, sizeof(by_s), "%d", by);
				mp = start_monitor(mon, &errfd);
				v[MON_BY] = measure(bare);
				stop(mp, errfd);
				/* The loop itself, picked up at exec by --exe. */
				mon[6] = "--exe";
				mon[7] = self;
				mp = start_monitor(mon, &errfd);
				v[MON_SELF] = measure(bare);
				stop(mp, errfd);
			}
			kill(by, SIGKILL);
			waitpid(by, NULL, 0);
			for (m = 0; m < NMODES; m++)
				if (v[m] > 0 && v[m] < best[k][m])
					best[k][m] = v[m];
		}
	}
	for (k = 0; k < 2; k++) {
		printf("\n%s loop (best of %d, ns per iteration, ratio to bare):\n", kinds[k],
		       rounds);
		for (m = 0; m < NMODES; m++)
			printf("  %-20s %8.1f ns  %5.2fx\n", names[m], best[k][m],
			       best[k][m] / best[k][BARE]);
		printf("  sandboxed/seccomp alone: %.2f (target <= 1.10); bystander: %.2f; "
		       "empty tp_btf adds %.1f ns\n",
		       best[k][DENY] / best[k][SECCOMP], best[k][BYSTANDER] / best[k][BARE],
		       best[k][EMPTY] - best[k][BARE]);
		printf("  monitor bystander/empty tp_btf: %.2f (target <= 1.20); monitored/empty "
		       "tp_btf: %.2f\n",
		       best[k][MON_BY] / best[k][EMPTY], best[k][MON_SELF] / best[k][EMPTY]);
	}
	unlink(pol);
	bg_policy_free(&p);
	return 0;
}
