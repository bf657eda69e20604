// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The syslog writer against sockets of our own: RFC 5424 header fields and
 * RFC 6587 octet counting over TCP, one datagram per message on a unix
 * socket, and a collector that is away: the writer never blocks, keeps
 * what fits in its buffer, counts the rest, and delivers (with the count)
 * once the collector is back. And the SHA-256 helpers against known vectors.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "events/hash.h"
#include "events/syslog.h"

#define LINE1                                                                                      \
	"{\"@timestamp\":\"2026-12-05T10:11:12.123456789Z\",\"event\":{\"kind\":\"alert\","        \
	"\"outcome\":\"failure\"},\"process\":{\"name\":\"a\\\"bpfguard\\\":{\\\"type\\\"\"},"     \
	"\"bpfguard\":{\"type\":\"file\",\"action\":\"deny\"}}"
#define LINE2                                                                                      \
	"{\"@timestamp\":\"2026-12-05T10:11:13.000000001Z\",\"event\":{\"kind\":\"event\"},"       \
	"\"bpfguard\":{\"type\":\"exec\"}}"

static int listen_tcp(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(*port);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Read what arrives on fd within ms into buf (NUL-terminated). */
static size_t read_for(int fd, char *buf, size_t cap, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t got = 0;
	ssize_t n;

	while (got < cap - 1 && poll(&p, 1, ms) > 0 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	return got;
}

static void pump_until(struct bg_syslog *s, struct bg_buf *b, double seconds)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		bg_syslog_write(s, b);
		usleep(20000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

static void test_tcp_octet_counting(void **state)
{
	struct bg_syslog_config c = {.facility = 16, .buffer = 1 << 20};
	char addr[64], got[4096], host[256], want[1024];
	struct bg_syslog *s;
	struct bg_buf b;
	int port = 0, lfd = listen_tcp(&port), cfd;
	char *msg;
	size_t len;

	(void)state;
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%d", port);
	c.address = addr;
	assert_int_equal(bg_syslog_open(&s, &c), 0);
	bg_buf_init(&b);
	bg_buf_puts(&b, LINE1 "\n" LINE2 "\n");
	cfd = accept(lfd, NULL, NULL);
	assert_true(cfd >= 0);
	assert_int_equal(bg_syslog_write(s, &b), 0);
	assert_int_equal(b.len, 0);
	read_for(cfd, got, sizeof(got), 500);
	gethostname(host, sizeof(host));
	/* local0 (16) * 8 + warning (4) for an alert; the timestamp cut to
	 * microseconds; MSGID the type, not the look-alike inside a string. */
	snprintf(want, sizeof(want), "<132>1 2026-12-05T10:11:12.123456Z %s bpfguard %d file - %s",
		 host, (int)getpid(), LINE1);
	len = strtoul(got, &msg, 10);
	assert_int_equal(*msg, ' ');
	msg++;
	assert_int_equal(len, strlen(want));
	assert_memory_equal(msg, want, len);
	msg += len;
	snprintf(want, sizeof(want), "<134>1 2026-12-05T10:11:13.000000Z %s bpfguard %d exec - %s",
		 host, (int)getpid(), LINE2);
	len = strtoul(msg, &msg, 10);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(msg + 1, want, len);
	assert_int_equal(bg_syslog_dropped(s), 0);
	bg_syslog_close(s, 100);
	bg_buf_free(&b);
	close(cfd);
	close(lfd);
}

static void test_unix_datagrams(void **state)
{
	struct bg_syslog_config c = {.facility = 3};
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/bgfl-unit.XXXXXX", addr[200], got[2048];
	struct bg_syslog *s;
	struct bg_buf b;
	int fd;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/log", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(addr, sizeof(addr), "unix:%s", a.sun_path);
	c.address = addr;
	assert_int_equal(bg_syslog_open(&s, &c), 0);
	bg_buf_init(&b);
	bg_buf_puts(&b, LINE2 "\n" LINE2 "\n");
	assert_int_equal(bg_syslog_write(s, &b), 0);
	n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	got[n] = 0;
	assert_true(!strncmp(got, "<30>1 2026-12-05T10:11:13.000000Z ", 34)); /* daemon.info */
	assert_non_null(strstr(got, " bpfguard "));
	assert_string_equal(strstr(got, " exec - ") + 8, LINE2); /* no length, no newline */
	n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
	assert_true(n > 0); /* the second message: its own datagram */
	bg_syslog_close(s, 100);
	bg_buf_free(&b);
	close(fd);
	unlink(a.sun_path);
	rmdir(dir);
}

static void test_collector_away(void **state)
{
	struct bg_syslog_config c = {.facility = 3, .buffer = 4096};
	char addr[64], got[1 << 16];
	struct timespec t0, t1;
	struct bg_syslog *s;
	struct bg_buf b;
	int port = 0, lfd = listen_tcp(&port), cfd, i;

	(void)state;
	close(lfd); /* a port nobody listens on: connection refused */
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%d", port);
	c.address = addr;
	assert_int_equal(bg_syslog_open(&s, &c), 0);
	bg_buf_init(&b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 100; i++) {
		bg_buf_puts(&b, LINE2 "\n");
		assert_int_equal(bg_syslog_write(s, &b), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2); /* never waited for the collector */
	/* 4 KiB hold about 25 messages of ~150 bytes: the rest are counted. */
	assert_true(bg_syslog_dropped(s) > 50);
	assert_true(bg_syslog_dropped(s) < 100);
	lfd = listen_tcp(&port);
	pump_until(s, &b, 1.0); /* past the first backoff */
	cfd = accept(lfd, NULL, NULL);
	assert_true(cfd >= 0);
	pump_until(s, &b, 0.3);
	read_for(cfd, got, sizeof(got), 300);
	assert_int_equal(strstr(got, " exec - ") != NULL, 1);
	/* The loss is told in the stream, as a message of its own. */
	assert_non_null(strstr(got, " syslog - {"));
	assert_non_null(strstr(got, "\"dropped\":"));
	bg_syslog_close(s, 100);
	bg_buf_free(&b);
	close(cfd);
	close(lfd);
}

static void test_addresses(void **state)
{
	(void)state;
	assert_null(bg_syslog_check_address("/dev/log"));
	assert_null(bg_syslog_check_address("tcp:127.0.0.1:514"));
	assert_null(bg_syslog_check_address("tcp:[::1]:6514"));
	assert_non_null(bg_syslog_check_address("tcp:logs.example.com:514")); /* no DNS */
	assert_non_null(bg_syslog_check_address("tcp:127.0.0.1"));
	assert_non_null(bg_syslog_check_address("tcp:127.0.0.1:0"));
	assert_non_null(bg_syslog_check_address("udp:127.0.0.1:514"));
	assert_non_null(bg_syslog_check_address("unix:relative"));
	assert_int_equal(bg_syslog_facility("local7"), 23);
	assert_int_equal(bg_syslog_facility("nope"), -1);
}

static void test_sha256(void **state)
{
	unsigned char sha[32], parsed[32];
	char path[] = "/tmp/bgfl-sha.XXXXXX", hex[65];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(bg_sha256_file(fd, sha), 0);
	bg_sha256_hex(sha, hex);
	/* FIPS 180-2, appendix B.1 */
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(bg_sha256_parse(
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", parsed));
	assert_memory_equal(parsed, sha, 32);
	assert_false(bg_sha256_parse("ba7816bf", parsed));
	assert_false(bg_sha256_parse(
		"zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", parsed));
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_octet_counting),
		cmocka_unit_test(test_unix_datagrams),
		cmocka_unit_test(test_collector_away),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
