// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process limits and per-process network bans (guards.limits).
 *
 * A rule names a target (an executable by (dev, ino), a cgroup v2 id or a
 * comm) and applies to the matching processes and to every process they
 * fork (tracked in lim_tasks), so that `sh -c` cannot step out of a rule.
 *
 * - memory: at sys_enter of mmap, brk and mremap, the bytes asked for and
 *   mm->total_vm (address space, as RLIMIT_AS counts it) plus those bytes
 *   are compared with max_memory; over it, SIGKILL before the call returns.
 * - children: live processes are counted at sched_process_fork and
 *   sched_process_exit, per parent (max_children) and per tree below the
 *   first matching ancestor (max_descendants). deny: lsm/task_alloc fails
 *   the fork with EAGAIN. kill: sys_enter of fork/vfork/clone/clone3 sends
 *   SIGKILL; copy_process() sees the pending signal and creates no child.
 *   A tree over max_descendants is condemned: each member dies at its
 *   next fork, which is what ends a fork bomb.
 * - network: cgroup targets by cgroup sock_addr hooks (connect, sendmsg)
 *   and cgroup_skb (packets in and out); executable and comm targets by
 *   LSM socket hooks where BPF LSM loads, else SIGKILL at sys_enter of the
 *   socket calls. User space picks the mechanism per rule (net_mech).
 * - sys_enter decodes the ia32 (int $0x80, socketcall) and x32 entries
 *   into the x86_64 numbering: any process can use them.
 */
#include "lib/common.bpf.h"
#include "lib/ident.bpf.h"
#include "lib/prefix.bpf.h"
#include <bpf/bpf_endian.h>
#include <bpfguard/limits.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EAGAIN	     11
#define CLONE_THREAD 0x00010000
#define TS_COMPAT    0x0002
#define PAGE_SHIFT   12

/* x86_64 syscall numbers this guard decodes. */
#define NR_mmap	    9
#define NR_brk	    12
#define NR_mremap   25
#define NR_connect  42
#define NR_accept   43
#define NR_sendto   44
#define NR_recvfrom 45
#define NR_sendmsg  46
#define NR_recvmsg  47
#define NR_clone    56
#define NR_fork	    57
#define NR_vfork    58
#define NR_accept4  288
#define NR_recvmmsg 299
#define NR_sendmmsg 307
#define NR_clone3   435

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_LIM_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_lim_rule);
} lim_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LIM_TARGETS_MAX);
	__type(key, struct bg_ident);
	__type(value, __u32);
} lim_exe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LIM_TARGETS_MAX);
	__type(key, __u64);
	__type(value, __u32);
} lim_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LIM_TARGETS_MAX);
	__type(key, char[BG_COMM_LEN]);
	__type(value, __u32);
} lim_comm SEC(".maps");

/* Processes forked by tracked processes, by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct bg_lim_task);
} lim_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bg_lim_key);
	__type(value, struct bg_lim_count);
} lim_counts SEC(".maps");

/* Alert-only rules report once per process and kind (bit per what/op). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct bg_lim_key);
	__type(value, __u64); /* 64-bit: the atomic OR of BPF ISA v1/v2 is 64-bit only */
} lim_reported SEC(".maps");

/* Packet drops (cgroup_skb) are reported at most once a second per cgroup. */
struct skb_rate {
	__u64 last_ns;
	__u32 suppressed;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct skb_rate);
} lim_skb_rate SEC(".maps");

/*
 * BG_LIM_KIND_*: the kinds of targets the rules name, kept by user space (a
 * kind's bit set before its first target goes in, cleared after its last is
 * gone). A process no rule matches still pays for every kind that has
 * rules: with one exe rule, its mmap, brk, fork and socket calls skip the
 * cgroup and comm lookups and the helpers that feed them.
 */
__u32 lim_kinds = 0;

/* The peer of a network operation; family 0: unknown. */
struct peer {
	__u16 family;
	__u16 port;
	__u8 protocol;
	__u8 addr[16];
};

/* ---- targets ---- */

/* The rule index the current process matches directly, or -1. */
static __always_inline int match_direct(struct task_struct *task)
{
	char comm[BG_COMM_LEN];
	struct bg_ident id;
	__u32 kinds = lim_kinds, *r;
	__u64 cg;

	if ((kinds & BG_LIM_KIND_EXE) && bg_ident_exe(task, &id)) {
		r = bpf_map_lookup_elem(&lim_exe, &id);
		if (r)
			return *r;
	}
	if (kinds & BG_LIM_KIND_CGROUP) {
		cg = bpf_get_current_cgroup_id();
		r = bpf_map_lookup_elem(&lim_cgroup, &cg);
		if (r)
			return *r;
	}
	if (kinds & BG_LIM_KIND_COMM) {
		bpf_get_current_comm(comm, sizeof(comm));
		r = bpf_map_lookup_elem(&lim_comm, comm);
		if (r)
			return *r;
	}
	return -1;
}

