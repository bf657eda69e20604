// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard monitor --policy P (--pid N | --cgroup PATH | --exe PATH)`:
 * hold processes bpfguard did not start to a policy. Nothing can be
 * installed inside a process that already runs (seccomp and Landlock apply
 * to the caller only), so every check is a tracepoint program and the
 * only enforcement is bpf_send_signal(SIGKILL): see bpf/monitor.bpf.c.
 *
 * This half resolves the policy's paths to (device, inode) identities,
 * fills the maps, finds the processes that already belong to a target,
 * and prints the events until SIGINT/SIGTERM.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>
#include <bpfguard/monitor.h>
#include <bpfguard/php.h>
#include <bpfguard/netrule.h>

#include "core/cli.h"
#include "core/context.h"
#include "core/commands.h"
#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/ident.h"
#include "core/log.h"
#include "policy/netrule.h"
#include "policy/policy.h"
#include "monitor.skel.h"
#include "sandbox/php.h"
#include "core/probe.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define MON_TARGETS_MAX 16

static const char *const rule_names[] = {
	[BG_MON_RULE_SYSCALLS] = "policy.syscalls", [BG_MON_RULE_FILES] = "policy.files",
	[BG_MON_RULE_NETWORK] = "policy.network",   [BG_MON_RULE_EXEC] = "policy.executables",
	[BG_EV_PHP_CALL] = "policy.php.functions",  [BG_EV_PHP_SYSCALL] = "policy.php.syscalls",
	[BG_PHP_RULE_FILES] = "policy.php.files",
};

static const char *rule_name(void *ctx, uint32_t id)
{
	(void)ctx;
	return id < sizeof(rule_names) / sizeof(rule_names[0]) ? rule_names[id] : NULL;
}

struct monitor {
	const char *policy_path;
	int action;	   /* index in actions[]: alert or kill */
	struct bg_ctx ctx; /* format, output, events */
	pid_t pids[MON_TARGETS_MAX];
	const char *cgroups[MON_TARGETS_MAX];
	const char *exes[MON_TARGETS_MAX];
	int n_pids, n_cgroups, n_exes;
	struct bg_policy pol;
	struct bg_monitor_bpf *skel;
	int procs_fd; /* mon_procs */
	unsigned long n_files_missing;
	struct bg_php php; /* the php: section (src/sandbox/php.c) */
};

/* The kernel's identity of path (src/core/ident.c), and its stat. */
static int inode_of(const char *path, struct bg_ident *k, struct stat *st)
{
	if (stat(path, st))
		return -errno;
	bg_ident_from_stat(st, k);
	return 0;
}

/* ---- policy to maps ------------------------------------------------------ */

static int grant(int fd, const struct bg_ident *k, const struct bg_mon_file_rule *add)
{
	struct bg_mon_file_rule r = {0};

	/* Several paths may name one inode (hard links, bind mounts): OR them. */
	bpf_map_lookup_elem(fd, k, &r);
	r.self |= add->self;
	r.below_dir |= add->below_dir;
	r.below_file |= add->below_file;
	return bpf_map_update_elem(fd, k, &r, BPF_ANY) ? -errno : 0;
}

#define ACC_OPEN (BG_ACC_READ | BG_ACC_WRITE | BG_ACC_CREAT | BG_ACC_TRUNC)

/*
 * The same reading of the files section as Landlock in `run`: an entry
 * grants its access to itself; a directory with r may also be listed
 * below; a file the program created or wrote while profiled and that is
 * gone now lets files be created in its directory and opened below it with
 * the access recorded for that file, no more.
 */
