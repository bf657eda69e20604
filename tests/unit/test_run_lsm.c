// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* run under BPF LSM: how file and exec events print, and the line that
 * says which mechanism enforces each section of a policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bpfguard/events.h>

#include "events/format.h"
#include "policy/policy.h"
#include "sandbox/run_lsm.h"

/* The access of the next fmt_file() event (then back to rw). */
static uint32_t next_access = BG_ACC_READ | BG_ACC_WRITE;

static char *fmt_file(struct bg_buf *b, bool json, uint16_t type, uint8_t op, const char *path)
{
	struct bg_run_file_event e;
	struct bg_fmt f;

	memset(&e, 0, sizeof(e));
	e.hdr.type = type;
	e.hdr.size = sizeof(e);
	e.hdr.action = BG_ACT_DENY;
	e.hdr.mechanism = BG_MECH_LSM;
	e.hdr.outcome = BG_OUT_FAILURE;
	e.hdr.rule_id = 2;
	e.proc.pid = 7;
	strcpy(e.proc.exe, "/bin/busybox");
	e.access = next_access;
	next_access = BG_ACC_READ | BG_ACC_WRITE;
	e.op = op;
	snprintf(e.path, sizeof(e.path), "%s", path);
	bg_buf_init(b);
	bg_fmt_init(&f, json, false);
	assert_int_equal(bg_fmt_event(&f, b, &e, sizeof(e)), 0);
	bg_buf_putc(b, 0);
	return b->p;
}

static void test_file_json(void **state)
{
	struct bg_buf b;
	char *s;

	(void)state;
	s = fmt_file(&b, true, BG_EV_RUN_FILE, BG_RUN_OP_OPEN, "/tmp/a\"b\n");
	assert_non_null(strstr(s, "\"file\":{\"path\":\"/tmp/a\\\"b\\n\",\"operation\":\"open\","
				  "\"access\":\"rw\"}"));
	assert_non_null(
		strstr(s, "\"type\":\"run_file\",\"action\":\"deny\",\"mechanism\":\"lsm\""));
	assert_non_null(strstr(s, "\"outcome\":\"failure\""));
	bg_buf_free(&b);
	s = fmt_file(&b, true, BG_EV_RUN_EXEC, BG_RUN_OP_EXEC, "/usr/bin/bash");
	assert_non_null(strstr(s, "\"path\":\"/usr/bin/bash\",\"operation\":\"exec\""));
	assert_non_null(strstr(s, "\"type\":\"run_exec\""));
	bg_buf_free(&b);
}

/* Entry operations print their operation and the policy's words: both
 * words for a RENAME_EXCHANGE, the word truncate for truncate(2). */
static void test_file_entry_ops(void **state)
{
	static const struct {
		uint32_t acc;
		uint8_t op;
		const char *want;
	} c[] = {
		{BG_ACC_LINK_TO, BG_RUN_OP_LINK, "\"operation\":\"link\",\"access\":\"link-to\""},
		{BG_ACC_LINK_FROM, BG_RUN_OP_LINK,
		 "\"operation\":\"link\",\"access\":\"link-from\""},
		{BG_ACC_SYMLINK, BG_RUN_OP_SYMLINK,
		 "\"operation\":\"symlink\",\"access\":\"symlink\""},
		{BG_ACC_TRUNC, BG_RUN_OP_TRUNCATE,
		 "\"operation\":\"truncate\",\"access\":\"truncate\""},
		{BG_ACC_MKFIFO, BG_RUN_OP_MKNOD,
		 "\"operation\":\"mknod\",\"access\":\"make-fifo\""},
		{BG_ACC_MKSOCK, BG_RUN_OP_MKNOD,
		 "\"operation\":\"mknod\",\"access\":\"make-socket\""},
		{BG_ACC_MKBLOCK, BG_RUN_OP_MKNOD,
		 "\"operation\":\"mknod\",\"access\":\"make-block\""},
		{BG_ACC_RENAME_FROM | BG_ACC_RENAME_TO, BG_RUN_OP_RENAME,
		 "\"operation\":\"rename\",\"access\":\"rename-from, rename-to\""},
		{BG_ACC_READ, 99, "\"operation\":\"?\",\"access\":\"r\""},
	};
	struct bg_buf b;
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		next_access = c[i].acc;
		s = fmt_file(&b, true, BG_EV_RUN_FILE, c[i].op, "/d/n");
		assert_non_null(strstr(s, c[i].want));
		bg_buf_free(&b);
	}
}

static void test_file_text_is_terminal_safe(void **state)
{
	struct bg_buf b;
	char *s;

	(void)state;
	s = fmt_file(&b, false, BG_EV_RUN_FILE, BG_RUN_OP_UNLINK, "/tmp/\033[2Jx");
	assert_non_null(strstr(s, " unlink rw /tmp/\\x1b[2Jx"));
	assert_null(strchr(s, '\033'));
	bg_buf_free(&b);
}

static void test_mechanisms(void **state)
{
	struct bg_policy p;
	char buf[256];

	(void)state;
	bg_policy_init(&p);
	p.has_syscalls = p.has_files = p.has_exec = p.has_net = true;
	bg_run_mechanisms(&p, BG_LSM_FILES | BG_LSM_PATHS | BG_LSM_EXEC | BG_LSM_NET, BG_ACT_DENY,
			  buf, sizeof(buf));
	assert_string_equal(buf, "syscalls: seccomp, files: lsm, executables: lsm, network: lsm");
	bg_run_mechanisms(&p, BG_LSM_FILES, BG_ACT_DENY, buf, sizeof(buf));
	assert_non_null(strstr(buf, "files: lsm (opens only: no path hooks in this kernel)"));
	bg_run_mechanisms(&p, 0, BG_ACT_DENY, buf, sizeof(buf));
	assert_string_equal(buf, "syscalls: seccomp, files: landlock, executables: landlock "
				 "(execute rights of files), network: cgroup");
	p.has_syscalls = p.has_files = false;
	bg_run_mechanisms(&p, 0, BG_ACT_ALERT, buf, sizeof(buf));
	assert_string_equal(buf, "executables: not enforced without BPF LSM, network: cgroup");
	p.has_exec = p.has_net = false;
	bg_run_mechanisms(&p, 0, BG_ACT_DENY, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_json),
		cmocka_unit_test(test_file_entry_ops),
		cmocka_unit_test(test_file_text_is_terminal_safe),
		cmocka_unit_test(test_mechanisms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
