// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard run --policy P -- CMD`: start CMD held to a policy, each part
 * with the strongest mechanism that needs no LSM:
 *   syscalls  seccomp (libseccomp), both ABIs; the filter checks the
 *             architecture, so ia32 and x32 calls cannot slip past.
 *             deny/alert/kill-user: out-of-policy calls are sent to this
 *             process as user notifications (the call waits in the kernel
 *             and never runs unless we answer "continue"), so every
 *             decision is an event. kill: SECCOMP_RET_KILL_PROCESS.
 *   files     Landlock (deny), installed before exec.
 *   network   cgroup sock_addr hooks on the command's own cgroup
 *             (bpf/sandbox.bpf.c): EPERM before connect/sendto/bind acts.
 * Where the kernel runs BPF LSM programs, files, executables and network
 * are enforced in LSM hooks instead (bpf/run_lsm.bpf.c, src/sandbox/run_lsm.c).
 * Kernel half for the network: bpf/sandbox.bpf.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>
#include <bpfguard/sandbox.h>

#include "core/cgroup.h"
#include "core/cli.h"
#include "core/context.h"
#include "core/commands.h"
#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/log.h"
#include "sandbox/php.h"
#include "policy/families.h"
#include "policy/netrule.h"
#include "policy/policy.h"
#include "sandbox/refusals.h"
#include "sandbox/run_lsm.h"
#include "core/sys.h"
#include "sandbox/run_int.h"
#include "sandbox.skel.h"

static const char *const rule_names[] = {NULL,
					 "policy.syscalls",
					 "policy.files",
					 "policy.network",
					 "policy.executables",
					 [16] = "policy.php.functions",
					 [17] = "policy.php.syscalls",
					 [18] = "policy.php.files"};

static const char *rule_name(void *ctx, uint32_t id)
{
	(void)ctx;
	return id < sizeof(rule_names) / sizeof(rule_names[0]) ? rule_names[id] : NULL;
}

/* ---- network ----------------------------------------------------------- */

