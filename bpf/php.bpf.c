// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PHP guard. PHP's USDT probes (fired only with USE_ZEND_DTRACE=1):
 * function__entry/return for PHP-defined functions, compile__file__entry
 * for compiled files (recorded; checked against php.files by run),
 * request__startup to reset the stack. PHP 8
 * fires function__entry for user functions only, never for built-ins such
 * as system(): those are seen by a uprobe on dtrace_execute_internal, the
 * hook USE_ZEND_DTRACE installs as zend_execute_internal, which every
 * built-in call then goes through (and a uretprobe for its return).
 *
 * Each thread's PHP call stack lives in task storage (freed with the
 * thread). Every syscall is attributed to the function on top of it:
 * profile records a syscall set per function, run checks it. A call to a
 * function outside the allowlist is caught at entry, before its body runs:
 * kill is bpf_send_signal(SIGKILL) from the probe, which the task takes
 * on its way back to user space from the breakpoint.
 *
 * Processes are selected by cgroup: forked workers (php-fpm) stay in it.
 */
#include "lib/common.bpf.h"
#include <bpf/usdt.bpf.h>
#include <bpfguard/php.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ZEND_INTERNAL_FUNCTION 1

const volatile bool enforce = false; /* run: check; profile: record */
const volatile __u8 action = BG_ACT_KILL;
const volatile __u32 rule_call = 0, rule_sys = 0, rule_file = 0;
const volatile bool check_files = false; /* run: the policy lists php.files */
/* PHP 8 engine layouts (zend_execute_data, zend_function, zend_op,
 * zend_class_entry, zend_string), set by user space per PHP version. */
const volatile __u32 off_ex_func = 24, off_ex_prev = 48, off_ex_opline = 0;
const volatile __u32 off_fn_type = 0, off_fn_name = 8, off_fn_scope = 16;
const volatile __u32 off_op_filename = 152, off_opline_lineno = 24;
const volatile __u32 off_ce_name = 8, off_str_val = 24;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64); /* cgroup v2 id */
	__type(value, __u8);
} php_cgroups SEC(".maps");

/* monitor: the processes watched are the bits of monitor's mon_procs
 * (one bit per tgid, kept across fork and exec by bpf/monitor.bpf.c),
 * which user space hands to this map (bpf_map__reuse_fd). */
const volatile bool by_procs = false;
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} php_procs SEC(".maps");

/* Function -> id: filled by the kernel while profiling, by user space
 * (the allowlist) when enforcing. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_PHP_FUNCS_MAX);
	__type(key, struct bg_php_fn);
	__type(value, __u32);
} php_funcs SEC(".maps");

/* Syscalls per function id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_PHP_FUNCS_MAX);
	__type(key, __u32);
	__type(value, struct bg_php_sys);
} php_fsys SEC(".maps");

/* Id -> function, for the events of run (syscall checks know the id). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_PHP_FUNCS_MAX);
	__type(key, __u32);
	__type(value, struct bg_php_fn);
} php_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_PHP_FILES_MAX);
	__type(key, struct bg_php_file);
	__type(value, __u8);
} php_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} php_next_id SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_PHPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} php_errors SEC(".maps");

struct php_frame {
	__u32 id;
	__u32 line;
	__u64 loc; /* file name address, or a built-in's execute_data (report()) */
	__u32 internal;
	__u32 pad;
};

/* A ring of the top BG_PHP_STACK frames: frame at depth position p sits in
 * f[p % BG_PHP_STACK], so the top of the stack is always known, however
 * deep. A push beyond the ring overwrites the frame BG_PHP_STACK below it;
 * positions under `floor` are lost until the stack unwinds below them. */
struct php_stack {
	__u32 depth; /* frames on the PHP stack (unbounded) */
	__u32 floor; /* frames at positions < floor were overwritten */
	struct php_frame f[BG_PHP_STACK];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct php_stack);
} php_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_php_file);
} php_scratch SEC(".maps");

static __always_inline void php_err(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&php_errors, &idx);

	if (v)
		*v += 1;
}

