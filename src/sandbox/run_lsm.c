// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * User half of bpf/run_lsm.bpf.c: `bpfguard run` with BPF LSM for the file,
 * executable and network allowlists, where the kernel loads LSM programs.
 * Only the hooks of sections the policy has are loaded. Loading them is the
 * probe: a refusal (EPERM on kernels without `bpf` in the active LSMs, or
 * under a lockdown that forbids them) makes run fall back to Landlock and
 * cgroup hooks.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>
#include <bpfguard/sandbox.h>

#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/probe.h"
#include "core/log.h"
#include "policy/netrule.h"
#include "policy/policy.h"
#include "sandbox/run_lsm.h"
#include "run_lsm.skel.h"

/* kill-user: bpfguard kills the process when the event arrives. */
static int kill_on_event(void *ctx, const void *data, size_t size)
{
	const struct bg_event_hdr *h = data;
	const struct bg_proc *p = (const void *)(h + 1);

	(void)ctx;
	if (size >= sizeof(*h) + sizeof(*p) && h->mechanism == BG_MECH_LSM &&
	    h->action == BG_ACT_KILL_USER)
		kill(p->pid, SIGKILL);
	return 0;
}

/* Errors that say "no BPF LSM here" (refused, or no such hook), as opposed
 * to a program this kernel's verifier rejects, which is a bug to report. */
static bool refused(int err)
{
	return err == -EPERM || err == -ENOENT || err == -ESRCH || err == -EOPNOTSUPP ||
	       err == -524 /* ENOTSUPP */;
}

static int put_rule(int fd, const char *path, uint32_t acc)
{
	struct bg_lsm_path k = {0};
	uint32_t old = 0;
	size_t n;

	snprintf(k.path, sizeof(k.path), "%s", path);
	n = strlen(k.path);
	if (n > 1 && k.path[n - 1] == '/')
		k.path[n - 1] = 0; /* the kernel's walk writes no trailing slash */
	if (!bpf_map_lookup_elem(fd, &k, &old))
		acc |= old;
	return bpf_map_update_elem(fd, &k, &acc, BPF_ANY) ? -errno : 0;
}

int bg_file_rules_fill(int fd, const struct bg_policy *p)
{
	size_t i;
	int err;

	for (i = 0; i < p->n_files; i++) {
		const struct bg_policy_file *f = &p->files[i];

		/* A name created, removed or renamed while profiled is checked
		 * by its own rule (path_mknod, path_unlink, path_rename): its
		 * directory gets none, so other names there stay refused. */
		err = put_rule(fd, f->path, f->acc);
		if (err)
			return err;
	}
	return 0;
}

/* The path hooks exist only with CONFIG_SECURITY_PATH (every distribution
 * kernel with AppArmor or TOMOYO has it); without them file_open still
 * holds the file list for opens. One program of a missing hook would fail
 * the whole object, so they are left out up front. */
static bool have_path_hooks(void)
{
	return bg_kernel_has_func("bpf_lsm_path_mknod");
}

static unsigned wanted(const struct bg_policy *p)
{
	return (p->has_files ? BG_LSM_FILES : 0) | (p->has_exec ? BG_LSM_EXEC : 0) |
	       (p->has_net ? BG_LSM_NET : 0);
}