static int start_network(struct run *r)
{
	struct bg_sandbox_bpf *s;
	size_t i;
	uint32_t n = 0;
	int err;

	s = r->skel = bg_sandbox_bpf__open();
	if (!s)
		return -errno;
	s->rodata->action = r->action == BG_ACT_ALERT ? BG_ACT_ALERT : BG_ACT_DENY;
	s->rodata->rule_id = RULE_NETWORK;
	for (i = 0; i < r->pol.n_net && n < BG_NET_RULES_MAX; i++)
		n++;
	if (r->pol.n_net > BG_NET_RULES_MAX) {
		pr_err("the policy has %zu network peers; at most %d are supported\n", r->pol.n_net,
		       BG_NET_RULES_MAX);
		return -E2BIG;
	}
	s->rodata->n_rules = n;
	err = bg_events_share(&r->ctx.ev, s->obj);
	if (!err)
		err = bg_sandbox_bpf__load(s);
	if (err) {
		pr_err("cannot load the network sandbox: %s\n", strerror(-err));
		return err;
	}
	err = bg_net_rules_write(bpf_map__fd(s->maps.net_rules), r->pol.net, r->pol.n_net);
	if (err)
		return err;
#define ATTACH(p)                                                                                  \
	do {                                                                                       \
		s->links.p = bpf_program__attach_cgroup(s->progs.p, r->cg.fd);                     \
		if (!s->links.p) {                                                                 \
			err = -errno;                                                              \
			pr_err("cannot attach %s to %s: %s\n", #p, r->cg.path, strerror(errno));   \
			return err;                                                                \
		}                                                                                  \
	} while (0)
	ATTACH(sb_connect4);
	ATTACH(sb_connect6);
	ATTACH(sb_sendmsg4);
	ATTACH(sb_sendmsg6);
	ATTACH(sb_bind4);
	ATTACH(sb_bind6);
#undef ATTACH
	return 0;
}

/* ---- the child --------------------------------------------------------- */

/*
 * After the filter is on, the child makes no call of its own but the futex
 * wait, execve and exit_group (add_always): a denied write or read here would
 * be an event about bpfguard, not the command, and a denied exit a crash.
 */
static void child_main(struct run *r, int fdnum_pipe)
{
	extern char **environ;
	scmp_filter_ctx ctx = NULL;
	uint32_t deflt;
	int fd, err;

	/* SIGKILL of run cannot be passed on: the kernel kills the command with
	 * it. What the command forked is left in the cgroup until the next run
	 * or profile removes it (clean_stale in src/core/cgroup.c). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != r->self)
		_exit(126);
	if (bg_cgroup_enter(&r->cg)) {
		fprintf(stderr, "bpfguard: cannot join %s: %s\n", r->cg.path, strerror(errno));
		_exit(126);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(126);
	/* Nothing of ours (maps, ring buffer, cgroup) reaches the command. */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (r->pol.has_files && r->action != BG_ACT_ALERT && !(r->lsm & BG_LSM_FILES)) {
		err = bg_run_apply_landlock(&r->pol, r->widen);
		if (err) {
			fprintf(stderr, "bpfguard: Landlock: %s\n", strerror(-err));
			_exit(126);
		}
	}
	if (r->pol.has_syscalls) {
		deflt = r->action == BG_ACT_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_NOTIFY;
		ctx = bg_run_build_filter(&r->pol, deflt,
					  deflt == SCMP_ACT_NOTIFY ? &r->sh->go : NULL);
		if (!ctx) {
			fprintf(stderr, "bpfguard: cannot build the seccomp filter\n");
			_exit(126);
		}
		/* The listener takes the lowest free fd: tell the parent which,
		 * before the filter is on (writing afterwards may be denied). */
		if (deflt == SCMP_ACT_NOTIFY) {
			fd = dup(0);
			if (fd < 0)
				fd = 0;
			else
				close(fd);
			if (write(fdnum_pipe, &fd, sizeof(fd)) != sizeof(fd))
				_exit(126);
		}
		/* The pipe stays open until the filter is on, so the predicted
		 * number is still the lowest free one; it is close-on-exec. */
		if (seccomp_load(ctx)) {
			fprintf(stderr, "bpfguard: cannot load the seccomp filter\n");
			_exit(126);
		}
		/* The listener is close-on-exec: wait until the parent holds a
		 * copy, or the filter would lose it at exec (calls then fail with
		 * ENOSYS). */
		while (deflt == SCMP_ACT_NOTIFY && !__atomic_load_n(&r->sh->go, __ATOMIC_ACQUIRE))
			syscall(SYS_futex, (long)&r->sh->go, (long)FUTEX_WAIT, 0L, 0L, 0L, 0L);
	} else {
		close(fdnum_pipe);
	}
	execve(r->exe, r->cmd, environ);
	r->sh->exec_errno = errno;
	/* The raw call: a sanitizer's _exit() makes calls of its own. */
	syscall(SYS_exit_group, 127);
	_exit(127);
}

static void release_child(struct run *r)
{
	__atomic_store_n(&r->sh->go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, (long)&r->sh->go, (long)FUTEX_WAKE, (long)INT_MAX, 0L, 0L, 0L);
}

/* cmd[0] as execvp would find it: a name with a slash as it is, else the
 * first executable file in PATH. */
static int find_command(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	int err = -ENOENT;
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	if (!*name)
		return -ENOENT;
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; p; p = end ? end + 1 : NULL) {
		end = strchr(p, ':');
		if ((size_t)snprintf(out, len, "%.*s%s%s", (int)(end ? end - p : (long)strlen(p)),
				     p, (end ? end == p : !*p) ? "" : "/", name) >= len)
			continue;
		if (stat(out, &st) || !S_ISREG(st.st_mode))
			continue;
		if (!access(out, X_OK))
			return 0;
		err = -EACCES;
	}
	return err;
}

/* execve failed in the child: say what and, when the policy refused it, why. */
static void report_exec_failure(const struct run *r, int err)
{
	const char *why = "";

	if (err == EPERM && r->pol.has_syscalls && !bg_bit(r->pol.sys_native, SYS_execve))
		why = ": execve is not in the policy's syscalls";
	else if ((err == EPERM || err == EACCES) && (r->lsm & BG_LSM_EXEC))
		why = ": refused by BPF LSM, not among the policy's executables";
	else if (err == EACCES && r->pol.has_files && r->action != BG_ACT_ALERT &&
		 !(r->lsm & BG_LSM_FILES) && !access(r->exe, X_OK))
		why = ": refused by Landlock, the policy's files do not let it be executed";
	fprintf(stderr, "bpfguard: cannot execute %s: %s%s\n", r->exe, strerror(err), why);
}

