/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_PHP_H
#define BG_PHP_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct bg_events;
struct bg_policy;
struct bg_policy_php;
struct bg_php_bpf;
struct bpf_link;

/* Where a PHP binary keeps the frame it runs (src/php_engine.c): offsets
 * in the engine's structures, and how the kernel half finds
 * executor_globals.current_execute_data in a process running the binary
 * (mm->start_code + eg_delta, when mm->exe_file is dev:ino). */
struct bg_php_layout {
	uint32_t off_ex_opline, off_ex_func, off_ex_prev;
	uint32_t off_fn_type, off_fn_name, off_fn_scope;
	uint32_t off_op_filename, off_opline_lineno;
	uint32_t off_ce_name, off_str_val;
	uint32_t off_cur_ex; /* current_execute_data in executor_globals */
	/* What compiling defines: executor_globals' function_table and
	 * class_table (pointers), a zend_class_entry's method table. */
	uint32_t off_fn_table, off_cls_table, off_ce_fns;
	uint64_t eg_base_addr; /* in the calibration process */
	/* Built-in methods: "Class::method" and its handler (file offset). */
	struct bg_php_method {
		char name[2 * 64 + 2];
		char *path;
		uint64_t off;
	} * methods;
	size_t n_methods;
	int64_t eg_delta;
	uint64_t ino;
	uint32_t dev; /* the kernel's encoding */
	uint32_t api; /* ZEND_MODULE_API_NO */
	char ext_dir[PATH_MAX];
};

/* The PHP guard (bpf/php.bpf.c): profile records a php: section, run
 * enforces it. A zeroed struct is "not started"; bg_php_stop is safe on it. */
struct bg_php {
	struct bg_php_bpf *skel;
	char bin[PATH_MAX]; /* the PHP binary probed */
	struct bg_php_layout layout;
	int action;
	const struct bg_policy *pol;
	/* Per-call mode (profile): every built-in call is seen through
	 * dtrace_execute_internal. Otherwise (run, monitor) only the handlers
	 * of built-ins outside the policy are trapped (src/php_builtins.c). */
	bool calls;
	bool multi;		      /* the kernel has uprobe_multi links */
	struct bpf_link **trap_links; /* one uprobe each, or NULL beside a */
	int *trap_fds;		      /* uprobe_multi link's fd (else -1) */
	size_t n_traps, n_trapped;
	double trap_ms; /* time to find and attach them */
	/* profile: every built-in's handler is trapped until the kernel has
	 * recorded its names; a thread then detaches it. */
	struct bg_php_trap_name {
		size_t link;
		char *name;
	} * trap_names;
	size_t n_names, n_detached;
	struct bg_php_handler {
		char *path;
		uint64_t off;
		bool done; /* all its names recorded: left out of the links */
	} * handlers;
	size_t n_handlers;
	pthread_t detacher;
	bool detacher_on;
	volatile bool detacher_stop;
	/* kill-user: the hook another guard set before ours, called first. */
	int (*prev_hook)(void *ctx, const void *data, size_t size);
	void *prev_ctx;
};

/* Find the PHP binary of cmd (PATH), of pid (/proc/PID/exe), or
 * $BPFGUARD_PHP. 0: found and it carries php:function__entry; -ENOENT:
 * not a PHP program; -ENOTSUP: PHP without probes (message printed). */
int bg_php_find(char *const *cmd, pid_t pid, char *out, size_t len);
/* 1 if the ELF file has a .note.stapsdt probe provider:name, 0 if not. */
int bg_php_has_probe(const char *path, const char *provider, const char *name);
/* cmd through PATH (or as a path) to its real path. */
int bg_php_which(const char *cmd, char *out, size_t len);
/* Measure bin's layout (runs a PHP CLI of the same build once); the
 * message is printed on failure (-ENOTSUP: not a PHP whose running
 * function can be read). */
int bg_php_layout(const char *bin, struct bg_php_layout *l);
void bg_php_layout_free(struct bg_php_layout *l);
/* Every built-in function of bin and of the shared extensions in
 * l->ext_dir: its name and its handler's file offset in path. */
int bg_php_builtins(const struct bg_php_layout *l, const char *bin,
		    int (*cb)(void *ctx, const char *path, const char *name, uint64_t off),
		    void *ctx);

/* profile: does nothing (returns 0) unless cmd/pid is a PHP program (or
 * $BPFGUARD_PHP names one). The processes watched: cgroup_id (the
 * command's), else the cgroup v2 directory cgroup, else pid's cgroup. */
int bg_php_profile_start(struct bg_php *ph, char *const *cmd, pid_t pid, const char *cgroup,
			 uint64_t cgroup_id);
int bg_php_profile_collect(struct bg_php *ph, struct bg_policy *pol);
/* run, with a policy that has a php: section. */
int bg_php_run_start(struct bg_php *ph, char *const *cmd, const struct bg_policy *pol, int action,
		     struct bg_events *ev, uint64_t cgroup_id);
/* monitor: the processes watched are the bits of procs_fd (monitor's
 * mon_procs); the PHP binary is found from the first of them that runs
 * PHP (/proc/PID/exe, or a libphp it maps), else from exe, else
 * $BPFGUARD_PHP. Says which of them lack USE_ZEND_DTRACE=1. */
int bg_php_monitor_start(struct bg_php *ph, const struct bg_policy *pol, int action,
			 struct bg_events *ev, int procs_fd, const char *exe);
void bg_php_stop(struct bg_php *ph);

/* src/php_builtins.c */
bool bg_php_uprobe_multi(void);
int bg_php_trap_builtins(struct bg_php *ph, const struct bg_policy_php *pp);
int bg_php_trap_all_builtins(struct bg_php *ph);
int bg_php_builtin_aliases(const struct bg_php *ph, struct bg_policy *pol);
void bg_php_untrap_builtins(struct bg_php *ph);

#endif
