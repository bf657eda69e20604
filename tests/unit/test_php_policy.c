// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The php: section of a policy: parse, errors with positions, write, parse
 * back, merge; and the ELF .note.stapsdt check of the PHP guard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sandbox/php.h"
#include "policy/policy.h"
#include "unit.h"

static const char good[] = "version: 1\n"
			   "php:\n"
			   "  functions:\n"
			   "    \"Page::title\": []\n"
			   "    \"file_get_contents\": [openat, read, close]\n"
			   "    main: [write]\n"
			   "  files:\n"
			   "    - /srv/www/index.php\n";

static const struct bg_policy_php_fn *fn(const struct bg_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->php.n_fns; i++)
		if (!strcmp(p->php.fns[i].name, name))
			return &p->php.fns[i];
	return NULL;
}

static void test_parse(void **state)
{
	struct bg_policy p;
	char err[600];
	const struct bg_policy_php_fn *f;

	(void)state;
	assert_int_equal(bg_policy_parse("p.yaml", good, strlen(good), &p, err, sizeof(err)), 0);
	assert_true(p.has_php);
	assert_false(p.has_syscalls);
	assert_int_equal(p.php.n_fns, 3);
	assert_int_equal(p.php.n_files, 1);
	assert_true(p.php.check_files);
	assert_string_equal(p.php.files[0], "/srv/www/index.php");
	assert_non_null(f = fn(&p, "Page::title"));
	assert_false(bg_bit(f->sys, bg_syscall_nr(false, "read")));
	assert_non_null(f = fn(&p, "file_get_contents"));
	assert_true(bg_bit(f->sys, bg_syscall_nr(false, "openat")));
	assert_true(bg_bit(f->sys, bg_syscall_nr(false, "read")));
	assert_false(bg_bit(f->sys, bg_syscall_nr(false, "socket")));
	bg_policy_free(&p);
}

static void test_roundtrip_merge(void **state)
{
	struct bg_policy p, q, m;
	char err[600], *text = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(bg_policy_parse("p.yaml", good, strlen(good), &p, err, sizeof(err)), 0);
	assert_int_equal(unit_policy_text(&p, &text, &len, NULL, 0), 0);
	/* Sorted by name, syscalls by number. */
	assert_non_null(strstr(text, "    \"Page::title\": []\n    \"file_get_contents\": [read, "
				     "close, openat]\n    \"main\": [write]\n"));
	assert_int_equal(bg_policy_parse("q.yaml", text, len, &q, err, sizeof(err)), 0);
	assert_int_equal(q.php.n_fns, 3);
	assert_memory_equal(fn(&q, "file_get_contents")->sys, fn(&p, "file_get_contents")->sys,
			    sizeof(fn(&p, "main")->sys));
	/* Merge: union of functions and of each function's syscalls. */
	bg_policy_init(&m);
	assert_int_equal(bg_policy_php_add_fn(&m, "main", NULL), 0);
	assert_int_equal(bg_policy_php_add_fn(&m, "other", NULL), 0);
	m.php.fns[0].sys[0] |= 1; /* read */
	assert_int_equal(bg_policy_merge(&m, &q), 0);
	assert_int_equal(m.php.n_fns, 4);
	assert_true(bg_bit(fn(&m, "main")->sys, bg_syscall_nr(false, "write")));
	assert_true(bg_bit(fn(&m, "main")->sys, bg_syscall_nr(false, "read")));
	assert_int_equal(m.php.n_files, 1);
	bg_policy_free(&p);
	bg_policy_free(&q);
	bg_policy_free(&m);
	free(text);
}

/* An empty section is written as such (and its NULL arrays are fine). */
static void test_empty(void **state)
{
	static const char text[] = "version: 1\nphp: {}\n";
	struct bg_policy p;
	char err[600], *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(bg_policy_parse("p.yaml", text, strlen(text), &p, err, sizeof(err)), 0);
	assert_true(p.has_php);
	assert_int_equal(unit_policy_text(&p, &out, &len, NULL, 0), 0);
	/* No files: key, none written: compiled files are not checked. */
	assert_false(p.php.check_files);
	assert_non_null(strstr(out, "php:\n  functions: {}\n"));
	assert_null(strstr(out, "files:"));
	bg_policy_free(&p);
	free(out);
}

#define expect_error(text, want) UNIT_EXPECT_ERROR(unit_policy_parser, (text), (want))

static void test_errors(void **state)
{
	(void)state;
	expect_error("version: 1\nphp:\n  functions: [a, b]\n",
		     "p.yaml:3:14: php.functions must map NAME: [syscalls]");
	expect_error("version: 1\nphp:\n  functions:\n    f: [read, opn]\n",
		     "p.yaml:4:15: unknown x86_64 syscall 'opn'");
	expect_error("version: 1\nphp:\n  functions:\n    f: read\n",
		     "p.yaml:4:8: the syscalls of f must be a list");
	expect_error("version: 1\nphp:\n  classes: []\n", "p.yaml:3:3: unknown key 'classes'");
	expect_error("version: 1\nphp:\n  files: /x.php\n",
		     "p.yaml:3:10: php.files must be a list");
}

/* An ELF file without .note.stapsdt (this test binary) has no probe; a
 * missing file is an error, not "no probe". */
static void test_has_probe(void **state)
{
	(void)state;
	assert_int_equal(bg_php_has_probe("/proc/self/exe", "php", "function__entry"), 0);
	assert_true(bg_php_has_probe("/nonexistent/php", "php", "function__entry") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	  cmocka_unit_test(test_roundtrip_merge),
		cmocka_unit_test(test_empty),	  cmocka_unit_test(test_errors),
		cmocka_unit_test(test_has_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
