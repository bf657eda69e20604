// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard probe`: load, attach and trigger tiny programs (bpf/probe.bpf.c)
 * and record what the kernel did. Network hooks are tried in a private
 * network namespace so the host's interfaces are never touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_link.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <sys/sdt.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/probe.h"
#include "core/sys.h"
#include "probe.skel.h"

static const char *const feature_names[BG_FEAT_MAX] = {
	[BG_FEAT_BTF] = "btf",
	[BG_FEAT_LSM] = "lsm",
	[BG_FEAT_FENTRY] = "fentry",
	[BG_FEAT_KPROBE] = "kprobe",
	[BG_FEAT_TP_BTF] = "tp_btf",
	[BG_FEAT_RAW_TP] = "raw_tp",
	[BG_FEAT_TRACEPOINT] = "tracepoint",
	[BG_FEAT_UPROBE] = "uprobe",
	[BG_FEAT_USDT] = "usdt",
	[BG_FEAT_CGROUP2] = "cgroup2",
	[BG_FEAT_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
	[BG_FEAT_CGROUP_UNIX] = "cgroup_unix",
	[BG_FEAT_XDP_GENERIC] = "xdp_generic",
	[BG_FEAT_XDP_NATIVE] = "xdp_native",
	[BG_FEAT_TC] = "tc",
	[BG_FEAT_RINGBUF] = "ringbuf",
	[BG_FEAT_SEND_SIGNAL] = "send_signal",
	[BG_FEAT_KILL_TASK] = "kill_task",
	[BG_FEAT_PROBE_WRITE_USER] = "probe_write_user",
	[BG_FEAT_SECCOMP] = "seccomp",
	[BG_FEAT_SECCOMP_KILL_PROCESS] = "seccomp_kill_process",
	[BG_FEAT_SECCOMP_USER_NOTIF] = "seccomp_user_notif",
	[BG_FEAT_LANDLOCK] = "landlock",
};

const char *bg_feature_name(enum bg_feature f)
{
	return f < BG_FEAT_MAX ? feature_names[f] : "?";
}

static void set(struct bg_caps *c, enum bg_feature f, bool ok, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void set(struct bg_caps *c, enum bg_feature f, bool ok, int err, const char *fmt, ...)
{
	va_list ap;

	c->f[f].available = ok;
	c->f[f].probed = true;
	c->f[f].err = ok ? 0 : (err ? err : -EOPNOTSUPP);
	va_start(ap, fmt);
	vsnprintf(c->f[f].detail, sizeof(c->f[f].detail), fmt, ap);
	va_end(ap);
}

/* The verifier's last words from a captured libbpf log, if it said any. */
static const char *verifier_reason(char *log)
{
	char *line, *save = NULL, *last = NULL;

	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "libbpf:", 7) || !strncmp(line, "-- ", 3) ||
		    !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
		    !strncmp(line, "stack depth", 11) || !*line)
			continue;
		last = line;
	}
	return last;
}

