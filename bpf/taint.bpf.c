// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Taint (agent guard `guards.taint`, user half src/guards/taint.c): a
 * process that opened a classified file for reading, and every process it
 * starts afterwards, may send nothing off the host but what the file's
 * rule allows.
 *
 * Set: at the open, BPF LSM file_open where it loads; elsewhere at the
 * return of the open-family calls (tp_btf/sys_exit). Classified files are
 * (device, inode) keys, directories by a walk up d_parent, as in
 * bpf/files.bpf.c. The taint lives in taint_procs keyed by tgid, with the
 * start time that tells a reused pid apart; a fork copies it to the child,
 * exec keeps it (same tgid, same start), the last thread's exit drops it.
 *
 * Checked: cgroup connect4/6 and sendmsg4/6 attached at the cgroup v2
 * root (every process of the host), which deny, alert or rewrite the
 * destination (redirect); where BPF LSM loads, socket_connect and
 * socket_sendmsg decide first and also see unix sockets, io_uring and sends
 * on sockets connected before the taint (docs/guarantees.md). A kill
 * without LSM is a denial plus SIGKILL at the call's return (sys_exit).
 *
 * The network matcher here is the guard's own (prefix + port, ports,
 * loopback, unix paths); docs/agent.md says so.
 */
#include "lib/common.bpf.h"
#include <bpf/bpf_endian.h>
#include "lib/ident.bpf.h"
#include "lib/kfuncs.bpf.h"
#include "lib/openfd.bpf.h"
#include "lib/sockaddr.bpf.h"
#include <bpfguard/taint.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load: LSM hooks decide, the cgroup hooks only
 * rewrite destinations for redirect rules. */
const volatile bool taint_lsm;

/* Written by user space through the mmapped .bss. */
__u32 taint_gen;
__u32 taint_has_dirs[2];
__u64 taint_filter[2][BG_TAINT_FILTER_WORDS]; /* per generation: include/bpfguard/ident.h */
/* Counted here, read by user space: kills pending for a task's next
 * syscall return, taints that found no room. */
__u32 taint_doomed;
__u64 taint_lost;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_TAINT_TARGETS_MAX);
	__type(key, struct bg_taint_target_key);
	__type(value, struct bg_taint_target);
} taint_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * BG_TAINT_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_taint_rule);
} taint_rules SEC(".maps");

/* Entries are allocated when a process is tainted: the map costs nothing
 * until then (an entry is 2.4 KB). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_TAINT_PROCS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct bg_taint_proc);
} taint_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_taint_proc);
} taint_scratch SEC(".maps");

/* Threads (tid) whose refused egress asked for a kill, done at the
 * syscall's return where bpf_send_signal is allowed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} taint_doom SEC(".maps");

struct tmatch {
	struct bg_ident target, file;
	__u32 rule_idx, depth, gen;
	const struct bg_taint_rule *rule;
};

static __always_inline const struct bg_taint_rule *rule_of(__u32 gen, const struct bg_ident *target,
							   __u32 *rule_idx)
{
	struct bg_taint_target_key k = {.gen = gen, .id = *target};
	const struct bg_taint_target *t = bpf_map_lookup_elem(&taint_targets, &k);
	const struct bg_taint_rule *r;
	__u32 idx;

	if (!t)
		return NULL;
	*rule_idx = t->rule;
	idx = gen * BG_TAINT_RULES_MAX + (t->rule & (BG_TAINT_RULES_MAX - 1));
	r = bpf_map_lookup_elem(&taint_rules, &idx);
	return r && r->valid ? r : NULL;
}

/* (device, inode) of an inode: plain loads from a BTF pointer (btf), else
 * probe reads. */
static __always_inline bool ident_of(struct inode *inode, struct bg_ident *id, bool btf)
{
	if (!btf)
		return bg_ident_inode(inode, id);
	id->pad = 0;
	if (!inode)
		return false;
	id->ino = inode->i_ino;
	id->dev = inode->i_sb->s_dev;
	return true;
}

