// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/taint: what the taint guard (guards.taint) costs a bystander, a
 * process that never read a classified file, on the two egress calls the
 * guard's cgroup hooks see: connect() of a UDP socket (connect4: no
 * handshake, the hook dominates what is left) and sendto() of a datagram
 * (sendmsg4); and on open+close of a file that is not classified, 4
 * directories below a classified directory's parent (the ancestor walk).
 * Without BPF LSM the guard watches every syscall's return
 * (tp_btf/sys_exit, for the opens): that is in the figures too.
 *
 * One run, interleaved rounds: the guard is started once with one rule
 * (through its struct bg_guard, as the agent does); each round times the
 * loop with every program of the guard detached, with empty programs on
 * the four cgroup hooks (tests/bpf/empty_sock_addr: the floor of any
 * program there), with those and an empty tp_btf/sys_exit (without LSM:
 * the floor of any program that sees every syscall's return), with only
 * the guard's cgroup hooks attached (the part every kernel pays) and with
 * all of it attached, the first condition rotating; the ratios are medians of the rounds' ratios
 * to the detached time (many short rounds: other load on the machine hits
 * all sides alike). Goal: the whole guard <= 1.2.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpfguard/events.h>

#include "core/config.h"
#include "core/guard.h"
#include "core/log.h"
#include "core/probe.h"
#include "events/ring.h"
#include "guards/taint.h"
#include "empty_sock_addr.skel.h"
#include "taint.skel.h"
#include "../bench.h"

#define MAX_ROUNDS 201

/* nothing; empty programs on the four hooks; the same and an empty sys_exit
 * program (without LSM); the guard's cgroup hooks; the whole guard */
enum { NONE, EMPTY, EMPTY_EXIT, CGROUP, ALL, NCOND };

extern const struct bg_guard bg_guard_taint;

enum { CONNECT, SENDTO, OPEN, NLOOP };

/* ns per call: connect() of one UDP socket again and again, sendto(), or
 * open+close of a file that is not classified (path). */
static double loop(int what, int fd, const struct sockaddr_in *to, const char *path, long n)
{
	double t0 = now_ns();
	long i;
	int f;

	for (i = 0; i < n; i++) {
		if (what == SENDTO) {
			sendto(fd, "x", 1, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof(*to));
		} else if (what == CONNECT) {
			connect(fd, (const struct sockaddr *)to, sizeof(*to));
		} else if ((f = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			close(f);
		}
	}
	return (now_ns() - t0) / n;
}

/* The guard started as the agent starts it, through its struct bg_guard. */
static int guard_start(struct bg_config *cfg, struct taint_guard *g, struct bg_events *ev,
		       const char *yaml, const struct bg_caps *caps)
{
	struct bg_guard_env env = {.ev = ev, .caps = caps, .mode = BG_ACT_DENY};
	char err[512];

	/* Parsed, then its paths resolved to identities, as the agent applies it. */
	if (bg_config_parse("bench", yaml, strlen(yaml), cfg, err, sizeof(err)) ||
	    bg_config_resolve(cfg, err, sizeof(err))) {
		fprintf(stderr, "bench/taint: %s\n", err);
		return -EINVAL;
	}
	if (bg_events_create(ev, 1 << 20))
		return -ENOMEM;
	return bg_guard_taint.start(g, bg_config_get(cfg, &bg_guard_taint), &env);
}

/* What the guard attaches, again (after a detach): the egress hooks at the
 * cgroup v2 root, and with tracing its tracing and LSM programs too. */
static int guard_attach(struct taint_guard *g, const char *root, bool tracing)
{
	struct bg_taint_bpf *s = g->skel;
	struct bpf_program *p[] = {s->progs.taint_connect4, s->progs.taint_connect6,
				   s->progs.taint_sendmsg4, s->progs.taint_sendmsg6};
	struct bpf_link **l[] = {&s->links.taint_connect4, &s->links.taint_connect6,
				 &s->links.taint_sendmsg4, &s->links.taint_sendmsg6};
	int fd, i, err = tracing ? bg_taint_bpf__attach(s) : 0;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (err || fd < 0)
		return err ? err : -errno;
	for (i = 0; i < 4 && !err; i++)
		if (!(*l[i] = bpf_program__attach_cgroup(p[i], fd)))
			err = -errno;
	close(fd);
	return err;
}

/* The empty programs at the cgroup v2 root (with sys_exit: and the empty
 * tp_btf/sys_exit), or detached (on false). */
static int empty_attach(struct empty_sock_addr *e, const char *root, bool on, bool sys_exit)
{
	struct bpf_program *p[] = {e->progs.empty_connect4, e->progs.empty_connect6,
				   e->progs.empty_sendmsg4, e->progs.empty_sendmsg6};
	struct bpf_link **l[] = {&e->links.empty_connect4, &e->links.empty_connect6,
				 &e->links.empty_sendmsg4, &e->links.empty_sendmsg6};
	int fd, i, err = 0;

	if (!on) {
		empty_sock_addr__detach(e);
		return 0;
	}
	if (sys_exit && !(e->links.empty_sys_exit = bpf_program__attach(e->progs.empty_sys_exit)))
		return -errno;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < 4 && !err; i++)
		if (!(*l[i] = bpf_program__attach_cgroup(p[i], fd)))
			err = -errno;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	long iters = 5000;
	int rounds = 41, k, w, err = 1;
	static double q[NLOOP][NCOND][MAX_ROUNDS], t[NLOOP][NCOND][MAX_ROUNDS];
	static const char *const what[NLOOP] = {"UDP connect", "UDP sendto", "open+close"};
	char dir[] = "/var/tmp/bgtt-bench-XXXXXX", secret[64], plain[96], yaml[512];
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct taint_guard g = {0};
	struct bg_config cfg = {0};
	struct bg_events ev = {0};
	struct empty_sock_addr *empty = NULL;
	bool started = false, lsm;
	struct bg_caps caps;
	int fd = -1, rx = -1, sfd;
	socklen_t len = sizeof(to);

	if (bench_iters_rounds(argc, argv, "bench_taint", &iters, &rounds, MAX_ROUNDS))
		return 2;
	bench_log_libbpf();
	/* A classified file and directory (the directory turns on the ancestor
	 * walk every open pays), and a plain file 4 levels down beside them. */
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(plain, sizeof(plain), "%s/cls", dir);
	mkdir(plain, 0700);
	snprintf(plain, sizeof(plain), "%s/a", dir);
	for (k = 0; k < 4; k++) {
		mkdir(plain, 0700);
		strcat(plain, k < 3 ? "/a" : "/plain");
	}
	sfd = open(secret, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (sfd < 0 || close(sfd) ||
	    (sfd = open(plain, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) < 0) {
		perror("bench files");
		goto out;
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
		 "      - name: bench\n        paths: [%s, %s/cls]\n"
		 "        allow: { networks: [\"10.0.0.0/8:443\"], ports: [53] }\n",
		 secret, dir);
	bg_probe(&caps);
	lsm = bg_has(&caps, BG_FEAT_LSM);
	printf("bench/taint: bystander egress with one taint rule vs none, %s, %d rounds x %ld "
	       "iterations, paired\n",
	       lsm ? "BPF LSM + cgroup hooks" : "cgroup hooks + tp_btf/sys_exit", rounds, iters);
	empty = empty_sock_addr__open_and_load();
	if (!empty) {
		fprintf(stderr, "bench/taint: cannot load the empty programs\n");
		goto out;
	}
	if (guard_start(&cfg, &g, &ev, yaml, &caps)) {
		fprintf(stderr, "bench/taint: the guard did not start\n");
		goto out;
	}
	started = true;
	for (k = 0; k < rounds; k++) {
		double v[NCOND][NLOOP];
		int i, c, a;

		/* Each round runs the conditions, starting with a
		 * different one: none has nothing of the guard attached. */
		for (i = 0; i < NCOND; i++) {
			c = (i + k) % NCOND;
			if (c == EMPTY || c == EMPTY_EXIT)
				a = empty_attach(empty, caps.cgroup2, true,
						 c == EMPTY_EXIT && !lsm);
			else
				a = c != NONE ? guard_attach(&g, caps.cgroup2, c == ALL) : 0;
			if (a) {
				fprintf(stderr, "bench/taint: attach failed\n");
				goto out;
			}
			for (w = 0; w < NLOOP; w++)
				v[c][w] = loop(w, fd, &to, plain, iters);
			bg_taint_bpf__detach(g.skel);
			empty_attach(empty, NULL, false, false);
		}
		for (w = 0; w < NLOOP; w++)
			for (c = 0; c < NCOND; c++) {
				t[w][c][k] = v[c][w];
				q[w][c][k] = v[c][w] / v[NONE][w];
			}
		if (k < 3 || k == rounds - 1)
			printf("round %2d: none %.0f/%.0f, empty %.0f/%.0f, cgroup hooks "
			       "%.0f/%.0f, "
			       "all %.0f/%.0f ns (connect/sendto)\n",
			       k + 1, v[NONE][0], v[NONE][1], v[EMPTY][0], v[EMPTY][1],
			       v[CGROUP][0], v[CGROUP][1], v[ALL][0], v[ALL][1]);
		fflush(stdout);
	}
	for (w = 0; w < NLOOP; w++) {
		double mb = median(t[w][NONE], rounds), me = median(t[w][EMPTY], rounds),
		       mx = median(t[w][EMPTY_EXIT], rounds), mc = median(t[w][CGROUP], rounds),
		       mg = median(t[w][ALL], rounds), qe = median(q[w][EMPTY], rounds),
		       qx = median(q[w][EMPTY_EXIT], rounds), qc = median(q[w][CGROUP], rounds),
		       m = median(q[w][ALL], rounds);

		printf("taint bystander %s: none %.0f ns; empty programs %.0f ns (%.3f)", what[w],
		       mb, me, qe);
		if (!lsm)
			printf("; empty programs + empty sys_exit %.0f ns (%.3f)", mx, qx);
		printf("; the guard's cgroup hooks %.0f ns (%.3f); the whole guard %.0f ns (%.3f, "
		       "range %.3f-%.3f; median of %d rounds)\n",
		       mc, qc, mg, m, q[w][ALL][0], q[w][ALL][rounds - 1], rounds);
		/* What the guard's own code adds to the floor of any program on
		 * the hooks it needs (a ratio of medians). */
		printf("summary: taint guard's own work, %s / empty programs on its hooks|%.0f "
		       "ns|%.1f ns|%.2f|<= 1.1|%s\n",
		       what[w], lsm ? me : mx, mg, mg / (lsm ? me : mx),
		       mg / (lsm ? me : mx) <= 1.1 ? "met" : "NOT met");
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
	empty_sock_addr__destroy(empty);
	bg_events_close(&ev);
	bg_config_free(&cfg);
	snprintf(yaml, sizeof(yaml), "rm -rf %s", dir);
	if (system(yaml))
		fprintf(stderr, "bench/taint: cannot remove %s\n", dir);
	return err;
}
