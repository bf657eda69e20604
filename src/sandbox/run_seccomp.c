// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard run`, syscalls: the seccomp filter (both ABIs, merged), the
 * user notifications it sends under deny, kill-user and alert (each one an
 * event built here), and how syscall and network events are printed.
 * Split from run.c, behaviour unchanged.
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <bpfguard/events.h>
#include <bpfguard/sandbox.h>

#include "core/sys.h"
#include "events/format.h"
#include "events/json.h"
#include "policy/policy.h"
#include "sandbox/run_int.h"

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
scmp_filter_ctx bg_run_build_filter(const struct bg_policy *p, uint32_t deflt, const void *go)
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

void bg_run_fill_proc(struct bg_proc *p, pid_t pid)
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
	bg_run_fill_proc(&e.proc, req->pid);
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

void bg_run_handle_notification(struct run *r)
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

bool bg_run_is_listener(int fd)
{
	uint64_t id = 0;

	return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 && errno == ENOENT;
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

const char *bg_run_syscall_name(const struct bg_syscall_event *e, const char **abi)
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
	const char *abi, *name = bg_run_syscall_name(rec, &abi);

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
	const char *abi, *name = bg_run_syscall_name(e, &abi);

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
