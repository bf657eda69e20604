// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Network bans of guards.limits: a rule's processes may not connect, send,
 * receive or accept except with the peers it allows.
 *
 * Cgroup targets by cgroup sock_addr hooks (connect, sendmsg) and
 * cgroup_skb (packets in and out); executable and comm targets by LSM
 * socket hooks where BPF LSM loads, else SIGKILL at sys_enter of the
 * socket calls (ia32, socketcall and x32 decoded by lib/syscall32.bpf.h).
 * User space picks the mechanism per rule (net_mech). The rules and the
 * processes they hold are bpf/limits.bpf.c's maps (lib/limrules.bpf.h).
 */
#include "lib/common.bpf.h"
#include "lib/limrules.bpf.h"
#include "lib/netmatch.bpf.h"
#include "lib/syscall32.bpf.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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

/* A ban's record, all but the process filled; NULL when the ring buffer is full. */
static __always_inline struct bg_netban_event *ban_event(__u8 action, __u8 mech, __u32 idx, __u8 op,
							 __u32 nr, const struct bg_net_match *p)
{
	__u8 outcome = action == BG_ACT_ALERT || action == BG_ACT_REDIRECT ? BG_OUT_SUCCESS
									   : BG_OUT_FAILURE;
	struct bg_netban_event *e;

	e = bg_event(BG_EV_NETBAN, sizeof(*e), action, mech, outcome, BG_LIM_RULE_ID(idx));
	if (!e)
		return NULL;
	e->nr = nr;
	e->op = op;
	e->protocol = p->protocol;
	e->family = p->family;
	e->port = p->port;
	e->redirect_port = 0;
	e->pad1 = 0;
	__builtin_memcpy(e->addr, p->addr, 16);
	__builtin_memset(e->redirect_addr, 0, 16);
	return e;
}

static __always_inline void emit_ban(__u8 action, __u8 mech, __u32 idx, __u8 op, __u32 nr,
				     const struct bg_net_match *p)
{
	struct bg_netban_event *e = ban_event(action, mech, idx, op, nr, p);

	if (!e)
		return;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	bg_submit(e);
}

struct peer_ctx {
	const struct bg_net_match *p;
	__u32 idx; /* rule index */
	bool allowed;
};

/* One allowed-peer entry; bpf_loop() has the verifier check it once, not
 * once per entry and prefix byte (which 6.1 finds too complex). */
static long peer_one(__u32 i, void *c)
{
	struct peer_ctx *m = c;
	struct bg_lim_rule *r = bpf_map_lookup_elem(&lim_rules, &m->idx);

	if (!r || i >= BG_LIM_PEERS_MAX)
		return 1;
	/* 6.1 loses the bound of i across the callback's 32-to-64-bit
	 * move; the barrier keeps clang from dropping the mask as redundant. */
	barrier_var(i);
	if (!bg_net_rule_match(&r->peers[i & (BG_LIM_PEERS_MAX - 1)], m->p))
		return 0;
	m->allowed = true;
	return 1;
}

/* An unknown peer (family 0) is allowed only by an any-address entry. */
static __always_inline bool peer_allowed(const struct bg_lim_rule *r, __u32 idx,
					 const struct bg_net_match *p)
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
	case BG_NET_CONNECT:
		return BG_BAN_CONNECT;
	case BG_NET_SENDTO:
		return BG_BAN_SEND;
	default:
		return BG_BAN_RECV;
	}
}

