/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Identity of a file or an executable: (device, inode) as the kernel sees
 * it, the key of every map that names files or programs. Shared by the BPF
 * side (bpf/lib/ident.bpf.h) and user space (src/core/ident.c).
 *
 * `dev` is the kernel's internal encoding of inode->i_sb->s_dev
 * (major << 20 | minor), NOT glibc's st_dev: user space converts with
 * bg_ident_dev() (src/core/ident.h). A path is never part of the identity, so a
 * hard link names the same file and a renamed copy names a different one.
 */
#ifndef BPFGUARD_IDENT_H
#define BPFGUARD_IDENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BG_KDEV_MINORBITS 20 /* the kernel's MINORBITS (include/linux/kdev_t.h) */

struct bg_ident {
	__u64 ino; /* inode->i_ino */
	__u32 dev; /* inode->i_sb->s_dev, kernel encoding */
	__u32 pad; /* zero: the struct is a hash key, compared bytewise */
};

_Static_assert(sizeof(struct bg_ident) == 16, "bg_ident layout");

#endif /* BPFGUARD_IDENT_H */
