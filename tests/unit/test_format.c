// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Event records to JSON lines and terminal text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bpfguard/events.h>

#include "events/format.h"

/* An exec event with every field set, an empty buffer and a formatter
 * (JSON or text) for it. */
static void make_exec(struct bg_exec_event *e, struct bg_buf *b, struct bg_fmt *f, bool json)
{
	static const char args[] = "/bin/echo\0hi\0\x1b[2J";

	memset(e, 0, sizeof(*e));
	e->hdr.type = BG_EV_EXEC;
	e->hdr.size = sizeof(*e);
	e->hdr.ktime_ns = 1000000000ULL;
	e->hdr.mechanism = BG_MECH_TRACEPOINT;
	e->hdr.outcome = BG_OUT_SUCCESS;
	e->proc.pid = 42;
	e->proc.tid = 43;
	e->proc.ppid = 1;
	e->proc.uid = 1000;
	e->proc.euid = 0;
	e->proc.start_ns = 5;
	strcpy(e->proc.comm, "echo");
	strcpy(e->proc.exe, "/usr/bin/echo");
	memcpy(e->args, args, sizeof(args));
	e->args_len = sizeof(args);
	e->argc = 3;
	bg_buf_init(b);
	bg_fmt_init(f, json, false);
}

static char *line(struct bg_buf *b)
{
	bg_buf_putc(b, 0);
	return b->p;
}

static void test_exec_json(void **state)
{
	struct bg_exec_event e;
	struct bg_fmt f;
	struct bg_buf b;
	char *s;

	(void)state;
	make_exec(&e, &b, &f, true);
	f.boot_to_real_ns = 1700000000LL * 1000000000LL; /* 2023-11-14T22:13:20Z */
	assert_int_equal(bg_fmt_event(&f, &b, &e, sizeof(e)), 0);
	s = line(&b);
	assert_non_null(strstr(s, "{\"@timestamp\":\"2023-11-14T22:13:21.000000000Z\""));
	assert_non_null(strstr(s, "\"action\":\"exec\""));
	assert_non_null(strstr(s, "\"outcome\":\"success\""));
	assert_non_null(strstr(s, "\"pid\":42,\"entity_id\":\"42-5\""));
	assert_non_null(strstr(s, "\"executable\":\"/usr/bin/echo\""));
	assert_non_null(strstr(s, "\"args\":[\"/bin/echo\",\"hi\",\"\\u001b[2J\"]"));
	assert_non_null(strstr(s, "\"parent\":{\"pid\":1,"));
	assert_non_null(strstr(s, "\"user\":{\"id\":\"1000\",\"effective\":{\"id\":\"0\"}}"));
	assert_non_null(strstr(s, "\"mechanism\":\"tracepoint\""));
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_null(strchr(s, '\033'));
	bg_buf_free(&b);
}

static const char *quoted_name(void *ctx, uint32_t id)
{
	(void)ctx;
	return id == 7 ? "say \"hi\"" : NULL;
}

/* The whole line, byte for byte, with a rule (named by the agent's table,
 * escaped) and every optional member: the literal fragments of the hot
 * path must put every comma and quote where the streaming writer did. */