/* Open the probe object with only `prog` autoloaded, and load it. */
static int load_one(struct bg_probe_bpf **out, const char *prog, char *why, size_t whylen)
{
	struct bg_probe_bpf *skel = bg_probe_bpf__open();
	struct bpf_program *p;
	char log[4096];
	const char *reason;
	int err;

	*out = NULL;
	if (!skel) {
		err = -errno;
		snprintf(why, whylen, "open failed: %s", bg_errno_name(err));
		return err;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), prog));
	bg_log_capture(log, sizeof(log));
	err = bg_probe_bpf__load(skel);
	bg_log_capture_end();
	if (err) {
		reason = verifier_reason(log);
		snprintf(why, whylen, "load refused: %s%s%s", bg_errno_name(err),
			 reason ? ": " : "", reason ? reason : "");
		bg_probe_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

static struct bpf_program *prog_by_name(struct bg_probe_bpf *skel, const char *name)
{
	return bpf_object__find_program_by_name(skel->obj, name);
}

/* Load and attach with libbpf's default attach for the section. */
static void try_attach(struct bg_caps *c, enum bg_feature f, const char *prog, const char *what)
{
	struct bg_probe_bpf *skel;
	struct bpf_link *link;
	char why[160];
	int err;

	err = load_one(&skel, prog, why, sizeof(why));
	if (err) {
		set(c, f, false, err, "%s", why);
		return;
	}
	link = bpf_program__attach(prog_by_name(skel, prog));
	if (!link) {
		err = -errno;
		set(c, f, false, err, "loaded; attach to %s failed: %s", what, bg_errno_name(err));
	} else {
		set(c, f, true, 0, "loaded and attached to %s", what);
		bpf_link__destroy(link);
	}
	bg_probe_bpf__destroy(skel);
}

static void probe_btf(struct bg_caps *c)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		set(c, BG_FEAT_BTF, false, -errno, "no kernel BTF: %s", bg_errno_name(errno));
		return;
	}
	set(c, BG_FEAT_BTF, true, 0, "kernel BTF loaded (%u types)", btf__type_cnt(btf));
	btf__free(btf);
}

bool bg_kernel_has_func(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool has;

	if (!btf)
		return false;
	has = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return has;
}

static void probe_lsm(struct bg_caps *c, const char *secfs)
{
	char path[300];
	bool listed = false;

	if (secfs) {
		snprintf(path, sizeof(path), "%s/lsm", secfs);
		if (!bg_read_file(path, c->lsm_list, sizeof(c->lsm_list))) {
			char copy[256], *tok, *save = NULL;

			snprintf(copy, sizeof(copy), "%s", c->lsm_list);
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				listed |= !strcmp(tok, "bpf");
		}
	}
	try_attach(c, BG_FEAT_LSM, "probe_lsm", "lsm/file_open");
	if (!listed && c->f[BG_FEAT_LSM].available) {
		/* Attaching works but the hook never runs without bpf in the list. */
		set(c, BG_FEAT_LSM, false, -EOPNOTSUPP,
		    "loads, but bpf is not in the active LSM list (%s)", c->lsm_list);
	} else if (!listed) {
		char prev[192];

		snprintf(prev, sizeof(prev), "%s", c->f[BG_FEAT_LSM].detail);
		set(c, BG_FEAT_LSM, false, c->f[BG_FEAT_LSM].err, "%s; bpf %s the active LSM list",
		    prev, c->lsm_list[0] ? "not in" : "unknown:");
	}
}

/* Called through a uprobe and a USDT probe to see them fire. */
__attribute__((noinline)) void bg_probe_uprobe_target(void)
{
	__asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) static void fire_usdt(void)
{
	DTRACE_PROBE(bpfguard, probe);
}

static void probe_uprobe(struct bg_caps *c, bool usdt)
{
	enum bg_feature f = usdt ? BG_FEAT_USDT : BG_FEAT_UPROBE;
	const char *name = usdt ? "probe_usdt" : "probe_uprobe";
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = "bg_probe_uprobe_target");
	struct bg_probe_bpf *skel;
	struct bpf_link *link;
	char why[160];
	int err;

	err = load_one(&skel, name, why, sizeof(why));
	if (err) {
		set(c, f, false, err, "%s", why);
		return;
	}
	if (usdt)
		link = bpf_program__attach_usdt(prog_by_name(skel, name), getpid(),
						"/proc/self/exe", "bpfguard", "probe", NULL);
	else
		link = bpf_program__attach_uprobe_opts(prog_by_name(skel, name), getpid(),
						       "/proc/self/exe", 0, &uopts);
	if (!link) {
		err = -errno;
		set(c, f, false, err, "attach failed: %s", bg_errno_name(err));
		goto cleanup;
	}
	if (usdt)
		fire_usdt();
	else
		bg_probe_uprobe_target();
	if (skel->bss->hits == 1)
		set(c, f, true, 0, "attached to this binary and fired once");
	else
		set(c, f, false, -EIO, "attached but fired %llu times instead of once",
		    (unsigned long long)skel->bss->hits);
	bpf_link__destroy(link);
