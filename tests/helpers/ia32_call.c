// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Driven by tests/integration/sandbox_ia32.sh and monitor_ia32.sh. A 64-bit process that,
 * given "int80", calls getpid through the ia32 entry (int 0x80, ia32 number 20) and prints
 * what it returned; given "x32", calls it as x32 (x86_64 number 39 with bit 30 set,
 * tests/integration/run_x32.sh).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long ret = 20; /* __NR_getpid on ia32 */

	if (argc < 2) {
		fprintf(stderr, "usage: ia32_call native|int80|x32\n");
		return 2;
	}
	if (!strcmp(argv[1], "int80")) {
		__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
		printf("int80 getpid -> %ld (pid %d)\n", ret, getpid());
		return ret == getpid() ? 0 : 3;
	}
	if (!strcmp(argv[1], "x32")) {
		errno = 0;
		ret = syscall(0x40000000 | SYS_getpid);
		printf("x32 getpid -> %ld (%s)\n", ret, ret < 0 ? strerrorname_np(errno) : "ok");
		return 0;
	}
	printf("native getpid -> %d\n", getpid());
	return 0;
}
