/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* (device, inode) identity from user space, in the kernel's encoding. */
#ifndef BG_IDENT_H
#define BG_IDENT_H

#include <sys/stat.h>
#include <sys/types.h>

#include <bpfguard/ident.h>

/* glibc's dev_t (st_dev) to the kernel's s_dev encoding (major << 20 | minor). */
__u32 bg_ident_dev(dev_t dev);

/* Build the key from a stat result. */
void bg_ident_from_stat(const struct stat *st, struct bg_ident *id);

/* stat() path (following symlinks, as open() does) and build its key.
 * Returns 0 or -errno. */
int bg_ident_from_path(const char *path, struct bg_ident *id);

/* The same for an open descriptor (fstat). */
int bg_ident_from_fd(int fd, struct bg_ident *id);

#endif /* BG_IDENT_H */
