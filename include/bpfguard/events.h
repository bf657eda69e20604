/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every event bpfguard's kernel programs emit, shared by the BPF side and
 * user space. The BPF side includes vmlinux.h before this file; user space
 * includes <linux/types.h>. Layouts use fixed-width types with explicit
 * padding and are checked with _Static_assert, so both compilers agree.
 *
 * The type enum is append-only: a number once shipped keeps its meaning,
 * because JSON consumers and saved ring-buffer dumps depend on it.
 */
#ifndef BPFGUARD_EVENTS_H
#define BPFGUARD_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BG_COMM_LEN 16
#define BG_PATH_MAX 256 /* executable and file paths, NUL included */
#define BG_ARGS_MAX 512 /* argv bytes kept for exec, NUL-separated */

/*
 * Event types (append-only). Types 1 to 31 are listed here. Types 32 to 63
 * belong to guards added since: a guard's own header
 * (include/bpfguard/NAME.h) claims its numbers from that range with a
 * #define, so that adding a guard does not touch this file; its
 * descriptors register them (src/events/types.c), and two descriptors
 * claiming one number stop the program at start (docs/events.md lists
 * every number in use).
 */
#define BG_EV_GUARD_FIRST 32
#define BG_EV_GUARD_LAST  63
enum bg_event_type {
	BG_EV_NONE = 0,
	BG_EV_EXEC = 1,		/* a task completed execve */
	BG_EV_EXIT = 2,		/* a thread group ended */
	BG_EV_TEST = 3,		/* emitted by the trigger program of tests and benchmarks */
	BG_EV_SYSCALL = 4,	/* a syscall outside a policy */
	BG_EV_NET = 5,		/* a connect/sendto/bind outside a policy */
	BG_EV_RUN_FILE = 6,	/* a file operation outside a run policy (BPF LSM) */
	BG_EV_RUN_EXEC = 7,	/* an execve of a program outside a run policy (BPF LSM) */
	BG_EV_POLICY_EXEC = 8,	/* an execve outside a policy's executables (monitor) */
	BG_EV_POLICY_FILE = 9,	/* an open outside a policy's files (monitor) */
	BG_EV_NET_DROP = 10,	/* the XDP ingress filter dropped a packet (sampled) */
	BG_EV_FILE = 11,	/* a protected file opened outside its rule */
	BG_EV_FILE_MODIFY = 12, /* a protected file unlinked, renamed, truncated, chmod/chown */
	BG_EV_LIMIT = 13,	/* a process limit reached (memory, children) */
	BG_EV_NETBAN = 14,	/* a network operation a per-process ban forbids */
	BG_EV_BPF_LOAD = 15,	/* a BPF_PROG_LOAD (bpf/bpfload.bpf.c) */
	BG_EV_PHP_CALL = 16,	/* a PHP function outside the allowlist (php.h) */
	BG_EV_PHP_SYSCALL = 17, /* a syscall its PHP function never made while profiled */
	BG_EV_TYPE_MAX,		/* <= BG_EV_GUARD_FIRST */
};

/* What a rule asked for. */
enum bg_action {
	BG_ACT_NONE = 0, /* observation, no rule involved */
	BG_ACT_ALERT = 1,
	BG_ACT_DENY = 2,
	BG_ACT_KILL = 3,
	BG_ACT_KILL_USER = 4,
	BG_ACT_REDIRECT = 5, /* sent elsewhere: a sinkhole address, a notice file */
};

/* Which mechanism acted (the enforcement ladder, strongest first). */
enum bg_mechanism {
	BG_MECH_NONE = 0,
	BG_MECH_LSM = 1,
	BG_MECH_CGROUP = 2,
	BG_MECH_SECCOMP = 3,
	BG_MECH_LANDLOCK = 4,
	BG_MECH_TRACEPOINT = 5, /* tp_btf / raw_tp, with bpf_send_signal for kill */
	BG_MECH_USER = 6,	/* user space, after the event arrived */
	BG_MECH_XDP = 7,
	BG_MECH_UPROBE = 8,
};

/* What happened to the action. */
enum bg_outcome {
	BG_OUT_UNKNOWN = 0,
	BG_OUT_SUCCESS = 1, /* the observed operation succeeded */
	BG_OUT_FAILURE = 2, /* the operation failed or was denied */
};

/*
 * Common header of every record in the ring buffer. `size` is the whole
 * record, header included, so a reader can skip types it does not know.
 */