/* The connected peer of a socket (TCP, connected UDP); family 0 if none. */
static __always_inline void sock_peer(struct sock *sk, struct bg_net_match *p)
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
static __always_inline bool sockaddr_peer(const void *sa, __u64 len, bool user,
					  struct bg_net_match *p)
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
static __always_inline int lsm_ban(struct socket *sock, __u8 op, const struct bg_net_match *p0)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_lim_rule *r;
	struct bg_net_match p = *p0;
	__u32 idx;

	r = ban_rule(task, op, BG_MECH_LSM, &idx);
	if (!r)
		return 0;
	if (!p.protocol)
		p.protocol = BPF_CORE_READ(sock, sk, sk_protocol);
	p.op = op;
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
int BPF_PROG(ban_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	struct bg_net_match p = {};

	if (ret || !inet_sock(sock->sk) || !sockaddr_peer(address, addrlen, false, &p))
		return ret;
	return lsm_ban(sock, BG_NET_CONNECT, &p);
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(ban_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	struct bg_net_match p = {};

	if (ret || !inet_sock(sock->sk))
		return ret;
	/* sendto/sendmsg copied the address into the kernel already. */
	if (!sockaddr_peer(msg->msg_name, msg->msg_namelen, false, &p))
		sock_peer(sock->sk, &p);
	return lsm_ban(sock, BG_NET_SENDTO, &p);
}

SEC("lsm/socket_recvmsg")
int BPF_PROG(ban_socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags,
	     int ret)
{
	struct bg_net_match p = {};

	if (ret || !inet_sock(sock->sk))
		return ret;
	sock_peer(sock->sk, &p);
	return lsm_ban(sock, BG_NET_RECV, &p);
}

SEC("lsm/socket_accept")
int BPF_PROG(ban_socket_accept, struct socket *sock, struct socket *newsock, int ret)
{
	struct bg_net_match p = {};

	if (ret || !inet_sock(sock->sk))
		return ret;
	p.protocol = IPPROTO_TCP;
	return lsm_ban(sock, BG_NET_ACCEPT, &p);
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

static __always_inline void check_net_tp(struct task_struct *task, struct call *c)
{
	struct bg_lim_rule *r;
	struct bg_net_match p = {};
	struct sock *sk;
	__u32 idx, nr = c->nr;
	__u8 op;

	switch (nr) {
	case NR_connect:
		op = BG_NET_CONNECT;
		break;
	case NR_sendto:
	case NR_sendmsg:
	case NR_sendmmsg:
		op = BG_NET_SENDTO;
		break;
	case NR_accept:
	case NR_accept4:
		op = BG_NET_ACCEPT;
		break;
	default:
		op = BG_NET_RECV;
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
	p.op = op;
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

/* Only the socket calls go further than the first switch; their syscall
 * number in the event is the x86_64 one whatever the entry. */
SEC("tp_btf/sys_enter")
int BPF_PROG(ban_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct call c = {};

	switch (id & ~(long)X32_BIT) {
	BG_SC_SOCKET_IDS:
		break;
	default:
		return 0;
	}
	task = bpf_get_current_task_btf();
	if (!decode(task, regs, id, &c))
		return 0;
	switch (c.nr) {
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

/*
 * action redirect: the destination the process asked for becomes the rule's
 * sinkhole of its family and the call goes on; the kernel connects or sends
 * there. The event names the original destination and the sinkhole. false:
 * no sinkhole for this family (the call is denied).
 */
static __always_inline bool redirect(struct bpf_sock_addr *ctx, const struct bg_lim_rule *r,
				     __u32 idx, bool v6, const struct bg_net_match *p)
{
	const struct bg_net_rule *s = &r->sinkhole[v6 ? 1 : 0];
	struct bg_netban_event *e;

	if (!s->port)
		return false;
	bg_sock_addr_set_dst(ctx, v6, s->addr, s->port);
	e = ban_event(BG_ACT_REDIRECT, BG_MECH_CGROUP, idx, p->op, 0, p);
	if (e) {
		e->redirect_port = s->port;
		__builtin_memcpy(e->redirect_addr, s->addr, 16);
		bg_fill_proc(&e->proc, &e->hdr.flags, false);
		bg_submit(e);
	}
	return true;
}

/* The rule of cgroup cg (its index in *idx) if it bans op through the
 * cgroup hooks; NULL: the call or packet passes. */
static __always_inline struct bg_lim_rule *cg_rule(__u64 cg, __u8 op, __u32 *idx)
{
	struct bg_lim_rule *r;
	__u32 *ri;

	ri = bpf_map_lookup_elem(&lim_cgroup, &cg);
	if (!ri)
		return NULL;
	*idx = *ri;
	r = bpf_map_lookup_elem(&lim_rules, idx);
	if (!r || r->net_mech != BG_MECH_CGROUP || !(r->net_ban & ban_bit(op)))
		return NULL;
	return r;
}

static __always_inline int cg_ban(struct bpf_sock_addr *ctx, __u8 op, bool v6)
{
	struct bg_lim_rule *r;
	struct bg_net_match p = {};
	__u32 idx;

	r = cg_rule(bpf_get_current_cgroup_id(), op, &idx);
	if (!r)
		return 1;
	p.protocol = ctx->protocol;
	bg_net_match_sock_addr(&p, ctx, v6);
	p.op = op;
	if (peer_allowed(r, idx, &p))
		return 1;
	if (r->action == BG_ACT_REDIRECT && redirect(ctx, r, idx, v6, &p))
		return 1;
	emit_ban(r->action == BG_ACT_ALERT ? BG_ACT_ALERT : BG_ACT_DENY, BG_MECH_CGROUP, idx, op, 0,
		 &p);
	return r->action == BG_ACT_ALERT ? 1 : 0;
}

/* ban_connect4, ban_connect6, ban_sendmsg4, ban_sendmsg6 */
BG_SOCK_ADDR_PROGS(ban, connect, cg_ban, BG_NET_CONNECT)
BG_SOCK_ADDR_PROGS(ban, sendmsg, cg_ban, BG_NET_SENDTO)

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
	struct bg_net_match p = {};
	__u64 cg = bpf_skb_cgroup_id(skb), now;
	__u32 idx, off;
	__u16 ports[2];
	__u8 op = ingress ? BG_NET_RECV : BG_NET_SENDTO;

	r = cg_rule(cg, op, &idx);
	if (!r)
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
	p.op = op;
	if (peer_allowed(r, idx, &p))
		return 1;
	now = bpf_ktime_get_boot_ns();
	rate = bpf_map_lookup_elem(&lim_skb_rate, &cg);
	if (rate && now - rate->last_ns < 1000000000ULL) {
		__sync_fetch_and_add(&rate->suppressed, 1);
	} else {
		e = ban_event(r->action == BG_ACT_ALERT ? BG_ACT_ALERT : BG_ACT_DENY,
			      BG_MECH_CGROUP, idx, op, 0, &p);
		if (e) {
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
int ban_skb_ingress(struct __sk_buff *skb)
{
	return skb_ban(skb, true);
}

SEC("cgroup_skb/egress")
int ban_skb_egress(struct __sk_buff *skb)
{
	return skb_ban(skb, false);
}
