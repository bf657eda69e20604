// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bg_forker N: fork N children that stay alive (blocked on a pipe) until
 * the parent is done, then print one line and reap them:
 *   forked K errno E      (E 0: all N forks worked; else the first error)
 * Tests use it to reach a children limit (tests/integration/agent_limits_*).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "forker.h"

static long libc_fork(void)
{
	pid_t pid = fork();

	return pid < 0 ? -errno : pid;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;

	if (n <= 0) {
		fprintf(stderr, "usage: bg_forker N\n");
		return 2;
	}
	return fork_children(n, libc_fork);
}