cleanup:
	bg_probe_bpf__destroy(skel);
}

/*
 * sock_addr programs for unix sockets (BPF_CGROUP_UNIX_CONNECT, 6.7+),
 * which libbpf 1.1 cannot name: "r0 = 1; exit" loaded with that attach
 * type and attached to cgroup fd. An older kernel refuses the load
 * (EINVAL: an attach type it does not know).
 */
static void probe_cgroup_unix(struct bg_caps *c, int fd)
{
	struct bpf_insn insns[2] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 1},
				    {.code = BPF_JMP | BPF_EXIT}};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BG_ATTACH_CGROUP_UNIX_CONNECT);
	int prog, link, err;

	prog = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "bg_probe_unix", "GPL", insns, 2, &o);
	if (prog < 0) {
		err = -errno;
		set(c, BG_FEAT_CGROUP_UNIX, false, err, "load refused: %s", bg_errno_name(err));
		return;
	}
	link = bpf_link_create(prog, fd, BG_ATTACH_CGROUP_UNIX_CONNECT, NULL);
	err = link < 0 ? -errno : 0;
	if (err)
		set(c, BG_FEAT_CGROUP_UNIX, false, err, "loaded; attach failed: %s",
		    bg_errno_name(err));
	else
		set(c, BG_FEAT_CGROUP_UNIX, true, 0, "cgroup/connect_unix attached to a cgroup");
	if (link >= 0)
		close(link);
	close(prog);
}

static void probe_cgroup(struct bg_caps *c)
{
	struct bg_probe_bpf *skel;
	struct bpf_link *link;
	char dir[400], why[160];
	int err, fd;

	if (bg_find_mount("cgroup2", c->cgroup2, sizeof(c->cgroup2))) {
		set(c, BG_FEAT_CGROUP2, false, -ENOENT, "no cgroup2 mount");
		set(c, BG_FEAT_CGROUP_SOCK_ADDR, false, -ENOENT, "no cgroup2 mount");
		set(c, BG_FEAT_CGROUP_UNIX, false, -ENOENT, "no cgroup2 mount");
		return;
	}
	set(c, BG_FEAT_CGROUP2, true, 0, "mounted at %s", c->cgroup2);
	err = load_one(&skel, "probe_cgroup_connect4", why, sizeof(why));
	if (err) {
		set(c, BG_FEAT_CGROUP_SOCK_ADDR, false, err, "%s", why);
		set(c, BG_FEAT_CGROUP_UNIX, false, err, "no cgroup sock_addr programs");
		return;
	}
	/* Until tried below. */
	set(c, BG_FEAT_CGROUP_UNIX, false, -ENOENT, "no cgroup of our own to try it in");
	/* A cgroup of our own, so the host's cgroups never see the program. */
	snprintf(dir, sizeof(dir), "%s/bpfguard-probe-%d", c->cgroup2, getpid());
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		set(c, BG_FEAT_CGROUP_SOCK_ADDR, false, err, "mkdir %s: %s", dir,
		    bg_errno_name(err));
		goto cleanup;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		set(c, BG_FEAT_CGROUP_SOCK_ADDR, false, err, "open %s: %s", dir,
		    bg_errno_name(err));
		goto rm;
	}
	link = bpf_program__attach_cgroup(skel->progs.probe_cgroup_connect4, fd);
	if (!link) {
		err = -errno;
		set(c, BG_FEAT_CGROUP_SOCK_ADDR, false, err, "loaded; attach failed: %s",
		    bg_errno_name(err));
	} else {
		set(c, BG_FEAT_CGROUP_SOCK_ADDR, true, 0, "cgroup/connect4 attached to a cgroup");
		bpf_link__destroy(link);
		probe_cgroup_unix(c, fd);
	}
	close(fd);
