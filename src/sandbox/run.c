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
#include "sandbox/redirect.h"
#include "policy/families.h"
#include "policy/policy.h"
#include "sandbox/refusals.h"
#include "sandbox/run_lsm.h"
#include "core/sys.h"
#include "sandbox.skel.h"

#ifndef X32_SYSCALL_BIT
#define X32_SYSCALL_BIT 0x40000000u
#endif

enum { RULE_SYSCALLS = 1, RULE_FILES = 2, RULE_NETWORK = 3, RULE_EXEC = 4 };

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

/* One page shared with the child from fork to its exec. */
struct run_shared {
	uint32_t go;	/* futex word: 1 once bpfguard holds the seccomp listener */
	int exec_errno; /* why execve failed: the child cannot print with the filter on */
};

struct run {
	const char *policy_path;
	int action; /* index in actions[], then enum bg_action */
	struct bg_ctx ctx; /* format, output (stderr by default), events */
	char **cmd;
	struct bg_policy pol;
	struct bg_cgroup cg;
	struct bg_sandbox_bpf *skel;
	struct bg_run_lsm_bpf *lsm_skel;
	struct bg_refusals_bpf *refusals; /* names seccomp's kills (kill only) */
	unsigned lsm;			  /* sections BPF LSM enforces (BG_LSM_*) */
	bool no_lsm;
	struct bg_php php; /* the php: section (src/sandbox/php.c) */
	pid_t self, child;
	struct run_shared *sh;
	char exe[BG_PATH_MAX]; /* cmd[0] found in PATH, as execvp would */
	int notify_fd;
	unsigned long long decisions;
	bool *widen;	/* per files entry: granted through its directory */
	size_t n_widen; /* how many: names are checked at open's exit */

	const char *redirect;	  /* --redirect FILE */
	struct bg_redirect redir; /* --action redirect (src/sandbox/redirect.c) */
};

/* ---- seccomp --------------------------------------------------------- */

static int add_allowed(scmp_filter_ctx ctx, const uint64_t *bm, bool compat)
{
	unsigned nr;
	int err;

	for (nr = 0; nr < BG_SYSCALL_MAX; nr++) {
		const char *name;
		int pseudo;

		if (!bg_bit(bm, nr))
			continue;
		/* libseccomp takes a name-derived number and maps it per arch. */
		name = bg_syscall_name(compat, nr);
		if (!name)
			continue;
		pseudo = seccomp_syscall_resolve_name(name);
		if (pseudo == __NR_SCMP_ERROR)
			continue;
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, pseudo, 0);
		if (err && err != -EEXIST)
			return err;
	}
	return 0;
}

/*
 * Calls allowed whatever the policy says (docs/policy.md):
 * - exit and exit_group, both ABIs: a process can always end. Without them
 *   a policy that missed the calls made at exit (profiles often do) turns
 *   every exit into a decision, and under deny libc's _exit, refused, falls
 *   through to a faulting instruction (exit status 139).
 * - futex(FUTEX_WAIT) on the one word of the page shared with bpfguard
 *   (`go`): the child waits there, filter on, until bpfguard holds the
 *   listener. That address means nothing after exec, and a wait reads only
 *   the caller's own memory.
 */
static int add_always(scmp_filter_ctx nat, scmp_filter_ctx ia32, const void *go)
{
	static const int calls[] = {SCMP_SYS(exit), SCMP_SYS(exit_group)};
	size_t i;
	int err;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		err = seccomp_rule_add(nat, SCMP_ACT_ALLOW, calls[i], 0);
		if (!err || err == -EEXIST)
			err = seccomp_rule_add(ia32, SCMP_ACT_ALLOW, calls[i], 0);
		if (err && err != -EEXIST)
			return err;
	}
	if (!go)
		return 0;
	err = seccomp_rule_add(nat, SCMP_ACT_ALLOW, SCMP_SYS(futex), 2,
			       SCMP_A0(SCMP_CMP_EQ, (uintptr_t)go),
			       SCMP_A1(SCMP_CMP_EQ, FUTEX_WAIT));
	return err == -EEXIST ? 0 : err;
}

