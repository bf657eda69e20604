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

/*
 * A set of identities as a bit filter in front of a hash map (the taint
 * and files guards' targets): one bit per identity's hash, 2^log2 bits,
 * set by user space for every key it writes, tested in the kernel before
 * the lookup. A clear bit means "not in the map" for certain and costs a
 * load and a test; a set bit only sends the lookup on, so a collision
 * costs the lookup it would have made anyway.
 */
static inline __u32 bg_ident_bit(__u64 ino, __u32 dev, __u32 log2)
{
	__u64 h = (ino ^ ((__u64)dev << 32 | dev)) * 0x9e3779b97f4a7c15ULL;

	return (__u32)(h >> (64 - log2)); /* the top log2 bits */
}

/* User space: add (ino, dev) to the filter words[2^log2 / 64]. */
static inline void bg_ident_filter_add(__u64 *words, __u32 log2, __u64 ino, __u32 dev)
{
	__u32 b = bg_ident_bit(ino, dev, log2);

	words[b / 64] |= 1ULL << (b % 64);
}

#endif /* BPFGUARD_IDENT_H */