/* Can this identity be a target of generation gen? (no: certainly not) */
static __always_inline bool maybe_target(__u32 gen, const struct bg_ident *id)
{
	return bg_ident_maybe(taint_filter[gen & 1], BG_TAINT_FILTER_LOG2, id);
}

/* Is this file (or one of its first BG_TAINT_DIR_DEPTH ancestors, when the
 * generation has directory rules) classified? A bystander's open costs the
 * file's identity and one filter test per name on its path, no lookup.
 * btf: file is a BTF pointer (LSM hook, or bpf_rdonly_cast). */
static __always_inline bool taint_match(struct file *file, struct tmatch *m, bool btf)
{
	struct dentry *dentry, *parent;
	struct bg_taint_target_key k = {};
	const struct bg_taint_target *t;
	struct inode *inode;
	__u32 i;

	m->gen = taint_gen & 1;
	if (btf) {
		dentry = file->f_path.dentry;
		inode = file->f_inode;
	} else {
		dentry = BPF_CORE_READ(file, f_path.dentry);
		inode = BPF_CORE_READ(file, f_inode);
	}
	if (!ident_of(inode, &m->file, btf))
		return false;
	m->target = m->file;
	m->depth = 0;
	if (maybe_target(m->gen, &m->file)) {
		m->rule = rule_of(m->gen, &m->target, &m->rule_idx);
		if (m->rule)
			return true;
	}
	if (!taint_has_dirs[m->gen] || !dentry)
		return false;
	k.gen = m->gen;
	for (i = 1; i <= BG_TAINT_DIR_DEPTH; i++) {
		parent = btf ? dentry->d_parent : BPF_CORE_READ(dentry, d_parent);
		if (!parent || parent == dentry)
			return false;
		dentry = parent;
		inode = btf ? dentry->d_inode : BPF_CORE_READ(dentry, d_inode);
		if (!ident_of(inode, &k.id, btf) || !maybe_target(m->gen, &k.id))
			continue;
		t = bpf_map_lookup_elem(&taint_targets, &k);
		if (t && (t->flags & BG_TAINT_T_DIR)) {
			m->target = k.id;
			m->depth = i;
			m->rule = rule_of(m->gen, &m->target, &m->rule_idx);
			return m->rule != NULL;
		}
	}
	return false;
}

static __always_inline __u64 leader_start(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime);
}

/* The current process's taints, or NULL; a stale entry (the pid reused
 * since) is dropped. */
static __always_inline struct bg_taint_proc *current_taint(__u32 *tgid_out)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct bg_taint_proc *p = bpf_map_lookup_elem(&taint_procs, &tgid);

	*tgid_out = tgid;
	if (p && p->start_ns != leader_start(bpf_get_current_task_btf())) {
		bpf_map_delete_elem(&taint_procs, &tgid);
		return NULL;
	}
	return p;
}

/* Fill one slot, emit the taint_set event with it. */
static __always_inline void slot_fill(struct bg_taint_slot *s, struct file *file, struct tmatch *m,
				      __u32 tgid, __u64 start, __u64 now)
{
	struct bg_taint_set_event *e;
	__u32 pflags = 0;

	s->target = m->target;
	s->file = m->file;
	s->at_ns = now;
	s->expires_ns = m->rule->duration_ns ? now + m->rule->duration_ns : 0;
	s->pid = tgid;
	s->depth = m->depth;
	s->start_ns = start;
	s->path[0] = 0;
	s->exe[0] = 0;
	e = bg_event(BG_EV_TAINT_SET, sizeof(*e), BG_ACT_NONE,
		     taint_lsm ? BG_MECH_LSM : BG_MECH_TRACEPOINT, BG_OUT_SUCCESS,
		     m->rule->rule_id);
	if (!e)
		return;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	bg_path_copy(&file->f_path, s->path, &pflags); /* after bg_fill_proc */
	if (bpf_probe_read_kernel(s->exe, BG_PATH_MAX, e->proc.exe) < 0)
		s->exe[0] = 0;
	if (bpf_probe_read_kernel(&e->taint, sizeof(e->taint), s) < 0)
		e->taint.at_ns = 0;
	bg_submit(e);
}