int bg_run_lsm_start(const struct bg_run_lsm_cfg *cfg, struct bg_run_lsm_bpf **out)
{
	const struct bg_policy *p = cfg->pol;
	unsigned want = wanted(p);
	struct bg_run_lsm_bpf *s = NULL;
	struct bpf_program *prog;
	bool paths = false;
	size_t i;
	int err;

	*out = NULL;
	if (!want)
		return 0;
	if (p->n_net > BG_NET_RULES_MAX) {
		pr_err("the policy has %zu network peers; at most %d are supported\n", p->n_net,
		       BG_NET_RULES_MAX);
		return -E2BIG;
	}
	s = bg_run_lsm_bpf__open();
	if (!s)
		return -errno;
	s->rodata->action = cfg->action;
	s->rodata->rule_files = cfg->rule_files;
	s->rodata->rule_exec = cfg->rule_exec;
	s->rodata->rule_net = cfg->rule_net;
	s->rodata->n_rules = p->n_net;
	paths = (want & BG_LSM_FILES) && have_path_hooks();
	bpf_map__set_max_entries(s->maps.file_rules, 2 * p->n_files + 1);
	bpf_map__set_max_entries(s->maps.exec_rules, p->n_execs + 1);
	bpf_object__for_each_program(prog, s->obj)
	{
		const char *name = bpf_program__name(prog);
		unsigned sec = !strcmp(name, "run_bprm_check")	   ? BG_LSM_EXEC
			       : !strncmp(name, "run_socket_", 11) ? BG_LSM_NET
								   : BG_LSM_FILES;

		if (sec == BG_LSM_FILES && !strncmp(name, "run_path_", 9) && !paths)
			sec = 0;
		/* file_truncate is 6.2+; before it, ftruncate and O_TRUNC
		 * reach path_truncate. */
		if (prog == s->progs.run_file_truncate &&
		    !bg_kernel_has_func("bpf_lsm_file_truncate"))
			sec = 0;
		bpf_program__set_autoload(prog, want & sec);
	}
	err = bg_events_share(cfg->ev, s->obj);
	if (err)
		goto fail;
	err = bg_run_lsm_bpf__load(s);
	if (err && refused(err)) {
		/* The probe: this kernel does not run BPF LSM programs. */
		pr_debug("BPF LSM not available (%s): falling back\n", strerror(-err));
		bg_run_lsm_bpf__destroy(s);
		return 0;
	}
	if (err) {
		pr_err("cannot load the LSM sandbox: %s\n", strerror(-err));
		goto fail;
	}
	{
		uint32_t zero = 0, cgfd = cfg->cgroup_fd;

		err = bpf_map_update_elem(bpf_map__fd(s->maps.target_cgroup), &zero, &cgfd, BPF_ANY)
			      ? -errno
			      : 0;
	}
	if (!err)
		err = bg_file_rules_fill(bpf_map__fd(s->maps.file_rules), p);
	for (i = 0; !err && i < p->n_execs; i++)
		err = put_rule(bpf_map__fd(s->maps.exec_rules), p->execs[i], BG_ACC_EXECVE);
	if (!err)
		err = bg_net_rules_write(bpf_map__fd(s->maps.net_rules), p->net, p->n_net);
	if (err) {
		pr_err("cannot fill the LSM policy maps: %s\n", strerror(-err));
		goto fail;
	}
	err = bg_run_lsm_bpf__attach(s);
	if (err) {
		/* Loaded but not attached: unusual, so said aloud. */
		pr_warn("BPF LSM programs do not attach (%s): Landlock and cgroup hooks instead\n",
			strerror(-err));
		bg_run_lsm_bpf__destroy(s);
		return 0;
	}
	if (cfg->action == BG_ACT_KILL_USER) {
		cfg->ev->hook = kill_on_event;
		cfg->ev->hook_ctx = NULL;
	}
	*out = s;
	return want | (paths ? BG_LSM_PATHS : 0);
fail:
	bg_run_lsm_bpf__destroy(s);
	return err;
}

void bg_run_lsm_stop(struct bg_run_lsm_bpf *skel)
{
	bg_run_lsm_bpf__destroy(skel);
}

static size_t add_section(char *buf, size_t len, size_t n, bool on, const char *name,
			  const char *mech)
{
	int w;

	if (!on || n >= len)
		return n;
	w = snprintf(buf + n, len - n, "%s%s: %s", n ? ", " : "", name, mech);
	return w < 0 ? n : n + w;
}

void bg_run_mechanisms(const struct bg_policy *p, unsigned lsm, int action, char *buf, size_t len)
{
	const char *files = (lsm & BG_LSM_FILES) && !(lsm & BG_LSM_PATHS)
				    ? "lsm (opens only: no path hooks in this kernel)"
			    : lsm & BG_LSM_FILES     ? "lsm"
			    : action == BG_ACT_ALERT ? "not enforced (Landlock has no audit mode)"
						     : "landlock";
	const char *exec = lsm & BG_LSM_EXEC ? "lsm"
			   : p->has_files && action != BG_ACT_ALERT
				   ? "landlock (execute rights of files)"
				   : "not enforced without BPF LSM";
	size_t n = 0;

	buf[0] = 0;
	n = add_section(buf, len, n, p->has_syscalls, "syscalls", "seccomp");
	n = add_section(buf, len, n, p->has_files, "files", files);
	n = add_section(buf, len, n, p->has_exec, "executables", exec);
	add_section(buf, len, n, p->has_net, "network", lsm & BG_LSM_NET ? "lsm" : "cgroup");
}

