// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `run --action redirect`: the supervisor half. The open-family calls
 * (open, openat, creat, openat2; both ABIs) reach bpfguard as seccomp user
 * notifications; for each, the path is read from the caller's memory and
 * resolved against its working directory or dirfd, then:
 *   - in the policy's files with the access asked for (or O_PATH, or a
 *     path that cannot be read or resolved): continue: the kernel runs the
 *     call and Landlock or BPF LSM decide it exactly as without redirect;
 *   - otherwise: the notice file is opened by bpfguard and a descriptor of
 *     it installed in the caller (SECCOMP_IOCTL_NOTIF_ADDFD), returned as
 *     the call's result; one run_file event (action redirect) names the
 *     path asked for.
 * The path read may change after it was read (another thread, shared
 * memory): docs/policy.md explains why that cannot widen access.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <bpfguard/events.h>
#include <bpfguard/profile.h>

#include "core/context.h"
#include "core/log.h"
#include "events/format.h"
#include "policy/policy.h"
#include "policy/syscalls.h"
#include "sandbox/redirect.h"

/* Per ABI: open, openat, creat, openat2 (x86_64, then ia32). */
static const unsigned calls[2][BG_REDIRECT_CALLS] = {{2, 257, 85, 437}, {5, 295, 8, 437}};
enum { C_OPEN, C_OPENAT, C_CREAT, C_OPENAT2 };

int bg_redirect_init(struct bg_redirect *rd, const char *notice, struct bg_policy *pol)
{
	struct stat st;
	unsigned nr;
	int abi, c, fd;

	if (!notice) {
		pr_err("--action redirect needs --redirect FILE: the file refused opens receive\n");
		return -EINVAL;
	}
	fd = open(notice, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		pr_err("--redirect %s: %s\n", notice,
		       fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	close(fd);
	if (!pol->has_files) {
		pr_err("--action redirect: the policy has no files: section, so no open is "
		       "refused\n");
		return -EINVAL;
	}
	/* rule_id, cgroup_id, ctx and fill_proc are the caller's. */
	rd->on = true;
	rd->notice = notice;
	rd->pol = pol;
	if (!pol->has_syscalls) {
		/* No syscall policy: everything but the open family is allowed,
		 * only so that those reach the listener. */
		memset(pol->sys_native, 0xff, sizeof(pol->sys_native));
		memset(pol->sys_compat, 0xff, sizeof(pol->sys_compat));
		pol->has_syscalls = true;
	}
	for (abi = 0; abi < 2; abi++)
		for (c = 0; c < BG_REDIRECT_CALLS; c++) {
			uint64_t *bm = abi ? pol->sys_compat : pol->sys_native;

			nr = calls[abi][c];
			rd->allowed[abi][c] = bg_bit(bm, nr);
			bm[nr / 64] &= ~(1ULL << (nr % 64));
		}
	return 0;
}

/* Which call of the family, or -1. */
static int which(const struct seccomp_notif *req, int *abi)
{
	int c;

	if (req->data.arch == AUDIT_ARCH_X86_64)
		*abi = 0;
	else if (req->data.arch == AUDIT_ARCH_I386)
		*abi = 1;
	else
		return -1;
	for (c = 0; c < BG_REDIRECT_CALLS; c++)
		if ((unsigned)req->data.nr == calls[*abi][c])
			return c;
	return -1;
}

/* len bytes of the caller's memory at addr; 0 or -errno. */
static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : 0;
}

/* The path argument, NUL-terminated: read page by page, as a string may end
 * just before an unmapped page. */
static int peek_path(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	size_t off = 0, chunk;

	while (off < len) {
		chunk = 4096 - ((addr + off) & 4095);
		if (chunk > len - off)
			chunk = len - off;
		if (peek(pid, addr + off, buf + off, chunk))
			return -EFAULT;
		if (memchr(buf + off, 0, chunk))
			return 0;
		off += chunk;
	}
	return -ENAMETOOLONG;
}

/* Collapse "//", "." and ".." lexically (symlinks are not followed: see the
 * file comment on why a wrong guess cannot widen access). */
static void normalize(char *p)
{
	char *out = p, *s = p;

	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		if (s[0] == '.' && (s[1] == '/' || !s[1])) {
			s++;
			continue;
		}
		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || !s[2])) {
			while (out > p && *--out != '/')
				;
			s += 2;
			continue;
		}
		*out++ = '/';
		while (*s && *s != '/')
			*out++ = *s++;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

/*
 * Policies name files as the kernel resolved them (symlinks followed:
 * /lib/... is /usr/lib/...): the same here, by realpath() of the name, or
 * of its directory for a name that does not exist yet (false). bpfguard
 * only resolves names; it opens nothing the process asked for.
 */
static bool canonical(char *abs, size_t len)
{
	char real[PATH_MAX], *slash;

	if (realpath(abs, real)) {
		snprintf(abs, len, "%s", real);
		return true;
	}
	slash = strrchr(abs, '/');
	if (!slash || slash == abs)
		return false;
	*slash = 0;
	if (realpath(abs, real) && strlen(real) + strlen(slash + 1) + 2 <= len) {
		memmove(abs + strlen(real) + 1, slash + 1, strlen(slash + 1) + 1);
		memcpy(abs, real, strlen(real));
		abs[strlen(real)] = '/';
		return false;
	}
	*slash = '/';
	return false;
}