/* The rule of the current process: its own, else the one it inherited. */
static __always_inline struct bg_lim_rule *task_rule(struct task_struct *task, __u32 *idx,
						     struct bg_lim_task **info)
{
	__u32 tgid = task->tgid;
	int r;

	*info = bpf_map_lookup_elem(&lim_tasks, &tgid);
	r = match_direct(task);
	if (r < 0 && *info)
		r = (*info)->rule;
	if (r < 0)
		return NULL;
	*idx = r;
	return bpf_map_lookup_elem(&lim_rules, idx);
}

/* ---- events ---- */

static __always_inline void emit_limit(__u8 action, __u8 mech, __u32 idx, __u32 what, __u32 nr,
				       __u64 limit, __u64 value, __u64 request, __u32 root)
{
	struct bg_limit_event *e = bg_reserve(sizeof(*e));

	if (!e)
		return;
	bg_hdr(&e->hdr, BG_EV_LIMIT, sizeof(*e));
	e->hdr.action = action;
	e->hdr.mechanism = mech;
	e->hdr.outcome = action == BG_ACT_ALERT ? BG_OUT_SUCCESS : BG_OUT_FAILURE;
	e->hdr.rule_id = BG_LIM_RULE_ID(idx);
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->what = what;
	e->nr = nr;
	e->limit = limit;
	e->value = value;
	e->request = request;
	e->root_pid = root;
	e->pad = 0;
	bg_submit(e);
}

static __always_inline void fill_ban(struct bg_netban_event *e, __u8 action, __u8 mech, __u32 idx,
				     __u8 op, __u32 nr, const struct peer *p)
{
	bg_hdr(&e->hdr, BG_EV_NETBAN, sizeof(*e));
	e->hdr.action = action;
	e->hdr.mechanism = mech;
	e->hdr.outcome = action == BG_ACT_ALERT ? BG_OUT_SUCCESS : BG_OUT_FAILURE;
	e->hdr.rule_id = BG_LIM_RULE_ID(idx);
	e->nr = nr;
	e->op = op;
	e->protocol = p->protocol;
	e->family = p->family;
	e->port = p->port;
	e->pad0 = 0;
	e->pad1 = 0;
	__builtin_memcpy(e->addr, p->addr, 16);
}

static __always_inline void emit_ban(__u8 action, __u8 mech, __u32 idx, __u8 op, __u32 nr,
				     const struct peer *p)
{
	struct bg_netban_event *e = bg_reserve(sizeof(*e));

	if (!e)
		return;
	fill_ban(e, action, mech, idx, op, nr, p);
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	bg_submit(e);
}

/* Alert rules: true the first time this process reports `bit`. */
static __always_inline bool first_report(struct task_struct *task, __u64 bit)
{
	struct bg_lim_key k = {.tgid = task->tgid, .start = task->group_leader->start_boottime};
	__u64 *v = bpf_map_lookup_elem(&lim_reported, &k), one = bit;

	if (v) {
		if (*v & bit)
			return false;
		__sync_fetch_and_or(v, bit);
		return true;
	}
	bpf_map_update_elem(&lim_reported, &k, &one, BPF_ANY);
	return true;
}

/* ---- memory ---- */

static __always_inline void check_memory(struct task_struct *task, __u32 nr, __u64 request)
{
	struct bg_lim_task *info;
	struct bg_lim_rule *r;
	__u64 total;
	__u32 idx, what;

	if (!request)
		return;
	r = task_rule(task, &idx, &info);
	if (!r || !r->max_memory)
		return;
	total = ((__u64)task->mm->total_vm << PAGE_SHIFT) + request;
	if (request > r->max_memory)
		what = BG_LIM_MEM_REQUEST;
	else if (total > r->max_memory)
		what = BG_LIM_MEM_TOTAL;
	else
		return;
	if (r->action == BG_ACT_ALERT) {
		if (first_report(task, 1u << what))
			emit_limit(BG_ACT_ALERT, BG_MECH_TRACEPOINT, idx, what, nr, r->max_memory,
				   total, request, 0);
		return;
	}
	/* deny has no hook here: memory limits always kill. */
	bpf_send_signal(SIGKILL);
	emit_limit(BG_ACT_KILL, BG_MECH_TRACEPOINT, idx, what, nr, r->max_memory, total, request,
		   0);
}

/* ---- children ---- */

static __always_inline struct bg_lim_count *count_of(__u32 tgid, __u64 start, bool create)
{
	struct bg_lim_key k = {.tgid = tgid, .start = start};
	struct bg_lim_count zero = {}, *c;

	c = bpf_map_lookup_elem(&lim_counts, &k);
	if (c || !create)
		return c;
	bpf_map_update_elem(&lim_counts, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&lim_counts, &k);
}

