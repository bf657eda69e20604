// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bg_fileops: the file calls of issue 14 that busybox has no applet for
 * (tests/integration/run_fileops2.sh), through the x86_64 entry or, with
 * --ia32 first, through the ia32 one (`int $0x80`, which any x86_64 process
 * may use where the kernel has ia32 emulation):
 *   bg_fileops [--ia32] bind PATH           bind a unix socket to PATH
 *   bg_fileops [--ia32] exchange A B        renameat2(RENAME_EXCHANGE)
 *   bg_fileops [--ia32] truncate PATH LEN   truncate(2) by path
 *   bg_fileops [--ia32] link OLD NEW | symlink TARGET NEW | mkfifo PATH
 *              | mksock PATH | rename OLD NEW | unlink PATH
 * Prints "ok" or "errno NAME" and exits 0 or 1; 2 for usage, 3 when the
 * ia32 entry cannot be given arguments (no mapping below 4 GiB).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif

static long ia32(long nr, long a, long b, long c, long d, long e)
{
	long ret;

	/* r8-r11 are not preserved by int $0x80. */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "r8", "r9", "r10", "r11", "memory", "cc");
	return ret;
}

static char *low; /* a page below 4 GiB the ia32 entry can address */
static size_t used;

/* A copy of s (or n bytes of p) where ia32 pointers reach. */
static long low_copy(const void *p, size_t n)
{
	char *d = low + used;

	if (used + n > 4096) {
		fprintf(stderr, "arguments too long\n");
		exit(2);
	}
	memcpy(d, p, n);
	used += (n + 7) & ~7UL;
	return (long)d;
}

static long low_str(const char *s)
{
	return low_copy(s, strlen(s) + 1);
}

static long result(long r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int main(int argc, char **argv)
{
	bool compat = argc > 1 && !strcmp(argv[1], "--ia32");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *op;
	long r = -1;
	int fd;

	if (compat) {
		argv++, argc--;
		low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (low == MAP_FAILED)
			return 3;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: bg_fileops [--ia32] OP ARGS...\n");
		return 2;
	}
	op = argv[1];
	errno = 0;
	if (!strcmp(op, "bind")) {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[2]);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0)
			r = -1;
		else if (!compat) {
			r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
		} else {
			/* Through socketcall (102, SYS_BIND 2), the ia32 way
			 * libc used before the direct bind call (361). */
			unsigned int args[3] = {fd, (unsigned)low_copy(&sa, sizeof(sa)),
						sizeof(sa)};

			r = result(ia32(102, 2, low_copy(args, sizeof(args)), 0, 0, 0));
		}
	} else if (!strcmp(op, "exchange") && argc > 3) {
		r = compat ? result(ia32(353, AT_FDCWD, low_str(argv[2]), AT_FDCWD,
					 low_str(argv[3]), RENAME_EXCHANGE))
			   : syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3],
				     RENAME_EXCHANGE);
	} else if (!strcmp(op, "truncate") && argc > 3) {
		r = compat ? result(ia32(92, low_str(argv[2]), atol(argv[3]), 0, 0, 0))
			   : truncate(argv[2], atol(argv[3]));
	} else if (!strcmp(op, "link") && argc > 3) {
		r = compat ? result(ia32(9, low_str(argv[2]), low_str(argv[3]), 0, 0, 0))
			   : link(argv[2], argv[3]);
	} else if (!strcmp(op, "symlink") && argc > 3) {
		r = compat ? result(ia32(83, low_str(argv[2]), low_str(argv[3]), 0, 0, 0))
			   : symlink(argv[2], argv[3]);
	} else if (!strcmp(op, "mkfifo") || !strcmp(op, "mksock")) {
		long mode = (op[2] == 'f' ? S_IFIFO : S_IFSOCK) | 0600;

		r = compat ? result(ia32(14, low_str(argv[2]), mode, 0, 0, 0))
			   : mknod(argv[2], mode, 0);
	} else if (!strcmp(op, "rename") && argc > 3) {
		r = compat ? result(ia32(38, low_str(argv[2]), low_str(argv[3]), 0, 0, 0))
			   : rename(argv[2], argv[3]);
	} else if (!strcmp(op, "unlink")) {
		r = compat ? result(ia32(10, low_str(argv[2]), 0, 0, 0, 0)) : unlink(argv[2]);
	} else {
		fprintf(stderr, "bg_fileops: unknown operation %s\n", op);
		return 2;
	}
	if (r < 0) {
		printf("%s errno %s\n", op, strerrorname_np(errno));
		return 1;
	}
	printf("%s ok\n", op);
	return 0;
}
