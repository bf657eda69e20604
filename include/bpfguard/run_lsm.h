/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* File and executable allowlists of `bpfguard run` under BPF LSM, shared by
 * bpf/run_lsm.bpf.c and src/sandbox/run_lsm.c. */
#ifndef BPFGUARD_RUN_LSM_H
#define BPFGUARD_RUN_LSM_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <bpfguard/events.h>

/* A path as the policy writes it, zero-padded: the hash key. Directories
 * have no trailing '/' here (except "/" itself). */
struct bg_lsm_path {
	char path[BG_PATH_MAX];
};

/* The value of a file rule: BG_ACC_* from the policy. A directory whose
 * value has BG_ACC_CREAT or BG_ACC_WRITE lets files be created, opened,
 * and removed directly in it. */

/* Sections the LSM object enforces (rodata `sections`). */
#define BG_LSM_FILES 0x1
#define BG_LSM_EXEC  0x2
#define BG_LSM_NET   0x4
#define BG_LSM_PATHS 0x8 /* files: create/unlink/mkdir/rmdir hooks too */

#endif
