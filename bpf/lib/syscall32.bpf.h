/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_SYSCALL32_BPF_H
#define BG_SYSCALL32_BPF_H
/*
 * The syscall a tp_btf/sys_enter program sees, in the x86_64 numbering
 * whatever entry the process used: x86_64, ia32 (`int $0x80`, ia32
 * socketcall) or x32. Used by the limits guard (bpf/limits.bpf.c: memory,
 * forks) and its network bans (bpf/netban.bpf.c). Needs lib/common.bpf.h.
 */

#define TS_COMPAT 0x0002

/* x86_64 syscall numbers the decoder maps onto. */
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

/* ia32 syscall numbers the decoder knows (arch/x86/entry/syscalls/syscall_32.tbl). */
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
			break;
		case 519:
			c->nr = NR_recvmsg;
			break;
		case 537:
			c->nr = NR_recvmmsg;
			break;
		case 538:
			c->nr = NR_sendmmsg;
			break;
		default:
			return true;
		}
		c->compat = true;
	}
	return true;
}

/*
 * The entry numbers a sys_enter program lets through to decode(), before
 * anything else runs: every other call leaves at one switch. An ia32 number
 * can equal an unrelated x86_64 one (45 is ia32 brk and x86_64 recvfrom):
 * decode() tells them apart by TS_COMPAT.
 */
#define BG_SC_MEMORY_FORK_IDS                                                                      \
	case NR_mmap:                                                                              \
	case NR_brk:                                                                               \
	case NR_mremap:                                                                            \
	case NR_clone:                                                                             \
	case NR_fork:                                                                              \
	case NR_vfork:                                                                             \
	case NR_clone3: /* also IA32_clone3 */                                                     \
	case IA32_fork:                                                                            \
	case IA32_brk:                                                                             \
	case IA32_old_mmap:                                                                        \
	case IA32_clone:                                                                           \
	case IA32_mremap:                                                                          \
	case IA32_vfork:                                                                           \
	case IA32_mmap2

#define BG_SC_SOCKET_IDS                                                                           \
	case NR_connect:                                                                           \
	case NR_accept:                                                                            \
	case NR_sendto:                                                                            \
	case NR_recvfrom:                                                                          \
	case NR_sendmsg:                                                                           \
	case NR_recvmsg:                                                                           \
	case NR_accept4:                                                                           \
	case NR_recvmmsg:                                                                          \
	case NR_sendmmsg:                                                                          \
	case IA32_socketcall:                                                                      \
	case IA32_recvmmsg:                                                                        \
	case IA32_sendmmsg:                                                                        \
	case IA32_connect:                                                                         \
	case IA32_accept4:                                                                         \
	case IA32_sendto:                                                                          \
	case IA32_sendmsg:                                                                         \
	case IA32_recvfrom:                                                                        \
	case IA32_recvmsg:                                                                         \
	case 518: /* x32 msghdr calls */                                                           \
	case 519:                                                                                  \
	case 537:                                                                                  \
	case 538

#endif
