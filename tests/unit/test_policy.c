// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Policy files: parse, validate with positions, write, parse back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "policy/policy.h"

static const char good[] = "version: 1\n"
			   "syscalls:\n"
			   "  x86_64: [read, write, execve]\n"
			   "  ia32: [getpid]\n"
			   "executables:\n"
			   "  - /usr/bin/ls\n"
			   "files:\n"
			   "  - /etc/passwd: r\n"
			   "  - /tmp/out: rwct\n"
			   "  - /var/log/: rc\n"
			   "network:\n"
			   "  connect: [\"127.0.0.1:80\", \"[::1]:443\", \"10.0.0.0/8:*\"]\n"
			   "  bind: [\"*:8000\"]\n";

static void test_parse(void **state)
{
	struct bg_policy p;
	char err[600];

	(void)state;
	assert_int_equal(bg_policy_parse("p.yaml", good, strlen(good), &p, err, sizeof(err)), 0);
	assert_true(bg_bit(p.sys_native, 0));	/* read */
	assert_true(bg_bit(p.sys_native, 59));	/* execve */
	assert_false(bg_bit(p.sys_native, 39)); /* getpid is ia32 only */
	assert_true(bg_bit(p.sys_compat, 20));	/* ia32 getpid */
	assert_false(bg_bit(p.sys_compat, 0));
	assert_int_equal(p.n_execs, 1);
	assert_int_equal(p.n_files, 3);
	assert_int_equal(p.files[1].acc, BG_ACC_READ | BG_ACC_WRITE | BG_ACC_CREAT | BG_ACC_TRUNC);
	assert_true(p.files[2].acc & BG_ACC_DIR);
	assert_int_equal(p.n_net, 4);
	assert_int_equal(p.net[1].family, AF_INET6);
	assert_int_equal(p.net[2].prefix, 8);
	assert_int_equal(p.net[2].port, 0);
	assert_int_equal(p.net[3].family, 0);
	assert_int_equal(p.net[3].op, BG_NET_BIND);
	bg_policy_free(&p);
}

static void test_roundtrip(void **state)
{
	struct bg_policy p, q;
	char err[600], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(bg_policy_parse("p.yaml", good, strlen(good), &p, err, sizeof(err)), 0);
	p.comment = strdup("profiled: test");
	f = open_memstream(&text, &len);
	assert_int_equal(bg_policy_write(&p, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "# profiled: test\n"));
	assert_non_null(strstr(text, "  x86_64: [execve, read, write]\n")); /* sorted */
	assert_int_equal(bg_policy_parse("q.yaml", text, len, &q, err, sizeof(err)), 0);
	assert_memory_equal(p.sys_native, q.sys_native, sizeof(p.sys_native));
	assert_memory_equal(p.sys_compat, q.sys_compat, sizeof(p.sys_compat));
	assert_int_equal(q.n_files, p.n_files);
	assert_int_equal(q.n_net, p.n_net);
	bg_policy_free(&p);
	bg_policy_free(&q);
	free(text);
}

static void expect_error(const char *text, const char *msg)
{
	struct bg_policy p;
	char err[600];

	assert_int_not_equal(bg_policy_parse("p.yaml", text, strlen(text), &p, err, sizeof(err)),
			     0);
	if (!strstr(err, msg))
		fail_msg("error '%s' lacks '%s'", err, msg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("syscalls: {}\n", "missing 'version: 1'");
	expect_error("version: 2\n", "p.yaml:1:10: unsupported policy version 2");
	expect_error("version: 1\nsyscalls:\n  x86_64: [read, opn]\n",
		     "p.yaml:3:18: unknown x86_64 syscall 'opn'");
	expect_error("version: 1\nsyscalls:\n  arm64: []\n", "p.yaml:3:3: unknown key 'arm64'");
	expect_error("version: 1\nfiles:\n  - etc/passwd: r\n",
		     "p.yaml:3:5: path 'etc/passwd' is not absolute");
	expect_error("version: 1\nfiles:\n  - /etc/passwd: rz\n", "p.yaml:3:18: access 'rz'");
	expect_error("version: 1\nnetwork:\n  connect: [\"localhost:80\"]\n",
		     "p.yaml:3:13: peer 'localhost:80' is not");
	expect_error("version: 1\nexecutables: /bin/ls\n",
		     "p.yaml:2:14: executables must be a list");
}

static void test_net_parse(void **state)
{
	struct bg_policy_net n;
	char buf[96];

	(void)state;
	assert_int_equal(bg_net_parse("192.168.1.0/24:53", &n), 0);
	bg_net_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "192.168.1.0/24:53");
	assert_int_equal(bg_net_parse("[2001:db8::1]:8080", &n), 0);
	bg_net_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "[2001:db8::1]:8080");
	assert_int_equal(bg_net_parse("1.2.3.4:*", &n), 0);
	assert_int_equal(n.port, 0);
	assert_int_not_equal(bg_net_parse("1.2.3.4", &n), 0);
	assert_int_not_equal(bg_net_parse("1.2.3.4:70000", &n), 0);
	assert_int_not_equal(bg_net_parse("1.2.3.4/33:1", &n), 0);
	assert_int_not_equal(bg_net_parse("[::1:80", &n), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_net_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
