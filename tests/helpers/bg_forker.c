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
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, k, err = 0, p[2];
	char c;

	if (n <= 0 || pipe(p)) {
		fprintf(stderr, "usage: bg_forker N\n");
		return 2;
	}
	for (k = 0; k < n; k++) {
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
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
