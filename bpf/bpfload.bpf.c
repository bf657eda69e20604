// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF load guard: every BPF_PROG_LOAD on the host, its metadata, and a
 * histogram of the helpers its instructions call, counted here from the
 * instructions; then the patterns (include/bpfguard/bpfload.h) decide.
 *
 * Two entry points share one scanner:
 *  - lsm/bpf (kernels with BPF LSM): security_bpf() runs once the kernel
 *    has copied `attr`; a deny returns -EPERM before anything is loaded.
 *  - tp_btf/sys_enter (no LSM): attr and instructions are read from the
 *    loader's memory at syscall entry; kill sends SIGKILL there. The
 *    verifier checks signal_pending() and aborts with -EAGAIN, so the
 *    program is never loaded and the loader dies on the way back.
 * In both, the instructions are read from the loader's memory: another
 * thread can change them after the scan and before the kernel copies
 * them (docs/guarantees.md, "BPF loads").
 */
#include "lib/common.bpf.h"
#include "lib/ident.bpf.h"
#include <bpfguard/bpfload.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NR_BPF	      321 /* x86_64 */
#define CMD_PROG_LOAD 5	   /* BPF_PROG_LOAD */
#define CODE_CALL     0x85 /* BPF_JMP | BPF_CALL */
#define CODE_LD64     0x18 /* BPF_LD | BPF_IMM | BPF_DW */
/* src_reg values of calls and ld_imm64 (uapi defines, absent from vmlinux.h) */
#define PSEUDO_CALL	     1
#define PSEUDO_KFUNC_CALL    2
#define PSEUDO_MAP_FD	     1
#define PSEUDO_MAP_VALUE     2
#define PSEUDO_MAP_IDX	     5
#define PSEUDO_MAP_IDX_VALUE 6

/* Set by user space before load. */
const volatile __u32 self_tgid;	    /* the agent: its own loads are never matched */
const volatile __u64 self_start_ns; /* ... identified by (tgid, start time) */
const volatile bool report_all;	    /* emit loads no rule matched */
const volatile __u32 nrules;

/* Never written: the event is cleared by copying this (too large for an
 * inlined memset). */
struct bg_bpf_load_event load_zero;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_LOAD_RULES_MAX);
	__type(key, __u32);
	__type(value, struct bg_load_rule);
} load_rules SEC(".maps");

/* (rule, executable) pairs a rule does not apply to; rule 0: every rule. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LOAD_EXCEPT_MAX);
	__type(key, struct bg_load_except);
	__type(value, __u8);
} load_except SEC(".maps");

/* Helper id of a call in verified (xlated) code, by its imm: the target's
 * offset from __bpf_call_base. Filled by user space from /proc/kallsyms. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LOAD_CALL_IDS_MAX);
	__type(key, __s32);
	__type(value, __u16);
} call_ids SEC(".maps");

/* Threads inside BPF_PROG_LOAD, between lsm/bpf and lsm/bpf_prog, with
 * the action lsm/bpf decided (enum bg_action). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} loading SEC(".maps");

/* The first bytes of union bpf_attr for BPF_PROG_LOAD (uapi: stable). */
struct prog_load_attr {
	__u32 prog_type;
	__u32 insn_cnt;
	__u64 insns;
	__u64 license;
	__u32 log_level;
	__u32 log_size;
	__u64 log_buf;
	__u32 kern_version;
	__u32 prog_flags;
	char prog_name[16];
	__u32 prog_ifindex;
	__u32 expected_attach_type;
	__u32 prog_btf_fd;
	__u32 func_info_rec_size;
	__u64 func_info;
	__u32 func_info_cnt;
	__u32 line_info_rec_size;
	__u64 line_info;
	__u32 line_info_cnt;
	__u32 attach_btf_id;
	__u32 attach_prog_fd;
	__u32 pad;
	__u64 fd_array;
};
_Static_assert(__builtin_offsetof(struct prog_load_attr, attach_btf_id) == 108, "attr");
_Static_assert(__builtin_offsetof(struct prog_load_attr, fd_array) == 120, "attr");

struct load_scratch {
	struct bg_bpf_load_event ev;
	struct prog_load_attr attr;
	struct bpf_insn chunk[BG_LOAD_CHUNK];
	__u64 insns;   /* user address of the instructions */
	__u32 to_scan; /* instructions to scan */
	__u32 best;    /* rule index + 1 of the strongest match */
	__u8 best_action;
	__u8 kernel; /* insns point to the kernel's verified copy */
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct load_scratch);
} load_scratch_map SEC(".maps");

