// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/php: the cost of the PHP guard on a function-call-heavy PHP script
 * (500 user functions, a hot loop of user and built-in calls), in one run,
 * interleaved rounds, medians, as ratios to bare and ns per PHP call:
 *   bare        php, no probes enabled
 *   dtrace      USE_ZEND_DTRACE=1 alone (PHP's slower call path, no probe
 *               attached: the USDT sites are nops)
 *   other       bare php while `bpfguard run` enforces a policy on another
 *               process: PHP without USE_ZEND_DTRACE=1 takes no probed path
 *   trap        USE_ZEND_DTRACE=1 while `bpfguard run` enforces a policy on
 *               another PHP process: the uprobes fire for every process
 *               mapping php, our programs return at the cgroup check
 *   enforce     under `bpfguard run --action kill` with the profiled
 *               500-function allowlist (php: section alone)
 * The policy is recorded first by `bpfguard profile` on the same script.
 * Usage: bench_php [BPFGUARD] [ITERATIONS] [ROUNDS]
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFUNCS 500
#define HOT    10 /* user functions called per loop iteration, plus one built-in */

static char dir[] = "/tmp/bg-bench-php.XXXXXX";
static char script[128], full[128], policy[128], php_path[4096];

static int write_script(void)
{
	FILE *f = fopen(script, "w");
	int i;

	if (!f)
		return -errno;
	fprintf(f, "<?php\n");
	for (i = 0; i < NFUNCS; i++)
		fprintf(f, "function f%d($x) { return $x + %d; }\n", i, i);
	/* Warm-up calls every function once (the profile records all 500). */
	fprintf(f,
		"$n = (int)$argv[1];\n$s = 0;\nfor ($i = 0; $i < %d; $i++) "
		"$s += ('f' . $i)($i);\n",
		NFUNCS);
	fprintf(f, "$t = hrtime(true);\nfor ($i = 0; $i < $n; $i++) {\n");
	for (i = 0; i < HOT; i++)
		fprintf(f, "\t$s += f%d($i);\n", i * 37);
	fprintf(f, "\t$s += abs($i);\n}\n");
	fprintf(f, "$t = hrtime(true) - $t;\nprintf(\"%%.2f %%d\\n\", $t / ($n * %d), $s);\n",
		HOT + 1);
	return fclose(f) ? -errno : 0;
}

/* Run argv with extra environment; read "ns-per-call" from its stdout. */
static int measure(char *const argv[], bool dtrace, double *ns)
{
	int fd[2], status;
	char buf[256];
	ssize_t n;
	pid_t pid;

	if (pipe(fd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		if (dtrace)
			setenv("USE_ZEND_DTRACE", "1", 1);
		else
			unsetenv("USE_ZEND_DTRACE");
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	n = read(fd[0], buf, sizeof(buf) - 1);
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_php: %s ... failed (status %d)\n", argv[0], status);
		return -EIO;
	}
	buf[n] = 0;
	*ns = strtod(buf, NULL);
	return 0;
}

/* The php: section of the profile, alone, as a policy. */
static int php_only(void)
{
	char line[512];
	bool in = false;
	FILE *in_f = fopen(full, "r"), *out = fopen(policy, "w");
	int nf = 0;

	if (!in_f || !out) {
		if (in_f)
			fclose(in_f);
		if (out)
			fclose(out);
		return -errno;
	}
	fprintf(out, "version: 1\n");
	while (fgets(line, sizeof(line), in_f)) {
		if (!strncmp(line, "php:", 4))
			in = true;
		if (!in)
			continue;
		fputs(line, out);
		nf += !strncmp(line, "    \"", 5);
	}
	fclose(in_f);
	fclose(out);
	return nf;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *bg = argc > 1 ? argv[1] : "build/bpfguard";
	const char *iters = argc > 2 ? argv[2] : "100000";
	int rounds = argc > 3 ? atoi(argv[3]) : 3, r, m, nf, rc = 1;
	enum { BARE, DTRACE, OTHER, TRAP, ENFORCE, NMODES };
	static const char *const names[] = {"bare", "dtrace", "other", "trap", "enforce"};
	double ns[NMODES][16], med[NMODES];
	pid_t other = -1;
	char cmd[512];

	if (rounds < 1 || rounds > 16 || !mkdtemp(dir))
		return 1;
	snprintf(script, sizeof(script), "%s/bench.php", dir);
	snprintf(full, sizeof(full), "%s/full.yaml", dir);
	snprintf(policy, sizeof(policy), "%s/php.yaml", dir);
	if (write_script())
		goto out;
	{
		FILE *p = popen("command -v php", "r");

		if (!p || !fgets(php_path, sizeof(php_path), p)) {
			fprintf(stderr, "bench_php: no php in PATH\n");
			if (p)
				pclose(p);
			goto out;
		}
		pclose(p);
		php_path[strcspn(php_path, "\n")] = 0;
	}
	snprintf(cmd, sizeof(cmd), "%s profile -o %s -- php %s 1000 >/dev/null 2>&1", bg, full,
		 script);
	if (system(cmd)) {
		fprintf(stderr, "bench_php: cannot profile (%s)\n", cmd);
		goto out;
	}
	nf = php_only();
	if (nf < NFUNCS) {
		fprintf(stderr, "bench_php: the profile has %d PHP functions, want >= %d\n", nf,
			NFUNCS);
		goto out;
	}
	{
		char *bare[] = {"php", script, (char *)iters, NULL};
		char *enf[] = {(char *)bg, "run", "--policy", policy,	     "--action", "kill",
			       "--",	   "php", script,     (char *)iters, NULL};
		/* Not PHP itself: BPFGUARD_PHP names the binary to probe. */
		char *idle[] = {(char *)bg, "run", "--policy", policy, "--action",
				"kill",	    "--",  "sleep",    "600",  NULL};

		for (r = 0; r < rounds; r++) {
			if (measure(bare, false, &ns[BARE][r]) ||
			    measure(bare, true, &ns[DTRACE][r]) ||
			    measure(enf, false, &ns[ENFORCE][r]))
				goto out;
			other = fork();
			if (other == 0) {
				setenv("BPFGUARD_PHP", php_path, 1);
				execvp(idle[0], idle);
				_exit(127);
			}
			usleep(500 * 1000); /* let it attach */
			if (measure(bare, true, &ns[TRAP][r]) ||
			    measure(bare, false, &ns[OTHER][r]))
				goto out;
			kill(other, SIGINT);
			waitpid(other, NULL, 0);
			other = -1;
		}
	}
	for (m = 0; m < NMODES; m++) {
		qsort(ns[m], rounds, sizeof(double), cmp_d);
		med[m] = ns[m][rounds / 2];
	}
	printf("bench_php: %s iterations x %d PHP calls (%d user, 1 built-in), %d rounds, "
	       "medians; allowlist %d functions\n",
	       iters, HOT + 1, HOT, rounds, nf);
	printf("  %-8s %9s %8s\n", "mode", "ns/call", "ratio");
	for (m = 0; m < NMODES; m++)
		printf("  %-8s %9.1f %7.2fx\n", names[m], med[m], med[m] / med[BARE]);
	printf("  per PHP call: USE_ZEND_DTRACE path %+.0f ns; uprobe traps (entry+return) "
	       "%+.0f ns; bpfguard's programs %+.0f ns\n",
	       med[DTRACE] - med[BARE], med[TRAP] - med[DTRACE], med[ENFORCE] - med[TRAP]);
	rc = 0;
out:
	if (other > 0) {
		kill(other, SIGINT);
		waitpid(other, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		rc = 1;
	return rc;
}
