// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* File identity: glibc's st_dev converted to the kernel's s_dev encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "core/ident.h"

static void test_dev_encoding(void **state)
{
	(void)state;
	/* major 0, small minor: both encodings agree (tmpfs, proc). */
	assert_int_equal(bg_ident_dev(makedev(0, 25)), 25);
	/* /dev/sda1 is 8:1: 0x801 in st_dev, 0x800001 in the kernel. */
	assert_int_equal(makedev(8, 1), 0x801);
	assert_int_equal(bg_ident_dev(makedev(8, 1)), 0x800001);
	/* nvme 259:3 and a minor above 255 (anonymous devices reach 0:300+). */
	assert_int_equal(bg_ident_dev(makedev(259, 3)), (259u << 20) | 3);
	assert_int_equal(bg_ident_dev(makedev(0, 300)), 300);
	assert_int_equal(bg_ident_dev(makedev(253, 0x12345)), (253u << 20) | 0x12345);
	/* The largest the kernel can express: 12-bit major, 20-bit minor. */
	assert_int_equal(bg_ident_dev(makedev(0xfff, 0xfffff)), 0xffffffffu);
}

static void test_from_path_and_fd(void **state)
{
	char path[] = "/tmp/bg-ident-XXXXXX", lnk[64];
	struct bg_ident a, b, c;
	struct stat st;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(bg_ident_from_path(path, &a), 0);
	assert_int_equal(bg_ident_from_fd(fd, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(a.ino, st.st_ino);
	assert_int_equal(a.dev, (major(st.st_dev) << 20) | minor(st.st_dev));
	assert_int_equal(a.pad, 0);
	/* A hard link is the same key. */
	snprintf(lnk, sizeof(lnk), "%s.ln", path);
	assert_int_equal(link(path, lnk), 0);
	assert_int_equal(bg_ident_from_path(lnk, &c), 0);
	assert_memory_equal(&a, &c, sizeof(a));
	unlink(lnk);
	unlink(path);
	close(fd);
	assert_int_equal(bg_ident_from_path(path, &c), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dev_encoding),
		cmocka_unit_test(test_from_path_and_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
