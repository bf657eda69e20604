/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `bpfguard monitor`: map keys and values shared by bpf/monitor.bpf.c and
 * src/sandbox/monitor.c. Files and executables are matched by identity (device and
 * inode, resolved from the policy's paths in user space), never by the
 * path string or comm a process controls.
 */
#ifndef BPFGUARD_MONITOR_H
#define BPFGUARD_MONITOR_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <bpfguard/ident.h> /* struct bg_ident: the key of files and programs */

/* Rule ids (hdr.rule_id), named policy.<section> in events. */
enum bg_mon_rule {
	BG_MON_RULE_SYSCALLS = 1,
	BG_MON_RULE_FILES = 2,
	BG_MON_RULE_NETWORK = 3,
	BG_MON_RULE_EXEC = 4,
};

/* Argument of the mon_seed program: a process to monitor. */
struct bg_mon_seed {
	__u32 tgid;
	__u32 pad;
};

/*
 * What a policy path grants (BG_ACC_READ/WRITE/CREAT/TRUNC bits): to the
 * object itself, and to the directories and files below it when it is a
 * directory (found by walking the opened file's dentry parents).
 */
struct bg_mon_file_rule {
	__u32 self;
	__u32 below_dir;
	__u32 below_file;
	__u32 pad;
};

/* Kernel-side failures, counted and reported at exit. */
enum bg_mon_err {
	BG_MERR_SIGNAL = 0,	/* bpf_send_signal failed: a kill did not happen */
	BG_MERR_PROCS_FULL = 1, /* a pid above the bitmap (pid_max grew) */
	BG_MERR_FD = 2,		/* an opened fd could not be resolved to its file */
	BG_MERR_MAX = 4,
};

#define BG_MON_PID_WORDS   (4194304 / 64) /* PID_MAX_LIMIT; sized from pid_max at load */
#define BG_MON_FILES_MAX   16384
#define BG_MON_EXES_MAX	   4096
#define BG_MON_CGROUPS_MAX 64
#define BG_MON_WALK_DEPTH  32 /* directory levels searched for a rule */

#endif
