// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * deny_loop ADDR PORT N: N connect() calls to ADDR:PORT on one UDP socket
 * in a tight loop, then, after the rate-limit window, one more. Prints how
 * many calls failed with EPERM, so a test can compare the events (and their
 * suppressed counts) with the calls the kernel refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	long n, i, eperm = 0, calls = 0;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: deny_loop ADDR PORT N\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	n = atol(argv[3]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	for (i = 0; i <= n; i++) {
		if (i == n)
			usleep(1500 * 1000); /* past the window: the last event reports the rest */
		calls++;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == EPERM)
			eperm++;
	}
	printf("calls %ld eperm %ld\n", calls, eperm);
	close(fd);
	return 0;
}
