// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/taint: what the taint guard (guards.taint) costs a bystander, a
 * process that never read a classified file, on the two egress calls the
 * guard's cgroup hooks see: connect() of a UDP socket (connect4: no
 * handshake, the hook dominates what is left) and sendto() of a datagram
 * (sendmsg4). Without BPF LSM the guard also watches every syscall's return
 * (tp_btf/sys_exit, for the opens): that is in the figure too.
 *
 * One run, paired chunks: the guard is started once with one rule (through
 * its struct bg_guard, as the agent does); each chunk pair times the loop
 * with every program of the guard detached and with all attached, the
 * order alternating; the ratio is the median of the pairs' ratios (many
 * short pairs: other load on the machine hits both sides alike). Goal:
 * <= 1.2.
 *
 * Usage: bench_taint [ITERATIONS] [ROUNDS]; defaults 5000 and 41, or
 * $BG_BENCH_ITERS and $BG_BENCH_ROUNDS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpfguard/events.h>

#include "core/config.h"
#include "core/guard.h"
#include "core/log.h"
#include "core/probe.h"
#include "events/ring.h"
#include "guards/taint.h"
#include "taint.skel.h"
#include "../bench.h"

#define MAX_ROUNDS 201

extern const struct bg_guard bg_guard_taint;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* ns per call: connect() of one UDP socket again and again, or sendto(). */
static double loop(int fd, const struct sockaddr_in *to, long n, bool send)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		if (send)
			sendto(fd, "x", 1, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof(*to));
		else
			connect(fd, (const struct sockaddr *)to, sizeof(*to));
	}
	return (now_ns() - t0) / n;
}

/* The guard started as the agent starts it, through its struct bg_guard. */
static int guard_start(struct bg_config *cfg, struct taint_guard *g, struct bg_events *ev,
		       const char *yaml, const struct bg_caps *caps)
{
	struct bg_guard_env env = {.ev = ev, .caps = caps, .mode = BG_ACT_DENY};
	char err[512];

	if (bg_config_parse("bench", yaml, strlen(yaml), cfg, err, sizeof(err))) {
		fprintf(stderr, "bench/taint: %s\n", err);
		return -EINVAL;
	}
	if (bg_events_create(ev, 1 << 20))
		return -ENOMEM;
	return bg_guard_taint.start(g, bg_config_get(cfg, &bg_guard_taint), &env);
}

/* Everything the guard attaches, again (after a detach): its tracing and
 * LSM programs, and the egress hooks at the cgroup v2 root. */