/* One filter per ABI, merged: each ABI gets only its own allowlist. */
static scmp_filter_ctx build_filter(const struct bg_policy *p, uint32_t deflt, const void *go)
{
	scmp_filter_ctx nat = seccomp_init(deflt), ia32 = seccomp_init(deflt);

	if (!nat || !ia32)
		goto fail;
	/* x32 (x86_64 numbers with bit 30 set, which libseccomp sends to the
	 * bad-arch action) and any other ABI: never in a policy, so the verdict
	 * of an out-of-policy call, and through the listener like one, so that
	 * it is an event too. It reaches seccomp even where x32 is compiled
	 * out or off (the kernel answers ENOSYS only after the filter). */
	if (seccomp_attr_set(nat, SCMP_FLTATR_ACT_BADARCH, deflt) ||
	    seccomp_attr_set(ia32, SCMP_FLTATR_ACT_BADARCH, deflt))
		goto fail;
	if (seccomp_arch_remove(ia32, SCMP_ARCH_NATIVE) || seccomp_arch_add(ia32, SCMP_ARCH_X86))
		goto fail;
	if (add_allowed(nat, p->sys_native, false) || add_allowed(ia32, p->sys_compat, true) ||
	    add_always(nat, ia32, go))
		goto fail;
	if (seccomp_merge(nat, ia32))
		goto fail;
	return nat;
fail:
	seccomp_release(nat);
	seccomp_release(ia32);
	return NULL;
}

/* ---- Landlock -------------------------------------------------------- */

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

static uint64_t fs_handled(int abi)
{
	uint64_t all = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

static uint64_t fs_rights(unsigned acc, uint64_t handled)
{
	uint64_t r = 0;

	if (acc & BG_ACC_DIR) {
		if (acc & BG_ACC_READ)
			r |= LANDLOCK_ACCESS_FS_READ_DIR;
		if (acc & (BG_ACC_CREAT | BG_ACC_WRITE))
			r |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |
			     LANDLOCK_ACCESS_FS_REMOVE_FILE;
	} else {
		if (acc & BG_ACC_READ)
			r |= LANDLOCK_ACCESS_FS_READ_FILE;
		if (acc & BG_ACC_WRITE)
			r |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
		/* truncate(2) by path needs TRUNCATE alone (ABI 3); ftruncate
		 * and O_TRUNC come with write. */
		if (acc & BG_ACC_TRUNC)
			r |= LANDLOCK_ACCESS_FS_TRUNCATE;
		if (acc & BG_ACC_EXEC)
			r |= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE;
	}
	return r & handled;
}

/*
 * What an entry operation on a path needs on its directory: Landlock checks
 * creating, removing, renaming and linking entries on the parent, and a
 * right there covers every entry below it, whatever its name (the LSM path
 * checks the name). Only entry rights: never reading or writing other files.
 * A name ending in '/' (BG_ACC_DIR) was a directory: a rename of it is
 * MAKE_DIR/REMOVE_DIR, not the rights of a file.
 */
static uint64_t parent_rights(unsigned acc)
{
	bool dir = acc & BG_ACC_DIR;
	uint64_t make = dir ? LANDLOCK_ACCESS_FS_MAKE_DIR : LANDLOCK_ACCESS_FS_MAKE_REG;
	uint64_t remove = dir ? LANDLOCK_ACCESS_FS_REMOVE_DIR : LANDLOCK_ACCESS_FS_REMOVE_FILE;
	uint64_t r = 0;

	/* On a directory entry ("D/: c"), c is about the entries in it. */
	if ((acc & BG_ACC_CREAT) && !dir)
		r |= LANDLOCK_ACCESS_FS_MAKE_REG;
	if (acc & BG_ACC_REMOVE)
		r |= LANDLOCK_ACCESS_FS_REMOVE_FILE;
	/* A rename needs REFER between directories; over an existing name,
	 * the removal of that name too. RENAME_EXCHANGE records both words on
	 * both names: each is removed and made. */
	if (acc & BG_ACC_RENAME_FROM)
		r |= remove | LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_RENAME_TO)
		r |= make | remove | LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_MKDIR)
		r |= LANDLOCK_ACCESS_FS_MAKE_DIR;
	if (acc & BG_ACC_RMDIR)
		r |= LANDLOCK_ACCESS_FS_REMOVE_DIR;
	/* A hard link: the new name is made (MAKE_REG: links of regular
	 * files, what profile records), REFER on both directories when they
	 * differ (Landlock does not ask for it within one directory). */
	if (acc & BG_ACC_LINK_FROM)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_LINK_TO)
		r |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_SYMLINK)
		r |= LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (acc & BG_ACC_MKFIFO)
		r |= LANDLOCK_ACCESS_FS_MAKE_FIFO;
	if (acc & BG_ACC_MKSOCK) /* mknod S_IFSOCK and bind(AF_UNIX, path) */
		r |= LANDLOCK_ACCESS_FS_MAKE_SOCK;
	if (acc & BG_ACC_MKCHAR)
		r |= LANDLOCK_ACCESS_FS_MAKE_CHAR;
	if (acc & BG_ACC_MKBLOCK)
		r |= LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	return r;
}