struct verdict {
	struct bg_lim_rule *rule;
	__u32 idx;
	__u32 what;
	__u64 limit;
	__u64 value;
	__u32 root;
	struct bg_lim_count *root_count;
};

/* Would one more child of the current process go over a limit? */
static __always_inline bool fork_over(struct task_struct *task, struct verdict *v)
{
	struct bg_lim_count *own, *rc;
	struct bg_lim_task *info;
	__u64 start = task->group_leader->start_boottime;

	v->rule = task_rule(task, &v->idx, &info);
	if (!v->rule || (!v->rule->max_children && !v->rule->max_descendants))
		return false;
	if (info) {
		v->root = info->root;
		rc = count_of(info->root, info->root_start, false);
	} else {
		v->root = task->tgid;
		rc = count_of(task->tgid, start, false);
	}
	v->root_count = rc;
	if (rc && rc->condemned) {
		v->what = BG_LIM_CONDEMNED;
		v->limit = v->rule->max_descendants;
		v->value = rc->descendants;
		return true;
	}
	own = count_of(task->tgid, start, false);
	if (v->rule->max_children && own && own->children >= v->rule->max_children) {
		v->what = BG_LIM_CHILDREN;
		v->limit = v->rule->max_children;
		v->value = own->children;
		return true;
	}
	if (v->rule->max_descendants && rc && rc->descendants >= v->rule->max_descendants) {
		v->what = BG_LIM_DESCENDANTS;
		v->limit = v->rule->max_descendants;
		v->value = rc->descendants;
		return true;
	}
	return false;
}

static __always_inline void check_fork(struct task_struct *task, __u32 nr)
{
	struct verdict v = {};

	if (!fork_over(task, &v) || v.rule->action != BG_ACT_KILL)
		return;
	if (v.what == BG_LIM_DESCENDANTS && v.root_count)
		v.root_count->condemned = 1;
	bpf_send_signal(SIGKILL);
	emit_limit(BG_ACT_KILL, BG_MECH_TRACEPOINT, v.idx, v.what, nr, v.limit, v.value, 0,
		   v.what == BG_LIM_CHILDREN ? 0 : v.root);
}

/* Counting: every process forked by a tracked process is tracked too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(lim_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_lim_task *info, ni = {};
	struct bg_lim_count *pc, *rc;
	struct bg_lim_rule *r;
	__u32 idx, ctgid = child->tgid;
	__s64 n;

	if (child->pid != ctgid)
		return 0; /* a thread */
	r = task_rule(task, &idx, &info);
	if (!r)
		return 0;
	ni.parent = task->tgid;
	ni.parent_start = task->group_leader->start_boottime;
	ni.rule = idx;
	if (info) {
		ni.root = info->root;
		ni.root_start = info->root_start;
	} else {
		ni.root = ni.parent;
		ni.root_start = ni.parent_start;
	}
	bpf_map_update_elem(&lim_tasks, &ctgid, &ni, BPF_ANY);
	pc = count_of(ni.parent, ni.parent_start, true);
	if (pc) {
		n = __sync_fetch_and_add(&pc->children, 1) + 1;
		if (r->action == BG_ACT_ALERT && r->max_children && n == r->max_children + 1)
			emit_limit(BG_ACT_ALERT, BG_MECH_TRACEPOINT, idx, BG_LIM_CHILDREN, 0,
				   r->max_children, n, 0, 0);
	}
	rc = count_of(ni.root, ni.root_start, true);
	if (rc) {
		n = __sync_fetch_and_add(&rc->descendants, 1) + 1;
		if (r->action == BG_ACT_ALERT && r->max_descendants && n == r->max_descendants + 1)
			emit_limit(BG_ACT_ALERT, BG_MECH_TRACEPOINT, idx, BG_LIM_DESCENDANTS, 0,
				   r->max_descendants, n, 0, ni.root);
	}
	return 0;
}