static int guard_attach(struct taint_guard *g, const char *root)
{
	struct bg_taint_bpf *s = g->skel;
	struct bpf_program *p[] = {s->progs.taint_connect4, s->progs.taint_connect6,
				   s->progs.taint_sendmsg4, s->progs.taint_sendmsg6};
	struct bpf_link **l[] = {&s->links.taint_connect4, &s->links.taint_connect6,
				 &s->links.taint_sendmsg4, &s->links.taint_sendmsg6};
	int fd, i, err = bg_taint_bpf__attach(s);

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (err || fd < 0)
		return err ? err : -errno;
	for (i = 0; i < 4 && !err; i++)
		if (!(*l[i] = bpf_program__attach_cgroup(p[i], fd)))
			err = -errno;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	const char *ei = getenv("BG_BENCH_ITERS"), *er = getenv("BG_BENCH_ROUNDS");
	long iters = argc > 1 ? atol(argv[1]) : ei ? atol(ei) : 5000;
	int rounds = argc > 2 ? atoi(argv[2]) : er ? atoi(er) : 41, k, w, err = 1;
	static double q[2][MAX_ROUNDS], t[2][2][MAX_ROUNDS];
	static const char *const what[2] = {"UDP connect", "UDP sendto"};
	char secret[] = "/var/tmp/bgtt-bench-XXXXXX", yaml[512];
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct taint_guard g = {0};
	struct bg_config cfg = {0};
	struct bg_events ev = {0};
	bool started = false;
	struct bg_caps caps;
	int fd = -1, rx = -1, sfd;
	socklen_t len = sizeof(to);

	if (rounds < 1 || rounds > MAX_ROUNDS || iters < 1) {
		fprintf(stderr, "usage: bench_taint [ITERATIONS] [ROUNDS <= %d]\n", MAX_ROUNDS);
		return 2;
	}
	bg_log_libbpf();
	if (getenv("BG_BENCH_VERBOSE")) /* libbpf's warnings, e.g. a verifier log */
		bg_log_set_level(BG_LOG_INFO);
	sfd = mkstemp(secret);
	if (sfd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(sfd);
	/* A receiver the datagrams go to (they pile up and are dropped once its
	 * buffer is full: the sender's cost is the same). */
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rx < 0 || bind(rx, (struct sockaddr *)&to, sizeof(to)) ||
	    getsockname(rx, (struct sockaddr *)&to, &len)) {
		perror("receiver");
		goto out;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	snprintf(yaml, sizeof(yaml),
		 "guards:\n  exec: { enabled: false }\n  taint:\n    rules:\n"
		 "      - name: bench\n        paths: [%s]\n"
		 "        allow: { networks: [\"10.0.0.0/8:443\"], ports: [53] }\n",
		 secret);
	bg_probe(&caps);
	printf("bench/taint: bystander egress with one taint rule vs none, %s, %d rounds x %ld "
	       "iterations, paired\n",
	       bg_has(&caps, BG_FEAT_LSM) ? "BPF LSM + cgroup hooks"
					  : "cgroup hooks + tp_btf/sys_exit",
	       rounds, iters);
	if (guard_start(&cfg, &g, &ev, yaml, &caps)) {
		fprintf(stderr, "bench/taint: the guard did not start\n");
		goto out;
	}
	started = true;
	for (k = 0; k < rounds; k++) {
		bool guard_first = k & 1;
		double a[2], b[2];
		int pass;

		/* The baseline runs with nothing of the guard attached. */
		for (pass = 0; pass < 2; pass++) {
			bool guard = (pass == 0) == guard_first;
			double *v = guard ? b : a;

			if (guard && guard_attach(&g, caps.cgroup2)) {
				fprintf(stderr, "bench/taint: attach failed\n");
				goto out;
			}
			for (w = 0; w < 2; w++)
				v[w] = loop(fd, &to, iters, w);
			bg_taint_bpf__detach(g.skel);
		}
		for (w = 0; w < 2; w++) {
			t[w][0][k] = a[w];
			t[w][1][k] = b[w];
			q[w][k] = b[w] / a[w];
		}
		if (k < 5 || k == rounds - 1)
			printf("round %2d: none %.0f/%.0f ns, taint %.0f/%.0f ns "
			       "(connect/sendto)\n",
			       k + 1, a[0], a[1], b[0], b[1]);
		fflush(stdout);
	}
	for (w = 0; w < 2; w++) {
		double m = median(q[w], rounds), mb = median(t[w][0], rounds),
		       mg = median(t[w][1], rounds);

		printf("taint bystander %s: none %.0f ns, taint %.0f ns, ratio %.3f (median of %d "
		       "pairs, range %.3f-%.3f)\n",
		       what[w], mb, mg, m, rounds, q[w][0], q[w][rounds - 1]);
		printf("summary: taint bystander %s / no rule|%.0f ns|%.1f ns|%.2f|<= 1.2|%s\n",
		       what[w], mb, mg, m, m <= 1.2 ? "met" : "NOT met");
	}
	err = 0;
out:
	if (err)
		fprintf(stderr, "bench/taint: failed\n");
	if (fd >= 0)
		close(fd);
	if (rx >= 0)
		close(rx);
	if (started)
		bg_guard_taint.stop(&g);
	bg_events_close(&ev);
	bg_config_free(&cfg);
	unlink(secret);
	return err;
}
