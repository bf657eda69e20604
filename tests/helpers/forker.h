/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What bg_forker and bg_ia32 share: the children a limits test counts.
 * A header: the Makefile builds each helper from its one .c file. */
#ifndef BPFGUARD_TESTS_FORKER_H
#define BPFGUARD_TESTS_FORKER_H

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* fork_children(N, FORK): N children made by FORK (a pid, 0 in the child,
 * or a negative errno), alive (blocked on a pipe) until the parent is
 * done; prints "forked K errno E" (E 0: all N forks worked; else the first
 * error), then reaps them. 0, or 2 where there is no pipe. */
static int fork_children(int n, long (*fork_fn)(void))
{
	int k, err = 0, p[2];
	char c;

	if (pipe(p)) {
		perror("pipe");
		return 2;
	}
	for (k = 0; k < n; k++) {
		long pid = fork_fn();

		if (pid < 0) {
			err = -pid;
			break;
		}
		if (pid == 0) {
			close(p[1]);
			/* EOF when the parent closes (or dies): then leave. */
			while (read(p[0], &c, 1) > 0)
				;
			_exit(0);
		}
	}
	printf("forked %d errno %d\n", k, err);
	fflush(stdout);
	close(p[1]);
	while (wait(NULL) > 0)
		;
	return 0;
}

#endif