/* "killed by seccomp (SIGSYS): mremap (x86_64 #25, family memory) is not in P". */
static void report_seccomp_kill(const struct run *r)
{
	struct bg_syscall_event e = {0};
	const char *abi, *name, *fam;

	if (!bg_refusals_last_kill(r->refusals, &e.nr, &e.compat)) {
		fprintf(stderr, "bpfguard: %s killed by seccomp (SIGSYS): a syscall outside %s\n",
			r->cmd[0], r->policy_path);
		return;
	}
	name = bg_run_syscall_name(&e, &abi);
	fam = e.compat == BG_ABI_X32 ? NULL : bg_syscall_family_of(e.compat == BG_ABI_IA32, e.nr);
	fprintf(stderr,
		"bpfguard: %s killed by seccomp (SIGSYS): syscall %s (%s #%u%s%s) is not in %s\n",
		r->cmd[0], name ? name : "unknown", abi, e.nr & ~X32_SYSCALL_BIT,
		fam ? ", family @" : "", fam ? fam : "", r->policy_path);
}

static const char *const actions[] = {"deny", "kill", "kill-user", "alert", "redirect", NULL};
static const int action_val[] = {BG_ACT_DENY, BG_ACT_KILL, BG_ACT_KILL_USER, BG_ACT_ALERT,
				 BG_ACT_REDIRECT};

static const char *const php_traps[] = {"auto", "calls", "handlers", NULL};

static const struct bg_opt run_opts[] = {
	BG_OPT_STR(struct run, policy_path, "policy", 'p', "FILE",
		   "the policy to enforce (from bpfguard profile)"),
	BG_OPT_CHOICE(struct run, action, "action", 'a', "ACTION", actions,
		      "deny (default), kill, kill-user, alert or redirect (with --redirect)"),
	BG_OPT_STR(struct run, redirect, "redirect", 257, "FILE",
		   "redirect: opens outside the policy's files get FILE instead"),
	BG_OPT_STR(struct run, ctx.output, "output", 'o', "FILE",
		   "append events to FILE instead of stderr"),
	BG_OPT_FORMAT(struct run, ctx),
	BG_OPT_FLAG(struct run, no_lsm, "no-lsm", 256,
		    "do not use BPF LSM (Landlock and cgroup hooks, as on kernels without it)"),
	BG_OPT_STR(struct run, cgroup_parent, "cgroup-parent", 258, "DIR",
		   "make the command's cgroup under DIR (cgroup v2; default <cgroup2>/bpfguard)"),
	BG_OPT_CHOICE(struct run, php_traps, "php-traps", 259, "MODE", php_traps,
		      "PHP built-ins outside the policy, trapped: auto (default), at every "
		      "call (calls), or at their handlers (handlers; docs/php.md)"),
	{0},
};

const struct bg_cmd_help run_help = {
	.usage = "bpfguard run --policy FILE [--action deny|kill|kill-user|alert|redirect] -- CMD "
		 "[ARGS]",
	.summary = "run a command held to a policy (seccomp, BPF LSM or Landlock, cgroup hooks)",
	.opts = run_opts,
	.operands = BG_OPERANDS_COMMAND,
	.more = "deny: out-of-policy calls fail with EPERM before they run. kill: the process is\n"
		"killed at the first out-of-policy syscall, before it runs (seccomp kill).\n"
		"kill-user: bpfguard kills it from user space (kept for comparison). alert:\n"
		"events only. Events go to stderr (or --output); the exit status is CMD's, or\n"
		"128+signal. Files, executables and network use BPF LSM where the kernel\n"
		"loads it (kill: EPERM, then SIGKILL); run says which mechanism enforces each\n"
		"section. See docs/guarantees.md for what each mechanism guarantees.\n"
		"A php: section is enforced through PHP's USDT probes (docs/php.md).",
};

