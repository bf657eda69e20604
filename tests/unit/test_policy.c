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
#include <unistd.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "unit.h"

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

	(void)state;
	assert_int_equal(bg_policy_parse("p.yaml", good, strlen(good), &p, err, sizeof(err)), 0);
	p.comment = strdup("profiled: test");
	assert_int_equal(unit_policy_text(&p, &text, &len, NULL, 0), 0);
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

/* Access words: every one parsed, written back as words (letters only for
 * an entry that has nothing but r, w, x, c, t), read back to the same bits. */
static void test_access_words(void **state)
{
	static const char text[] =
		"version: 1\n"
		"files:\n"
		"  - /d/a: read, write, exec, create, truncate\n"
		"  - /d/b: remove, rename-from, rename-to, mkdir, rmdir\n"
		"  - /d/c: wc remove\n"
		"  - /d/e: rw\n"
		"  - /d/f/: link-from, link-to, symlink, make-fifo, make-socket\n"
		"  - /d/g: make-char, make-block, truncate\n"
		"  - /d/h/: mkdir, own-files\n";
	const unsigned want[] = {
		BG_ACC_READ | BG_ACC_WRITE | BG_ACC_EXEC | BG_ACC_CREAT | BG_ACC_TRUNC,
		BG_ACC_REMOVE | BG_ACC_RENAME_FROM | BG_ACC_RENAME_TO | BG_ACC_MKDIR | BG_ACC_RMDIR,
		BG_ACC_WRITE | BG_ACC_CREAT | BG_ACC_REMOVE,
		BG_ACC_READ | BG_ACC_WRITE,
		BG_ACC_DIR | BG_ACC_LINK_FROM | BG_ACC_LINK_TO | BG_ACC_SYMLINK | BG_ACC_MKFIFO |
			BG_ACC_MKSOCK,
		BG_ACC_MKCHAR | BG_ACC_MKBLOCK | BG_ACC_TRUNC,
		BG_ACC_DIR | BG_ACC_MKDIR | BG_ACC_OWN,
	};
	struct bg_policy p, q;
	char err[600], *out = NULL;
	size_t len = 0, i;

	(void)state;
	assert_int_equal(bg_policy_parse("p.yaml", text, strlen(text), &p, err, sizeof(err)), 0);
	assert_int_equal(p.n_files, 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(p.files[i].acc, want[i]);
	assert_int_equal(unit_policy_text(&p, &out, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "- /d/a: rwxct\n"));
	assert_non_null(strstr(out, "- /d/c: write, create, remove\n"));
	assert_non_null(strstr(out, "- /d/e: rw\n"));
	assert_non_null(
		strstr(out, "- /d/f/: link-from, link-to, symlink, make-fifo, make-socket\n"));
	assert_non_null(strstr(out, "- /d/g: truncate, make-char, make-block\n"));
	assert_non_null(strstr(out, "- /d/h/: mkdir, own-files\n"));
	assert_int_equal(bg_policy_parse("q.yaml", out, len, &q, err, sizeof(err)), 0);
	for (i = 0; i < 7; i++)
		assert_int_equal(q.files[i].acc, want[i]);
	bg_policy_free(&p);
	bg_policy_free(&q);
	free(out);
}

#define expect_error(text, want) UNIT_EXPECT_ERROR(unit_policy_parser, (text), (want))

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
	expect_error("version: 1\nfiles:\n  - /etc/passwd: read, unlink\n",
		     "access 'read, unlink' must be words from read");
	expect_error("version: 1\nfiles:\n  - /etc/passwd: ', '\n", "access ', ' must be");
	expect_error("version: 1\nnetwork:\n  connect: [\"localhost:80\"]\n",
		     "p.yaml:3:13: peer 'localhost:80' is not");
	expect_error("version: 1\nexecutables: /bin/ls\n",
		     "p.yaml:2:14: executables must be a list");
}

/* A NUL decoded from an escape would cut the string where C sees it end:
 * refused, at the escape's own line and column (characters, not bytes). */
static void test_nul(void **state)
{
	struct bg_policy p;
	char err[600], path[] = "/tmp/bg-unit-nul.XXXXXX";
	static const char text[] = "version: 1\nfiles:\n  - \"/tmp/s\\0/does/not/exist\": r\n";
	FILE *f;
	int fd;

	(void)state;
	expect_error(text, "p.yaml:3:12: a NUL character inside a string is not allowed "
			   "(after '/tmp/s')");
	expect_error("\"vers\\x00ion\": 1\n", "p.yaml:1:6: a NUL character");
	expect_error("version: 1\nexecutables: [\"/bin/a\\u0000\"]\n", "p.yaml:2:22: a NUL");
	expect_error("version: 1\nexecutables: [\"/bin/\\x41\\U00000000\"]\n",
		     "p.yaml:2:25: a NUL");
	expect_error("version: 1\nexecutables:\n  - \"/usr/\n    bin\\0x\"\n", "p.yaml:4:8: a NUL");
	/* Multi-byte characters before it: columns count characters. */
	expect_error("# \xc3\xa9t\xc3\xa9\nversion: 1\nexecutables: [\"/\xc3\xa9\\0\"]\n",
		     "p.yaml:3:18: a NUL");
	/* \\0 is a backslash and a zero, not a NUL. */
	assert_int_equal(bg_policy_parse("p.yaml", "version: 1\nexecutables: [\"/a\\\\0\"]\n",
					 strlen("version: 1\nexecutables: [\"/a\\\\0\"]\n"), &p,
					 err, sizeof(err)),
			 0);
	assert_string_equal(p.execs[0], "/a\\0");
	bg_policy_free(&p);

	/* The same from a file, as run and monitor read it. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_not_equal(bg_policy_load(path, &p, err, sizeof(err)), 0);
	unlink(path);
	if (!strstr(err, ":3:12: a NUL character") || strncmp(err, path, strlen(path)))
		fail_msg("error '%s'", err);
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
		cmocka_unit_test(test_parse),  cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_net_parse),
		cmocka_unit_test(test_nul),    cmocka_unit_test(test_access_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