/* A file that does not exist yet has no inode to hold a rule: once
 * created, its opens are checked against its directory's rule, so what
 * was done to it (and only that) is granted there. */
static uint64_t new_file_rights(unsigned acc)
{
	uint64_t r = 0;

	if (acc & BG_ACC_READ)
		r |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (acc & BG_ACC_WRITE)
		r |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
	if (acc & BG_ACC_TRUNC) /* truncate(2) of the name: no write */
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return r;
}

static int add_path(int ruleset, const char *path, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights};
	int err = 0;

	if (!rights)
		return 0;
	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return -errno;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0))
		err = -errno;
	close(pb.parent_fd);
	return err;
}

/*
 * The nearest directory of path that exists (its parent, else the parent's
 * parent...); *direct says whether that is the parent. tar extracting into
 * a directory it makes: when run starts X/a/ does not exist, so the rights
 * recorded on X/a/x1.txt have no inode to hold them but an ancestor's.
 */
static int open_ancestor(const char *path, bool *direct)
{
	char dir[BG_PATH_MAX], *slash;
	size_t len;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	*direct = true;
	for (;;) {
		len = strlen(dir);
		if (len > 1 && dir[len - 1] == '/')
			dir[len - 1] = 0; /* a directory's own parent */
		slash = strrchr(dir, '/');
		if (!slash)
			return -EINVAL;
		slash[1] = 0; /* "/" for a name at the root */
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || slash == dir)
			return fd >= 0 ? fd : -errno;
		*direct = false;
	}
}

/* The directory holding path's last entry, or its nearest existing ancestor. */
static int add_parent(int ruleset, const char *path, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights};
	bool direct;
	int err = 0;

	pb.parent_fd = open_ancestor(path, &direct);
	if (pb.parent_fd < 0)
		return pb.parent_fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0))
		err = -errno;
	close(pb.parent_fd);
	return err;
}

/* path's directory does not exist: the program makes it. */
static bool parent_absent(const char *path)
{
	bool direct;
	int fd = open_ancestor(path, &direct);

	if (fd >= 0)
		close(fd);
	return fd >= 0 && !direct;
}

/*
 * "/proc/self/NAME" as profile folds it: each process's own /proc/PID. A
 * rule made in run's child holds on that process's directory only, not on
 * the ones of the processes it starts (python's subprocess.run started a
 * shell and grep, whose /proc/self/maps read was refused, and grep fell
 * back to mincore, outside the policy too).
 */
static bool proc_self(const char *path)
{
	return !strncmp(path, "/proc/self/", 11);
}

/*
 * Which entries Landlock must grant through their directory, decided once
 * in bpfguard before the fork (the child follows it; bpf/refusals.bpf.c
 * checks names below those directories when any is): a file to be created
 * or linked that does not exist yet, and a name a rename replaces (its new inode
 * carries no rule: git's index, every atomic save), and a file whose
 * directory does not exist yet (tar's extracted tree: granted on the
 * nearest directory that exists, add_parent). A /proc/self file is
 * granted on /proc (any process's directory), so it needs the same check.
 * Returns how many.
 */
static size_t plan_widening(const struct bg_policy *p, bool *widen)
{
	size_t i, n = 0;
	struct stat st;

	for (i = 0; i < p->n_files; i++) {
		const struct bg_policy_file *f = &p->files[i];

		if (f->acc & BG_ACC_DIR)
			widen[i] = false;
		else if (proc_self(f->path))
			widen[i] = f->acc & (BG_ACC_READ | BG_ACC_WRITE);
		else
			widen[i] = new_file_rights(f->acc) &&
				   ((f->acc & BG_ACC_RENAME_TO) || parent_absent(f->path) ||
				    ((f->acc & (BG_ACC_CREAT | BG_ACC_LINK_TO)) &&
				     stat(f->path, &st) && errno == ENOENT));
		n += widen[i];
	}
	return n;
}

