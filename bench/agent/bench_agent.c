// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/agent: what the running agent costs the host.
 *
 * - footprint: VmRSS of an idle `bpfguard agent` (from /proc/PID/status,
 *   with its anonymous and file-backed parts), on config/default.yaml and
 *   on a config with every agent guard on (exec, bpf_load, files, limits
 *   with memory, children and network rules, the XDP filter on lo in a
 *   private network namespace), once its agent-start event is out.
 * - limits bystander: an open+close loop (and an mmap+munmap one) of a
 *   process no rule matches, under the limits guard's tp_btf sys_enter
 *   program (it runs for every syscall of every task) with a max_memory
 *   rule on /bin/sleep, beside the same loop under an empty tp_btf
 *   sys_enter program (the floor of any per-syscall hook). The guard is
 *   the agent's own code (src/guards/limits.c), loaded here so that the two
 *   programs can take turns every CHUNK iterations (attach, loop, detach):
 *   on a shared machine whose speed drifts within a second, only short
 *   paired chunks give a stable ratio. The ratio is the median over all
 *   chunk pairs of limits/empty.
 *
 * Usage: bench_agent [ROUNDS [ITERATIONS]]  (7, 200000 per program per round,
 *        in chunks of ITERATIONS / 10)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "../bench.h"
#include "core/guard.h"
#include "empty_sys_enter.skel.h"
#include "events/ring.h"
#include "core/ident.h"
#include "limits.skel.h"
#include "guards/limits_guard.h"
#include "core/log.h"
#include "core/probe.h"

#define MAX_ROUNDS 32
#define CHUNKS	   10 /* per round */

static char bg[PATH_MAX], dir[64] = "/tmp/bgpf-agent.XXXXXX";

/* ns per iteration of open+close of /dev/null, or with mm set, of
 * mmap+munmap of one anonymous page (calls the limits program decodes). */
static double loop_ns(long n, bool mm)
{
	double t0 = now_ns();
	long i;

	if (!mm)
		return open_close_ns("/dev/null", n);
	for (i = 0; i < n; i++) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	return (now_ns() - t0) / n;
}

/* Start the agent on CONFIG and wait (10 s at most) for its agent-start
 * event: by then every guard is loaded and attached. */
