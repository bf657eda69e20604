// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PHP guard, with no trap on an allowed call (USE_ZEND_DTRACE=1 must
 * be set for PHP to fire its probes):
 * - user code is checked when it is compiled: compile__file__entry checks
 *   the file against php.files; compile__file__return and a uretprobe on
 *   compile_string (eval) walk what the compile added to the process's
 *   function and class tables, each function and method of which must
 *   be in the allowlist (profile records them);
 * - built-ins: run traps only the handlers of the built-ins the policy
 *   does not allow (src/sandbox/php_builtins.c); profile sees every built-in call
 *   through dtrace_execute_internal (zend_execute_internal);
 * - syscalls: at sys_enter the running PHP function is read from the
 *   process's memory (executor_globals.current_execute_data): profile
 *   records a syscall set per function, run checks it.
 * kill is bpf_send_signal(SIGKILL) from the probe, which the task takes on
 * its way back to user space: before the function's body, or any of the
 * compiled code, runs.
 *
 * Processes are selected by cgroup (forked workers, php-fpm, stay in it)
 * or, for monitor, by its bitmap of pids.
 */
#include "lib/common.bpf.h"
#include <bpf/usdt.bpf.h>
#include <bpfguard/php.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ZEND_INTERNAL_FUNCTION 1
#define ZEND_USER_FUNCTION     2
#define ZEND_USER_CLASS	       2

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
/* Where the running PHP frame is (cur_ex()): the PHP binary's identity
 * and the distance from its text start to current_execute_data. */
const volatile __u64 php_ino = 0;
const volatile __u32 php_dev = 0;
const volatile __s64 eg_delta = 0;
/* What compiling defines (check_defs()): executor_globals at eg_base from
 * the text start, its function_table and class_table pointers, a class
 * entry's method table. */
const volatile __s64 eg_base = 0;
const volatile __u32 off_fn_table = 0, off_cls_table = 0, off_ce_fns = 0;

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

/* Per process: how far its function and class tables were checked, so
 * that each compile walks only what it added. mm tells an exec'd or
 * forked image from the one counted. */
struct php_seen {
	__u64 mm;
	__u32 fns, classes;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32); /* tgid */
	__type(value, struct php_seen);
} php_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_php_file);
} php_scratch SEC(".maps");

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

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	if (addr)
		bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* The frame PHP is executing in the current process: executor_globals'
 * current_execute_data, at eg_delta from the start of the PHP binary's
 * text (mm->start_code), as user space measured it (src/sandbox/php.c). 0 when
 * the process does not run that binary (a shell in the same cgroup) or
 * runs no PHP code right now (startup, shutdown, between requests). */
static __always_inline __u64 php_text(struct mm_struct *mm)
{
	struct inode *ino;

	if (!mm)
		return 0;
	ino = BPF_CORE_READ(mm, exe_file, f_inode);
	if (!ino || BPF_CORE_READ(ino, i_ino) != php_ino ||
	    BPF_CORE_READ(ino, i_sb, s_dev) != php_dev)
		return 0;
	return BPF_CORE_READ(mm, start_code);
}

static __always_inline __u64 cur_ex(struct task_struct *task)
{
	__u64 text = php_text(BPF_CORE_READ(task, mm));

	return text ? read_ptr(text + eg_delta) : 0;
}

static __always_inline void read_name(char *dst, __u64 zstr)
{
	if (zstr &&
	    bpf_probe_read_user_str(dst, BG_PHP_NAME, (void *)(zstr + off_str_val)) == BG_PHP_NAME)
		bg_stat_inc(BG_STAT_PHP_NAME_TRUNC);
}

/* The function frame ex runs: its name and class into key (a file's or
 * an eval's top-level code has no name: "main", as PHP's probes call
 * it); *internal for a built-in. Returns the zend_function, 0 if none. */