/* In the child, before exec. A path that no longer exists gets no rule of
 * its own; entry operations are granted on its directory (parent_rights),
 * and so are the file rights of the names plan_widening chose. */
static int apply_landlock(const struct bg_policy *p, const bool *widen)
{
	int abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	struct landlock_ruleset_attr attr = {0};
	uint64_t handled;
	size_t i;
	int rs, err = 0;

	if (abi < 1)
		return -EOPNOTSUPP;
	handled = fs_handled(abi);
	attr.handled_access_fs = handled;
	rs = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return -errno;
	for (i = 0; i < p->n_files; i++) {
		const struct bg_policy_file *f = &p->files[i];
		uint64_t r = fs_rights(f->acc, handled), pr = parent_rights(f->acc);

		/* Terminals and devices are used with ioctl. */
		if (!(f->acc & BG_ACC_DIR) && !strncmp(f->path, "/dev/", 5))
			r |= LANDLOCK_ACCESS_FS_IOCTL_DEV & handled;
		if (widen && widen[i] && proc_self(f->path)) {
			add_path(rs, "/proc", r);
			continue;
		}
		/* A directory the program makes (tar's X/ and X/a/): listing
		 * it and making entries in it (a directory's rights) are
		 * granted on its nearest existing ancestor; never a file's
		 * read or write, those are the widened files' own. */
		if (add_path(rs, f->path, r) == -ENOENT && (f->acc & BG_ACC_DIR))
			pr |= r;
		if (widen && widen[i])
			pr |= new_file_rights(f->acc);
		if (pr & handled)
			add_parent(rs, f->path, pr & handled);
	}
	/* The command is a new exec of this domain: ABI 7 audits its denials only when asked. */
	if (syscall(SYS_landlock_restrict_self, rs,
		    abi >= 7 ? LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON : 0))
		err = -errno;
	close(rs);
	return err;
}

/* ---- events built in user space (seccomp notifications) --------------- */

/* Start time as the kernel's start_boottime: field 22 of stat, in ticks. */
static uint64_t proc_start_ns(pid_t pid)
{
	char path[64], buf[1024], *rp;
	unsigned long long ticks = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (bg_read_file(path, buf, sizeof(buf)))
		return 0;
	rp = strrchr(buf, ')'); /* comm may contain spaces and parentheses */
	for (i = 0; rp && i < 20; i++)
		rp = strchr(rp + 1, ' ');
	if (rp)
		ticks = strtoull(rp + 1, NULL, 10);
	return ticks * (1000000000ULL / sysconf(_SC_CLK_TCK));
}

static void fill_proc_from_proc(struct bg_proc *p, pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	FILE *f;

	memset(p, 0, sizeof(*p));
	p->pid = p->tid = pid;
	p->start_ns = proc_start_ns(pid);
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, p->exe, sizeof(p->exe) - 1);
	if (n > 0)
		p->exe[n] = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		if (!strncmp(buf, "Name:\t", 6))
			snprintf(p->comm, sizeof(p->comm), "%.*s", (int)strcspn(buf + 6, "\n"),
				 buf + 6);
		else if (!strncmp(buf, "PPid:\t", 6))
			p->ppid = atoi(buf + 6);
		else if (!strncmp(buf, "Uid:\t", 5))
			sscanf(buf + 5, "%u %u", &p->uid, &p->euid);
		else if (!strncmp(buf, "Gid:\t", 5))
			sscanf(buf + 5, "%u", &p->gid);
	}
	fclose(f);
}

static void syscall_event(struct run *r, const struct seccomp_notif *req, int outcome)
{
	struct bg_syscall_event e = {0};
	struct timespec ts;
	int i;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	e.hdr.ktime_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	e.hdr.type = BG_EV_SYSCALL;
	e.hdr.size = sizeof(e);
	e.hdr.action = r->action;
	e.hdr.mechanism = r->action == BG_ACT_KILL_USER ? BG_MECH_USER : BG_MECH_SECCOMP;
	e.hdr.outcome = outcome;
	e.hdr.rule_id = RULE_SYSCALLS;
	fill_proc_from_proc(&e.proc, req->pid);
	e.proc.cgroup_id = r->cg.id;
	e.proc.parent_start_ns = proc_start_ns(e.proc.ppid);
	e.nr = req->data.nr;
	e.compat = req->data.arch != AUDIT_ARCH_X86_64 ? BG_ABI_IA32
		   : (e.nr & X32_SYSCALL_BIT)	       ? BG_ABI_X32
						       : BG_ABI_NATIVE;
	for (i = 0; i < 6; i++)
		e.args[i] = req->data.args[i];
	bg_fmt_event(&r->ctx.ev.fmt, &r->ctx.out.buf, &e, sizeof(e));
	bg_output_flush(&r->ctx.out);
	r->decisions++;
}