static __always_inline struct load_scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&load_scratch_map, &zero);
}

/* Type of the map behind the loader's descriptor fd, or -1. */
static __always_inline int map_type_of_fd(long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *f = bg_fd_file(task, fd);
	struct bpf_map *map;
	char name[8];

	/* A map fd is an anon inode file named "bpf-map" (bpf_map_new_fd);
	 * bpf_map_fops is not in kallsyms without CONFIG_KALLSYMS_ALL. */
	if (!f ||
	    bpf_probe_read_kernel_str(name, sizeof(name),
				      BPF_CORE_READ(f, f_path.dentry, d_name.name)) != 8 ||
	    name[0] != 'b' || name[1] != 'p' || name[2] != 'f' || name[3] != '-' ||
	    name[4] != 'm' || name[5] != 'a' || name[6] != 'p')
		return -1;
	map = BPF_CORE_READ(f, private_data);
	return map ? (int)BPF_CORE_READ(map, map_type) : -1;
}

static __always_inline void count_insn(struct bg_bpf_load_event *e, const struct bpf_insn *in,
				       bool xlated)
{
	__u8 src = in->src_reg;
	__s32 imm = in->imm;
	__u16 *hid;
	__u32 k;
	int t;

	if (in->code == CODE_CALL) {
		if (src == 0 && xlated) {
			/* imm: the helper's address minus __bpf_call_base */
			e->helper_calls++;
			hid = bpf_map_lookup_elem(&call_ids, &imm);
			if (hid && *hid < BG_LOAD_HELPERS) {
				if (e->helpers[*hid & (BG_LOAD_HELPERS - 1)] != 0xffff)
					e->helpers[*hid & (BG_LOAD_HELPERS - 1)]++;
			} else {
				e->helper_unknown++;
			}
		} else if (src == 0) { /* helper: imm is its id */
			e->helper_calls++;
			if (imm >= 0 && imm < BG_LOAD_HELPERS) {
				if (e->helpers[imm & (BG_LOAD_HELPERS - 1)] != 0xffff)
					e->helpers[imm & (BG_LOAD_HELPERS - 1)]++;
			} else {
				e->helper_unknown++;
			}
		} else if (src == PSEUDO_CALL) {
			e->subprog_calls++;
		} else if (src == PSEUDO_KFUNC_CALL) { /* imm: the kfunc's BTF id */
			e->kfunc_calls++;
			for (k = 0; k < BG_LOAD_KFUNCS; k++) {
				if (k >= e->nkfuncs)
					break;
				if (e->kfunc_ids[k] == (__u32)imm)
					return;
			}
			if (e->nkfuncs < BG_LOAD_KFUNCS)
				e->kfunc_ids[e->nkfuncs++ & (BG_LOAD_KFUNCS - 1)] = imm;
		}
	} else if (in->code == CODE_LD64 && !xlated) { /* xlated: maps from used_maps */
		if (src == PSEUDO_MAP_FD || src == PSEUDO_MAP_VALUE) {
			t = map_type_of_fd(imm);
			if (t >= 0 && t < 64)
				e->map_types |= 1ULL << t;
		} else if (src == PSEUDO_MAP_IDX || src == PSEUDO_MAP_IDX_VALUE) {
			e->load_flags |= BG_LOAD_F_MAPIDX;
		}
	}
}

/* One bpf_loop step: read BG_LOAD_CHUNK instructions and count them. The
 * callbacks look the scratch up themselves: bpf_loop's context must be on
 * the stack. */
static long scan_chunk(__u32 i, void *ctx)
{
	struct load_scratch *s = scratch();
	__u32 first = i * BG_LOAD_CHUNK, n, j;
	const void *src;
	__u64 sz;

	if (!s || first >= s->to_scan)
		return 1;
	n = s->to_scan - first;
	if (n > BG_LOAD_CHUNK)
		n = BG_LOAD_CHUNK;
	sz = (__u64)n * sizeof(struct bpf_insn);
	barrier_var(sz); /* keep the bound check below where the verifier sees it */
	if (sz > sizeof(s->chunk))
		sz = sizeof(s->chunk);
	src = (void *)(s->insns + (__u64)first * sizeof(struct bpf_insn));
	if ((s->kernel ? bpf_probe_read_kernel(s->chunk, sz, src)
		       : bpf_probe_read_user(s->chunk, sz, src)) < 0) {
		s->ev.load_flags |= BG_LOAD_F_READ_ERR;
		return 1;
	}
	for (j = 0; j < BG_LOAD_CHUNK; j++) {
		if (j >= n)
			break;
		count_insn(&s->ev, &s->chunk[j], s->kernel);
	}
	s->ev.insns_scanned = first + n;
	return 0;
}