static pid_t agent_start(const char *config)
{
	char out[128];
	pid_t pid;
	int i;

	snprintf(out, sizeof(out), "%s/events.json", dir);
	unlink(out);
	pid = bench_agent_fork(bg, config, out);
	for (i = 0; pid > 0 && i < 1000; i++) {
		if (file_holds(out, "\"agent-start\""))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		usleep(10000);
	}
	fprintf(stderr, "bench/agent: the agent did not start on %s\n", config);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

static void agent_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* kB of VmRSS, RssAnon and RssFile of pid. */
static int rss(pid_t pid, long kb[3])
{
	static const char *const keys[3] = {"VmRSS:", "RssAnon:", "RssFile:"};
	char path[64], line[256];
	FILE *f;
	int k, found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		for (k = 0; k < 3; k++)
			if (!strncmp(line, keys[k], strlen(keys[k]))) {
				kb[k] = atol(line + strlen(keys[k]));
				found++;
			}
	fclose(f);
	return found == 3 ? 0 : -1;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

/* One line of make bench's summary table: name|baseline|bpfguard|ratio|
 * goal|met. A figure without a baseline (an absolute size) has "-". The
 * ratio is the median of the rounds' paired ratios, not a ratio of the
 * medians printed beside it. */
static void summary(const char *name, const char *unit, double base, double ours, double ratio,
		    const char *goal, bool met)
{
	char b[32] = "-", r[16] = "-";

	if (base > 0) {
		snprintf(b, sizeof(b), "%.0f %s", base, unit);
		snprintf(r, sizeof(r), "%.2f", ratio);
	}
	printf("summary: %s|%s|%.1f %s|%s|%s|%s\n", name, b, ours, unit, r, goal,
	       met ? "met" : "NOT met");
}

static const char every_guard[] =
	"mode: alert\n"
	"events: { format: json }\n"
	"network:\n"
	"  interfaces: [lo]\n"
	"  allow: { sources: [10.0.0.0/8, 192.168.0.0/16], tcp: [22, 443] }\n"
	"guards:\n"
	"  exec: { enabled: true }\n"
	"  bpf_load: { enabled: true, action: alert, report: all, patterns: %s/bpf-patterns.yaml "
	"}\n"
	"  files:\n"
	"    rules:\n"
	"      - { name: shadow, paths: [/etc/shadow], read: [/usr/bin/passwd], write: "
	"[/usr/bin/passwd] }\n"
	"  limits:\n"
	"    rules:\n"
	"      - { name: mem, match: { exe: /bin/sleep }, action: kill, max_memory: 200MiB }\n"
	"      - { name: kids, match: { exe: /usr/bin/dash }, max_descendants: 1000 }\n"
	"      - name: net\n"
	"        match: { comm: bgpf-nobody }\n"
	"        action: kill\n"
	"        network: { ban: [connect], allow: [\"10.0.0.0/8:443\"] }\n";

/* The agent's limits guard with one max_memory rule on /bin/sleep (the
 * bench itself matches no rule), its sys_enter program detached. */
static int limits_load(struct bg_limits_guard *g, struct bg_events *ev)
{
	static struct bg_limits_rule rule = {.name = "mem",
					     .match = BG_LIM_MATCH_EXE,
					     .target = "/bin/sleep",
					     .action = BG_ACT_KILL};
	struct bg_limits_config c = {.rules = &rule, .n_rules = 1};
	static struct bg_caps caps;
	struct bg_guard_env env = {.ev = ev, .caps = &caps, .mode = BG_ACT_ALERT};

	rule.r.max_memory = 200ULL << 20;
	/* tp_btf only: the LSM programs never run in these loops. */
	if (bg_ident_from_path("/bin/sleep", &rule.exe) ||
	    bg_probe_only(&caps, BG_FEAT_BIT(BG_FEAT_TP_BTF)) < 0 || bg_events_create(ev, 0))
		return -1;
	if (bg_guard_limits.start(g, &c, &env)) {
		bg_events_close(ev);
		return -1;
	}
	if (!g->sys_enter)
		return -1; /* a max_memory rule needs it: the guard changed */
	bpf_link__destroy(g->sys_enter);
	g->sys_enter = NULL;
	return 0;
}

/* ns per iteration of CHUNK iterations (open+close, or mmap+munmap) under
 * the limits program (lim) or the empty one. */
static int chunk_ns(struct bg_limits_guard *g, struct empty_sys_enter *e, bool lim, long n,
		    double out[2])
{
	struct bpf_link *l = lim ? bpf_program__attach(g->skel->progs.lim_sys_enter)
				 : bpf_program__attach(e->progs.empty_sys_enter);

	if (!l)
		return -1;
	out[0] = loop_ns(n, false);
	out[1] = loop_ns(n, true);
	bpf_link__destroy(l);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 7, r, k;
	long iters = argc > 2 ? atol(argv[2]) : 200000;
	char cfgdir[PATH_MAX], path[PATH_MAX + 64], every[sizeof(every_guard) + PATH_MAX];
	const char *cfgs[2];
	long kb[2][3];
	double load[3] = {0};
	int err = 1;

	if (rounds < 1 || rounds > MAX_ROUNDS || iters < 1) {
		fprintf(stderr, "usage: bench_agent [ROUNDS (1-%d) [ITERATIONS]]\n", MAX_ROUNDS);
		return 2;
	}
	/* The build tree's bpfguard, and config/ of the source tree (the
	 * working directory of make bench). */
	if (bench_bpfguard(bg))
		return 1;
	if (!realpath("config", cfgdir) || access(bg, X_OK)) {
		printf("bench_agent: SKIP: run from the source tree after make (needs config/ and "
		       "%s)\n",
		       bg);
		return 0;
	}
	/* The XDP filter goes on lo of a private network namespace, its pins
	 * on a private bpffs: nothing on the host is touched. */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		printf("bench_agent: SKIP: cannot create namespaces: %s\n", strerror(errno));
		return 0;
	}
	if (!mkdtemp(dir))
		return 1;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL))
		fprintf(stderr, "bench/agent: no private bpffs: %s\n", strerror(errno));
	if (system("ip link set lo up"))
		fprintf(stderr, "bench/agent: cannot bring lo up\n");
	snprintf(every, sizeof(every), every_guard, cfgdir);
	snprintf(path, sizeof(path), "%s/every.yaml", dir);
	if (write_file(path, every))
		goto out;
	getloadavg(load, 3);
	printf("bench/agent: load average %.2f %.2f %.2f\n", load[0], load[1], load[2]);

	/* Footprint: idle, after start; the ring buffer's pages are resident
	 * only once written, so a second sample after a burst of execs. */
	snprintf(path, sizeof(path), "%s/default.yaml", cfgdir);
	cfgs[0] = path;
	snprintf(every, sizeof(every), "%s/every.yaml", dir);
	cfgs[1] = every;
	for (k = 0; k < 2; k++) {
		pid_t a = agent_start(cfgs[k]);
		int i;

		if (a < 0 || rss(a, kb[k]))
			goto out;
		printf("footprint %-8s idle after start: VmRSS %ld kB (anon %ld, file %ld)\n",
		       k ? "every" : "default", kb[k][0], kb[k][1], kb[k][2]);
		/* 2000 execs: exec and exit events through the whole ring. */
		for (i = 0; i < 2000; i++) {
			pid_t c = fork();

			if (c == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(c, NULL, 0);
		}
		usleep(500000);
		if (rss(a, kb[k]))
			goto out;
		printf("footprint %-8s after 2000 execs: VmRSS %ld kB (anon %ld, file %ld)\n",
		       k ? "every" : "default", kb[k][0], kb[k][1], kb[k][2]);
		agent_stop(a);
	}
	summary("agent RSS, default config, idle", "MB", 0, kb[0][0] / 1024.0, 0, "<= 16 MB",
		kb[0][0] <= 16 * 1024);
	summary("agent RSS, every guard on, idle", "MB", 0, kb[1][0] / 1024.0, 0, "<= 24 MB",
		kb[1][0] <= 24 * 1024);

	/* Limits bystander. */
	{
		static double q[2][MAX_ROUNDS * CHUNKS], t[2][2][MAX_ROUNDS * CHUNKS];
		static const char *const what[2] = {"open+close", "mmap+munmap"};
		struct empty_sys_enter *e = empty_sys_enter__open_and_load();
		struct bg_limits_guard g;
		struct bg_events ev;
		long chunk = iters / CHUNKS > 0 ? iters / CHUNKS : 1;
		int np = 0, c, w;

		if (!e || limits_load(&g, &ev)) {
			fprintf(stderr, "bench/agent: cannot load the limits guard or the empty "
					"program\n");
			empty_sys_enter__destroy(e);
			goto out;
		}
		printf("limits bystander: %d rounds x %d chunk pairs of %ld iterations (ns per "
		       "iteration; limits/empty)\n",
		       rounds, CHUNKS, chunk);
		for (r = 0; r < rounds; r++) {
			double bare = loop_ns(chunk, false), mbare = loop_ns(chunk, true);

			for (c = 0; c < CHUNKS; c++, np++) {
				double a[2], b[2];
				/* Alternate which goes first. */
				bool lim_first = (r * CHUNKS + c) & 1;

				if (chunk_ns(&g, e, lim_first, chunk, lim_first ? b : a) ||
				    chunk_ns(&g, e, !lim_first, chunk, lim_first ? a : b))
					break;
				for (w = 0; w < 2; w++) {
					t[w][0][np] = a[w];
					t[w][1][np] = b[w];
					q[w][np] = b[w] / a[w];
				}
			}
			if (c < CHUNKS) {
				fprintf(stderr, "bench/agent: attach failed\n");
				break;
			}
			printf("round %2d: bare open+close %.0f, mmap+munmap %.0f; last pair: "
			       "empty %.0f/%.0f, limits %.0f/%.0f\n",
			       r + 1, bare, mbare, t[0][0][np - 1], t[1][0][np - 1],
			       t[0][1][np - 1], t[1][1][np - 1]);
			fflush(stdout);
		}
		bg_guard_limits.stop(&g);
		bg_events_close(&ev);
		empty_sys_enter__destroy(e);
		if (r < rounds)
			goto out;
		for (w = 0; w < 2; w++) {
			double m = median(q[w], np), me = median(t[w][0], np),
			       ml = median(t[w][1], np);

			printf("limits bystander %s / empty tp_btf = %.3f (median of %d chunk "
			       "pairs, "
			       "range %.3f-%.3f); empty %.0f ns, limits %.0f ns\n",
			       what[w], m, np, q[w][0], q[w][np - 1], me, ml);
			if (!w)
				summary("limits max_memory bystander open+close / empty tp_btf",
					"ns", me, ml, m, "<= 1.2", m <= 1.2);
		}
	}
	err = 0;
out:
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		fprintf(stderr, "bench/agent: cannot remove %s\n", dir);
	umount2("/sys/fs/bpf", MNT_DETACH);
	if (err)
		fprintf(stderr, "bench/agent: failed\n");
	return err;
}