rm:
	rmdir(dir);
cleanup:
	bg_probe_bpf__destroy(skel);
}

struct net_result {
	int xdp_generic;
	int xdp_native;
	int tc;
	int setup; /* failed before any attach: unshare or veth */
};

/* In a child, in a new network namespace: attach XDP (generic on lo,
 * native on a veth) and TC to devices nobody else sees. */
static void net_child(int xdp_fd, int tc_fd, int wfd)
{
	struct net_result r = {-1, -1, -1, 0};
	unsigned int veth;
	ssize_t n;

	if (unshare(CLONE_NEWNET)) {
		r.setup = -errno;
		goto out;
	}
	r.xdp_generic = bpf_xdp_attach(1 /* lo */, xdp_fd, XDP_FLAGS_SKB_MODE, NULL);
	if (!r.xdp_generic)
		bpf_xdp_detach(1, XDP_FLAGS_SKB_MODE, NULL);
	r.xdp_native = bg_nl_veth_create("bgprobe0", "bgprobe1");
	if (!r.xdp_native) {
		veth = if_nametoindex("bgprobe0");
		r.xdp_native =
			veth ? bpf_xdp_attach(veth, xdp_fd, XDP_FLAGS_DRV_MODE, NULL) : -ENODEV;
	}
	{
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = 1, .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = tc_fd);

		r.tc = bpf_tc_hook_create(&hook);
		if (!r.tc || r.tc == -EEXIST)
			r.tc = bpf_tc_attach(&hook, &opts);
	}
out:
	n = write(wfd, &r, sizeof(r));
	_exit(n == sizeof(r) ? 0 : 1);
}

static void probe_net(struct bg_caps *c)
{
	struct bg_probe_bpf *skel = bg_probe_bpf__open();
	struct bpf_program *p;
	struct net_result r;
	char log[1024];
	int pfd[2], err, status;
	pid_t pid;
	ssize_t n;

	if (!skel) {
		err = -errno;
		goto fail_all;
	}
	bpf_object__for_each_program(p, skel->obj) bpf_program__set_autoload(
		p, p == skel->progs.probe_xdp || p == skel->progs.probe_tc);
	bg_log_capture(log, sizeof(log));
	err = bg_probe_bpf__load(skel);
	bg_log_capture_end();
	if (err)
		goto fail_all;
	if (pipe2(pfd, O_CLOEXEC)) {
		err = -errno;
		goto fail_all;
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		net_child(bpf_program__fd(skel->progs.probe_xdp),
			  bpf_program__fd(skel->progs.probe_tc), pfd[1]);
	}
	close(pfd[1]);
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		goto fail_all;
	}
	n = read(pfd[0], &r, sizeof(r));
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (n != sizeof(r)) {
		err = -EIO;
		goto fail_all;
	}
	if (r.setup) {
		err = r.setup;
		goto fail_all;
	}
	set(c, BG_FEAT_XDP_GENERIC, !r.xdp_generic, r.xdp_generic,
	    r.xdp_generic ? "attach (skb mode, lo in a private netns) failed: %s"
			  : "attached in skb mode to lo in a private netns%s",
	    r.xdp_generic ? bg_errno_name(r.xdp_generic) : "");
	set(c, BG_FEAT_XDP_NATIVE, !r.xdp_native, r.xdp_native,
	    r.xdp_native ? "attach (driver mode, veth in a private netns) failed: %s"
			 : "attached in driver mode to a veth in a private netns%s; other "
			   "drivers are checked when an interface is chosen",
	    r.xdp_native ? bg_errno_name(r.xdp_native) : "");
	set(c, BG_FEAT_TC, !r.tc, r.tc,
	    r.tc ? "clsact ingress attach failed: %s" : "clsact ingress attached%s",
	    r.tc ? bg_errno_name(r.tc) : "");
	bg_probe_bpf__destroy(skel);
	return;