static int fill_files(struct monitor *m)
{
	int fd = bpf_map__fd(m->skel->maps.mon_files), err;
	size_t i;

	for (i = 0; i < m->pol.n_files; i++) {
		const struct bg_policy_file *f = &m->pol.files[i];
		struct bg_mon_file_rule r = {0};
		struct bg_ident k;
		struct stat st;
		char dir[PATH_MAX], *slash;

		if (!strncmp(f->path, "/proc/", 6))
			continue; /* per-process inodes, not checked (docs/policy.md) */
		if (!inode_of(f->path, &k, &st)) {
			r.self = f->acc & ACC_OPEN;
			if (S_ISDIR(st.st_mode) && (f->acc & BG_ACC_READ))
				r.below_dir = BG_ACC_READ;
		} else if (f->acc & (BG_ACC_CREAT | BG_ACC_WRITE)) {
			/* Gone since the profile: created and removed by the
			 * program (profiles of this kernel record w, not c). */
			snprintf(dir, sizeof(dir), "%s", f->path);
			slash = strrchr(dir, '/');
			if (!slash || slash == dir)
				continue;
			*slash = 0;
			if (inode_of(dir, &k, &st))
				continue;
			/* What was done to it, not a read of its neighbours
			 * (nginx's pid file is opened O_RDWR: r stays). */
			r.below_file = (f->acc & ACC_OPEN) | BG_ACC_CREAT;
		} else {
			m->n_files_missing++;
			continue;
		}
		err = grant(fd, &k, &r);
		if (err)
			return err;
	}
	return 0;
}

static int fill_maps(struct monitor *m)
{
	struct bg_monitor_bpf *s = m->skel;
	struct stat st;
	uint8_t one = 1;
	size_t i;
	int err;

	for (i = 0; i < m->pol.n_execs; i++) {
		struct bg_ident k;

		if (inode_of(m->pol.execs[i], &k, &st)) {
			pr_warn("%s: %s: not found, cannot be allowed\n", m->policy_path,
				m->pol.execs[i]);
			continue;
		}
		if (bpf_map_update_elem(bpf_map__fd(s->maps.mon_execs), &k, &one, BPF_ANY))
			return -errno;
	}
	err = fill_files(m);
	if (err)
		return err;
	err = bg_net_rules_write(bpf_map__fd(s->maps.net_rules), m->pol.net, m->pol.n_net);
	if (err)
		return err;
	for (i = 0; i < (size_t)m->n_exes; i++) {
		struct bg_ident k;

		if (inode_of(m->exes[i], &k, &st)) {
			err = -errno;
			pr_err("--exe %s: %s\n", m->exes[i], strerror(errno));
			return err;
		}
		if (bpf_map_update_elem(bpf_map__fd(s->maps.mon_targets), &k, &one, BPF_ANY))
			return -errno;
	}
	for (i = 0; i < (size_t)m->n_cgroups; i++) {
		struct statfs sf;
		uint64_t id;

		if (statfs(m->cgroups[i], &sf) || sf.f_type != CGROUP2_SUPER_MAGIC ||
		    stat(m->cgroups[i], &st) || !S_ISDIR(st.st_mode)) {
			pr_err("--cgroup %s: not a cgroup v2 directory\n", m->cgroups[i]);
			return -EINVAL;
		}
		id = st.st_ino; /* the kernfs node id */
		if (bpf_map_update_elem(bpf_map__fd(s->maps.mon_cgroups), &id, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* ---- the processes that already run --------------------------------------- */

static bool is_monitored(struct monitor *m, pid_t pid)
{
	uint32_t w = pid / 64;
	uint64_t bits = 0;

	return !bpf_map_lookup_elem(m->procs_fd, &w, &bits) && (bits >> (pid % 64) & 1);
}

/* 1: added, 0: already there (or bpfguard itself), <0: error. */
static int add_proc(struct monitor *m, pid_t pid)
{
	struct bg_mon_seed a = {.tgid = pid};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));

	if (pid == getpid() || is_monitored(m, pid))
		return 0;
	if (bpf_prog_test_run_opts(bpf_program__fd(m->skel->progs.mon_seed), &o))
		return -errno;
	return 1;
}

static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512], *rp;
	FILE *f;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* comm may hold spaces and parentheses: parse after the last ')'. */
	if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
		sscanf(rp + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* One pass over /proc: processes of a target executable, and children of
 * monitored processes. Returns how many were added. */
static int scan_proc(struct monitor *m)
{
	struct bg_monitor_bpf *s = m->skel;
	struct dirent *de;
	int added = 0, r;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name), ppid;
		char path[64];
		struct stat st;

		if (pid <= 0 || is_monitored(m, pid))
			continue;
		ppid = proc_ppid(pid);
		r = 0;
		if (ppid > 0 && is_monitored(m, ppid)) {
			r = add_proc(m, pid);
		} else if (m->n_exes) {
			struct bg_ident k;
			uint8_t v;

			snprintf(path, sizeof(path), "/proc/%d/exe", pid);
			if (!inode_of(path, &k, &st) &&
			    !bpf_map_lookup_elem(bpf_map__fd(s->maps.mon_targets), &k, &v))
				r = add_proc(m, pid);
		}
		if (r < 0) {
			closedir(d);
			return r;
		}
		added += r;
	}
	closedir(d);
	return added;
}