static __always_inline void count_drop(__u32 tgid, __u64 start, bool child)
{
	struct bg_lim_key k = {.tgid = tgid, .start = start};
	struct bg_lim_count *c = bpf_map_lookup_elem(&lim_counts, &k);

	if (!c)
		return;
	if (child) {
		__sync_fetch_and_sub(&c->children, 1);
		return;
	}
	if (__sync_fetch_and_sub(&c->descendants, 1) <= 1 && c->dead)
		bpf_map_delete_elem(&lim_counts, &k);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(lim_exit, struct task_struct *p)
{
	struct bg_lim_key k = {.tgid = p->tgid, .start = p->group_leader->start_boottime};
	struct bg_lim_task *info;
	struct bg_lim_count *c;

	/* Only when the whole thread group is gone (the last thread). */
	if (p->signal->live.counter)
		return 0;
	info = bpf_map_lookup_elem(&lim_tasks, &k.tgid);
	if (info) {
		count_drop(info->parent, info->parent_start, true);
		count_drop(info->root, info->root_start, false);
		bpf_map_delete_elem(&lim_tasks, &k.tgid);
	}
	c = bpf_map_lookup_elem(&lim_counts, &k);
	if (c) {
		/* A root's count outlives it while its tree lives: a fork
		 * bomb's first process exits at once. */
		if (c->descendants <= 0)
			bpf_map_delete_elem(&lim_counts, &k);
		else
			c->dead = 1;
	}
	bpf_map_delete_elem(&lim_reported, &k);
	return 0;
}

/* deny: the fork fails with EAGAIN, as it does at RLIMIT_NPROC or pids.max. */
SEC("lsm/task_alloc")
int BPF_PROG(lim_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct verdict v = {};

	if (ret || (clone_flags & CLONE_THREAD))
		return ret;
	if (!fork_over(cur, &v) || v.rule->action != BG_ACT_DENY)
		return 0;
	emit_limit(BG_ACT_DENY, BG_MECH_LSM, v.idx, v.what, 0, v.limit, v.value, 0,
		   v.what == BG_LIM_CHILDREN ? 0 : v.root);
	return -EAGAIN;
}

/* ---- network ---- */

struct peer_ctx {
	const struct peer *p;
	__u32 idx; /* rule index */
	bool allowed;
};

/* One allowed-peer entry; bpf_loop() has the verifier check it once, not
 * once per entry and prefix byte (which 6.1 finds too complex). */
static long peer_one(__u32 i, void *c)
{
	struct peer_ctx *m = c;
	const struct peer *p = m->p;
	const struct bg_lim_peer *a;
	struct bg_lim_rule *r = bpf_map_lookup_elem(&lim_rules, &m->idx);

	if (!r || i >= BG_LIM_PEERS_MAX)
		return 1;
	/* 6.1 loses the bound of i across the callback's 32-to-64-bit
	 * move; the barrier keeps clang from dropping the mask as redundant. */
	barrier_var(i);
	a = &r->peers[i & (BG_LIM_PEERS_MAX - 1)];
	if (a->port && a->port != p->port)
		return 0;
	if (a->family && (a->family != p->family || !bg_prefix_match(a->addr, p->addr, a->prefix)))
		return 0;
	m->allowed = true;
	return 1;
}

/* An unknown peer (family 0) is allowed only by an any-address entry. */
static __always_inline bool peer_allowed(const struct bg_lim_rule *r, __u32 idx,
					 const struct peer *p)
{
	struct peer_ctx m = {.p = p, .idx = idx};

	if (!r->n_peers)
		return false;
	bpf_loop(r->n_peers, peer_one, &m, 0);
	return m.allowed;
}

static __always_inline __u8 ban_bit(__u8 op)
{
	switch (op) {
	case BG_BAN_OP_CONNECT:
		return BG_BAN_CONNECT;
	case BG_BAN_OP_SEND:
		return BG_BAN_SEND;
	default:
		return BG_BAN_RECV;
	}
}

/* The connected peer of a socket (TCP, connected UDP); family 0 if none. */
static __always_inline void sock_peer(struct sock *sk, struct peer *p)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 dport = BPF_CORE_READ(sk, __sk_common.skc_dport);

	p->protocol = BPF_CORE_READ(sk, sk_protocol);
	if (!dport)
		return; /* not connected */
	p->port = bpf_ntohs(dport);
	if (fam == AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		p->family = AF_INET;
		__builtin_memcpy(p->addr, &a, 4);
	} else if (fam == AF_INET6) {
		p->family = AF_INET6;
		BPF_CORE_READ_INTO(&p->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/* A sockaddr (read with `user` from user memory, else kernel memory). */
static __always_inline bool sockaddr_peer(const void *sa, __u64 len, bool user, struct peer *p)
{
	__u8 buf[24] = {};
	__u16 fam;
	long err;

	if (!sa || len < 8)
		return false;
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (user)
		err = bpf_probe_read_user(buf, len & 31, sa);
	else
		err = bpf_probe_read_kernel(buf, len & 31, sa);
	if (err < 0)
		return false;
	fam = *(__u16 *)buf;
	if (fam == AF_INET) {
		p->family = AF_INET;
		__builtin_memcpy(p->addr, &buf[4], 4);
	} else if (fam == AF_INET6 && len >= 24) {
		p->family = AF_INET6;
		__builtin_memcpy(p->addr, &buf[8], 16);
	} else {
		return false;
	}
	p->port = bpf_ntohs(*(__u16 *)&buf[2]);
	return true;
}

static __always_inline bool inet_sock(struct sock *sk)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);

	return fam == AF_INET || fam == AF_INET6;
}

/* The rule that bans op for the current process under mechanism mech. */
static __always_inline struct bg_lim_rule *ban_rule(struct task_struct *task, __u8 op, __u8 mech,
						    __u32 *idx)
{
	struct bg_lim_task *info;
	struct bg_lim_rule *r = task_rule(task, idx, &info);

	if (!r || r->net_mech != mech || !(r->net_ban & ban_bit(op)))
		return NULL;
	return r;
}

/* LSM: deny returns -EPERM; alert lets it through with an event. */
static __always_inline int lsm_ban(struct socket *sock, __u8 op, const struct peer *p0)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_lim_rule *r;
	struct peer p = *p0;
	__u32 idx;

	r = ban_rule(task, op, BG_MECH_LSM, &idx);
	if (!r)
		return 0;
	if (!p.protocol)
		p.protocol = BPF_CORE_READ(sock, sk, sk_protocol);
	if (peer_allowed(r, idx, &p))
		return 0;
	if (r->action == BG_ACT_ALERT) {
		if (first_report(task, 1u << (8 + op)))
			emit_ban(BG_ACT_ALERT, BG_MECH_LSM, idx, op, 0, &p);
		return 0;
	}
	emit_ban(BG_ACT_DENY, BG_MECH_LSM, idx, op, 0, &p);
	return -EPERM;
}