fail_all:
	set(c, BG_FEAT_XDP_GENERIC, false, err, "setup failed: %s", bg_errno_name(err));
	set(c, BG_FEAT_XDP_NATIVE, false, err, "setup failed: %s", bg_errno_name(err));
	set(c, BG_FEAT_TC, false, err, "setup failed: %s", bg_errno_name(err));
	bg_probe_bpf__destroy(skel);
}

static int rb_seen(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	(*(int *)ctx)++;
	return 0;
}

/*
 * A child calls getppid(); a raw_tp program sends it SIGKILL and writes a
 * ring-buffer record. Both features are proven by what arrives here.
 */
static void probe_signal(struct bg_caps *c)
{
	struct bg_probe_bpf *skel;
	struct ring_buffer *rb = NULL;
	struct bpf_link *link = NULL;
	int go[2], status = 0, seen = 0, err, i;
	char why[160];
	pid_t pid;

	err = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	if (err != 1) {
		set(c, BG_FEAT_RINGBUF, false, err < 0 ? err : -EOPNOTSUPP,
		    "ring buffer map refused: %s", bg_errno_name(err < 0 ? err : -EOPNOTSUPP));
	}
	err = load_one(&skel, "probe_send_signal", why, sizeof(why));
	if (err) {
		set(c, BG_FEAT_SEND_SIGNAL, false, err, "%s", why);
		if (!c->f[BG_FEAT_RINGBUF].probed)
			set(c, BG_FEAT_RINGBUF, false, err, "%s", why);
		return;
	}
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		set(c, BG_FEAT_SEND_SIGNAL, false, err, "pipe: %s", bg_errno_name(err));
		goto cleanup;
	}
	pid = fork();
	if (pid == 0) {
		char b;

		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(3);
		for (i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	close(go[0]);
	if (pid < 0) {
		err = -errno;
		close(go[1]);
		set(c, BG_FEAT_SEND_SIGNAL, false, err, "fork: %s", bg_errno_name(err));
		goto cleanup;
	}
	skel->bss->target_tgid = pid;
	link = bpf_program__attach(skel->progs.probe_send_signal);
	err = link ? 0 : -errno;
	if (write(go[1], "g", 1) != 1 && !err)
		err = -EIO;
	close(go[1]);
	waitpid(pid, &status, 0);
	bpf_link__destroy(link);
	if (err) {
		set(c, BG_FEAT_SEND_SIGNAL, false, err, "loaded; raw_tp attach failed: %s",
		    bg_errno_name(err));
		goto cleanup;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		set(c, BG_FEAT_SEND_SIGNAL, true, 0, "a child was killed by SIGKILL from raw_tp");
	else
		set(c, BG_FEAT_SEND_SIGNAL, false, -EIO, "the child was not killed (status %#x)",
		    status);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.probe_rb), rb_seen, &seen, NULL);
	if (rb)
		ring_buffer__consume(rb);
	if (!c->f[BG_FEAT_RINGBUF].probed) {
		if (seen == 1)
			set(c, BG_FEAT_RINGBUF, true, 0,
			    "a record was reserved, submitted and read");
		else
			set(c, BG_FEAT_RINGBUF, false, -EIO, "%d records read instead of 1", seen);
	}
	ring_buffer__free(rb);
cleanup:
	bg_probe_bpf__destroy(skel);
}

/*
 * BPFGUARD_PROBE_MASK=lsm,kill_task: report these features absent, so that
 * the fallback a guard takes on a kernel without them can be tested on one
 * that has them (tests/integration/files_sharers.sh). Names beyond the
 * probe's table are asked for by the code that probes them
 * (uprobe_multi: src/sandbox/php_builtins.c).
 */
