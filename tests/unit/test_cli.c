// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/cli.h"
#include "core/context.h"
#include "events/ring.h"

static void test_sizes(void **state)
{
	unsigned long long v;

	(void)state;
	assert_int_equal(bg_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(bg_parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(bg_parse_size("4MiB", &v), 0);
	assert_int_equal(v, 4u << 20);
	assert_int_equal(bg_parse_size("1G", &v), 0);
	assert_int_equal(v, 1u << 30);
	assert_int_not_equal(bg_parse_size("", &v), 0);
	assert_int_not_equal(bg_parse_size("-1", &v), 0);
	assert_int_not_equal(bg_parse_size("4X", &v), 0);
	assert_int_not_equal(bg_parse_size("99999999999999999999", &v), 0);
	assert_int_not_equal(bg_parse_size("99999999999999G", &v), 0);
}

static void test_ring_round(void **state)
{
	(void)state;
	assert_int_equal(bg_ring_size_round(1), 4096);
	assert_int_equal(bg_ring_size_round(4096), 4096);
	assert_int_equal(bg_ring_size_round(5000), 8192);
	assert_int_equal(bg_ring_size_round(4u << 20), 4u << 20);
}

struct t_cmd {
	bool flag;
	enum bg_format format;
	const char *str;
	unsigned int u;
	unsigned long long size;
	int choice;
	double secs;
	int fn_calls;
};

static const char *const t_choices[] = {"red", "green", NULL};

static const char *t_fn(void *cmd, const char *arg)
{
	((struct t_cmd *)cmd)->fn_calls++;
	return strcmp(arg, "ok") ? "is not ok" : NULL;
}

static const struct bg_opt t_opts[] = {
	BG_OPT_FLAG(struct t_cmd, flag, "flag", 'f', "a flag"),
	BG_OPT_SET(struct t_cmd, format, BG_FORMAT_JSON, "json", 'j', "json"),
	BG_OPT_SET(struct t_cmd, format, BG_FORMAT_TEXT, "text", 't', "text"),
	BG_OPT_STR(struct t_cmd, str, "str", 's', "S", "a string"),
	BG_OPT_UINT(struct t_cmd, u, "num", 'n', "N", 1, 100, "1 to 100"),
	BG_OPT_SIZE(struct t_cmd, size, "size", 256, "SIZE", 4096, 0, "a size"),
	BG_OPT_CHOICE(struct t_cmd, choice, "colour", 'c', "C", t_choices, "red or green"),
	BG_OPT_SECONDS(struct t_cmd, secs, "duration", 257, "seconds"),
	BG_OPT_FN("fn", 258, "X", t_fn, "ok"),
	{0},
};

static struct bg_cmd_help t_help = {.usage = "t", .summary = "t", .opts = t_opts};

/* Parse a NULL-terminated list of words; the status, operands in *ops, *n. */
static int parse(struct t_cmd *c, enum bg_operands mode, char ***ops, int *n, ...)
{
	static char buf[16][64];
	static char *argv[17];
	va_list ap;
	const char *w;
	int argc = 0;

	va_start(ap, n);
	while ((w = va_arg(ap, const char *)) && argc < 16) {
		snprintf(buf[argc], sizeof(buf[argc]), "%s", w);
		argv[argc] = buf[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	memset(c, 0, sizeof(*c));
	t_help.operands = mode;
	return bg_cli_parse(argc, argv, &t_help, c, ops, n);
}

static void test_parse_table(void **state)
{
	struct t_cmd c;
	char **ops;
	int n;

	(void)state;
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "-f", "--text", "-s", "x",
			       "--num", "42", "--size", "8K", "-c", "green", "--duration", "1.5",
			       "--fn", "ok", NULL),
			 BG_CLI_RUN);
	assert_true(c.flag);
	assert_int_equal(c.format, BG_FORMAT_TEXT);
	assert_string_equal(c.str, "x");
	assert_int_equal(c.u, 42);
	assert_int_equal(c.size, 8192);
	assert_int_equal(c.choice, 1);
	assert_true(c.secs > 1.4 && c.secs < 1.6);
	assert_int_equal(c.fn_calls, 1);
	assert_int_equal(n, 0);
	/* Each bad value is a usage error (2), and the field is not set. */
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--num", "0", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--num", "101", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--num", "1x", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--num", "-1", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--num", "99999999999", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--size", "1K", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "-c", "blue", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--duration", "0", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--duration", "x", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--fn", "no", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--bogus", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "-x", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "-s", NULL), 2);
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "extra", NULL), 2);
}

static void test_parse_operands(void **state)
{
	struct t_cmd c;
	char **ops;
	int n;

	(void)state;
	/* Among the options: collected from anywhere. */
	assert_int_equal(parse(&c, BG_OPERANDS_ANY, &ops, &n, "t", "12", "-f", "13", NULL),
			 BG_CLI_RUN);
	assert_true(c.flag);
	assert_int_equal(n, 2);
	assert_string_equal(ops[0], "12");
	assert_string_equal(ops[1], "13");
	/* A command: the first operand ends the options; its own stay its. */
	assert_int_equal(parse(&c, BG_OPERANDS_COMMAND, &ops, &n, "t", "-f", "ls", "-f", "x", NULL),
			 BG_CLI_RUN);
	assert_int_equal(n, 3);
	assert_string_equal(ops[0], "ls");
	assert_string_equal(ops[1], "-f");
	assert_int_equal(parse(&c, BG_OPERANDS_COMMAND, &ops, &n, "t", "--", "-f", NULL),
			 BG_CLI_RUN);
	assert_false(c.flag);
	assert_int_equal(n, 1);
	assert_string_equal(ops[0], "-f");
	/* --help: printed, exit 0. */
	assert_int_equal(parse(&c, BG_OPERANDS_NONE, &ops, &n, "t", "--help", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_ring_round),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_operands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
