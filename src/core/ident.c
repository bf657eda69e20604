// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * User-space half of file identity (include/bpfguard/ident.h).
 *
 * stat() reports st_dev in glibc's dev_t encoding, made by the kernel's
 * new_encode_dev(): minor's low 8 bits, then 12 bits of major, then the
 * rest of minor. Inside the kernel, sb->s_dev is MKDEV(major, minor) =
 * major << 20 | minor. The two agree only for major 0 and minor < 256
 * (e.g. 0:25 tmpfs), which is why a naive copy passes on tmpfs and fails
 * on /dev/sda1 (8:1 is 0x801 to stat, 0x800001 to the kernel).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/ident.h"

__u32 bg_ident_dev(dev_t dev)
{
	return (__u32)(major(dev) << BG_KDEV_MINORBITS) | (__u32)minor(dev);
}

void bg_ident_from_stat(const struct stat *st, struct bg_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->ino = st->st_ino;
	id->dev = bg_ident_dev(st->st_dev);
}

int bg_ident_from_path(const char *path, struct bg_ident *id)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	bg_ident_from_stat(&st, id);
	return 0;
}

int bg_ident_from_fd(int fd, struct bg_ident *id)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	bg_ident_from_stat(&st, id);
	return 0;
}