static void test_exec_json_whole_line(void **state)
{
	static const char want[] =
		"{\"@timestamp\":\"2023-11-14T22:13:21.000000000Z\",\"event\":{\"kind\":\"alert\","
		"\"category\":[\"process\"],\"type\":[\"start\"],\"action\":\"exec\","
		"\"module\":\"bpfguard\",\"outcome\":\"success\"},\"rule\":{\"id\":7,\"name\":"
		"\"say \\\"hi\\\"\"},\"process\":{\"pid\":42,\"entity_id\":\"42-5\",\"name\":"
		"\"echo\",\"executable\":\"/usr/bin/echo\",\"args\":[\"/bin/echo\",\"hi\","
		"\"\\u001b[2J\"],\"args_count\":3,\"start\":\"2023-11-14T22:13:20.000000005Z\","
		"\"thread\":{\"id\":43},\"parent\":{\"pid\":1,\"entity_id\":\"1-0\"}},\"user\":"
		"{\"id\":\"1000\",\"effective\":{\"id\":\"0\"}},\"group\":{\"id\":\"0\"},"
		"\"bpfguard\":{\"type\":\"exec\",\"action\":\"kill\",\"mechanism\":"
		"\"tracepoint\",\"cgroup_id\":0,\"suppressed\":2,\"executable_truncated\":true,"
		"\"args_truncated\":true}}\n";
	struct bg_exec_event e;
	struct bg_fmt f;
	struct bg_buf b;

	(void)state;
	make_exec(&e, &b, &f, true);
	e.hdr.rule_id = 7;
	e.hdr.action = BG_ACT_KILL;
	e.hdr.suppressed = 2;
	e.hdr.flags = BG_F_EXE_TRUNCATED | BG_F_ARGS_TRUNCATED;
	f.rule_name = quoted_name;
	f.boot_to_real_ns = 1700000000LL * 1000000000LL;
	assert_int_equal(bg_fmt_event(&f, &b, &e, sizeof(e)), 0);
	assert_string_equal(line(&b), want);
	bg_buf_free(&b);
}

static void test_exec_text_is_terminal_safe(void **state)
{
	struct bg_exec_event e;
	struct bg_fmt f;
	struct bg_buf b;
	char *s;

	(void)state;
	make_exec(&e, &b, &f, false);
	assert_int_equal(bg_fmt_event(&f, &b, &e, sizeof(e)), 0);
	s = line(&b);
	assert_non_null(strstr(s, "exec  42 ppid=1 uid=1000 /usr/bin/echo /bin/echo hi \\x1b[2J"));
	assert_null(strchr(s, '\033'));
	bg_buf_free(&b);
}

static void test_malformed(void **state)
{
	struct bg_exec_event e;
	struct bg_fmt f;
	struct bg_buf b;

	(void)state;
	make_exec(&e, &b, &f, true);
	assert_int_equal(bg_fmt_event(&f, &b, &e, 10), -22);
	assert_int_equal(bg_fmt_event(&f, &b, &e, sizeof(e) - 8), -22);
	e.hdr.type = 200;
	assert_int_equal(bg_fmt_event(&f, &b, &e, sizeof(e)), -22);
	assert_int_equal(f.malformed, 3);
	assert_int_equal(b.len, 0);
	bg_buf_free(&b);
}

static void test_exit_signal(void **state)
{
	struct bg_exit_event e;
	struct bg_fmt f;
	struct bg_buf b;
	char *s;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.hdr.type = BG_EV_EXIT;
	e.hdr.size = sizeof(e);
	e.exit_code = 9; /* killed by SIGKILL */
	bg_buf_init(&b);
	bg_fmt_init(&f, true, false);
	assert_int_equal(bg_fmt_event(&f, &b, &e, sizeof(e)), 0);
	s = line(&b);
	assert_non_null(strstr(s, "\"exit_signal\":9"));
	b.len = 0;
	e.exit_code = 3 << 8;
	bg_fmt_event(&f, &b, &e, sizeof(e));
	assert_non_null(strstr(line(&b), "\"exit_code\":3"));
	bg_buf_free(&b);
}

static void test_stats_line(void **state)
{
	struct bg_ev_stats st = {.emitted = 10, .dropped = 7, .received = 10};
	struct bg_fmt f;
	struct bg_buf b;
	char *s;

	(void)state;
	bg_buf_init(&b);
	bg_fmt_init(&f, true, false);
	bg_fmt_stats(&f, &b, &st, true);
	s = line(&b);
	assert_non_null(strstr(s, "\"kind\":\"metric\",\"action\":\"events-final\""));
	assert_non_null(strstr(s, "\"emitted\":10,\"received\":10,\"drops\":7"));
	bg_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_json),
		cmocka_unit_test(test_exec_json_whole_line),
		cmocka_unit_test(test_exec_text_is_terminal_safe),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_exit_signal),
		cmocka_unit_test(test_stats_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