/* The processes of a cgroup directory and of the cgroups below it. */
static int cgroup_walk(struct monitor *m, const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	FILE *f;
	DIR *d;
	int pid, r = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (f) {
		while (r >= 0 && fscanf(f, "%d", &pid) == 1)
			r = add_proc(m, pid);
		fclose(f);
	}
	if (r < 0 || depth >= 32)
		return r < 0 ? r : 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (r >= 0 && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		r = cgroup_walk(m, path, depth + 1);
	}
	closedir(d);
	return r < 0 ? r : 0;
}

/*
 * The programs are attached before this runs, so a fork, exec or cgroup
 * move after a process is added is followed in the kernel; passes repeat
 * until one adds nothing, which catches children forked before their
 * parent was added.
 */
static int seed(struct monitor *m)
{
	int i, r, passes;

	for (i = 0; i < m->n_pids; i++) {
		r = add_proc(m, m->pids[i]);
		if (r < 0)
			return r;
	}
	for (i = 0; i < m->n_cgroups; i++) {
		r = cgroup_walk(m, m->cgroups[i], 0);
		if (r < 0)
			return r;
	}
	for (passes = 0; passes < 64; passes++) {
		r = scan_proc(m);
		if (r <= 0)
			return r;
	}
	return 0;
}

static unsigned long count_procs(struct monitor *m)
{
	uint32_t w, words = bpf_map__max_entries(m->skel->maps.mon_procs);
	unsigned long n = 0;
	uint64_t bits;

	for (w = 0; w < words; w++)
		if (!bpf_map_lookup_elem(m->procs_fd, &w, &bits))
			n += __builtin_popcountll(bits);
	return n;
}

/* One bit per possible pid: pid_max (at most 2^22) decides the size. */
static uint32_t pid_words(void)
{
	char buf[32];
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	unsigned long max = 4194304;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			max = strtoul(buf, NULL, 10);
		fclose(f);
	}
	if (!max || max > 4194304)
		max = 4194304;
	return (max + 63) / 64;
}

/*
 * The rate limit reports a suppressed count with the next event of the
 * same (process, rule); counts still waiting at exit are said here, so
 * nothing is lost silently.
 */
static void report_suppressed(struct monitor *m)
{
	/* The layouts of bpf/lib/ratelimit.bpf.h, checked against the map. */
	struct rl_key {
		uint32_t tgid, rule_id;
		uint64_t start_ns;
	} k, next, *prev = NULL;
	struct rl_state {
		uint64_t window_start, count, suppressed;
	} st;
	const struct bpf_map *map = m->skel->maps.bg_ratelimit;
	int fd = bpf_map__fd(map);

	if (bpf_map__key_size(map) != sizeof(k) || bpf_map__value_size(map) != sizeof(st))
		return;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &st) || !st.suppressed)
			continue;
		fprintf(stderr,
			"bpfguard: pid %u: %llu more %s events suppressed by the rate limit since "
			"the last one\n",
			k.tgid, (unsigned long long)st.suppressed,
			rule_name(NULL, k.rule_id) ? rule_name(NULL, k.rule_id) : "?");
	}
}

static void report_errors(struct monitor *m)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint32_t i;
	uint64_t *v, sum[BG_MERR_MAX] = {0};

	if (ncpu <= 0)
		return;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < BG_MERR_MAX; i++)
		if (!bpf_map_lookup_elem(bpf_map__fd(m->skel->maps.mon_errors), &i, v))
			for (c = 0; c < ncpu; c++)
				sum[i] += v[c];
	free(v);
	if (sum[BG_MERR_SIGNAL])
		pr_warn("%llu kills could not be sent (bpf_send_signal failed)\n",
			(unsigned long long)sum[BG_MERR_SIGNAL]);
	if (sum[BG_MERR_PROCS_FULL])
		pr_warn("%llu processes could not be followed: pid above pid_max at start\n",
			(unsigned long long)sum[BG_MERR_PROCS_FULL]);
	if (sum[BG_MERR_FD])
		pr_warn("%llu opened files could not be resolved\n",
			(unsigned long long)sum[BG_MERR_FD]);
}

