// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bg_net: real TCP/UDP traffic for the network-ban tests, on both kernels
 * (the VM has no python3). Prints one line with what happened:
 *
 *   bg_net ping tcp|udp ADDR PORT [SECS]   connect (TCP) or sendto (UDP),
 *                                    send "ping", wait for "pong" (10 s)
 *   bg_net serve tcp|udp ADDR PORT [SECS]  bind, print "ready", answer one
 *                                    ping with "pong" (30 s)
 *
 * The waits are long for a loaded host, where the peer may take seconds
 * to start; a test that expects no answer passes a short SECS.
 *
 * Lines: "ok", "timeout", or "<step> errno <n>" (step: socket, bind,
 * listen, connect, send, recv, accept).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int result(const char *step)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		printf("timeout\n");
	else
		printf("%s errno %d\n", step, errno);
	return 0;
}

static void timeout(int fd, int sec)
{
	struct timeval tv = {.tv_sec = sec};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = {0}, from;
	socklen_t len, flen = sizeof(from);
	bool tcp, serve;
	char buf[16];
	int fd, c, one = 1, secs;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: bg_net ping|serve tcp|udp ADDR PORT [SECS]\n");
		return 2;
	}
	serve = !strcmp(argv[1], "serve");
	secs = argc == 6 ? atoi(argv[5]) : serve ? 30 : 10;
	tcp = !strcmp(argv[2], "tcp");
	if (strchr(argv[3], ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(atoi(argv[4]));
		inet_pton(AF_INET6, argv[3], &a->sin6_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(atoi(argv[4]));
		inet_pton(AF_INET, argv[3], &a->sin_addr);
		len = sizeof(*a);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return result("socket");
	if (serve) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len))
			return result("bind");
		if (tcp && listen(fd, 4))
			return result("listen");
		printf("ready\n");
		timeout(fd, secs);
		if (tcp) {
			c = accept(fd, NULL, NULL);
			if (c < 0)
				return result("accept");
			timeout(c, secs);
			if (recv(c, buf, sizeof(buf), 0) <= 0)
				return result("recv");
			if (send(c, "pong", 4, 0) != 4)
				return result("send");
		} else {
			if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) <= 0)
				return result("recv");
			if (sendto(fd, "pong", 4, 0, (struct sockaddr *)&from, flen) != 4)
				return result("send");
		}
		printf("ok\n");
		return 0;
	}
	timeout(fd, secs);
	if (tcp) {
		if (connect(fd, (struct sockaddr *)&ss, len))
			return result("connect");
		if (send(fd, "ping", 4, 0) != 4)
			return result("send");
	} else if (sendto(fd, "ping", 4, 0, (struct sockaddr *)&ss, len) != 4) {
		return result("send");
	}
	if (recv(fd, buf, sizeof(buf), 0) != 4 || memcmp(buf, "pong", 4))
		return result("recv");
	printf("ok\n");
	return 0;
}