static void handle_notification(struct run *r)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;

	if (seccomp_notify_alloc(&req, &resp))
		return;
	if (seccomp_notify_receive(r->notify_fd, req)) {
		seccomp_notify_free(req, resp);
		return;
	}
	resp->id = req->id;
	resp->val = 0;
	resp->flags = 0;
	if (bg_redirect_handle(&r->redir, r->notify_fd, req, resp))
		goto respond;
	switch (r->action) {
	case BG_ACT_ALERT:
		/* Only out-of-policy calls reach here: let them run, report. */
		resp->error = 0;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		syscall_event(r, req, BG_OUT_SUCCESS);
		break;
	case BG_ACT_KILL_USER:
		kill(req->pid, SIGKILL);
		resp->error = -EPERM;
		syscall_event(r, req, BG_OUT_FAILURE);
		break;
	default:
		resp->error = -EPERM;
		syscall_event(r, req, BG_OUT_FAILURE);
	}
respond:
	/* ENOENT: the task died meanwhile (kill-user), nothing to answer. */
	seccomp_notify_respond(r->notify_fd, resp);
	seccomp_notify_free(req, resp);
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
	err = bg_net_rules_fill(bpf_map__fd(s->maps.net_rules), &r->pol);
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

static bool is_listener(int fd)
{
	uint64_t id = 0;

	return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 && errno == ENOENT;
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
		err = apply_landlock(&r->pol, r->widen);
		if (err) {
			fprintf(stderr, "bpfguard: Landlock: %s\n", strerror(-err));
			_exit(126);
		}
	}
	if (r->pol.has_syscalls) {
		deflt = r->action == BG_ACT_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_NOTIFY;
		ctx = build_filter(&r->pol, deflt, deflt == SCMP_ACT_NOTIFY ? &r->sh->go : NULL);
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

static const char *syscall_name(const struct bg_syscall_event *e, const char **abi);

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
	name = syscall_name(&e, &abi);
	fam = e.compat == BG_ABI_X32 ? NULL : bg_syscall_family_of(e.compat == BG_ABI_IA32, e.nr);
	fprintf(stderr,
		"bpfguard: %s killed by seccomp (SIGSYS): syscall %s (%s #%u%s%s) is not in %s\n",
		r->cmd[0], name ? name : "unknown", abi, e.nr & ~X32_SYSCALL_BIT,
		fam ? ", family @" : "", fam ? fam : "", r->policy_path);
}

static const char *const actions[] = {"deny", "kill", "kill-user", "alert", "redirect", NULL};
static const int action_val[] = {BG_ACT_DENY, BG_ACT_KILL, BG_ACT_KILL_USER, BG_ACT_ALERT,
				 BG_ACT_REDIRECT};

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
					       .fill_proc = fill_proc_from_proc};
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
	if (bg_cgroup_create(&r.cg, "run"))
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
			r.n_widen = plan_widening(&r.pol, r.widen);
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
			"bpfguard: files: %zu created or replaced names granted through their "
			"directories (landlock); other files opened there: kill at open's exit "
			"(tracepoint)\n",
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
			if (r.notify_fd >= 0 && is_listener(r.notify_fd))
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
			handle_notification(&r);
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

/* ---- how the events of this guard are printed -------------------------- */

/* x32's own numbers (512 and up, arch/x86/entry/syscalls/syscall_64.tbl);
 * below 512 x32 shares the x86_64 numbers. */
static const char *const x32_names[] = {
	"rt_sigaction",
	"rt_sigreturn",
	"ioctl",
	"readv",
	"writev",
	"recvfrom",
	"sendmsg",
	"recvmsg",
	"execve",
	"ptrace",
	"rt_sigpending",
	"rt_sigtimedwait",
	"rt_sigqueueinfo",
	"sigaltstack",
	"timer_create",
	"mq_notify",
	"kexec_load",
	"waitid",
	"set_robust_list",
	"get_robust_list",
	"vmsplice",
	"move_pages",
	"preadv",
	"pwritev",
	"rt_tgsigqueueinfo",
	"recvmmsg",
	"sendmmsg",
	"process_vm_readv",
	"process_vm_writev",
	"setsockopt",
	"getsockopt",
	"io_setup",
	"io_submit",
	"execveat",
	"preadv2",
	"pwritev2",
};