static int start(struct monitor *m)
{
	struct bg_monitor_bpf *s;
	const struct bg_policy *p = &m->pol;
	struct bg_caps caps;
	bool kill_task, sharers_late;
	size_t i;
	int err;

	s = m->skel = bg_monitor_bpf__open();
	if (!s)
		return -errno;
	struct bpf_program *exits[] = {
		s->progs.mon_exit_open,
		s->progs.mon_exit_open_sharers,
		s->progs.mon_exit_openat,
		s->progs.mon_exit_openat_sharers,
		s->progs.mon_exit_openat2,
		s->progs.mon_exit_openat2_sharers,
		s->progs.mon_exit_creat,
		s->progs.mon_exit_creat_sharers,
		s->progs.mon_exit_open_by_handle_at,
		s->progs.mon_exit_open_by_handle_at_sharers,
	};
	s->rodata->action = m->action;
	s->rodata->has_syscalls = p->has_syscalls;
	s->rodata->has_files = p->has_files;
	s->rodata->has_exec = p->has_exec;
	s->rodata->has_net = p->has_net;
	s->rodata->sel_cgroup = m->n_cgroups > 0;
	s->rodata->sel_exe = m->n_exes > 0;
	s->rodata->n_rules = p->n_net;
	s->rodata->self_tgid = getpid();
	bpf_map__set_max_entries(s->maps.mon_procs, pid_words());
	memcpy((void *)s->rodata->sys_native, p->sys_native, sizeof(p->sys_native));
	memcpy((void *)s->rodata->sys_compat, p->sys_compat, sizeof(p->sys_compat));
	/* A files kill also reaches the processes sharing the opener's
	 * descriptor table: at once where the kernel has the kfuncs (the
	 * _sharers variants, odd entries of exits[]), else at their next
	 * syscall's entry or exit (mon_sys_enter, mon_sys_exit). The probe loads a tp_btf program;
	 * these are tracepoint programs, which 6.18 lets call the same kfuncs. */
	bg_probe_only(&caps, BG_FEAT_BIT(BG_FEAT_KILL_TASK));
	kill_task = bg_has(&caps, BG_FEAT_KILL_TASK);
	for (i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
		bpf_program__set_autoload(exits[i], p->has_files && kill_task == (i % 2 == 1));
	/* Bystanders pay only for the hooks a section needs: without syscalls
	 * and network sections (or a files kill to carry to the sharers) no
	 * per-syscall program is attached. */
	sharers_late = p->has_files && m->action == BG_ACT_KILL && !kill_task;
	if (!p->has_syscalls && !p->has_net && !sharers_late)
		bpf_program__set_autoload(s->progs.mon_sys_enter, false);
	bpf_program__set_autoload(s->progs.mon_sys_exit, sharers_late);
	err = bg_events_share(&m->ctx.ev, s->obj);
	if (!err)
		err = bg_monitor_bpf__load(s);
	if (err) {
		pr_err("cannot load the monitor programs: %s\n", strerror(-err));
		return err;
	}
	m->procs_fd = bpf_map__fd(s->maps.mon_procs);
	err = fill_maps(m);
	if (err) {
		pr_err("cannot fill the policy maps: %s\n", strerror(-err));
		return err;
	}
	err = bg_monitor_bpf__attach(s);
	if (err) {
		pr_err("cannot attach the monitor programs: %s\n", strerror(-err));
		return err;
	}
	err = seed(m);
	if (err)
		pr_err("cannot list the processes to monitor: %s\n", strerror(-err));
	return err;
}

static const char *const actions[] = {"alert", "kill", NULL};
static const int action_val[] = {BG_ACT_ALERT, BG_ACT_KILL};

/* --pid, --cgroup, --exe: repeatable, MON_TARGETS_MAX in all. */
static const char *add_target(struct monitor *m, char kind, const char *arg)
{
	char *end;
	long v;

	if (m->n_pids + m->n_cgroups + m->n_exes >= MON_TARGETS_MAX)
		return "is one target too many (16 at most)";
	if (kind == 'g') {
		m->cgroups[m->n_cgroups++] = arg;
	} else if (kind == 'e') {
		m->exes[m->n_exes++] = arg;
	} else {
		v = strtol(arg, &end, 10);
		if (*end || end == arg || v <= 0 || v > INT_MAX)
			return "is not a pid";
		if (kill(v, 0) && errno == ESRCH)
			return "names no process";
		m->pids[m->n_pids++] = v;
	}
	return NULL;
}

static const char *opt_pid(void *m, const char *arg)
{
	return add_target(m, 'P', arg);
}

static const char *opt_cgroup(void *m, const char *arg)
{
	return add_target(m, 'g', arg);
}

static const char *opt_exe(void *m, const char *arg)
{
	return add_target(m, 'e', arg);
}

static const struct bg_opt monitor_opts[] = {
	BG_OPT_STR(struct monitor, policy_path, "policy", 'p', "FILE",
		   "the policy to hold the processes to (from bpfguard profile)"),
	BG_OPT_FN("pid", 'P', "PID", opt_pid,
		  "monitor this process and its descendants (repeatable)"),
	BG_OPT_FN("cgroup", 'g', "PATH", opt_cgroup,
		  "monitor every process in this cgroup v2 directory and below"),
	BG_OPT_FN("exe", 'e', "PATH", opt_exe,
		  "monitor every process running this executable (by device+inode)"),
	BG_OPT_CHOICE(
		struct monitor, action, "action", 'a', "ACTION", actions,
		"alert (default): events only; kill: SIGKILL from the kernel (deny needs `run`)"),
	BG_OPT_STR(struct monitor, ctx.output, "output", 'o', "FILE",
		   "append events to FILE instead of stdout"),
	BG_OPT_FORMAT(struct monitor, ctx),
	{0},
};

const struct bg_cmd_help monitor_help = {
	.usage = "bpfguard monitor --policy FILE (--pid N | --cgroup PATH | --exe PATH)... "
		 "[--action alert|kill]",
	.summary = "hold processes bpfguard did not start to a policy (tracepoints)",
	.opts = monitor_opts,
	.more = "The targets (processes by pid with their descendants, by cgroup, by executable)\n"
		"are followed across fork and exec until Ctrl-C. Checked: syscalls at sys_enter\n"
		"(x86_64 and ia32 lists apart), executables at exec, files at the return of\n"
		"open, network peers at connect/sendto/sendmsg/bind, a php: section through\n"
		"PHP's USDT probes (docs/php.md). kill sends SIGKILL from\n"
		"the kernel; the call that broke the policy has run by then (unlink completes,\n"
		"a write is not stopped): see docs/guarantees.md. Use `run` to start a program\n"
		"with calls refused before they run.",
};

int cmd_monitor(int argc, char **argv)
{
	struct monitor m = {.procs_fd = -1};
	char err_s[600], **operands;
	int rc, n;

	rc = bg_cli_parse(argc, argv, &monitor_help, &m, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	rc = 1;
	m.action = action_val[m.action];
	if (!m.policy_path)
		return bg_cli_usage_error(&monitor_help, "--policy FILE is required");
	if (!m.n_pids && !m.n_cgroups && !m.n_exes)
		return bg_cli_usage_error(&monitor_help, "give --pid, --cgroup or --exe");
	if (bg_policy_load(m.policy_path, &m.pol, err_s, sizeof(err_s))) {
		fprintf(stderr, "bpfguard: %s\n", err_s);
		return 1;
	}
	if (bg_ctx_open(&m.ctx, "-", 1 << 22))
		goto cleanup_events;
	m.ctx.ev.fmt.rule_name = rule_name;
	if (start(&m))
		goto cleanup_skel;
	if (m.pol.has_php && bg_php_monitor_start(&m.php, &m.pol, m.action, &m.ctx.ev, m.procs_fd,
						  m.n_exes ? m.exes[0] : NULL))
		goto cleanup_skel;
	if (m.n_files_missing)
		pr_warn("%lu files of the policy do not exist: opening them is reported\n",
			m.n_files_missing);
	bg_sig_catch(SIGINT);
	bg_sig_catch(SIGTERM);
	/* Tests and scripts wait for this line: the programs are attached. */
	fprintf(stderr, "bpfguard: monitoring %lu processes under %s (action %s); Ctrl-C stops\n",
		count_procs(&m), m.policy_path, bg_action_name(m.action));
	while (!bg_sig_stop())
		bg_events_poll(&m.ctx.ev, 200);
	bg_events_drain(&m.ctx.ev);
	bg_events_report(&m.ctx.ev, true);
	report_suppressed(&m);
	report_errors(&m);
	rc = 0;
cleanup_skel:
	bg_php_stop(&m.php);
	bg_monitor_bpf__destroy(m.skel);
cleanup_events:
	bg_ctx_close(&m.ctx);
	bg_policy_free(&m.pol);
	return rc;
}

/* ---- how the events of this guard are printed ----------------------------- */

static void acc_letters(unsigned acc, char *out)
{
	static const struct {
		unsigned bit;
		char c;
	} l[] = {{BG_ACC_READ, 'r'}, {BG_ACC_WRITE, 'w'}, {BG_ACC_CREAT, 'c'}, {BG_ACC_TRUNC, 't'}};
	size_t i;

	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (acc & l[i].bit)
			*out++ = l[i].c;
	*out = 0;
}

static void file_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_policy_file_event *e = rec;
	char acc[8];

	(void)f;
	acc_letters(e->acc, acc);
	bg_json_kobj(j, "file");
	bg_json_key(j, "path");
	bg_json_strn(j, e->path, bg_kstrlen(e->path, sizeof(e->path)));
	bg_json_kstr(j, "type", e->acc & BG_ACC_DIR ? "dir" : "file");
	bg_json_ku64(j, "inode", e->ino);
	bg_json_ku64(j, "device", e->dev);
	bg_json_kstr(j, "access", acc);
	bg_json_ku64(j, "fd", (uint32_t)e->fd);
	bg_json_obj_end(j);
}

/* Under kill: the processes sharing the opener's descriptor table that
 * died with it at once (0 where they die at their next syscall). */
static void file_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_policy_file_event *e = rec;

	(void)f;
	if (e->hdr.action == BG_ACT_KILL)
		bg_json_ku64(j, "sharers_killed", e->sharers);
}

