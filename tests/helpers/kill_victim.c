// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Driven by tests/integration/monitor_kill_timing.sh (both kernels; the VM
 * has no python). A process that waits for a go file, then makes one call,
 * with raw syscalls so that the call is exactly the one named:
 *   kill_victim MODE GO DIR PORT
 *     none     nothing (the profile of the wait)
 *     unlink   unlink(DIR/victim)
 *     write    write(2) of 1 MiB to DIR/wfile (opened before the wait)
 *     pwrite   pwrite64(2) of 4 KiB to DIR/wfile
 *     trunc    open(DIR/precious, O_WRONLY|O_TRUNC)
 *     creat    open(DIR/created, O_WRONLY|O_CREAT)
 *     rename   rename(DIR/old, DIR/new)
 *     mkdir    mkdir(DIR/newdir)
 *     chmod    chmod(DIR/mode, 0600)
 *     connect  TCP connect to 127.0.0.1:PORT
 *     sendto   UDP datagram to 127.0.0.1:PORT
 *   kill_victim listen-tcp|listen-udp PORT OUT
 *     wait up to 30 s (a loaded host) for a connection or a datagram;
 *     write yes/no to OUT
 *     (OUT.ready once listening)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char big[1 << 20];

static void put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			perror(path);
		close(fd);
	}
}

static int listen_one(int udp, int port, const char *out)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int s = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0), one = 1;
	struct pollfd p = {.fd = s, .events = POLLIN};
	char ready[512];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (void *)&a, sizeof(a)) || (!udp && listen(s, 8))) {
		perror("listen");
		return 1;
	}
	snprintf(ready, sizeof(ready), "%s.ready", out);
	put(ready, "");
	put(out, poll(&p, 1, 30000) == 1 ? "yes" : "no");
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	struct sockaddr_in a = {.sin_family = AF_INET};
	char path[512];
	const char *mode, *dir;
	int fd, s;

	if (argc == 4 && !strncmp(argv[1], "listen-", 7))
		return listen_one(!strcmp(argv[1], "listen-udp"), atoi(argv[2]), argv[3]);
	if (argc != 5) {
		fprintf(stderr, "usage: kill_victim MODE GO DIR PORT\n");
		return 2;
	}
	mode = argv[1];
	dir = argv[3];
	a.sin_port = htons(atoi(argv[4]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(path, sizeof(path), "%s/wfile", dir);
	fd = open(path, O_WRONLY);
	/* Sleep at least once: the profile (made with the go file already
	 * there) must hold the calls of the wait, or the monitored run is
	 * killed in its wait instead of at the call under test. */
	do
		nanosleep(&ts, NULL);
	while (access(argv[2], F_OK));
	if (!strcmp(mode, "unlink")) {
		snprintf(path, sizeof(path), "%s/victim", dir);
		syscall(SYS_unlink, path);
	} else if (!strcmp(mode, "write")) {
		syscall(SYS_write, fd, big, sizeof(big));
	} else if (!strcmp(mode, "pwrite")) {
		syscall(SYS_pwrite64, fd, big, 4096, 0);
	} else if (!strcmp(mode, "trunc")) {
		snprintf(path, sizeof(path), "%s/precious", dir);
		syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_TRUNC);
	} else if (!strcmp(mode, "creat")) {
		snprintf(path, sizeof(path), "%s/created", dir);
		syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT, 0644);
	} else if (!strcmp(mode, "rename")) {
		char to[512];

		snprintf(path, sizeof(path), "%s/old", dir);
		snprintf(to, sizeof(to), "%s/new", dir);
		syscall(SYS_rename, path, to);
	} else if (!strcmp(mode, "mkdir")) {
		snprintf(path, sizeof(path), "%s/newdir", dir);
		syscall(SYS_mkdir, path, 0755);
	} else if (!strcmp(mode, "chmod")) {
		snprintf(path, sizeof(path), "%s/mode", dir);
		syscall(SYS_chmod, path, 0600);
	} else if (!strcmp(mode, "connect")) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		syscall(SYS_connect, s, &a, sizeof(a));
	} else if (!strcmp(mode, "sendto")) {
		s = socket(AF_INET, SOCK_DGRAM, 0);
		syscall(SYS_sendto, s, "ping", 4, 0, &a, sizeof(a));
	}
	syscall(SYS_exit_group, 0);
	return 0;
}