/* The absolute path the call names: 1 it exists, 0 not, or -errno. */
static int resolve(pid_t pid, long dirfd, const char *path, char *abs, size_t len)
{
	char link[64], base[PATH_MAX];
	ssize_t n;

	if (path[0] == '/') {
		if (strlen(path) >= len)
			return -ENAMETOOLONG;
		strcpy(abs, path);
	} else {
		if ((int)dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%d/cwd", pid);
		else
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, (int)dirfd);
		n = readlink(link, base, sizeof(base) - 1);
		if (n <= 0 || base[0] != '/')
			return -ENOENT;
		base[n] = 0;
		if ((size_t)snprintf(abs, len, "%s/%s", base, path) >= len)
			return -ENAMETOOLONG;
	}
	normalize(abs);
	return canonical(abs, len);
}

/* Does the policy grant this open? Exactly the file with the access, or
 * the directory itself. */
static bool granted(const struct bg_policy *pol, const char *abs, uint64_t flags)
{
	const struct bg_policy_file *f = bg_policy_find_file(pol, abs);
	unsigned want = 0;
	char dir[PATH_MAX + 1];

	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		want = BG_ACC_READ;
		break;
	case O_WRONLY:
		want = BG_ACC_WRITE;
		break;
	default:
		want = BG_ACC_READ | BG_ACC_WRITE;
	}
	if (f)
		return (f->acc & want) == want;
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", abs, strcmp(abs, "/") ? "/" : "") >=
	    sizeof(dir))
		return false;
	return bg_policy_find_file(pol, dir) != NULL;
}

static void emit(struct bg_redirect *rd, pid_t pid, const char *abs, uint64_t flags)
{
	struct bg_run_file_event e = {0};
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	e.hdr.ktime_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	e.hdr.type = BG_EV_RUN_FILE;
	e.hdr.size = sizeof(e);
	e.hdr.action = BG_ACT_REDIRECT;
	e.hdr.mechanism = BG_MECH_SECCOMP;
	e.hdr.outcome = BG_OUT_FAILURE; /* the file asked for was not opened */
	e.hdr.rule_id = rd->rule_id;
	if (rd->fill_proc)
		rd->fill_proc(&e.proc, pid);
	if (rd->cgroup_id)
		e.proc.cgroup_id = *rd->cgroup_id;
	e.op = BG_RUN_OP_OPEN;
	e.access = ((flags & O_ACCMODE) != O_WRONLY ? BG_ACC_READ : 0) |
		   ((flags & O_ACCMODE) != O_RDONLY ? BG_ACC_WRITE : 0) |
		   (flags & O_CREAT ? BG_ACC_CREAT : 0) | (flags & O_TRUNC ? BG_ACC_TRUNC : 0);
	snprintf(e.path, sizeof(e.path), "%s", abs);
	if (rd->ctx) {
		bg_fmt_event(&rd->ctx->ev.fmt, &rd->ctx->out.buf, &e, sizeof(e));
		bg_output_flush(&rd->ctx->out);
	}
	rd->redirected++;
}

bool bg_redirect_handle(struct bg_redirect *rd, int notify_fd, const struct seccomp_notif *req,
			struct seccomp_notif_resp *resp)
{
	struct seccomp_notif_addfd add = {.id = req->id};
	char path[PATH_MAX], abs[PATH_MAX];
	const __u64 *a = req->data.args;
	struct open_how how = {0};
	uint64_t flags, addr;
	long dirfd = AT_FDCWD;
	int abi, c = rd->on ? which(req, &abi) : -1, fd, exists;

	if (c < 0 || !rd->allowed[abi][c])
		return false; /* not ours, or a call the policy refuses itself */
	resp->error = 0;
	resp->val = 0;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	switch (c) {
	case C_OPEN:
		addr = a[0], flags = a[1];
		break;
	case C_CREAT:
		addr = a[0], flags = O_CREAT | O_WRONLY | O_TRUNC;
		break;
	case C_OPENAT:
		dirfd = (long)a[0], addr = a[1], flags = a[2];
		break;
	default: /* openat2: flags in the struct */
		dirfd = (long)a[0], addr = a[1];
		if (peek(req->pid, a[2], &how, sizeof(how.flags)))
			return true; /* unreadable: the kernel answers EFAULT itself */
		flags = how.flags;
	}
	if (abi)
		flags &= 0xffffffffULL;
	/* The memory read belongs to the caller only while its call waits. */
	if (peek_path(req->pid, addr, path, sizeof(path)) ||
	    ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id))
		return true; /* continue: Landlock or BPF LSM decide */
	exists = resolve(req->pid, dirfd, path, abs, sizeof(abs));
	/* A missing file stays missing (ENOENT, as without redirect). */
	if (exists < 0 || (!exists && !(flags & O_CREAT)) || (flags & O_PATH) ||
	    granted(rd->pol, abs, flags))
		return true;
	fd = open(rd->notice, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_warn("--redirect %s: %s: refusing the open of %s instead\n", rd->notice,
			strerror(errno), abs);
		resp->flags = 0;
		resp->error = -EPERM;
		return true;
	}
	add.srcfd = fd;
	add.newfd_flags = flags & O_CLOEXEC;
	resp->flags = 0;
	resp->val = ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if ((int)resp->val < 0) {
		resp->error = -EPERM;
		resp->val = 0;
	} else {
		emit(rd, req->pid, abs, flags);
	}
	close(fd);
	return true;
}