static void file_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_policy_file_event *e = rec;
	char acc[8];

	(void)f;
	acc_letters(e->acc, acc);
	bg_buf_printf(out, " open(%s) ", acc);
	bg_text_escape(out, e->path, bg_kstrlen(e->path, sizeof(e->path)));
}

const struct bg_event_desc bg_policy_file_desc = {
	.type = BG_EV_POLICY_FILE,
	.name = "policy_file",
	.size = sizeof(struct bg_policy_file_event),
	.category = "file",
	.ecs_type = "access",
	.action = "open",
	.has_proc = true,
	.json = file_json,
	.json_bg = file_json_bg,
	.text = file_text,
	.color = "\033[33m",
};

static void exec_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_policy_exec_event *e = rec;

	(void)f;
	bg_json_kobj(j, "file");
	bg_json_key(j, "path");
	bg_json_strn(j, e->proc.exe, bg_kstrlen(e->proc.exe, sizeof(e->proc.exe)));
	bg_json_ku64(j, "inode", e->ino);
	bg_json_ku64(j, "device", e->dev);
	bg_json_obj_end(j);
}

static void exec_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_policy_exec_event *e = rec;

	(void)f;
	bg_buf_printf(out, " execve ");
	bg_text_escape(out, e->proc.exe, bg_kstrlen(e->proc.exe, sizeof(e->proc.exe)));
}

const struct bg_event_desc bg_policy_exec_desc = {
	.type = BG_EV_POLICY_EXEC,
	.name = "policy_exec",
	.size = sizeof(struct bg_policy_exec_event),
	.category = "process",
	.ecs_type = "start",
	.action = "exec",
	.has_proc = true,
	.json = exec_json,
	.text = exec_text,
	.color = "\033[33m",
};