static __always_inline __u64 fn_key(__u64 func, struct bg_php_fn *key, bool *internal)
{
	__u64 fb[4] = {}, name, scope;

	/* zend_function: type, function_name, scope in its first 32 bytes. */
	if (!func || bpf_probe_read_user(fb, sizeof(fb), (void *)func))
		return 0;
	*internal = (fb[(off_fn_type / 8) & 3] & 0xff) == ZEND_INTERNAL_FUNCTION;
	name = fb[(off_fn_name / 8) & 3];
	if (name)
		read_name(key->fn, name);
	else
		__builtin_memcpy(key->fn, "main", 5);
	scope = fb[(off_fn_scope / 8) & 3];
	if (scope)
		read_name(key->cls, read_ptr(scope + off_ce_name));
	return func;
}

static __always_inline __u64 frame_fn(__u64 ex, struct bg_php_fn *key, bool *internal)
{
	return fn_key(read_ptr(ex + off_ex_func), key, internal);
}

/* Where frame ex is in PHP code: for a PHP function its file and the
 * line it executes; for a built-in the file and line of the PHP code that
 * called it (the previous frame, when that is PHP code). */
static __always_inline __u64 frame_loc(__u64 ex, bool internal, __u32 *line)
{
	__u64 func, opline;
	__u8 type = 0;

	*line = 0;
	if (internal)
		ex = read_ptr(ex + off_ex_prev);
	func = ex ? read_ptr(ex + off_ex_func) : 0;
	if (!func || bpf_probe_read_user(&type, 1, (void *)(func + off_fn_type)) ||
	    type == ZEND_INTERNAL_FUNCTION)
		return 0;
	opline = read_ptr(ex + off_ex_opline);
	if (opline)
		bpf_probe_read_user(line, sizeof(*line), (void *)(opline + off_opline_lineno));
	func = read_ptr(func + off_op_filename);
	return func ? func + off_str_val : 0;
}

struct depth_walk {
	__u64 ex;
	__u32 depth;
};

static long depth_step(__u32 i, void *ctx)
{
	struct depth_walk *w = ctx;

	if (!w->ex)
		return 1;
	w->depth++;
	w->ex = read_ptr(w->ex + off_ex_prev);
	return 0;
}

/* Frames on the PHP stack from ex down (events only: never on the hot
 * path). BG_PHP_DEPTH_MAX means at least that many. */
static __always_inline __u32 php_depth(__u64 ex)
{
	struct depth_walk w = {.ex = ex};

	bpf_loop(BG_PHP_DEPTH_MAX, depth_step, &w, 0);
	return w.depth;
}