SEC("lsm/socket_connect")
int BPF_PROG(lim_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	struct peer p = {};

	if (ret || !inet_sock(sock->sk) || !sockaddr_peer(address, addrlen, false, &p))
		return ret;
	return lsm_ban(sock, BG_BAN_OP_CONNECT, &p);
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(lim_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	struct peer p = {};

	if (ret || !inet_sock(sock->sk))
		return ret;
	/* sendto/sendmsg copied the address into the kernel already. */
	if (!sockaddr_peer(msg->msg_name, msg->msg_namelen, false, &p))
		sock_peer(sock->sk, &p);
	return lsm_ban(sock, BG_BAN_OP_SEND, &p);
}

SEC("lsm/socket_recvmsg")
int BPF_PROG(lim_socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags,
	     int ret)
{
	struct peer p = {};

	if (ret || !inet_sock(sock->sk))
		return ret;
	sock_peer(sock->sk, &p);
	return lsm_ban(sock, BG_BAN_OP_RECV, &p);
}

SEC("lsm/socket_accept")
int BPF_PROG(lim_socket_accept, struct socket *sock, struct socket *newsock, int ret)
{
	struct peer p = {};

	if (ret || !inet_sock(sock->sk))
		return ret;
	p.protocol = IPPROTO_TCP;
	return lsm_ban(sock, BG_BAN_OP_ACCEPT, &p);
}

/* Tracepoint path: the socket behind fd, if it is an IPv4/IPv6 socket. */
static __always_inline struct sock *fd_inet_sock(struct task_struct *task, long fd)
{
	struct file *f = bg_fd_file(task, fd);
	struct socket *sock;
	struct sock *sk;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	return sk && inet_sock(sk) ? sk : NULL;
}

/*
 * A syscall in the x86_64 numbering with its arguments, whichever entry the
 * process used: ia32 (`int 0x80`, also open to 64-bit processes, so a rule
 * would be one instruction away from bypass without it), ia32 socketcall,
 * or x32 (the 64-bit numbers with bit 30 set; off unless booted with
 * syscall.x32=y).
 */
struct call {
	__u64 nr;
	__u64 a[6];
	bool compat; /* msghdr in the 32-bit layout (ia32, x32) */
};


/* ia32 syscall numbers this guard decodes (arch/x86/entry/syscalls/syscall_32.tbl). */
#define IA32_fork	2
#define IA32_brk	45
#define IA32_old_mmap	90
#define IA32_socketcall 102
#define IA32_clone	120
#define IA32_mremap	163
#define IA32_vfork	190
#define IA32_mmap2	192
#define IA32_recvmmsg	337
#define IA32_sendmmsg	345
#define IA32_connect	362
#define IA32_accept4	364
#define IA32_sendto	369
#define IA32_sendmsg	370
#define IA32_recvfrom	371
#define IA32_recvmsg	372
#define IA32_clone3	435

/* socketcall(2) call numbers (include/uapi/linux/net.h) to x86_64 numbers. */
static __always_inline __u64 socketcall_nr(__u64 call)
{
	switch (call) {
	case 3:
		return NR_connect;
	case 5:
		return NR_accept;
	case 9: /* send: sendto without an address */
	case 11:
		return NR_sendto;
	case 10: /* recv */
	case 12:
		return NR_recvfrom;
	case 16:
		return NR_sendmsg;
	case 17:
		return NR_recvmsg;
	case 18:
		return NR_accept4;
	case 19:
		return NR_recvmmsg;
	case 20:
		return NR_sendmmsg;
	default:
		return 0;
	}
}

static __always_inline __u64 ia32_nr(long id)
{
	switch (id) {
	case IA32_fork:
		return NR_fork;
	case IA32_brk:
		return NR_brk;
	case IA32_old_mmap:
	case IA32_mmap2:
		return NR_mmap;
	case IA32_clone:
		return NR_clone;
	case IA32_mremap:
		return NR_mremap;
	case IA32_vfork:
		return NR_vfork;
	case IA32_recvmmsg:
		return NR_recvmmsg;
	case IA32_sendmmsg:
		return NR_sendmmsg;
	case IA32_connect:
		return NR_connect;
	case IA32_accept4:
		return NR_accept4;
	case IA32_sendto:
		return NR_sendto;
	case IA32_sendmsg:
		return NR_sendmsg;
	case IA32_recvfrom:
		return NR_recvfrom;
	case IA32_recvmsg:
		return NR_recvmsg;
	case IA32_clone3:
		return NR_clone3;
	default:
		return 0;
	}
}

/* Fill c from the entry the task used; false: not a call this guard checks. */
static __always_inline bool decode(struct task_struct *task, struct pt_regs *regs, long id,
				   struct call *c)
{
	__u32 args[6] = {};
	int i;

	if (task->thread_info.status & TS_COMPAT) {
		c->compat = true;
		c->a[0] = (__u32)regs->bx;
		c->a[1] = (__u32)regs->cx;
		c->a[2] = (__u32)regs->dx;
		c->a[3] = (__u32)regs->si;
		c->a[4] = (__u32)regs->di;
		c->a[5] = (__u32)regs->bp;
		if (id == IA32_socketcall) {
			c->nr = socketcall_nr(c->a[0]);
			if (!c->nr || bpf_probe_read_user(args, sizeof(args), (void *)c->a[1]) < 0)
				return false;
			for (i = 0; i < 6; i++)
				c->a[i] = args[i];
			/* send and recv take 4 arguments: no address after them */
			if (c->nr == NR_sendto || c->nr == NR_recvfrom) {
				if ((__u32)regs->bx == 9 || (__u32)regs->bx == 10)
					c->a[4] = c->a[5] = 0;
			}
			return true;
		}
		c->nr = ia32_nr(id);
		if (id == IA32_old_mmap) {
			/* old_mmap(struct mmap_arg_struct *): addr, len, prot, ... */
			if (bpf_probe_read_user(args, sizeof(args), (void *)c->a[0]) < 0)
				return false;
			c->a[1] = args[1];
		}
		return c->nr != 0;
	}
	c->a[0] = regs->di;
	c->a[1] = regs->si;
	c->a[2] = regs->dx;
	c->a[3] = regs->r10;
	c->a[4] = regs->r8;
	c->a[5] = regs->r9;
	c->nr = id;
	if (id & X32_BIT) {
		c->nr = id & ~X32_BIT;
		/* x32 has its own numbers for the msghdr calls (compat layout). */
		switch (c->nr) {
		case 518:
			c->nr = NR_sendmsg;
			c->compat = true;
			break;
		case 519:
			c->nr = NR_recvmsg;
			c->compat = true;
			break;
		case 536:
			c->nr = NR_sendmmsg;
			c->compat = true;
			break;
		case 537:
			c->nr = NR_recvmmsg;
			c->compat = true;
			break;
		}
	}
	return true;
}

static __always_inline void check_net_tp(struct task_struct *task, struct call *c)
{
	struct bg_lim_rule *r;
	struct peer p = {};
	struct sock *sk;
	__u32 idx, nr = c->nr;
	__u8 op;

	switch (nr) {
	case NR_connect:
		op = BG_BAN_OP_CONNECT;
		break;
	case NR_sendto:
	case NR_sendmsg:
	case NR_sendmmsg:
		op = BG_BAN_OP_SEND;
		break;
	case NR_accept:
	case NR_accept4:
		op = BG_BAN_OP_ACCEPT;
		break;
	default:
		op = BG_BAN_OP_RECV;
	}
	r = ban_rule(task, op, BG_MECH_TRACEPOINT, &idx);
	if (!r)
		return;
	sk = fd_inet_sock(task, c->a[0]);
	if (!sk)
		return;
	if (nr == NR_connect) {
		if (!sockaddr_peer((void *)c->a[1], c->a[2], true, &p))
			return; /* AF_UNSPEC: a disconnect */
		p.protocol = BPF_CORE_READ(sk, sk_protocol);
	} else if (nr == NR_sendto && c->a[4]) {
		sockaddr_peer((void *)c->a[4], c->a[5], true, &p);
		p.protocol = BPF_CORE_READ(sk, sk_protocol);
	} else if (nr == NR_sendmsg) {
		/* msg_name, msg_namelen: 8 + 4 bytes, or 4 + 4 in the compat layout */
		__u64 name = 0;
		__u32 namelen = 0, m32[2];
		bool ok;

		if (c->compat) {
			ok = bpf_probe_read_user(m32, sizeof(m32), (void *)c->a[1]) == 0;
			name = m32[0];
			namelen = m32[1];
		} else {
			ok = bpf_probe_read_user(&name, sizeof(name), (void *)c->a[1]) == 0 &&
			     bpf_probe_read_user(&namelen, sizeof(namelen),
						 (void *)(c->a[1] + 8)) == 0;
		}
		if (ok && sockaddr_peer((void *)name, namelen, true, &p))
			p.protocol = BPF_CORE_READ(sk, sk_protocol);
		else
			sock_peer(sk, &p);
	} else {
		sock_peer(sk, &p);
	}
	if (peer_allowed(r, idx, &p))
		return;
	if (r->action == BG_ACT_ALERT) {
		if (first_report(task, 1u << (8 + op)))
			emit_ban(BG_ACT_ALERT, BG_MECH_TRACEPOINT, idx, op, nr, &p);
		return;
	}
	/* The call still runs, but its result never reaches the process. */
	bpf_send_signal(SIGKILL);
	emit_ban(BG_ACT_KILL, BG_MECH_TRACEPOINT, idx, op, nr, &p);
}

/* The host-wide hook: every call costs one lookup-free switch before it
 * leaves; only the calls below go further. The event's syscall number is
 * the x86_64 one whatever the entry. */
SEC("tp_btf/sys_enter")
int BPF_PROG(lim_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct call c = {};
	__u64 flags = 0, a, b;

	switch (id & ~(long)X32_BIT) {
	case NR_mmap:
	case NR_brk:
	case NR_mremap:
	case NR_clone:
	case NR_fork:
	case NR_vfork:
	case NR_clone3:
	case NR_connect:
	case NR_accept:
	case NR_sendto:
	case NR_recvfrom:
	case NR_sendmsg:
	case NR_recvmsg:
	case NR_accept4:
	case NR_recvmmsg:
	case NR_sendmmsg:
	/* ia32 numbers (most are not x86_64 calls we check, a few are) */
	case IA32_fork:
	case IA32_old_mmap:
	case IA32_socketcall:
	case IA32_clone:
	case IA32_mremap:
	case IA32_vfork:
	case IA32_mmap2:
	case IA32_recvmmsg:
	case IA32_sendmmsg:
	case IA32_connect:
	case IA32_accept4:
	case IA32_sendto:
	case IA32_sendmsg:
	case IA32_recvfrom:
	case IA32_recvmsg:
	/* x32 msghdr calls */
	case 518:
	case 519:
	case 536:
	case 537:
		break;
	default:
		return 0;
	}
	task = bpf_get_current_task_btf();
	if (!decode(task, regs, id, &c))
		return 0;
	switch (c.nr) {
	case NR_mmap:
		check_memory(task, c.nr, c.a[1]);
		break;
	case NR_brk:
		a = c.a[0];
		b = task->mm->brk;
		if (a > b)
			check_memory(task, c.nr, a - b);
		break;
	case NR_mremap:
		a = c.a[2]; /* new_len */
		b = c.a[1]; /* old_len */
		if (a > b)
			check_memory(task, c.nr, a - b);
		break;
	case NR_clone:
		if (c.a[0] & CLONE_THREAD)
			break;
		check_fork(task, c.nr);
		break;
	case NR_clone3:
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)c.a[0]) < 0 ||
		    (flags & CLONE_THREAD))
			break;
		check_fork(task, c.nr);
		break;
	case NR_fork:
	case NR_vfork:
		check_fork(task, c.nr);
		break;
	case NR_connect:
	case NR_accept:
	case NR_sendto:
	case NR_recvfrom:
	case NR_sendmsg:
	case NR_recvmsg:
	case NR_accept4:
	case NR_recvmmsg:
	case NR_sendmmsg:
		check_net_tp(task, &c);
		break;
	}
	return 0;
}