static __always_inline bool name_matches(const struct bg_load_rule *r, const char *name)
{
	__u32 len = 0, i, at, pl = r->prefix_len, sl = r->suffix_len, ml = r->mid_len;

	for (i = 0; i < BG_LOAD_NAME; i++) {
		if (!name[i])
			break;
		len++;
	}
	if (pl > BG_LOAD_GLOB || sl > BG_LOAD_GLOB || ml > BG_LOAD_GLOB || pl + ml + sl > len)
		return false;
	if ((r->flags & BG_LR_NAME_EXACT) && len != pl)
		return false;
	for (i = 0; i < BG_LOAD_GLOB; i++) {
		if (i >= pl)
			break;
		if (name[i] != r->prefix[i])
			return false;
	}
	for (i = 0; i < BG_LOAD_GLOB; i++) {
		if (i >= sl)
			break;
		if (name[(len - sl + i) & (BG_LOAD_NAME - 1)] != r->suffix[i])
			return false;
	}
	if (!ml)
		return true;
	/* The middle part somewhere in name[pl, len - sl). */
	for (at = pl; at < BG_LOAD_NAME; at++) {
		if (at + ml + sl > len)
			return false;
		for (i = 0; i < BG_LOAD_GLOB; i++) {
			if (i >= ml || name[(at + i) & (BG_LOAD_NAME - 1)] != r->mid[i])
				break;
		}
		if (i >= ml)
			return true;
	}
	return false;
}

static __always_inline bool bit_set(const __u64 *mask, __u32 words, __u32 n)
{
	return n < words * 64 && (mask[(n / 64) & 1] >> (n % 64)) & 1;
}

static long match_rule(__u32 i, void *ctx)
{
	struct load_scratch *s = scratch();
	struct bg_bpf_load_event *e;
	struct bg_load_except ex = {};
	struct bg_load_rule *r;
	__u32 k, id, min;

	if (i >= nrules || !s)
		return 1;
	e = &s->ev;
	r = bpf_map_lookup_elem(&load_rules, &i);
	if (!r || !r->id)
		return 0;
	if (r->action <= s->best_action)
		return 0; /* cannot beat the match we have */
	if ((r->flags & BG_LR_TYPES) && !bit_set(&r->prog_types, 1, e->prog_type))
		return 0;
	if ((r->flags & BG_LR_ATTACH) && !bit_set(r->attach_types, 2, e->attach_type))
		return 0;
	if (r->map_types && !(r->map_types & e->map_types))
		return 0;
	if ((r->flags & BG_LR_UNREADABLE) && !(e->load_flags & BG_LOAD_F_READ_ERR))
		return 0;
	for (k = 0; k < BG_LOAD_RULE_HELPERS; k++) {
		if (k >= r->nhelpers)
			break;
		id = r->helper_id[k];
		min = r->helper_min[k];
		if (id >= BG_LOAD_HELPERS || e->helpers[id & (BG_LOAD_HELPERS - 1)] < min)
			return 0;
	}
	if ((r->flags & BG_LR_NAME) && !name_matches(r, e->name))
		return 0;
	if (r->flags & BG_LR_EXCEPT) {
		ex.rule_id = r->id;
		ex.dev = e->exe_dev;
		ex.ino = e->exe_ino;
		if (bpf_map_lookup_elem(&load_except, &ex))
			return 0;
	}
	s->best = i + 1;
	s->best_action = r->action;
	return 0;
}

/* Start the event: header, loader process and executable. */
static __always_inline void ev_begin(struct load_scratch *s, __u16 stage, __u8 mech)
{
	struct bg_bpf_load_event *e = &s->ev;
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_ident id;

	bpf_probe_read_kernel(e, sizeof(*e), &load_zero);
	bg_hdr(&e->hdr, BG_EV_BPF_LOAD, sizeof(*e));
	e->hdr.mechanism = mech;
	e->stage = stage;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	bg_ident_exe(task, &id);
	e->exe_ino = id.ino;
	e->exe_dev = id.dev;
}