bool bg_probe_masked(const char *name)
{
	const char *env = getenv("BPFGUARD_PROBE_MASK");
	char copy[256], *tok, *save = NULL;

	if (!env)
		return false;
	snprintf(copy, sizeof(copy), "%s", env);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static void apply_mask(struct bg_caps *c)
{
	int i;

	for (i = 0; i < BG_FEAT_MAX; i++)
		if (bg_probe_masked(feature_names[i]))
			set(c, i, false, -EOPNOTSUPP, "masked by BPFGUARD_PROBE_MASK");
}

/* Killing another task from a tp_btf program (bpf/lib/sharers.bpf.h):
 * the load is the test, the verifier resolves and checks every kfunc. */
static void probe_kill_task(struct bg_caps *c)
{
	struct bg_probe_bpf *skel;
	char why[160];
	int err = load_one(&skel, "probe_kill_task", why, sizeof(why));

	if (err) {
		set(c, BG_FEAT_KILL_TASK, false, err, "%s", why);
		return;
	}
	set(c, BG_FEAT_KILL_TASK, true, 0,
	    "tp_btf with the task iterator and bpf_send_signal_task loaded");
	bg_probe_bpf__destroy(skel);
}

static void probe_write_user(struct bg_caps *c)
{
	struct bg_probe_bpf *skel;
	char why[160];
	int err = load_one(&skel, "probe_write_user", why, sizeof(why));

	if (err) {
		set(c, BG_FEAT_PROBE_WRITE_USER, false, err, "%s (lockdown: %s)", why, c->lockdown);
		return;
	}
	set(c, BG_FEAT_PROBE_WRITE_USER, true, 0,
	    "a program calling bpf_probe_write_user loaded (lockdown: %s)", c->lockdown);
	bg_probe_bpf__destroy(skel);
}

/* In a child: a filter returning EPERM for getppid must take effect. */
static void probe_seccomp(struct bg_caps *c)
{
	__u32 act;
	int status, err;
	pid_t pid = fork();

	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(2);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(3);
		_exit(syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : 4);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		set(c, BG_FEAT_SECCOMP, false, -errno, "fork: %s", bg_errno_name(errno));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		set(c, BG_FEAT_SECCOMP, true, 0,
		    "a filter made getppid fail with EPERM in a child");
	} else {
		set(c, BG_FEAT_SECCOMP, false, -EPERM, "filter %s (child status %#x)",
		    WIFEXITED(status) && WEXITSTATUS(status) == 3 ? "refused" : "had no effect",
		    status);
	}
	act = SECCOMP_RET_KILL_PROCESS;
	err = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act) ? -errno : 0;
	set(c, BG_FEAT_SECCOMP_KILL_PROCESS, !err, err,
	    err ? "SECCOMP_RET_KILL_PROCESS unavailable: %s" : "SECCOMP_RET_KILL_PROCESS%s",
	    err ? bg_errno_name(err) : " available");
	act = SECCOMP_RET_USER_NOTIF;
	err = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act) ? -errno : 0;
	set(c, BG_FEAT_SECCOMP_USER_NOTIF, !err, err,
	    err ? "SECCOMP_RET_USER_NOTIF unavailable: %s" : "SECCOMP_RET_USER_NOTIF%s",
	    err ? bg_errno_name(err) : " available");
}

static void probe_landlock(struct bg_caps *c)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi < 0) {
		set(c, BG_FEAT_LANDLOCK, false, -errno, "landlock_create_ruleset: %s",
		    bg_errno_name(errno));
		return;
	}
	c->landlock_abi = abi;
	set(c, BG_FEAT_LANDLOCK, true, 0, "ABI %ld", abi);
}