/* ---- cgroup targets ---- */

static __always_inline int cg_ban(struct bpf_sock_addr *ctx, __u8 op, bool v6)
{
	struct bg_lim_rule *r;
	struct peer p = {};
	__u64 cg = bpf_get_current_cgroup_id();
	__u32 *ri, idx;

	ri = bpf_map_lookup_elem(&lim_cgroup, &cg);
	if (!ri)
		return 1;
	idx = *ri;
	r = bpf_map_lookup_elem(&lim_rules, &idx);
	if (!r || r->net_mech != BG_MECH_CGROUP || !(r->net_ban & ban_bit(op)))
		return 1;
	p.protocol = ctx->protocol;
	p.port = bpf_ntohs(ctx->user_port);
	if (v6) {
		__u32 w[4];

		w[0] = ctx->user_ip6[0];
		w[1] = ctx->user_ip6[1];
		w[2] = ctx->user_ip6[2];
		w[3] = ctx->user_ip6[3];
		p.family = AF_INET6;
		__builtin_memcpy(p.addr, w, 16);
	} else {
		__u32 a = ctx->user_ip4;

		p.family = AF_INET;
		__builtin_memcpy(p.addr, &a, 4);
	}
	if (peer_allowed(r, idx, &p))
		return 1;
	emit_ban(r->action == BG_ACT_ALERT ? BG_ACT_ALERT : BG_ACT_DENY, BG_MECH_CGROUP, idx, op, 0,
		 &p);
	return r->action == BG_ACT_ALERT ? 1 : 0;
}