/* The current process opened file: taint it if the file is classified and
 * the open reads. */
static __always_inline void taint_open(struct file *file, bool btf)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_taint_proc *p;
	struct tmatch m = {};
	__u64 start, now;
	__u32 tgid, zero = 0, i, free = BG_TAINT_SLOTS;
	bool fresh = false;

	if (!((btf ? file->f_mode : BPF_CORE_READ(file, f_mode)) & FMODE_READ) ||
	    !taint_match(file, &m, btf))
		return;
	start = leader_start(task);
	now = bpf_ktime_get_boot_ns();
	p = current_taint(&tgid);
	if (p) {
		for (i = 0; i < BG_TAINT_SLOTS; i++) {
			struct bg_taint_slot *s = &p->slot[i];

			if (s->at_ns && s->expires_ns && now >= s->expires_ns)
				s->at_ns = 0; /* expired: the slot is free again */
			if (s->at_ns && s->target.ino == m.target.ino &&
			    s->target.dev == m.target.dev) {
				/* Tainted by this already: a time-limited taint
				 * starts again. */
				if (s->expires_ns)
					s->expires_ns = now + m.rule->duration_ns;
				return;
			}
			if (!s->at_ns && free == BG_TAINT_SLOTS)
				free = i;
		}
		if (free >= BG_TAINT_SLOTS) {
			__sync_fetch_and_add(&taint_lost, 1);
			return;
		}
	} else {
		/* A new entry, built in the per-CPU scratch and copied in. */
		p = bpf_map_lookup_elem(&taint_scratch, &zero);
		if (!p)
			return;
		p->start_ns = start;
		p->n = 0;
		p->pad = 0;
		for (i = 1; i < BG_TAINT_SLOTS; i++)
			p->slot[i].at_ns = 0;
		fresh = true;
		free = 0;
	}
	/* One call site: the verifier checks the path walk once. */
	slot_fill(&p->slot[free & (BG_TAINT_SLOTS - 1)], file, &m, tgid, start, now);
	if (fresh && bpf_map_update_elem(&taint_procs, &tgid, p, BPF_ANY))
		__sync_fetch_and_add(&taint_lost, 1);
}

SEC("lsm/file_open")
int BPF_PROG(taint_file_open, struct file *file, int ret)
{
	if (!ret)
		taint_open(file, true);
	return ret;
}

/* Without LSM: opens at their return, and the kills cgroup hooks asked for.
 * cast: the file read through bpf_rdonly_cast (6.2+), plain loads after. */
static __always_inline int open_exit(struct pt_regs *regs, long ret, bool cast)
{
	struct file *file;
	__u32 tid;

	if (taint_doomed) {
		tid = (__u32)bpf_get_current_pid_tgid();
		if (bpf_map_lookup_elem(&taint_doom, &tid)) {
			bpf_send_signal(SIGKILL);
			if (!bpf_map_delete_elem(&taint_doom, &tid))
				__sync_fetch_and_add(&taint_doomed, -1);
		}
	}
	file = bg_open_exit_file(regs, ret, cast);
	if (file)
		taint_open(file, cast);
	return 0;
}