static __always_inline void scan(struct load_scratch *s, __u64 insns, bool kernel)
{
	s->insns = insns;
	s->kernel = kernel;
	s->to_scan = s->ev.insn_cnt;
	if (s->to_scan > BG_LOAD_SCAN_MAX) {
		s->to_scan = BG_LOAD_SCAN_MAX;
		s->ev.load_flags |= BG_LOAD_F_TRUNCATED;
	}
	bpf_loop(BG_LOAD_SCAN_MAX / BG_LOAD_CHUNK, scan_chunk, NULL, 0);
	if (s->ev.insns_scanned < s->to_scan)
		s->ev.load_flags |= BG_LOAD_F_READ_ERR;
}

/* Match the rules against the event; returns the action (BG_ACT_NONE when
 * no rule matched) and fills the rule fields of the event. */
static __always_inline int decide(struct load_scratch *s)
{
	struct bg_bpf_load_event *e = &s->ev;
	struct bg_load_except ex = {};
	struct bg_load_rule *r;
	__u32 idx;

	s->best = 0;
	s->best_action = BG_ACT_NONE;
	ex.dev = e->exe_dev;
	ex.ino = e->exe_ino;
	if (e->proc.pid == self_tgid || bpf_map_lookup_elem(&load_except, &ex))
		e->load_flags |= BG_LOAD_F_SELF; /* bpfguard itself: never matched */
	else
		bpf_loop(BG_LOAD_RULES_MAX, match_rule, NULL, 0);
	if (!s->best)
		return BG_ACT_NONE;
	idx = s->best - 1;
	r = bpf_map_lookup_elem(&load_rules, &idx);
	if (r) {
		e->hdr.rule_id = r->id;
		__builtin_memcpy(e->rule, r->name, BG_LOAD_RULE);
		e->rule[BG_LOAD_RULE - 1] = 0;
	}
	e->hdr.action = s->best_action;
	return s->best_action;
}

/* A BPF_PROG_LOAD whose attr prefix is in s->attr: instructions from the
 * loader's memory. */
static __always_inline int inspect(struct load_scratch *s, __u16 stage, __u8 mech)
{
	struct bg_bpf_load_event *e = &s->ev;

	ev_begin(s, stage, mech);
	e->prog_type = s->attr.prog_type;
	e->attach_type = s->attr.expected_attach_type;
	e->insn_cnt = s->attr.insn_cnt;
	e->prog_flags = s->attr.prog_flags;
	e->attach_btf_id = s->attr.attach_btf_id;
	__builtin_memcpy(e->name, s->attr.prog_name, BG_LOAD_NAME);
	e->name[BG_LOAD_NAME - 1] = 0;
	bpf_probe_read_user_str(e->license, sizeof(e->license), (void *)s->attr.license);
	scan(s, s->attr.insns, false);
	return decide(s);
}

/* The kernel's own copy, after the verifier: prog->insnsi (xlated: helper
 * calls by address, maps in used_maps). Nothing user space can change. */
static __always_inline int inspect_prog(struct load_scratch *s, struct bpf_prog *prog)
{
	struct bg_bpf_load_event *e = &s->ev;
	struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);
	struct bpf_map **maps = BPF_CORE_READ(aux, used_maps);
	struct bpf_map *map;
	__u32 i, nmaps = BPF_CORE_READ(aux, used_map_cnt);
	int t;

	ev_begin(s, BG_LOAD_KERNEL, BG_MECH_LSM);
	e->prog_type = BPF_CORE_READ(prog, type);
	e->attach_type = BPF_CORE_READ(prog, expected_attach_type);
	e->insn_cnt = BPF_CORE_READ(prog, len);
	e->attach_btf_id = BPF_CORE_READ(aux, attach_btf_id);
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), aux->name);
	for (i = 0; i < 64; i++) {
		if (i >= nmaps || bpf_probe_read_kernel(&map, sizeof(map), &maps[i]) < 0)
			break;
		t = BPF_CORE_READ(map, map_type);
		if (t >= 0 && t < 64)
			e->map_types |= 1ULL << t;
	}
	scan(s, (__u64)prog + bpf_core_field_offset(struct bpf_prog, insnsi), true);
	return decide(s);
}