/* ---- how the events of this guard are printed -------------------------- */

static const char *const file_ops[] = {"?",    "open",	 "create", "unlink",  "mkdir",	  "rmdir",
				       "exec", "rename", "link",   "symlink", "truncate", "mknod"};
#define N_FILE_OPS (sizeof(file_ops) / sizeof(file_ops[0]))

/* Letters for opens (as before), the policy's words for entry operations
 * (both words of a RENAME_EXCHANGE). s holds ACCESS_STR_MAX. */
#define ACCESS_STR_MAX 64
static void access_str(uint32_t acc, char *s)
{
	static const struct {
		uint32_t bit;
		const char *word;
	} words[] = {
		{BG_ACC_REMOVE, "remove"},	 {BG_ACC_RENAME_FROM, "rename-from"},
		{BG_ACC_RENAME_TO, "rename-to"}, {BG_ACC_MKDIR, "mkdir"},
		{BG_ACC_RMDIR, "rmdir"},	 {BG_ACC_LINK_FROM, "link-from"},
		{BG_ACC_LINK_TO, "link-to"},	 {BG_ACC_SYMLINK, "symlink"},
		{BG_ACC_MKFIFO, "make-fifo"},	 {BG_ACC_MKSOCK, "make-socket"},
		{BG_ACC_MKCHAR, "make-char"},	 {BG_ACC_MKBLOCK, "make-block"},
	};
	char *start = s;
	size_t i;

	if (acc & BG_ACC_READ)
		*s++ = 'r';
	if (acc & BG_ACC_WRITE)
		*s++ = 'w';
	if (acc & BG_ACC_EXEC)
		*s++ = 'x';
	if (acc & BG_ACC_CREAT)
		*s++ = 'c';
	*s = 0;
	/* truncate(2) asks for truncation alone: said as the word. */
	if (acc == BG_ACC_TRUNC)
		strcpy(s, "truncate");
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (acc & words[i].bit)
			s += sprintf(s, "%s%s", s > start ? ", " : "", words[i].word);
}

static void file_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_run_file_event *e = rec;
	char acc[ACCESS_STR_MAX];

	(void)f;
	access_str(e->access, acc);
	bg_json_kobj(j, "file");
	bg_json_key(j, "path");
	bg_json_strn(j, e->path, strnlen(e->path, sizeof(e->path)));
	bg_json_kstr(j, "operation", file_ops[e->op < N_FILE_OPS ? e->op : 0]);
	bg_json_kstr(j, "access", acc);
	bg_json_obj_end(j);
}

static void file_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_run_file_event *e = rec;
	char acc[ACCESS_STR_MAX];

	(void)f;
	access_str(e->access, acc);
	bg_buf_printf(out, " %s %s ", file_ops[e->op < N_FILE_OPS ? e->op : 0], acc);
	/* The path is the process's choice: escaped for the terminal. */
	bg_text_escape(out, e->path, sizeof(e->path));
}

const struct bg_event_desc bg_run_file_desc = {
	.type = BG_EV_RUN_FILE,
	.name = "run_file",
	.size = sizeof(struct bg_run_file_event),
	.category = "file",
	.ecs_type = "denied",
	.action = "file",
	.has_proc = true,
	.json = file_json,
	.text = file_text,
	.color = "\033[32m",
};

const struct bg_event_desc bg_run_exec_desc = {
	.type = BG_EV_RUN_EXEC,
	.name = "run_exec",
	.size = sizeof(struct bg_run_file_event),
	.category = "process",
	.ecs_type = "denied",
	.action = "exec",
	.has_proc = true,
	.json = file_json,
	.text = file_text,
	.color = "\033[31m",
};
