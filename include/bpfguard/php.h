/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The PHP guard (bpf/php.bpf.c, src/sandbox/php.c): the PHP function running when
 * a syscall is made, read from the process's memory; PHP functions and
 * files checked through PHP's probes; per-function syscall sets. Shared by
 * both halves.
 */
#ifndef BPFGUARD_PHP_H
#define BPFGUARD_PHP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <bpfguard/events.h>
#include <bpfguard/profile.h>

#define BG_PHP_NAME	    64	/* class and function name bytes, NUL included */
#define BG_PHP_FILE	    192 /* file name bytes in an event */
#define BG_PHP_DEPTH_MAX    128 /* frames an event's depth counts, at most */
#define BG_PHP_FUNCS_MAX    4096
#define BG_PHP_FILES_MAX    4096
#define BG_PHP_HANDLERS_MAX 8192 /* built-in handlers profile traps */
/* PHP 8's HashTable: arData and nNumUsed at these offsets, Buckets of
 * BG_PHP_BUCKET bytes {zval val (value, type_info), h, key}. */
#define BG_PHP_HT_DATA 16
#define BG_PHP_HT_USED 24
#define BG_PHP_BUCKET  32

/* Rule ids of run's events: 16 and 17 (the event types) for functions and
 * syscalls; a PHP file compiled outside php.files is a BG_EV_PHP_CALL of
 * the pseudo-function "(compile)" under this rule. */
#define BG_PHP_RULE_FILES 18

/* Function ids: 0 is "no PHP function on the stack"; profile ids from 1. */
#define BG_PHP_ID_NONE	   0
#define BG_PHP_ID_UNLISTED 0xfffffffeu /* function outside the allowlist (alert) */

/* "Class::method" is {cls, fn}; a plain function has cls[0] == 0. */
struct bg_php_fn {
	char cls[BG_PHP_NAME];
	char fn[BG_PHP_NAME];
};

struct bg_php_sys {
	__u64 bits[BG_SYSCALL_WORDS]; /* x86_64 syscalls made with this function on top */
};

struct bg_php_file {
	char path[BG_PATH_MAX];
};

/* BG_EV_PHP_CALL (a function outside the allowlist) and BG_EV_PHP_SYSCALL
 * (a syscall the calling function never made while profiled). */
struct bg_php_event {
	struct bg_event_hdr hdr;
	struct bg_proc proc;
	struct bg_php_fn func;
	char file[BG_PHP_FILE]; /* of the call (internal functions) or of the function */
	__u32 line;
	__u32 nr;	/* syscall number (BG_EV_PHP_SYSCALL) */
	__u32 depth;	/* PHP stack depth at the event */
	__u32 internal; /* 1: a built-in (C) function such as system() */
};

_Static_assert(sizeof(struct bg_php_fn) == 2 * BG_PHP_NAME, "bg_php_fn layout");
_Static_assert(sizeof(struct bg_php_event) % 8 == 0, "bg_php_event padding");

#endif
