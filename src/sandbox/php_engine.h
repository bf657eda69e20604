/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_PHP_ENGINE_H
#define BG_PHP_ENGINE_H

/* Reading a PHP binary: where its engine keeps the running frame, and its
 * built-in functions' handlers (src/sandbox/php_engine.c, php_modules.c). */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* Where a PHP binary keeps the frame it runs (src/sandbox/php_engine.c): offsets
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

#endif