static __always_inline void report(__u16 type, const struct bg_php_fn *fn, __u64 file, __u32 line,
				   __u32 nr, __u32 depth, bool internal)
{
	struct bg_php_event *e;

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

/* The function's id: the allowlist's (run: BG_PHP_ID_UNLISTED when it is
 * not there), or the one profile gives it the first time it is seen. */
static __always_inline __u32 fn_id(const struct bg_php_fn *key)
{
	__u32 *idp = bpf_map_lookup_elem(&php_funcs, key), zero = 0, *next, id;

	if (idp)
		return *idp;
	if (enforce)
		return BG_PHP_ID_UNLISTED;
	next = bpf_map_lookup_elem(&php_next_id, &zero);
	if (!next)
		return BG_PHP_ID_UNLISTED;
	id = __sync_fetch_and_add(next, 1) + 1;
	if (id >= BG_PHP_FUNCS_MAX) {
		bg_stat_inc(BG_STAT_PHP_FUNCS_FULL);
		return BG_PHP_ID_UNLISTED;
	}
	if (bpf_map_update_elem(&php_funcs, key, &id, BPF_NOEXIST)) {
		/* Another CPU recorded it first: use its id. */
		idp = bpf_map_lookup_elem(&php_funcs, key);
		id = idp ? *idp : BG_PHP_ID_UNLISTED;
	}
	return id;
}

/* A built-in function called: ex is its frame. Aliases share a handler
 * (join, implode): the name is read from the frame and looked up. */
static __always_inline int on_builtin(__u64 ex)
{
	struct bg_php_fn key = {};
	__u32 line;
	__u64 file;
	bool internal;

	if (!tracked() || !frame_fn(ex, &key, &internal))
		return 0;
	if (fn_id(&key) != BG_PHP_ID_UNLISTED || !enforce)
		return 0;
	file = frame_loc(ex, true, &line);
	report(BG_EV_PHP_CALL, &key, file, line, 0, php_depth(ex), true);
	return 0;
}

/* Two attachments of one program, zif_NAME(execute_data, return_value):
 * run puts it on the handler of each built-in the policy does not allow,
 * and only those, so an allowed built-in runs untouched; profile (and
 * --php-calls) on dtrace_execute_internal(execute_data, return_value),
 * which USE_ZEND_DTRACE=1 routes every built-in call through. */
SEC("uprobe")
int BPF_KPROBE(php_int_entry, void *ex)
{
	return on_builtin((__u64)ex);
}

/* profile: the handlers called, by the index user space gave each as
 * its cookie; it re-links without them (src/sandbox/php_builtins.c). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_PHP_HANDLERS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} php_hseen SEC(".maps");

/* The same, as one uprobe_multi link per file (kernels 6.6+): user space
 * sets its expected attach type, which libbpf 1.1 has no section for. */
SEC("uprobe")
int BPF_KPROBE(php_int_multi, void *ex)
{
	if (!enforce && tracked()) {
		__u32 k = bpf_get_attach_cookie(ctx);
		__u8 *v = bpf_map_lookup_elem(&php_hseen, &k);

		if (v)
			*v = 1;
	}
	return on_builtin((__u64)ex);
}

/* The functions and methods a compile added to the process's tables:
 * new entries of function_table, then of class_table with each new
 * class's methods, one step per bpf_loop iteration. */
struct def_walk {
	struct bg_php_fn key;	     /* the function checked; the unlisted one at the end */
	__u64 fns, classes, methods; /* arData of each table */
	__u32 fi, fend, ci, cend, mi, mend;
	bool bad;
};

static __always_inline void ht_span(__u64 ht, __u64 *data, __u32 *used)
{
	__u64 h[4] = {};

	if (ht)
		bpf_probe_read_user(h, sizeof(h), (void *)ht);
	*data = h[(BG_PHP_HT_DATA / 8) & 3];
	*used = h[(BG_PHP_HT_USED / 8) & 3];
}

static long def_step(__u32 i, void *ctx)
{
	struct def_walk *w = ctx;
	__u64 b[2] = {}, at;
	bool internal;
	__u8 type = 0;

	if (w->fi < w->fend) {
		at = w->fns + (__u64)w->fi++ * BG_PHP_BUCKET;
	} else if (w->mi < w->mend) {
		at = w->methods + (__u64)w->mi++ * BG_PHP_BUCKET;
	} else if (w->ci < w->cend) {
		/* The next class: its methods come next (built-in classes',
		 * and a deleted bucket's, are skipped). */
		at = w->classes + (__u64)w->ci++ * BG_PHP_BUCKET;
		w->mi = w->mend = 0;
		if (bpf_probe_read_user(b, sizeof(b), (void *)at) || !(b[1] & 0xff) || !b[0] ||
		    bpf_probe_read_user(&type, 1, (void *)b[0]) || type != ZEND_USER_CLASS)
			return 0;
		ht_span(b[0] + off_ce_fns, &w->methods, &w->mend);
		return 0;
	} else {
		return 1;
	}
	/* A bucket: zval {value, type_info}; IS_UNDEF marks a deleted one. */
	if (bpf_probe_read_user(b, sizeof(b), (void *)at) || !(b[1] & 0xff) || !b[0])
		return 0;
	__builtin_memset(&w->key, 0, sizeof(w->key));
	if (!fn_key(b[0], &w->key, &internal) || internal)
		return 0;
	if (fn_id(&w->key) == BG_PHP_ID_UNLISTED && enforce) {
		w->bad = true;
		return 1;
	}
	return 0;
}

/* After PHP compiled a file or an eval'd string, before any of it runs:
 * each function and method it defined is recorded (profile) or must be
 * in the allowlist (run). This replaces a probe on every call of a
 * user function: code is checked once, when it enters the process. */
static __always_inline void check_defs(__u64 file, __u32 line)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct mm_struct *mm = task->mm;
	struct def_walk w = {};
	struct php_seen *seen, now;
	__u64 text = php_text(mm), eg;

	if (!text)
		return;
	eg = text + eg_base;
	ht_span(read_ptr(eg + off_fn_table), &w.fns, &w.fend);
	ht_span(read_ptr(eg + off_cls_table), &w.classes, &w.cend);
	seen = bpf_map_lookup_elem(&php_seen, &tgid);
	if (seen && seen->mm == (__u64)mm) {
		w.fi = seen->fns;
		w.ci = seen->classes;
	}
	bpf_loop(1 << 20, def_step, &w, 0);
	now.mm = (__u64)mm;
	now.fns = w.fend;
	now.classes = w.cend;
	bpf_map_update_elem(&php_seen, &tgid, &now, BPF_ANY);
	if (w.bad)
		report(BG_EV_PHP_CALL, &w.key, file, line, 0, php_depth(cur_ex(task)), false);
}