struct bg_event_hdr {
	__u64 ktime_ns; /* CLOCK_BOOTTIME, from bpf_ktime_get_boot_ns() */
	__u16 type;	/* enum bg_event_type */
	__u16 size;
	__u8 action;	  /* enum bg_action */
	__u8 mechanism;	  /* enum bg_mechanism */
	__u8 outcome;	  /* enum bg_outcome */
	__u8 flags;	  /* BG_F_* */
	__u32 rule_id;	  /* 0: no rule; else index into the loader's rule table */
	__u32 suppressed; /* events of this (process, rule) suppressed before this one */
};

#define BG_F_EXE_TRUNCATED  0x01 /* executable path longer than BG_PATH_MAX */
#define BG_F_ARGS_TRUNCATED 0x02

/*
 * The acting process, read in the kernel at the moment of the event.
 * A process is identified by (pid, start_ns): pids are reused.
 */
struct bg_proc {
	__u32 pid;  /* thread group id */
	__u32 tid;  /* thread id */
	__u32 ppid; /* real parent's thread group id */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u64 cgroup_id; /* cgroup v2 id */
	__u64 start_ns;	 /* thread group leader's start, CLOCK_BOOTTIME */
	__u64 parent_start_ns;
	char comm[BG_COMM_LEN];
	char exe[BG_PATH_MAX]; /* resolved from mm->exe_file in the kernel */
};

struct bg_exec_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u32 args_len; /* bytes used in args, NULs included */
	__u32 argc;
	char args[BG_ARGS_MAX];
};

struct bg_exit_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u32 exit_code; /* as wait(2) reports it */
	__u32 pad;
};

struct bg_test_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u64 seq;
};

/* A packet the XDP filter dropped; no process context (has_proc false). */
struct bg_net_drop_event {
	struct bg_event_hdr hdr;
	__u32 ifindex;
	__u32 pkt_len; /* bytes of the frame */
	__u8 family;   /* 4, 6, or 0 (not IP, or unparsed) */
	__u8 proto;    /* IP protocol (after IPv6 extension headers) */
	__u8 reason;   /* enum bg_net_reason (include/bpfguard/net.h) */
	__u8 pad0;
	__u16 vlan;  /* outer VLAN id, 0: untagged */
	__u16 sport; /* host order; 0 when not TCP/UDP */
	__u16 dport;
	__u16 pad1;
	__u32 rule_id;	/* the deny rule that matched (per interface), or 0 */
	__u8 saddr[16]; /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
};

/* The ABI of a syscall: x32 is x86_64 numbers with bit 30 set. */
enum bg_abi { BG_ABI_NATIVE = 0, BG_ABI_IA32 = 1, BG_ABI_X32 = 2 };

/* A syscall outside a policy (seccomp user notification or tracepoint). */
struct bg_syscall_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u32 nr;
	__u32 compat; /* enum bg_abi */
	__u64 args[6];
};

/* A network operation outside a policy (cgroup sock_addr hooks). */
struct bg_net_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u16 family;
	__u16 port; /* host order */
	__u8 op;    /* enum bg_net_op (netrule.h) */
	__u8 protocol;
	__u8 pad[2];
	__u8 addr[16];
};

/* What the process of a run_file event tried (struct bg_run_file_event.op). */
enum bg_run_file_op {
	BG_RUN_OP_OPEN = 1,
	BG_RUN_OP_CREATE = 2, /* mknod, or open with O_CREAT of a new file */
	BG_RUN_OP_UNLINK = 3,
	BG_RUN_OP_MKDIR = 4,
	BG_RUN_OP_RMDIR = 5,
	BG_RUN_OP_EXEC = 6,   /* BG_EV_RUN_EXEC */
	BG_RUN_OP_RENAME = 7, /* either end: access says rename-from or -to */
	BG_RUN_OP_LINK = 8,   /* either name: access says link-from or -to */
	BG_RUN_OP_SYMLINK = 9,
	BG_RUN_OP_TRUNCATE = 10, /* truncate(2), ftruncate, O_TRUNC of an existing file */
	BG_RUN_OP_MKNOD = 11,	 /* a fifo, socket (also bind of a unix socket) or device */
};

/* A file operation or an execve outside a run policy (BG_EV_RUN_FILE, _EXEC). */
struct bg_run_file_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u32 access; /* BG_ACC_* (profile.h) the operation needed */
	__u8 op;      /* enum bg_run_file_op */
	__u8 pad[3];
	char path[BG_PATH_MAX]; /* as bpfguard profile writes it (/proc/self/...) */
};