static __always_inline void emit(struct load_scratch *s)
{
	if (!s->best && !report_all)
		return;
	if (bpf_ringbuf_output(&events, &s->ev, sizeof(s->ev), 0) < 0) {
		bg_stat_inc(BG_STAT_DROPPED);
		return;
	}
	bg_stat_inc(BG_STAT_EMITTED);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bg_load_sys_enter, struct pt_regs *regs, long id)
{
	struct load_scratch *s;
	unsigned long uattr;
	__u64 size;
	int act;

	if (id != NR_BPF || regs->di != CMD_PROG_LOAD)
		return 0;
	s = scratch();
	if (!s)
		return 0;
	uattr = regs->si;
	size = regs->dx;
	__builtin_memset(&s->attr, 0, sizeof(s->attr));
	if (size > sizeof(s->attr))
		size = sizeof(s->attr);
	if (bpf_probe_read_user(&s->attr, size, (void *)uattr) < 0)
		return 0; /* the kernel will fail the call with EFAULT */
	act = inspect(s, BG_LOAD_SYSCALL, BG_MECH_TRACEPOINT);
	if (act == BG_ACT_KILL || act == BG_ACT_DENY) {
		/* Without LSM a deny is a kill: user space says so at start. */
		bpf_send_signal(SIGKILL);
		s->ev.hdr.action = BG_ACT_KILL;
		s->ev.hdr.outcome = BG_OUT_FAILURE;
	} else {
		s->ev.hdr.outcome = BG_OUT_UNKNOWN;
	}
	emit(s);
	return 0;
}

SEC("lsm/bpf")
int BPF_PROG(bg_load_lsm, int cmd, union bpf_attr *attr, unsigned int size)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct load_scratch *s;
	__u8 early;
	int act;

	/* Every bpf() call passes here first: a marker a failed load left
	 * behind goes before another command can hand out a program fd. */
	bpf_map_delete_elem(&loading, &tid);
	if (cmd != CMD_PROG_LOAD)
		return 0;
	s = scratch();
	if (!s)
		return 0;
	/* attr is the kernel's copy, already zero-extended past size. */
	if (bpf_probe_read_kernel(&s->attr, sizeof(s->attr), attr) < 0)
		return 0;
	act = inspect(s, BG_LOAD_LSM, BG_MECH_LSM);
	if (act == BG_ACT_KILL)
		bpf_send_signal(SIGKILL);
	s->ev.hdr.outcome = act >= BG_ACT_DENY ? BG_OUT_FAILURE : BG_OUT_UNKNOWN;
	emit(s);
	if (act >= BG_ACT_DENY)
		return -EPERM;
	early = act;
	bpf_map_update_elem(&loading, &tid, &early, BPF_ANY);
	return 0;
}

/*
 * security_bpf_prog() runs in bpf_prog_new_fd(), the last step of
 * BPF_PROG_LOAD (also when an fd to an existing program is handed out:
 * `loading` tells the two apart). The instructions are the kernel's,
 * verified: the decision lsm/bpf made on the loader's buffer is made again
 * here, and a stronger match (a buffer changed after lsm/bpf read it, or
 * not readable then) fails the load with EPERM; the kernel frees the
 * program. Only such a change is reported: the load was reported above.
 */
SEC("lsm/bpf_prog")
int BPF_PROG(bg_load_lsm_prog, struct bpf_prog *prog)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct load_scratch *s;
	__u8 *early, was;
	int act;

	early = bpf_map_lookup_elem(&loading, &tid);
	if (!early)
		return 0;
	was = *early;
	bpf_map_delete_elem(&loading, &tid);
	s = scratch();
	if (!s)
		return 0;
	act = inspect_prog(s, prog);
	if (act <= was)
		return 0;
	if (act == BG_ACT_KILL)
		bpf_send_signal(SIGKILL);
	s->ev.hdr.outcome = act >= BG_ACT_DENY ? BG_OUT_FAILURE : BG_OUT_UNKNOWN;
	if (bpf_ringbuf_output(&events, &s->ev, sizeof(s->ev), 0) < 0)
		bg_stat_inc(BG_STAT_DROPPED);
	else
		bg_stat_inc(BG_STAT_EMITTED);
	return act >= BG_ACT_DENY ? -EPERM : 0;
}