static const char *syscall_name(const struct bg_syscall_event *e, const char **abi)
{
	unsigned nr = e->nr & ~X32_SYSCALL_BIT;

	/* monitor's tracepoint sets only ia32; the x32 bit says the rest. */
	switch (e->compat == BG_ABI_NATIVE && nr != e->nr ? BG_ABI_X32 : e->compat) {
	case BG_ABI_IA32:
		*abi = "ia32";
		return bg_syscall_name(true, e->nr);
	case BG_ABI_X32:
		*abi = "x32";
		if (nr >= 512 && nr - 512 < sizeof(x32_names) / sizeof(x32_names[0]))
			return x32_names[nr - 512];
		return nr < 512 ? bg_syscall_name(false, nr) : NULL;
	default:
		*abi = "x86_64";
		return bg_syscall_name(false, e->nr);
	}
}

static void syscall_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const char *abi, *name = syscall_name(rec, &abi);

	(void)f;
	bg_json_kobj(j, "syscall");
	bg_json_kstr(j, "name", name ? name : "unknown");
	bg_json_ku64(j, "nr", ((const struct bg_syscall_event *)rec)->nr);
	bg_json_kstr(j, "abi", abi);
	bg_json_obj_end(j);
}

static void syscall_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_syscall_event *e = rec;
	const char *abi, *name = syscall_name(e, &abi);

	(void)f;
	bg_buf_printf(out, " %s%s%s(#%u)", strcmp(abi, "x86_64") ? abi : "",
		      strcmp(abi, "x86_64") ? ":" : "", name ? name : "?", e->nr);
}

const struct bg_event_desc bg_syscall_desc = {
	.type = BG_EV_SYSCALL,
	.name = "syscall",
	.size = sizeof(struct bg_syscall_event),
	.category = "process",
	.ecs_type = "denied",
	.action = "syscall",
	.has_proc = true,
	.json = syscall_json,
	.text = syscall_text,
	.color = "\033[33m",
};

static const char *const op_names[] = {"?", "connect", "sendto", "bind"};

static void net_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_net_event *e = rec;
	struct bg_policy_net pn = {.family = e->family, .port = e->port};
	char peer[96], ip[64];

	(void)f;
	memcpy(pn.addr, e->addr, sizeof(pn.addr));
	pn.prefix = e->family == 2 ? 32 : 128;
	bg_net_format(&pn, peer, sizeof(peer));
	/* ECS: destination for connect/sendto, source for bind. */
	snprintf(ip, sizeof(ip), "%.*s", (int)(strrchr(peer, ':') - peer), peer);
	bg_json_kobj(j, e->op == BG_NET_BIND ? "source" : "destination");
	bg_json_kstr(j, "address", ip[0] == '[' ? ip + 1 : ip);
	if (ip[0] == '[')
		j->b->len--; /* drop the closing bracket written above */
	bg_json_ku64(j, "port", e->port);
	bg_json_obj_end(j);
	bg_json_kobj(j, "network");
	bg_json_kstr(j, "operation", op_names[e->op < 4 ? e->op : 0]);
	bg_json_kstr(j, "type", e->family == 2 ? "ipv4" : "ipv6");
	bg_json_kstr(j, "transport",
		     e->protocol == 6	 ? "tcp"
		     : e->protocol == 17 ? "udp"
					 : "other");
	bg_json_obj_end(j);
}

static void net_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_net_event *e = rec;
	struct bg_policy_net pn = {.family = e->family, .port = e->port};
	char peer[96];

	(void)f;
	memcpy(pn.addr, e->addr, sizeof(pn.addr));
	pn.prefix = e->family == 2 ? 32 : 128;
	bg_net_format(&pn, peer, sizeof(peer));
	bg_buf_printf(out, " %s %s", op_names[e->op < 4 ? e->op : 0], peer);
}

const struct bg_event_desc bg_net_desc = {
	.type = BG_EV_NET,
	.name = "network",
	.size = sizeof(struct bg_net_event),
	.category = "network",
	.ecs_type = "denied",
	.action = "network",
	.has_proc = true,
	.json = net_json,
	.text = net_text,
	.color = "\033[36m",
};