/* An execve outside a policy's executables; proc.exe is the new program. */
struct bg_policy_exec_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u64 dev; /* kernel dev_t of the executable */
	__u64 ino;
};

/* An open outside a policy's files, seen at the open's return. */
struct bg_policy_file_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u32 acc;	  /* BG_ACC_* the open asked for (profile.h) */
	__u32 open_flags; /* f_flags of the new file */
	__u64 dev;	  /* kernel dev_t */
	__u64 ino;
	__s32 fd;      /* the new descriptor */
	__u32 sharers; /* kill: other processes sharing the descriptor table, killed at once */
	char path[BG_PATH_MAX]; /* resolved in the kernel from the file */
};

/* A protected file touched outside its rule (types 11 and 12, bpf/files.bpf.c). */
struct bg_file_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u64 ino;     /* the protected file (the inode opened or modified) */
	__u32 dev;     /* kernel encoding, major << 20 | minor */
	__u32 op;      /* enum bg_file_op (include/bpfguard/files.h) */
	__u32 access;  /* BG_FILES_READ/WRITE the operation needed */
	__u32 flags;   /* open flags (open), else 0 */
	__s64 ret;     /* open's return value (tracepoint path), else 0 */
	__u64 exe_ino; /* the acting executable's identity */
	__u32 exe_dev;
	__u32 depth;   /* 0: the file itself is protected; n: its n-th ancestor directory */
	__u32 sharers; /* kill path: other processes sharing the descriptor table, killed */
	__u32 pad;
	char path[BG_PATH_MAX]; /* from the file's struct path; modify ops: the last component */
};

/* A process limit reached (type 13, bpf/limits.bpf.c). */
struct bg_limit_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u32 what;	/* enum bg_lim_what (include/bpfguard/limits.h) */
	__u32 nr;	/* syscall number (tracepoint path), else 0 */
	__u64 limit;	/* the configured limit: bytes or processes */
	__u64 value;	/* what was measured: bytes (request or total) or processes */
	__u64 request;	/* bytes the call asked for (memory), else 0 */
	__u32 root_pid; /* the tree's root (descendants, condemned), else 0 */
	__u32 pad;
};

/* A network operation a per-process ban forbids (type 14, bpf/limits.bpf.c). */
struct bg_netban_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc; /* zero pid for packets (cgroup_skb: no process context) */
	__u32 nr;	     /* syscall number (tracepoint path), else 0 */
	__u8 op;	     /* enum bg_net_op (netrule.h) */
	__u8 protocol;	     /* IPPROTO_TCP, IPPROTO_UDP, 0: unknown */
	__u16 family;	     /* AF_INET, AF_INET6, 0: peer unknown */
	__u16 port;	     /* peer port, host order: the original one */
	__u16 redirect_port; /* action redirect: the sinkhole's port, else 0 */
	__u32 pad1;
	__u8 addr[16];		/* peer address; IPv4 in the first 4 bytes */
	__u8 redirect_addr[16]; /* action redirect: the sinkhole (same family) */
};

/*
 * A BPF_PROG_LOAD, as the load watch saw it (bpf/bpfload.bpf.c). The
 * helper histogram is counted in the kernel from the instructions.
 */
#define BG_LOAD_HELPERS 256 /* helper ids counted one by one; higher go to helper_unknown */
#define BG_LOAD_KFUNCS	8   /* distinct kfunc BTF ids kept */
#define BG_LOAD_NAME	16
#define BG_LOAD_LICENSE 32
#define BG_LOAD_RULE	32

enum bg_load_stage {
	BG_LOAD_SYSCALL = 1, /* tp_btf sys_enter: attr and insns read from user memory */
	BG_LOAD_LSM = 2,     /* lsm/bpf: attr is the kernel's copy, insns still user memory */
	BG_LOAD_KERNEL = 3,  /* lsm/bpf_prog: the kernel's own verified copy (xlated) */
};

#define BG_LOAD_F_TRUNCATED 0x1 /* more instructions than the scan limit */
#define BG_LOAD_F_READ_ERR  0x2 /* some instructions could not be read */
#define BG_LOAD_F_SELF	    0x4 /* loaded by this agent: never matched */
#define BG_LOAD_F_MAPIDX    0x8 /* maps referenced through fd_array: types unread */