static __always_inline bool tracked(void)
{
	__u64 cg = bpf_get_current_cgroup_id();

	if (by_procs) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32, w = tgid / 64;
		__u64 *bits = bpf_map_lookup_elem(&php_procs, &w);

		return bits && (*bits >> (tgid % 64) & 1);
	}

	return bpf_map_lookup_elem(&php_cgroups, &cg);
}

static __always_inline struct php_stack *stack_get(bool create)
{
	return bpf_task_storage_get(&php_stacks, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	if (addr)
		bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* The PHP code that called a built-in: the file and line of the previous
 * frame of its execute_data ex, when that frame is PHP code. */
static __always_inline __u64 caller_loc(__u64 ex, __u32 *line)
{
	__u64 prev, pfunc, opline, fname;
	__u8 type = 0;

	*line = 0;
	prev = read_ptr(ex + off_ex_prev);
	pfunc = prev ? read_ptr(prev + off_ex_func) : 0;
	if (!pfunc || bpf_probe_read_user(&type, 1, (void *)(pfunc + off_fn_type)) ||
	    type == ZEND_INTERNAL_FUNCTION)
		return 0;
	opline = read_ptr(prev + off_ex_opline);
	if (opline)
		bpf_probe_read_user(line, sizeof(*line), (void *)(opline + off_opline_lineno));
	fname = read_ptr(pfunc + off_op_filename);
	return fname ? fname + off_str_val : 0;
}

/* loc: the file name's address and line of a PHP function, or for a
 * built-in (internal) its execute_data, resolved here by caller_loc(). */
static __always_inline void report(__u16 type, const struct bg_php_fn *fn, __u64 loc, __u32 line,
				   __u32 nr, __u32 depth, bool internal)
{
	struct bg_php_event *e;
	__u64 file = internal ? caller_loc(loc, &line) : loc;

	if (action == BG_ACT_KILL)
		bpf_send_signal(SIGKILL);
	/* One null check right after the reservation, not bg_reserve()'s:
	 * clang merges two checks into a second test of a non-null record,
	 * whose "null" branch 6.1's verifier walks and reports as a leak. */
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		bg_stat_inc(BG_STAT_DROPPED);
		return;
	}
	bg_hdr(&e->hdr, type, sizeof(*e));
	e->hdr.action = action;
	e->hdr.rule_id = type == BG_EV_PHP_SYSCALL ? rule_sys
			 : fn->fn[0] == '('	   ? rule_file
						   : rule_call;
	e->hdr.mechanism = action == BG_ACT_KILL_USER ? BG_MECH_USER
			   : type == BG_EV_PHP_CALL   ? BG_MECH_UPROBE
						      : BG_MECH_TRACEPOINT;
	/* A call killed at entry never runs its body; a syscall killed at
	 * sys_enter may still complete; kill-user acts later. */
	e->hdr.outcome = action == BG_ACT_ALERT				   ? BG_OUT_SUCCESS
			 : action == BG_ACT_KILL && type == BG_EV_PHP_CALL ? BG_OUT_FAILURE
									   : BG_OUT_UNKNOWN;
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	__builtin_memcpy(&e->func, fn, sizeof(e->func));
	e->file[0] = 0;
	if (file)
		bpf_probe_read_user_str(e->file, sizeof(e->file), (void *)file);
	e->line = line;
	e->nr = nr;
	e->depth = depth;
	e->internal = internal;
	bg_submit(e);
}

/* Look the function up (enforce) or record it (profile); push a frame. */
static __always_inline int on_call(struct bg_php_fn *key, __u64 loc, __u32 line, bool internal)
{
	struct php_stack *st;
	struct php_frame *fr;
	__u32 *idp, id, zero = 0, *next, d;

	idp = bpf_map_lookup_elem(&php_funcs, key);
	if (idp) {
		id = *idp;
	} else if (enforce) {
		id = BG_PHP_ID_UNLISTED;
		st = stack_get(false);
		report(BG_EV_PHP_CALL, key, loc, line, 0, st ? st->depth + 1 : 1, internal);
	} else {
		next = bpf_map_lookup_elem(&php_next_id, &zero);
		if (!next)
			return 0;
		id = __sync_fetch_and_add(next, 1) + 1;
		if (id >= BG_PHP_FUNCS_MAX) {
			php_err(BG_PHPE_FUNCS_FULL);
			id = BG_PHP_ID_UNLISTED;
		} else if (bpf_map_update_elem(&php_funcs, key, &id, BPF_NOEXIST)) {
			/* Another CPU recorded it first: use its id. */
			idp = bpf_map_lookup_elem(&php_funcs, key);
			id = idp ? *idp : BG_PHP_ID_UNLISTED;
		}
	}
	st = stack_get(true);
	if (!st)
		return 0;
	d = st->depth;
	if (d >= BG_PHP_STACK) {
		php_err(BG_PHPE_DEEP_CALLS);
		if (st->floor < d - BG_PHP_STACK + 1)
			st->floor = d - BG_PHP_STACK + 1;
	}
	fr = &st->f[d & (BG_PHP_STACK - 1)];
	fr->id = id;
	fr->line = line;
	fr->loc = loc;
	fr->internal = internal;
	st->depth = d + 1;
	return 0;
}

static __always_inline int on_return(void)
{
	struct php_stack *st = stack_get(false);

	if (!st)
		return 0;
	if (st->depth)
		st->depth--;
	else
		php_err(BG_PHPE_UNDERFLOW);
	if (st->floor > st->depth)
		st->floor = st->depth;
	return 0;
}

static __always_inline void read_name(char *dst, const char *src)
{
	if (src && bpf_probe_read_user_str(dst, BG_PHP_NAME, src) == BG_PHP_NAME)
		php_err(BG_PHPE_NAME_TRUNC);
}

/* function__entry(funcname, filename, lineno, classname, scope). The
 * arguments are fetched after the cgroup check, not by BPF_USDT() before
 * the body: a process we do not watch pays the trap and one lookup. */
SEC("usdt")
int php_fn_entry(struct pt_regs *ctx)
{
	struct bg_php_fn key = {};
	long fn = 0, file = 0, line = 0, cls = 0;

	if (!tracked())
		return 0;
	bpf_usdt_arg(ctx, 0, &fn);
	bpf_usdt_arg(ctx, 1, &file);
	bpf_usdt_arg(ctx, 2, &line);
	bpf_usdt_arg(ctx, 3, &cls);
	read_name(key.fn, (const char *)fn);
	read_name(key.cls, (const char *)cls);
	return on_call(&key, file, line, false);
}

SEC("usdt")
int BPF_USDT(php_fn_return)
{
	if (!tracked())
		return 0;
	return on_return();
}

/* Built-in functions: dtrace_execute_internal(execute_data, return_value).
 * Only the name is read here (the function, its name, its class: the
 * hot path); the caller's file and line are found from the saved
 * execute_data when an event needs them (caller_loc). */
SEC("uprobe")
int BPF_KPROBE(php_int_entry, void *ex)
{
	struct bg_php_fn key = {};
	__u64 func, scope, fb[4] = {};

	if (!tracked())
		return 0;
	func = read_ptr((__u64)ex + off_ex_func);
	/* zend_function: type, function_name, scope in its first 32 bytes. */
	if (!func || bpf_probe_read_user(fb, sizeof(fb), (void *)func))
		return 0;
	read_name(key.fn, (const char *)(fb[(off_fn_name / 8) & 3] + off_str_val));
	scope = fb[(off_fn_scope / 8) & 3];
	if (scope)
		read_name(key.cls, (const char *)(read_ptr(scope + off_ce_name) + off_str_val));
	return on_call(&key, (__u64)ex, 0, true);
}

SEC("uretprobe")
int BPF_KRETPROBE(php_int_return)
{
	if (!tracked())
		return 0;
	return on_return();
}

/* A fatal error unwinds with longjmp, past the return probes: each request
 * starts with an empty stack. */
SEC("usdt")
int BPF_USDT(php_request)
{
	struct php_stack *st;

	if (!tracked())
		return 0;
	st = stack_get(false);
	if (st) {
		st->depth = 0;
		st->floor = 0;
	}
	return 0;
}

/* compile__file__entry(compiled_filename, original_filename): profile
 * records the file; run checks it against php.files, before the file is
 * compiled or any of it runs (a PHP file uploaded and then requested). */
SEC("usdt")
int php_compile(struct pt_regs *ctx)
{
	static const struct bg_php_fn compile = {.fn = "(compile)"};
	struct bg_php_file *f;
	struct php_stack *st;
	long compiled = 0, orig = 0, name;
	__u32 zero = 0;
	__u8 one = 1;

	if ((enforce && !check_files) || !tracked())
		return 0;
	bpf_usdt_arg(ctx, 0, &compiled);
	bpf_usdt_arg(ctx, 1, &orig);
	f = bpf_map_lookup_elem(&php_scratch, &zero);
	if (!f)
		return 0;
	__builtin_memset(f, 0, sizeof(*f));
	/* The resolved path is NULL (read as address 0x18) when no extension
	 * such as opcache opened the file first: take the name as given. */
	name = compiled;
	if (bpf_probe_read_user_str(f->path, sizeof(f->path), (void *)compiled) <= 1) {
		name = orig;
		if (bpf_probe_read_user_str(f->path, sizeof(f->path), (void *)orig) <= 1)
			return 0;
	}
	if (!enforce) {
		if (bpf_map_update_elem(&php_files, f, &one, BPF_NOEXIST) == -7 /* E2BIG */)
			php_err(BG_PHPE_FILES_FULL);
		return 0;
	}
	if (bpf_map_lookup_elem(&php_files, f))
		return 0;
	st = stack_get(false);
	report(BG_EV_PHP_CALL, &compile, name, 0, 0, st ? st->depth : 0, false);
	return 0;
}

/* Attribute the syscall to the function on top of this thread's stack. */
SEC("tp_btf/sys_enter")
int BPF_PROG(php_sys_enter, struct pt_regs *regs, long id_)
{
	__u64 nr = id_;
	struct task_struct *task;
	struct php_stack *st;
	struct bg_php_sys *sys;
	struct bg_php_fn *name;
	struct php_frame *fr;
	__u32 d, id;

	if (!tracked())
		return 0;
	task = bpf_get_current_task_btf();
	st = bpf_task_storage_get(&php_stacks, task, 0, 0);
	if (!st || !st->depth)
		return 0; /* no PHP function running: the syscalls section covers it */
	if (task->thread_info.status & 0x0002 /* TS_COMPAT */) {
		php_err(BG_PHPE_COMPAT);
		return 0;
	}
	/* uretprobe (335, 6.11+) and uprobe (336, 6.16+) are made by the
	 * kernel's trampolines for our own probes, not by PHP. */
	if (nr >= BG_SYSCALL_MAX || nr == 335 || nr == 336)
		return 0;
	d = st->depth;
	if (d - 1 < st->floor) {
		/* The frame on top was overwritten by deeper calls. */
		php_err(BG_PHPE_DEEP_SYSCALLS);
		return 0;
	}
	fr = &st->f[(d - 1) & (BG_PHP_STACK - 1)];
	id = fr->id;
	if (id >= BG_PHP_FUNCS_MAX)
		return 0; /* outside the allowlist: already reported at its entry */
	sys = bpf_map_lookup_elem(&php_fsys, &id);
	if (!sys)
		return 0;
	if (!enforce) {
		__sync_fetch_and_or(&sys->bits[(nr / 64) & (BG_SYSCALL_WORDS - 1)],
				    1ULL << (nr % 64));
		return 0;
	}
	if (sys->bits[(nr / 64) & (BG_SYSCALL_WORDS - 1)] & (1ULL << (nr % 64)))
		return 0;
	name = bpf_map_lookup_elem(&php_names, &id);
	if (!name)
		return 0;
	report(BG_EV_PHP_SYSCALL, name, fr->loc, fr->line, nr, d, fr->internal);
	return 0;
}
