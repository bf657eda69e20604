/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What `bpfguard profile` records, aggregated in the kernel: map keys and
 * values shared by bpf/profile.bpf.c and src/sandbox/profile.c. Nothing here is
 * per-event: each map holds the set of distinct things seen.
 */
#ifndef BPFGUARD_PROFILE_H
#define BPFGUARD_PROFILE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <bpfguard/events.h>
#include <bpfguard/netrule.h>

#define BG_SYSCALL_MAX	 512 /* syscall numbers recorded per ABI */
#define BG_SYSCALL_WORDS (BG_SYSCALL_MAX / 64)

/* Syscall bitmaps, kept apart per ABI so ia32 calls never pass as native. */
struct bg_prof_sys {
	__u64 native[BG_SYSCALL_WORDS]; /* x86_64 */
	__u64 compat[BG_SYSCALL_WORDS]; /* ia32 (int 0x80, sysenter) */
	__u64 x32_calls;		/* x32 ABI calls seen (not supported) */
};

/* File access, after a successful open: what the process asked for. */
#define BG_ACC_READ   0x1
#define BG_ACC_WRITE  0x2
#define BG_ACC_EXEC   0x4  /* executed (execve), or opened for execution */
#define BG_ACC_DIR    0x8  /* the object is a directory */
#define BG_ACC_CREAT  0x10 /* O_CREAT */
#define BG_ACC_TRUNC  0x20 /* O_TRUNC */
#define BG_ACC_EXECVE 0x40 /* the target of an execve (not only its interpreter) */
/* Entry operations, recorded for the path named (not the file's inode, which
 * may be gone): granted on the parent directory under Landlock. */
#define BG_ACC_REMOVE	   0x80	 /* unlink */
#define BG_ACC_RENAME_FROM 0x100 /* the old name of a rename */
#define BG_ACC_RENAME_TO   0x200 /* the new name of a rename */
#define BG_ACC_MKDIR	   0x400
#define BG_ACC_RMDIR	   0x800
#define BG_ACC_LINK_FROM   0x1000  /* an existing file given a new name (link) */
#define BG_ACC_LINK_TO	   0x2000  /* the new name of a hard link */
#define BG_ACC_SYMLINK	   0x4000  /* the name of a symlink made */
#define BG_ACC_MKFIFO	   0x8000  /* mknod S_IFIFO */
#define BG_ACC_MKSOCK	   0x10000 /* mknod S_IFSOCK, bind of a unix socket to a path */
#define BG_ACC_MKCHAR	   0x20000 /* mknod S_IFCHR */
#define BG_ACC_MKBLOCK	   0x40000 /* mknod S_IFBLK */
/* On a directory: the program's own workspace (`own-files`). Names created
 * there while profiled were temporary (created, then removed or renamed
 * away), or the program made the directory and created files in it. run
 * lets new names be made there (and in directories made below it) and
 * lets only the inodes created in that run be opened, renamed, linked or
 * removed; files already there stay governed by their own names. */
#define BG_ACC_OWN 0x80000
/* Every entry operation: a name, checked on its directory under Landlock. */
#define BG_ACC_ENTRY_OPS                                                                           \
	(BG_ACC_REMOVE | BG_ACC_RENAME_FROM | BG_ACC_RENAME_TO | BG_ACC_MKDIR | BG_ACC_RMDIR |     \
	 BG_ACC_LINK_FROM | BG_ACC_LINK_TO | BG_ACC_SYMLINK | BG_ACC_MKFIFO | BG_ACC_MKSOCK |      \
	 BG_ACC_MKCHAR | BG_ACC_MKBLOCK)

struct bg_prof_file {
	char path[BG_PATH_MAX];
};

/* Both names of a rename, as passed (folded in user space): a directory
 * renamed needs MAKE_DIR/REMOVE_DIR under Landlock, not the file rights,
 * and only the name that exists at the end (or one made by mkdir or
 * removed by rmdir) tells user space which it was. */
struct bg_prof_rename {
	char from[BG_PATH_MAX];
	char to[BG_PATH_MAX];
};

/* Network peers: connect/sendto/sendmsg destinations and bind addresses. */
/* enum bg_net_op: include/bpfguard/netrule.h */

struct bg_prof_net {
	__u16 family; /* AF_INET or AF_INET6 */
	__u16 port;   /* host byte order */
	__u8 op;      /* enum bg_net_op */
	__u8 pad[3];
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
};

#endif