static void read_lockdown(struct bg_caps *c, const char *secfs)
{
	char path[300], buf[128], *l, *r;

	snprintf(c->lockdown, sizeof(c->lockdown), "unknown");
	if (!secfs)
		return;
	snprintf(path, sizeof(path), "%s/lockdown", secfs);
	if (bg_read_file(path, buf, sizeof(buf))) {
		snprintf(c->lockdown, sizeof(c->lockdown), "none"); /* no lockdown LSM */
		return;
	}
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r && r - l - 1 < (long)sizeof(c->lockdown)) {
		*r = 0;
		snprintf(c->lockdown, sizeof(c->lockdown), "%s", l + 1);
	}
}

int bg_probe_only(struct bg_caps *c, unsigned long mask)
{
	char secfs[256];
	struct utsname u;
	const char *sec = NULL;
	int i;

#define WANT(f) (mask & BG_FEAT_BIT(f))
	memset(c, 0, sizeof(*c));
	for (i = 0; i < BG_FEAT_MAX; i++)
		snprintf(c->f[i].detail, sizeof(c->f[i].detail), "not probed");
	if (!uname(&u))
		snprintf(c->kernel, sizeof(c->kernel), "%s", u.release);
	if (!bg_ensure_mount("securityfs", "/sys/kernel/security", secfs, sizeof(secfs)))
		sec = secfs;
	/* tracefs is where libbpf finds tracepoint ids; mount it if needed. */
	{
		char tfs[256];

		bg_ensure_mount("tracefs", "/sys/kernel/tracing", tfs, sizeof(tfs));
	}
	bg_find_mount("bpf", c->bpffs, sizeof(c->bpffs));
	read_lockdown(c, sec);

	if (WANT(BG_FEAT_BTF))
		probe_btf(c);
	if (WANT(BG_FEAT_LSM))
		probe_lsm(c, sec);
	if (WANT(BG_FEAT_FENTRY))
		try_attach(c, BG_FEAT_FENTRY, "probe_fentry", "fentry/do_unlinkat");
	if (WANT(BG_FEAT_KPROBE))
		try_attach(c, BG_FEAT_KPROBE, "probe_kprobe", "kprobe/do_unlinkat");
	if (WANT(BG_FEAT_TP_BTF))
		try_attach(c, BG_FEAT_TP_BTF, "probe_tp_btf", "tp_btf/sched_process_fork");
	if (WANT(BG_FEAT_RAW_TP))
		try_attach(c, BG_FEAT_RAW_TP, "probe_raw_tp", "raw_tp/sched_process_fork");
	if (WANT(BG_FEAT_TRACEPOINT))
		try_attach(c, BG_FEAT_TRACEPOINT, "probe_tracepoint",
			   "tracepoint/sched/sched_process_fork");
	if (WANT(BG_FEAT_UPROBE))
		probe_uprobe(c, false);
	if (WANT(BG_FEAT_USDT))
		probe_uprobe(c, true);
	if (WANT(BG_FEAT_CGROUP2) || WANT(BG_FEAT_CGROUP_SOCK_ADDR))
		probe_cgroup(c);
	if (WANT(BG_FEAT_XDP_GENERIC) || WANT(BG_FEAT_XDP_NATIVE) || WANT(BG_FEAT_TC))
		probe_net(c);
	if (WANT(BG_FEAT_RINGBUF) || WANT(BG_FEAT_SEND_SIGNAL))
		probe_signal(c);
	if (WANT(BG_FEAT_KILL_TASK))
		probe_kill_task(c);
	if (WANT(BG_FEAT_PROBE_WRITE_USER))
		probe_write_user(c);
	if (WANT(BG_FEAT_SECCOMP) || WANT(BG_FEAT_SECCOMP_KILL_PROCESS) ||
	    WANT(BG_FEAT_SECCOMP_USER_NOTIF))
		probe_seccomp(c);
	if (WANT(BG_FEAT_LANDLOCK))
		probe_landlock(c);
#undef WANT
	apply_mask(c);
	return 0;
}

int bg_probe(struct bg_caps *c)
{
	return bg_probe_only(c, BG_FEAT_ALL);
}