SEC("cgroup/connect4")
int lim_connect4(struct bpf_sock_addr *ctx)
{
	return cg_ban(ctx, BG_BAN_OP_CONNECT, false);
}

SEC("cgroup/connect6")
int lim_connect6(struct bpf_sock_addr *ctx)
{
	return cg_ban(ctx, BG_BAN_OP_CONNECT, true);
}

SEC("cgroup/sendmsg4")
int lim_sendmsg4(struct bpf_sock_addr *ctx)
{
	return cg_ban(ctx, BG_BAN_OP_SEND, false);
}

SEC("cgroup/sendmsg6")
int lim_sendmsg6(struct bpf_sock_addr *ctx)
{
	return cg_ban(ctx, BG_BAN_OP_SEND, true);
}

/*
 * Packets of the cgroup's sockets: ingress for receive bans (the peer is
 * the source), egress for send bans on connected sockets (the peer is the
 * destination). TCP and UDP only; ICMP and the rest pass, and so do IPv6
 * packets with extension headers before the transport header.
 */
static __always_inline int skb_ban(struct __sk_buff *skb, bool ingress)
{
	struct bg_netban_event *e;
	struct bg_lim_rule *r;
	struct skb_rate *rate, nr = {};
	struct peer p = {};
	__u64 cg = bpf_skb_cgroup_id(skb), now;
	__u32 *ri, idx, off;
	__u16 ports[2];
	__u8 op = ingress ? BG_BAN_OP_RECV : BG_BAN_OP_SEND;

	ri = bpf_map_lookup_elem(&lim_cgroup, &cg);
	if (!ri)
		return 1;
	idx = *ri;
	r = bpf_map_lookup_elem(&lim_rules, &idx);
	if (!r || r->net_mech != BG_MECH_CGROUP || !(r->net_ban & ban_bit(op)))
		return 1;
	if (skb->protocol == bpf_htons(0x0800)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
			return 1;
		p.family = AF_INET;
		p.protocol = ip.protocol;
		__builtin_memcpy(p.addr, ingress ? &ip.saddr : &ip.daddr, 4);
		off = (ip.ihl & 0xf) * 4;
	} else if (skb->protocol == bpf_htons(0x86DD)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			return 1;
		p.family = AF_INET6;
		p.protocol = ip6.nexthdr;
		__builtin_memcpy(p.addr, ingress ? &ip6.saddr : &ip6.daddr, 16);
		off = sizeof(ip6);
	} else {
		return 1;
	}
	if (p.protocol != IPPROTO_TCP && p.protocol != IPPROTO_UDP)
		return 1;
	if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)) < 0)
		return 1;
	p.port = bpf_ntohs(ingress ? ports[0] : ports[1]);
	if (peer_allowed(r, idx, &p))
		return 1;
	now = bpf_ktime_get_boot_ns();
	rate = bpf_map_lookup_elem(&lim_skb_rate, &cg);
	if (rate && now - rate->last_ns < 1000000000ULL) {
		__sync_fetch_and_add(&rate->suppressed, 1);
	} else {
		e = bg_reserve(sizeof(*e));
		if (e) {
			fill_ban(e, r->action == BG_ACT_ALERT ? BG_ACT_ALERT : BG_ACT_DENY,
				 BG_MECH_CGROUP, idx, op, 0, &p);
			/* Softirq: no process context, only the socket's cgroup. */
			__builtin_memset(&e->proc, 0, sizeof(e->proc));
			e->proc.cgroup_id = cg;
			e->hdr.suppressed = rate ? rate->suppressed : 0;
			bg_submit(e);
		}
		nr.last_ns = now;
		bpf_map_update_elem(&lim_skb_rate, &cg, &nr, BPF_ANY);
	}
	return r->action == BG_ACT_ALERT ? 1 : 0;
}

SEC("cgroup_skb/ingress")
int lim_skb_ingress(struct __sk_buff *skb)
{
	return skb_ban(skb, true);
}

SEC("cgroup_skb/egress")
int lim_skb_egress(struct __sk_buff *skb)
{
	return skb_ban(skb, false);
}
