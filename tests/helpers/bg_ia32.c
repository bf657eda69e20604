// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bg_ia32: a 64-bit process making its calls through the ia32 entry
 * (`int $0x80`), which any x86_64 process may use. Tests check that
 * guards.limits decodes these calls too (tests/integration/agent_limits_ia32.sh).
 *   bg_ia32 fork N              fork N children (ia32 fork), print "forked K errno E"
 *   bg_ia32 mmap MIB            one anonymous ia32 mmap2 of MIB MiB, print "mapped" or "mmap errno
 * E" bg_ia32 connect PORT        TCP connect to 127.0.0.1:PORT through ia32 socketcall bg_ia32
 * connect362 PORT     the same through the direct ia32 connect call
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forker.h"

static long ia32(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r8 __asm__("r8") = f;
	long ret;

	/* ebp is the sixth argument; r8-r11 are not preserved by int $0x80. */
	__asm__ volatile("push %%rbp\n\tmov %%r8, %%rbp\n\tint $0x80\n\tpop %%rbp"
			 : "=a"(ret), "+r"(r8)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "r9", "r10", "r11", "memory", "cc");
	return ret;
}

/* Memory the ia32 entry can address (below 4 GiB). */
static void *low(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
		       0);

	if (p == MAP_FAILED) {
		perror("mmap MAP_32BIT");
		exit(2);
	}
	return p;
}

/* ia32 fork (2). */
static long ia32_fork(void)
{
	return ia32(2, 0, 0, 0, 0, 0, 0);
}

static int do_mmap(long mib)
{
	long r =
		ia32(192, 0, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r < 0 && r > -4096)
		printf("mmap errno %ld\n", -r);
	else
		printf("mapped\n");
	return 0;
}

static int do_connect(int port, int direct)
{
	struct sockaddr_in *sa = low(4096);
	unsigned int *args = (unsigned int *)(sa + 1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	long r;

	if (fd < 0)
		return 2;
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (direct) {
		r = ia32(362, fd, (long)sa, sizeof(*sa), 0, 0, 0);
	} else {
		args[0] = fd;
		args[1] = (unsigned int)(unsigned long)sa;
		args[2] = sizeof(*sa);
		r = ia32(102, 3 /* SYS_CONNECT */, (long)args, 0, 0, 0, 0);
	}
	if (r < 0)
		printf("connect errno %ld\n", -r);
	else
		printf("connected\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fork"))
		return fork_children(atoi(argv[2]), ia32_fork);
	if (argc == 3 && !strcmp(argv[1], "mmap"))
		return do_mmap(atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "connect"))
		return do_connect(atoi(argv[2]), 0);
	if (argc == 3 && !strcmp(argv[1], "connect362"))
		return do_connect(atoi(argv[2]), 1);
	fprintf(stderr, "usage: bg_ia32 fork N | mmap MIB | connect PORT | connect362 PORT\n");
	return 2;
}