struct bg_bpf_load_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	__u32 prog_type;     /* enum bpf_prog_type */
	__u32 attach_type;   /* expected_attach_type */
	__u32 insn_cnt;	     /* as the loader declared it */
	__u32 insns_scanned; /* instructions read and counted */
	__u32 prog_flags;
	__u32 attach_btf_id;
	__u64 exe_ino; /* loader's executable (struct bg_ident) */
	__u32 exe_dev;
	__u16 stage;	      /* enum bg_load_stage */
	__u16 load_flags;     /* BG_LOAD_F_* */
	__u64 map_types;      /* bit n: a map of type n is referenced */
	__u32 helper_calls;   /* calls of helpers (src_reg 0), known or not */
	__u32 helper_unknown; /* helper ids >= BG_LOAD_HELPERS */
	__u32 kfunc_calls;
	__u32 subprog_calls;
	__u32 nkfuncs; /* distinct kfunc ids in kfunc_ids */
	__u32 pad;
	__u32 kfunc_ids[BG_LOAD_KFUNCS];
	char name[BG_LOAD_NAME];
	char license[BG_LOAD_LICENSE];
	char rule[BG_LOAD_RULE];	/* name of the matching rule, if any */
	__u16 helpers[BG_LOAD_HELPERS]; /* calls per helper id (saturating) */
};

/*
 * Counters every BPF program shares (one per-CPU array, summed by user
 * space). Ring buffer reservation failures are counted here, never lost
 * silently.
 */
enum bg_stat {
	BG_STAT_EMITTED = 0,  /* records committed to the ring buffer */
	BG_STAT_DROPPED = 1,  /* reservations that failed: ring buffer full */
	BG_STAT_PATH_ERR = 2, /* executable path could not be read */
	/* profile: what did not fit its aggregates (the profile is incomplete) */
	BG_STAT_PROF_FILES_FULL = 3,
	BG_STAT_PROF_EXEC_FULL = 4,
	BG_STAT_PROF_NET_FULL = 5,
	BG_STAT_PROF_PATH_TRUNC = 6,
	/* the PHP guard */
	BG_STAT_PHP_FUNCS_FULL = 7, /* functions that did not fit the map */
	BG_STAT_PHP_NAME_TRUNC = 8, /* names longer than BG_PHP_NAME - 1 */
	BG_STAT_PHP_FILES_FULL = 9,
	BG_STAT_PHP_COMPAT = 10, /* ia32 syscalls: not attributed to functions */
	BG_STAT_MAX = 16,
};

/* Both compilers check these, so kernel and user space agree on layouts. */
_Static_assert(sizeof(struct bg_event_hdr) == 24, "bg_event_hdr layout");
_Static_assert(sizeof(struct bg_proc) == 48 + BG_COMM_LEN + BG_PATH_MAX, "bg_proc layout");
_Static_assert(sizeof(struct bg_exec_event) % 8 == 0, "bg_exec_event padding");
_Static_assert(sizeof(struct bg_exit_event) % 8 == 0, "bg_exit_event padding");
_Static_assert(sizeof(struct bg_test_event) % 8 == 0, "bg_test_event padding");
_Static_assert(sizeof(struct bg_syscall_event) % 8 == 0, "bg_syscall_event padding");
_Static_assert(sizeof(struct bg_net_event) % 8 == 0, "bg_net_event padding");
_Static_assert(sizeof(struct bg_file_event) % 8 == 0, "bg_file_event padding");
_Static_assert(sizeof(struct bg_file_event) == 24 + sizeof(struct bg_proc) + 56 + BG_PATH_MAX,
	       "bg_file_event layout");
_Static_assert(sizeof(struct bg_limit_event) == 24 + sizeof(struct bg_proc) + 40,
	       "bg_limit_event layout");
_Static_assert(sizeof(struct bg_netban_event) == 24 + sizeof(struct bg_proc) + 48,
	       "bg_netban_event layout");
_Static_assert(sizeof(struct bg_run_file_event) == 24 + sizeof(struct bg_proc) + 8 + BG_PATH_MAX,
	       "bg_run_file_event layout");
_Static_assert(sizeof(struct bg_run_file_event) % 8 == 0, "bg_run_file_event padding");
_Static_assert(sizeof(struct bg_net_drop_event) == 80, "bg_net_drop_event layout");
_Static_assert(sizeof(struct bg_policy_exec_event) % 8 == 0, "bg_policy_exec_event padding");
_Static_assert(sizeof(struct bg_policy_file_event) % 8 == 0, "bg_policy_file_event padding");
_Static_assert(sizeof(struct bg_bpf_load_event) ==
		       24 + sizeof(struct bg_proc) + 104 + 80 + 2 * BG_LOAD_HELPERS,
	       "bg_bpf_load_event layout");

#endif /* BPFGUARD_EVENTS_H */