int cmd_run(int argc, char **argv)
{
	struct run r = {.notify_fd = -1, .ctx.to_stderr = true};
	char err_s[600], **operands;
	int n, i, err, status = 0, rc, pipefd[2] = {-1, -1}, pidfd = -1;

	r.cg.fd = -1;
	rc = bg_cli_parse(argc, argv, &run_help, &r, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	rc = 1;
	r.action = action_val[r.action];
	if (!r.policy_path)
		return bg_cli_usage_error(&run_help, "--policy FILE is required");
	if (!n)
		return bg_cli_usage_error(&run_help, "no command given (-- CMD [ARGS])");
	r.cmd = operands;
	if (bg_policy_load(r.policy_path, &r.pol, err_s, sizeof(err_s))) {
		fprintf(stderr, "bpfguard: %s\n", err_s);
		return 1;
	}
	if (r.action == BG_ACT_REDIRECT) { /* deny, but files get the notice */
		r.redir = (struct bg_redirect){.rule_id = RULE_FILES,
					       .cgroup_id = &r.cg.id,
					       .ctx = &r.ctx,
					       .fill_proc = bg_run_fill_proc};
		if (bg_redirect_init(&r.redir, r.redirect, &r.pol))
			goto cleanup_policy;
		r.action = BG_ACT_DENY;
	}
	if (r.pol.has_syscalls && !bg_bit(r.pol.sys_native, SYS_execve))
		pr_warn("the policy does not allow execve: %s cannot start\n", r.cmd[0]);
	err = find_command(r.cmd[0], r.exe, sizeof(r.exe));
	if (err) {
		fprintf(stderr, "bpfguard: %s: %s\n", r.cmd[0],
			err == -ENOENT ? "command not found" : strerror(-err));
		rc = err == -ENOENT ? 127 : 126;
		goto cleanup_policy;
	}
	r.sh = mmap(NULL, sizeof(*r.sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r.sh == MAP_FAILED) {
		r.sh = NULL;
		goto cleanup_policy;
	}

	/* Events go to stderr by default: stdout belongs to the command. */
	if (bg_ctx_open(&r.ctx, "-", 1 << 20))
		goto cleanup_events;
	r.ctx.ev.fmt.rule_name = rule_name;
	if (bg_cgroup_create(&r.cg, "run", r.cgroup_parent))
		goto cleanup_events;
	{
		struct bg_run_lsm_cfg lc = {.pol = &r.pol,
					    .action = r.action,
					    .cgroup_fd = r.cg.fd,
					    .rule_files = RULE_FILES,
					    .rule_exec = RULE_EXEC,
					    .rule_net = RULE_NETWORK,
					    .ev = &r.ctx.ev};
		char mech[256];
		int got = r.no_lsm ? 0 : bg_run_lsm_start(&lc, &r.lsm_skel);

		if (got < 0)
			goto cleanup_cg;
		r.lsm = got;
		bg_run_mechanisms(&r.pol, r.lsm, r.action, mech, sizeof(mech));
		/* stderr is the command's unless events go to a file. */
		if (mech[0] && (r.ctx.output || isatty(STDERR_FILENO)))
			fprintf(stderr, "bpfguard: enforcing %s\n", mech);
		else if (mech[0])
			pr_info("enforcing %s\n", mech);
	}
	if (r.pol.has_net && !(r.lsm & BG_LSM_NET) && start_network(&r))
		goto cleanup_cg;
	r.php.calls = r.php_traps == 1;
	r.php.handler_traps = r.php_traps == 2;
	if (r.pol.has_php && bg_php_run_start(&r.php, r.cmd, &r.pol, r.action, &r.ctx.ev, r.cg.id))
		goto cleanup_cg;
	{
		struct bg_refusals_cfg rc_cfg = {
			.ev = &r.ctx.ev,
			.cgroup_fd = r.cg.fd,
			.kill_rule =
				r.pol.has_syscalls && r.action == BG_ACT_KILL ? RULE_SYSCALLS : 0,
			.files_rule = r.pol.has_files && r.action != BG_ACT_ALERT &&
						      !(r.lsm & BG_LSM_FILES)
					      ? RULE_FILES
					      : 0};

		if (rc_cfg.files_rule) {
			r.widen = calloc(r.pol.n_files + 1, sizeof(*r.widen));
			if (!r.widen)
				goto cleanup_cg;
			r.n_widen = bg_run_plan_widening(&r.pol, r.widen);
			if (r.n_widen)
				rc_cfg.exact_names = &r.pol;
		}
		err = rc_cfg.kill_rule || rc_cfg.files_rule
			      ? bg_refusals_start(&rc_cfg, &r.refusals)
			      : 0;
		/* Without the names checked, a widened directory is a hole. */
		if (err && rc_cfg.exact_names) {
			fprintf(stderr,
				"bpfguard: cannot check the names of files created or replaced "
				"below a directory (bpf/refusals.bpf.c): %s\n",
				strerror(-err));
			goto cleanup_cg;
		}
		/* The refusals hold without it; only their events are lost. */
		if (err)
			pr_warn("refusals by seccomp's kill and Landlock will give no event: %s\n",
				strerror(-err));
	}
	if (r.n_widen && (r.ctx.output || isatty(STDERR_FILENO)))
		fprintf(stderr,
			"bpfguard: files: %zu created or replaced names and own-files directories "
			"granted through their directories (landlock); other files opened there: "
			"kill at open's exit (tracepoint)\n",
			r.n_widen);
	if (pipe2(pipefd, O_CLOEXEC))
		goto cleanup_cg;
	r.self = getpid();
	r.child = fork();
	if (r.child < 0)
		goto cleanup_cg;
	if (r.child == 0) {
		close(pipefd[0]);
		child_main(&r, pipefd[1]);
	}
	close(pipefd[1]);
	if (r.pol.has_syscalls && r.action != BG_ACT_KILL) {
		int fdnum;

		if (read(pipefd[0], &fdnum, sizeof(fdnum)) != sizeof(fdnum)) {
			pr_err("the sandboxed child failed before exec\n");
			release_child(&r);
			goto wait_child;
		}
		pidfd = syscall(SYS_pidfd_open, r.child, 0);
		/* The child may still be installing the filter: retry briefly. */
		for (i = 0; pidfd >= 0 && i < 2000; i++) {
			r.notify_fd = syscall(SYS_pidfd_getfd, pidfd, fdnum, 0);
			/* A listener answers "no such notification" for id 0. */
			if (r.notify_fd >= 0 && bg_run_is_listener(r.notify_fd))
				break;
			if (r.notify_fd >= 0)
				close(r.notify_fd);
			r.notify_fd = -1;
			usleep(500);
		}
		if (r.notify_fd < 0)
			pr_warn("no seccomp listener from the child: out-of-policy calls fail "
				"without "
				"events\n");
	}
	release_child(&r); /* go: the child may exec now */
	close(pipefd[0]);
	pipefd[0] = -1;
wait_child:
	/* Signals for the command are passed on: bpfguard stays to clean up. */
	bg_sig_catch(SIGINT);
	bg_sig_catch(SIGTERM);
	bg_sig_catch(SIGHUP);
	for (;;) {
		/* The ring buffer too: kill-user acts as soon as an event lands. */
		struct pollfd pf[3] = {{.fd = r.notify_fd, .events = POLLIN},
				       {.fd = pidfd, .events = POLLIN},
				       {.fd = bg_events_epoll_fd(&r.ctx.ev), .events = POLLIN}};
		int sig = bg_sig_take_any();
		pid_t w;

		if (sig)
			kill(r.child, sig);
		if (poll(pf, 3, 100) > 0 && (pf[0].revents & POLLIN))
			bg_run_handle_notification(&r);
		bg_events_poll(&r.ctx.ev, 0);
		w = waitpid(r.child, &status, WNOHANG);
		if (w == r.child)
			break;
		if (w < 0 && errno != EINTR)
			break;
	}
	bg_events_drain(&r.ctx.ev);
	{
		struct bg_ev_stats st;

		/* Kernel events were emitted: say whether all arrived. */
		if (!bg_events_read_stats(&r.ctx.ev, &st) && (st.emitted || st.dropped))
			bg_events_report(&r.ctx.ev, true);
	}
	if (WIFSIGNALED(status)) {
		if (r.action == BG_ACT_KILL && WTERMSIG(status) == SIGSYS)
			report_seccomp_kill(&r);
		else if (r.action == BG_ACT_KILL && r.lsm && WTERMSIG(status) == SIGKILL)
			fprintf(stderr,
				"bpfguard: %s killed (SIGKILL) by BPF LSM: an operation outside "
				"%s\n",
				r.cmd[0], r.policy_path);
		rc = 128 + WTERMSIG(status);
	} else {
		rc = WEXITSTATUS(status);
		if (rc == 127 && r.sh->exec_errno)
			report_exec_failure(&r, r.sh->exec_errno);
	}
cleanup_cg:
	if (pidfd >= 0)
		close(pidfd);
	if (r.notify_fd >= 0)
		close(r.notify_fd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	bg_sandbox_bpf__destroy(r.skel);
	bg_refusals_stop(r.refusals);
	bg_run_lsm_stop(r.lsm_skel);
	bg_php_stop(&r.php);
	bg_cgroup_destroy(&r.cg);
cleanup_events:
	bg_ctx_close(&r.ctx);
cleanup_policy:
	if (r.sh)
		munmap(r.sh, sizeof(*r.sh));
	bg_policy_free(&r.pol);
	free(r.widen);
	return rc;
}