/* compile__file__return(compiled_filename, original_filename). */
SEC("usdt")
int php_compiled(struct pt_regs *ctx)
{
	long compiled = 0, orig = 0;
	char c = 0;

	if (!tracked())
		return 0;
	bpf_usdt_arg(ctx, 0, &compiled);
	bpf_usdt_arg(ctx, 1, &orig);
	/* The resolved name is NULL when nothing resolved it (php_compile). */
	if (bpf_probe_read_user(&c, 1, (void *)compiled) || !c)
		compiled = orig;
	check_defs(compiled, 0);
	return 0;
}

/* compile_string() returned: an eval'd string (or create_function-like
 * code) compiled. The event names the file and line of the eval. */
SEC("uretprobe")
int php_eval_compiled(struct pt_regs *ctx)
{
	__u64 file;
	__u32 line;

	if (!tracked())
		return 0;
	file = frame_loc(cur_ex(bpf_get_current_task_btf()), false, &line);
	check_defs(file, line);
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
			bg_stat_inc(BG_STAT_PHP_FILES_FULL);
		return 0;
	}
	if (bpf_map_lookup_elem(&php_files, f))
		return 0;
	report(BG_EV_PHP_CALL, &compile, name, 0, 0,
	       php_depth(cur_ex((struct task_struct *)bpf_get_current_task())), false);
	return 0;
}

/* Attribute the syscall to the PHP function executing now, read from the
 * process's own memory (the frame PHP is in), not from a stack kept by
 * probes on every call and return. */
SEC("tp_btf/sys_enter")
int BPF_PROG(php_sys_enter, struct pt_regs *regs, long id_)
{
	struct bg_php_fn key = {};
	struct task_struct *task;
	struct bg_php_sys *sys;
	__u64 nr = id_, ex, file;
	__u32 id, line;
	bool internal;

	if (!tracked())
		return 0;
	task = bpf_get_current_task_btf();
	ex = cur_ex(task);
	if (!ex)
		return 0; /* no PHP function running: the syscalls section covers it */
	if (task->thread_info.status & 0x0002 /* TS_COMPAT */) {
		bg_stat_inc(BG_STAT_PHP_COMPAT);
		return 0;
	}
	/* uretprobe (335, 6.11+) and uprobe (336, 6.16+) are made by the
	 * kernel's trampolines for our own probes, not by PHP. */
	if (nr >= BG_SYSCALL_MAX || nr == 335 || nr == 336)
		return 0;
	if (!frame_fn(ex, &key, &internal))
		return 0;
	id = fn_id(&key);
	sys = id < BG_PHP_FUNCS_MAX ? bpf_map_lookup_elem(&php_fsys, &id) : NULL;
	if (!enforce) {
		if (sys)
			__sync_fetch_and_or(&sys->bits[(nr / 64) & (BG_SYSCALL_WORDS - 1)],
					    1ULL << (nr % 64));
		return 0;
	}
	/* A function outside the allowlist that makes a syscall is a
	 * violation too, whichever way it was reached. */
	if (sys && sys->bits[(nr / 64) & (BG_SYSCALL_WORDS - 1)] & (1ULL << (nr % 64)))
		return 0;
	file = frame_loc(ex, internal, &line);
	report(BG_EV_PHP_SYSCALL, &key, file, line, nr, php_depth(ex), internal);
	return 0;
}
