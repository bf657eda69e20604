// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/metrics: what the metrics endpoint (metrics.listen) costs the
 * agent, off and on, in alternated rounds of one run:
 * - RSS of the agent once its guards are attached (VmRSS);
 * - the agent's CPU time per event while it consumes a burst of N file
 *   events (this process opens a protected file N times, alert mode), from
 *   its utime+stime at ready to its rusage at exit (SIGTERM drains the
 *   ring), divided by the events it received. The ring is 64 MiB so that
 *   nothing drops and every event goes through the counting hook.
 * - the counting hook alone (bg_metrics_event), ns per record, over 16
 *   rules x 3 outcomes, in this process: the agent-level figures above are
 *   dominated by formatting and writing JSON, and on a shared machine
 *   their noise is larger than the hook.
 * During "on" rounds nothing scrapes: this is the per-event hook's cost
 * (a scrape costs the server's thread, not the consumer).
 *
 * Usage: bench_metrics [ROUNDS [EVENTS]]   (5, 100000); BPFGUARD: the binary.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpfguard/events.h>

#include "../bench.h"
#include "core/metrics.h"
#include "events/format.h"

#define MAX_ROUNDS 32

static char dir[64] = "/tmp/bgpk-metrics.XXXXXX";

/* One round: returns 0 and fills rss (kB) and ns per event. */
static int round_run(const char *bg, bool metrics, int port, long events, long *rss, double *ns)
{
	char cfg[128], out[128], secret[128], err[128], text[1024];
	double c0, c1;
	struct rusage ru;
	long received = 0, i;
	pid_t pid;
	int st, fd;
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/agent.yaml", dir);
	snprintf(out, sizeof(out), "%s/ev.json", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(text, sizeof(text),
		 "events: { format: json, ring_buffer_size: 64MiB }\n%s%d\n"
		 "guards:\n  exec: { enabled: false }\n  bpf_load: { enabled: false }\n"
		 "  files:\n    rules:\n      - name: bench\n        paths: [%s]\n"
		 "        read: [/usr/bin/true]\n",
		 metrics ? "metrics: { listen: \"127.0.0.1:" : "# ", metrics ? port : 0, secret);
	f = fopen(cfg, "we");
	if (!f)
		return -1;
	/* "metrics: { listen: "127.0.0.1:PORT" }" needs its closing. */
	if (metrics) {
		char *nl = strchr(strstr(text, "metrics:"), '\n');
		fprintf(f, "%.*s\" }%s", (int)(nl - text), text, nl);
	} else {
		fputs(text, f);
	}
	fclose(f);
	unlink(out);
	pid = fork();
	if (pid == 0) {
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(e, 2);
		execl(bg, bg, "agent", "--config", cfg, "--output", out, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1200 && !file_holds(out, "\"agent-start\""); i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "bench_metrics: agent exited (see %s)\n", err);
			return -1;
		}
		usleep(100000);
	}
	if (!file_holds(out, "\"agent-start\"")) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	usleep(300000); /* settle after the start's heap trim */
	*rss = proc_status_kb(pid, "VmRSS:");
	c0 = proc_cpu_s(pid);
	for (i = 0; i < events; i++) {
		fd = open(secret, O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	kill(pid, SIGTERM);
	if (wait4(pid, &st, 0, &ru) != pid)
		return -1;
	c1 = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	     (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	f = fopen(err, "re");
	while (f && fgets(text, sizeof(text), f))
		sscanf(text, "bpfguard: %ld events received", &received);
	if (f)
		fclose(f);
	if (received < events) {
		fprintf(stderr, "bench_metrics: %ld of %ld events received\n", received, events);
		return -1;
	}
	*ns = (c1 - c0) * 1e9 / received;
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 5, r, k;
	long events = argc > 2 ? atol(argv[2]) : 100000, rss[2][MAX_ROUNDS];
	double ns[2][MAX_ROUNDS], ratio[MAX_ROUNDS], rssd[2][MAX_ROUNDS], med[2], rmed[2], q;
	const char *bg = getenv("BPFGUARD") ? getenv("BPFGUARD") : "build/bpfguard";
	char secret[128];
	FILE *f;

	if (rounds < 1 || rounds > MAX_ROUNDS || events < 1000)
		return fprintf(stderr, "usage: bench_metrics [ROUNDS<=32 [EVENTS>=1000]]\n"), 2;
	if (geteuid())
		return printf("bench_metrics: skipped (needs root)\n"), 0;
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	f = fopen(secret, "we");
	if (!f)
		return 1;
	fputs("secret\n", f);
	fclose(f);
	{
		struct bg_metrics *m = calloc(1, sizeof(*m));
		struct bg_event_hdr h = {.type = BG_EV_FILE, .action = BG_ACT_ALERT};
		struct bg_fmt fm;
		struct timespec t0, t1;
		long n = 20000000, j;

		if (!m)
			return 1;
		memset(&fm, 0, sizeof(fm));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (j = 0; j < n; j++) {
			h.rule_id = 1 + (j & 15);
			h.outcome = j % 3;
			bg_metrics_event(m, &fm, &h, sizeof(h));
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double hook = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;

		printf("counting hook: %.1f ns per record (%ld records, 48 series)\n", hook, n);
		printf("summary: metrics counting hook per record|-|%.1f ns|-|<= 50 ns|%s\n", hook,
		       hook <= 50 ? "met" : "NOT met");
		free(m);
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			/* Alternate which goes first: drift does not favour one. */
			int on = (r % 2) ^ k;

			if (round_run(bg, on, 19600 + getpid() % 300, events, &rss[on][r],
				      &ns[on][r]))
				return 1;
			rssd[on][r] = rss[on][r];
		}
		ratio[r] = ns[1][r] / ns[0][r];
		printf("round %d: off %.0f ns/event %ld kB, on %.0f ns/event %ld kB\n", r, ns[0][r],
		       rss[0][r], ns[1][r], rss[1][r]);
	}
	for (k = 0; k < 2; k++) {
		med[k] = median(ns[k], rounds);
		rmed[k] = median(rssd[k], rounds);
	}
	q = median(ratio, rounds);
	printf("agent CPU per event: metrics off %.0f ns, on %.0f ns, ratio %.3f (median of paired "
	       "rounds)\n",
	       med[0], med[1], q);
	printf("agent RSS at ready: metrics off %.1f MB, on %.1f MB\n", rmed[0] / 1024,
	       rmed[1] / 1024);
	printf("summary: agent CPU per file event, metrics on / off|%.0f ns|%.0f ns|%.2f|<= "
	       "1.10|%s\n",
	       med[0], med[1], q, q <= 1.10 ? "met" : "NOT met");
	printf("summary: agent RSS at ready, metrics on / off|%.1f MB|%.1f MB|%.2f|<= +2 MB|%s\n",
	       rmed[0] / 1024, rmed[1] / 1024, rmed[1] / rmed[0],
	       rmed[1] - rmed[0] <= 2048 ? "met" : "NOT met");
	unlink(secret);
	unlink_in(dir, "ev.json");
	unlink_in(dir, "agent.yaml");
	unlink_in(dir, "err");
	rmdir(dir);
	return 0;
}
