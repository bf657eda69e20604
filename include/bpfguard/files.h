/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Protected files (agent guard `guards.files`): the maps bpf/files.bpf.c
 * reads and src/guards/files.c fills. Everything is keyed by (device, inode)
 * (include/bpfguard/ident.h), never by path or comm.
 *
 * Every key carries a generation (0 or 1). A reload writes the complete
 * new rule set under the generation not in use, flips the one `gen` word
 * the programs read, then deletes the old generation's entries: each check
 * sees either the whole old rule set or the whole new one, never a mix and
 * never nothing.
 */
#ifndef BPFGUARD_FILES_H
#define BPFGUARD_FILES_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include <bpfguard/ident.h>

#define BG_FILES_RULES_MAX   256   /* rules per generation */
#define BG_FILES_TARGETS_MAX 32768 /* protected files and directories, both generations */
#define BG_FILES_ALLOW_MAX   8192  /* (rule, executable) pairs, both generations */
/* Directory rules: ancestors of an opened file compared against the
 * protected directories; a file deeper than this below its protected
 * directory is not matched (docs/agent.md). */
#define BG_FILES_DIR_DEPTH 16

/* The filter in front of files_targets, per generation
 * (include/bpfguard/ident.h, bg_ident_bit): 65,536 bits, so that 10,000
 * targets leave about 86% of the bits clear. */
#define BG_FILES_FILTER_LOG2  16
#define BG_FILES_FILTER_WORDS ((1 << BG_FILES_FILTER_LOG2) / 64)

/* Access bits (rule restrictions and executable permissions). */
#define BG_FILES_READ  0x1
#define BG_FILES_WRITE 0x2 /* also unlink, rename, truncate, chmod, chown */

/* Target flags. */
#define BG_FILES_T_DIR 0x1 /* a directory: everything beneath it */

/* Operations in events. */
enum bg_file_op {
	BG_FILE_OP_OPEN = 1,
	BG_FILE_OP_UNLINK = 2,
	BG_FILE_OP_RENAME = 3,	/* the protected file is renamed */
	BG_FILE_OP_REPLACE = 4, /* a rename overwrites the protected file */
	BG_FILE_OP_TRUNCATE = 5,
	BG_FILE_OP_CHMOD = 6,
	BG_FILE_OP_CHOWN = 7,
	BG_FILE_OP_CREATE = 8, /* a new name beneath a protected directory */
};

struct bg_files_target_key {
	__u32 gen;
	__u32 pad;
	struct bg_ident id;
};

struct bg_files_target {
	__u32 rule;  /* index in the generation's rule table */
	__u32 flags; /* BG_FILES_T_* */
};

struct bg_files_allow_key {
	__u32 gen;
	__u32 rule;
	struct bg_ident exe;
};

/* files_rules[gen * BG_FILES_RULES_MAX + rule] */
struct bg_files_rule {
	__u32 rule_id;	/* hdr.rule_id of events (names the rule in user space) */
	__u8 action;	/* enum bg_action, after the kernel's capabilities */
	__u8 restrict_; /* BG_FILES_READ/WRITE: what only listed executables may do */
	__u8 valid;
	__u8 pad;
};

_Static_assert(sizeof(struct bg_files_target_key) == 24, "bg_files_target_key layout");
_Static_assert(sizeof(struct bg_files_target) == 8, "bg_files_target layout");
_Static_assert(sizeof(struct bg_files_allow_key) == 24, "bg_files_allow_key layout");
_Static_assert(sizeof(struct bg_files_rule) == 8, "bg_files_rule layout");

#endif /* BPFGUARD_FILES_H */