/* Two variants, user space loads one (src/guards/taint.c). */
SEC("tp_btf/sys_exit")
int BPF_PROG(taint_sys_exit, struct pt_regs *regs, long ret)
{
	return open_exit(regs, ret, true);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(taint_sys_exit_compat, struct pt_regs *regs, long ret)
{
	return open_exit(regs, ret, false);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(taint_fork, struct task_struct *parent, struct task_struct *child)
{
	struct bg_taint_proc *p, *c;
	__u32 ptgid = parent->tgid, ctgid = child->tgid;

	if (child->pid != child->tgid)
		return 0; /* a thread: it shares its process's entry */
	p = bpf_map_lookup_elem(&taint_procs, &ptgid);
	if (!p || p->start_ns != leader_start(parent))
		return 0;
	if (bpf_map_update_elem(&taint_procs, &ctgid, p, BPF_ANY)) {
		__sync_fetch_and_add(&taint_lost, 1);
		return 0;
	}
	c = bpf_map_lookup_elem(&taint_procs, &ctgid);
	if (c)
		c->start_ns = child->start_boottime;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(taint_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid, tid = p->pid;

	if (taint_doomed && !bpf_map_delete_elem(&taint_doom, &tid))
		__sync_fetch_and_add(&taint_doomed, -1);
	/* signal->live reached zero before this tracepoint: the last thread. */
	if (BPF_CORE_READ(p, signal, live.counter) == 0)
		bpf_map_delete_elem(&taint_procs, &tgid);
	return 0;
}

/* ---- egress ---- */

struct dest {
	__u16 family;
	__u16 port; /* host order */
	__u8 op;
	__u8 protocol;
	__u8 pad[2];
	__u8 addr[16];
	char unix_path[BG_TAINT_UNIX_LEN];
};

static __always_inline bool is_loopback(const struct dest *d)
{
	const __u8 *a = d->addr;
	__u32 w0, w1, w2, w3;

	if (d->family == AF_INET)
		return a[0] == 127 || (a[0] | a[1] | a[2] | a[3]) == 0;
	__builtin_memcpy(&w0, a, 4);
	__builtin_memcpy(&w1, a + 4, 4);
	__builtin_memcpy(&w2, a + 8, 4);
	__builtin_memcpy(&w3, a + 12, 4);
	if (w0 || w1)
		return false;
	if (!w2)
		return !w3 || w3 == bpf_htonl(1); /* :: or ::1 */
	return w2 == bpf_htonl(0xffff) &&
	       (a[12] == 127 || !w3); /* ::ffff:127/104, ::ffff:0.0.0.0 */
}

static __always_inline bool net_in(const struct bg_taint_net *n, const struct dest *d)
{
	__u32 i, bits = n->prefix_len;
	__u8 mask;

	if ((n->family == 4) != (d->family == AF_INET) || (n->port && n->port != d->port))
		return false;
	for (i = 0; i < 16 && bits; i++) {
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((d->addr[i] ^ n->addr[i]) & mask)
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

static __always_inline bool unix_in(const char *allowed, const struct dest *d)
{
	__u32 j;

	for (j = 0; j < BG_TAINT_UNIX_LEN; j++) {
		if (allowed[j] != d->unix_path[j])
			return false;
		if (!allowed[j])
			return true;
	}
	return true;
}

/* Is d the rule's sinkhole? */
static __always_inline bool is_sink(const struct bg_taint_rule *r, const struct dest *d)
{
	__u32 a, w[4], v[4];

	if (d->family == AF_INET) {
		__builtin_memcpy(&a, d->addr, 4);
		return (r->sinks & 1) && d->port == r->sink4_port && a == r->sink4_addr;
	}
	__builtin_memcpy(w, d->addr, 16);
	__builtin_memcpy(v, r->sink6_addr, 16);
	return (r->sinks & 2) && d->port == r->sink6_port && w[0] == v[0] && w[1] == v[1] &&
	       w[2] == v[2] && w[3] == v[3];
}

/*
 * Does the rule let this destination through? A global function: the
 * verifier checks it once, not once per slot and call site (6.1 gives up
 * on the inlined loops: E2BIG).
 */
__noinline int taint_rule_allows(const struct bg_taint_rule *r, const struct dest *d)
{
	__u32 i;

	if (!r || !d)
		return true;
	if (d->family == AF_UNIX) {
		/* An unnamed peer (socketpair) reaches only processes that
		 * share the descriptor: docs/guarantees.md. */
		if (r->unix_any || !d->unix_path[0])
			return true;
		for (i = 0; i < BG_TAINT_UNIX_MAX && i < r->n_unix; i++)
			if (unix_in(r->unix_paths[i], d))
				return true;
		return false;
	}
	if (r->loopback && is_loopback(d))
		return true;
	/* The sinkhole itself: a redirected connection's later sends (LSM
	 * socket_sendmsg sees them) go there. */
	if (r->action == BG_ACT_REDIRECT && is_sink(r, d))
		return true;
	for (i = 0; i < BG_TAINT_PORTS_MAX && i < r->n_ports; i++)
		if (r->ports[i] == d->port)
			return true;
	for (i = 0; i < BG_TAINT_NETS_MAX && i < r->n_nets; i++)
		if (net_in(&r->nets[i], d))
			return true;
	return false;
}

enum verdict { V_ALLOW = 0, V_DENY = 1, V_REDIRECT = 2 };

#define HOW(action, mech, outcome) ((action) | (mech) << 8 | (outcome) << 16)

/* The event of one egress decision (how: HOW(action, mechanism, outcome);
 * five arguments at most); global, checked once (see above). */
__noinline int taint_emit_egress(const struct dest *d, const struct bg_taint_slot *s,
				 const struct bg_taint_rule *r, __u32 how)
{
	__u8 action = how & 0xff;
	struct bg_taint_event *e;

	if (!d || !s || !r)
		return 0;
	e = bg_event(BG_EV_TAINT_EGRESS, sizeof(*e), action, (how >> 8) & 0xff, (how >> 16) & 0xff,
		     r->rule_id);
	if (!e)
		return 0;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->op = d->op;
	e->protocol = d->protocol;
	e->family = d->family;
	e->port = d->port;
	e->sink_port = 0;
	__builtin_memset(e->sink_addr, 0, sizeof(e->sink_addr));
	if (action == BG_ACT_REDIRECT) {
		if (d->family == AF_INET) {
			e->sink_port = r->sink4_port;
			__builtin_memcpy(e->sink_addr, &r->sink4_addr, 4);
		} else {
			e->sink_port = r->sink6_port;
			__builtin_memcpy(e->sink_addr, r->sink6_addr, 16);
		}
	}
	__builtin_memcpy(e->addr, d->addr, 16);
	if (bpf_probe_read_kernel(e->unix_path, sizeof(e->unix_path), d->unix_path) < 0)
		e->unix_path[0] = 0;
	e->pad = 0;
	if (bpf_probe_read_kernel(&e->taint, sizeof(e->taint), s) < 0)
		e->taint.at_ns = 0;
	bg_submit(e);
	return 0;
}

/* Can the cgroup hook send this destination to the rule's sinkhole? */
static __always_inline bool can_redirect(const struct bg_taint_rule *r, const struct dest *d,
					 bool has_addr)
{
	if (!has_addr)
		return false;
	return (d->family == AF_INET && (r->sinks & 1)) ||
	       (d->family == AF_INET6 && (r->sinks & 2));
}

/*
 * Decide one egress of the current process. lsm: called from an LSM hook
 * (may kill at once); has_addr: the destination came with the call, so a
 * cgroup hook could rewrite it. Each live taint is checked; the first that
 * refuses decides.
 */
static __always_inline int taint_egress(struct bg_taint_proc *p, __u32 tgid, struct dest *d,
					bool lsm, bool has_addr, const struct bg_taint_rule **sink)
{
	__u64 now = bpf_ktime_get_boot_ns();
	__u32 gen = taint_gen & 1, i, idx, tid;
	const struct bg_taint_rule *r;
	__u8 act, mech = lsm ? BG_MECH_LSM : BG_MECH_CGROUP;

	for (i = 0; i < BG_TAINT_SLOTS; i++) {
		struct bg_taint_slot *s = &p->slot[i];

		if (!s->at_ns)
			continue;
		if (s->expires_ns && now >= s->expires_ns) {
			s->at_ns = 0;
			continue;
		}
		r = rule_of(gen, &s->target, &idx);
		if (!r || taint_rule_allows(r, d))
			continue;
		act = r->action;
		if (act == BG_ACT_REDIRECT) {
			if (can_redirect(r, d, has_addr)) {
				if (lsm)
					return V_ALLOW; /* the cgroup hook rewrites it */
				taint_emit_egress(d, s, r, HOW(act, mech, BG_OUT_SUCCESS));
				*sink = r;
				return V_REDIRECT;
			}
			act = BG_ACT_DENY; /* no sinkhole for this family or call */
		}
		if (!lsm && taint_lsm)
			return V_ALLOW; /* the LSM hook decided already */
		if (act == BG_ACT_ALERT) {
			taint_emit_egress(d, s, r, HOW(act, mech, BG_OUT_SUCCESS));
			continue;
		}
		if (act == BG_ACT_KILL) {
			if (lsm) {
				bpf_send_signal(SIGKILL);
			} else {
				tid = (__u32)bpf_get_current_pid_tgid();
				if (!bpf_map_update_elem(&taint_doom, &tid, &tid, BPF_NOEXIST))
					__sync_fetch_and_add(&taint_doomed, 1);
			}
		}
		taint_emit_egress(d, s, r, HOW(act, mech, BG_OUT_FAILURE));
		return V_DENY;
	}
	return V_ALLOW;
}

/* cgroup sock_addr: 1 lets the call through, 0 fails it with EPERM. */
static __always_inline int cg_egress(struct bpf_sock_addr *ctx, __u8 op, bool v6)
{
	const struct bg_taint_rule *sink = NULL;
	struct bg_taint_proc *p;
	struct dest d = {};
	__u32 tgid;
	int v;

	p = current_taint(&tgid);
	if (!p)
		return 1;
	d.op = op;
	d.protocol = ctx->protocol;
	bg_sock_addr_dst(ctx, v6, &d.family, &d.port, d.addr);
	v = taint_egress(p, tgid, &d, false, true, &sink);
	if (v == V_REDIRECT && sink) {
		if (v6)
			bg_sock_addr_set_dst(ctx, true, sink->sink6_addr, sink->sink6_port);
		else
			bg_sock_addr_set_dst(ctx, false, &sink->sink4_addr, sink->sink4_port);
	}
	return v == V_DENY ? 0 : 1;
}

/* taint_connect4, taint_connect6, taint_sendmsg4, taint_sendmsg6 */
BG_SOCK_ADDR_PROGS(taint, connect, cg_egress, BG_TAINT_OP_CONNECT)
BG_SOCK_ADDR_PROGS(taint, sendmsg, cg_egress, BG_TAINT_OP_SEND)

static __always_inline bool dest_from_sockaddr(struct dest *d, const void *sa, int len);

/*
 * Unix sockets without BPF LSM: kernels 6.7+ run cgroup sock_addr
 * programs for connect(2) and addressed sends on unix sockets too
 * (BPF_CGROUP_UNIX_CONNECT, _SENDMSG). libbpf 1.1 has no section for them:
 * user space sets the attach type before load where the kernel has it,
 * and leaves these two out elsewhere (src/guards/taint.c). The path is
 * read from the kernel's copy of the address.
 */
static __always_inline int cg_unix(struct bpf_sock_addr *ctx, __u8 op)
{
	const struct bg_taint_rule *sink = NULL;
	struct bpf_sock_addr_kern *k;
	struct bg_taint_proc *p;
	struct dest d = {};
	__u32 tgid;

	p = current_taint(&tgid);
	if (!p)
		return 1;
	k = bpf_cast_to_kern_ctx(ctx);
	d.op = op;
	d.protocol = ctx->protocol;
	if (!dest_from_sockaddr(&d, BPF_CORE_READ(k, uaddr), BPF_CORE_READ(k, uaddrlen)) ||
	    d.family != AF_UNIX)
		return 1;
	return taint_egress(p, tgid, &d, false, true, &sink) == V_DENY ? 0 : 1;
}

SEC("cgroup/connect4") /* attach type: BPF_CGROUP_UNIX_CONNECT, set by user space */
int taint_connect_unix(struct bpf_sock_addr *ctx)
{
	return cg_unix(ctx, BG_TAINT_OP_CONNECT);
}

SEC("cgroup/sendmsg4") /* attach type: BPF_CGROUP_UNIX_SENDMSG, set by user space */
int taint_sendmsg_unix(struct bpf_sock_addr *ctx)
{
	return cg_unix(ctx, BG_TAINT_OP_SEND);
}

/* A destination from a kernel copy of a sockaddr (LSM hooks). */
static __always_inline bool dest_from_sockaddr(struct dest *d, const void *sa, int len)
{
	struct sockaddr_in6 s6 = {};
	struct sockaddr_in s4 = {};
	__u16 family = 0;

	if (bpf_probe_read_kernel(&family, sizeof(family), sa) < 0)
		return false;
	d->family = family;
	if (family == AF_INET) {
		if (bpf_probe_read_kernel(&s4, sizeof(s4), sa) < 0)
			return false;
		d->port = bpf_ntohs(s4.sin_port);
		__builtin_memcpy(d->addr, &s4.sin_addr.s_addr, 4);
		return true;
	}
	if (family == AF_INET6) {
		if (bpf_probe_read_kernel(&s6, sizeof(s6), sa) < 0)
			return false;
		d->port = bpf_ntohs(s6.sin6_port);
		__builtin_memcpy(d->addr, &s6.sin6_addr, 16);
		return true;
	}
	if (family == AF_UNIX) {
		if (len <= 2) /* unnamed (autobind) */
			return true;
		if (bpf_probe_read_kernel(d->unix_path, sizeof(d->unix_path), sa + 2) < 0)
			return false;
		if (!d->unix_path[0])
			d->unix_path[0] = '@'; /* abstract: shown and matched with '@' */
		d->unix_path[BG_TAINT_UNIX_LEN - 1] = 0;
		return true;
	}
	return false;
}

/* The peer of a connected socket (a send without an address). */
static __always_inline bool dest_from_peer(struct dest *d, struct sock *sk)
{
	struct unix_sock *peer;
	struct unix_address *ua;
	int len;

	d->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (d->family == AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(d->addr, &a, 4);
		d->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		return true;
	}
	if (d->family == AF_INET6) {
		BPF_CORE_READ_INTO(&d->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		d->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		return true;
	}
	if (d->family == AF_UNIX) {
		peer = (struct unix_sock *)BPF_CORE_READ((struct unix_sock *)sk, peer);
		ua = peer ? BPF_CORE_READ(peer, addr) : NULL;
		if (!ua)
			return true; /* unnamed peer */
		len = BPF_CORE_READ(ua, len);
		if (len <= 2)
			return true;
		if (bpf_probe_read_kernel(d->unix_path, sizeof(d->unix_path),
					  &ua->name[0].sun_path) < 0)
			return false;
		if (!d->unix_path[0])
			d->unix_path[0] = '@';
		d->unix_path[BG_TAINT_UNIX_LEN - 1] = 0;
		return true;
	}
	return false;
}

static __always_inline int lsm_egress(struct socket *sock, const void *addr, int addrlen, __u8 op)
{
	const struct bg_taint_rule *sink = NULL;
	struct bg_taint_proc *p;
	struct dest d = {};
	struct sock *sk;
	__u32 tgid;
	bool ok;

	p = current_taint(&tgid);
	if (!p)
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	d.op = op;
	d.protocol = BPF_CORE_READ(sk, sk_protocol);
	ok = addr ? dest_from_sockaddr(&d, addr, addrlen) : dest_from_peer(&d, sk);
	if (!ok || (d.family != AF_INET && d.family != AF_INET6 && d.family != AF_UNIX))
		return 0; /* netlink, packet sockets...: not egress this guard judges */
	return taint_egress(p, tgid, &d, true, addr != NULL, &sink) == V_DENY ? -EPERM : 0;
}

SEC("lsm/socket_connect")
int BPF_PROG(taint_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret)
		return ret;
	return lsm_egress(sock, address, addrlen, BG_TAINT_OP_CONNECT);
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(taint_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	void *name;

	if (ret)
		return ret;
	name = BPF_CORE_READ(msg, msg_name);
	return lsm_egress(sock, name, name ? BPF_CORE_READ(msg, msg_namelen) : 0, BG_TAINT_OP_SEND);
}
