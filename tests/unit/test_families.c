// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Syscall families (src/policy/families.c): a recorded member grants the
 * family, process-wide, per ABI and in every PHP function; "@name" in a
 * policy; what stays out (mprotect). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/families.h"
#include "policy/policy.h"

static bool has(const uint64_t *bm, bool compat, const char *name)
{
	int nr = bg_syscall_nr(compat, name);

	assert_true(nr >= 0);
	return bg_bit(bm, nr);
}

static void parse_ok(const char *text, struct bg_policy *p)
{
	char err[600] = "";
	int rc = bg_policy_parse("t.yaml", text, strlen(text), p, err, sizeof(err));

	if (rc)
		fail_msg("parse failed: %s", err);
}

static void test_member_grants_family(void **state)
{
	struct bg_policy p;

	(void)state;
	parse_ok("version: 1\nsyscalls:\n  x86_64: [brk, read]\n  ia32: [munmap]\n", &p);
	assert_true(has(p.sys_native, false, "mremap"));
	assert_true(has(p.sys_native, false, "madvise"));
	assert_true(has(p.sys_native, false, "mmap"));
	assert_true(has(p.sys_native, false, "read"));
	/* Not members: W^X and everything else stays as recorded. */
	assert_false(has(p.sys_native, false, "mprotect"));
	assert_false(has(p.sys_native, false, "write"));
	assert_false(has(p.sys_native, false, "futex"));
	/* Per ABI: ia32 got its own members (mmap2), from its own list. */
	assert_true(has(p.sys_compat, true, "mmap2"));
	assert_true(has(p.sys_compat, true, "brk"));
	assert_false(has(p.sys_compat, true, "read"));
	bg_policy_free(&p);
}

static void test_named_family(void **state)
{
	struct bg_policy p;
	char err[600] = "";
	static const char bad[] = "version: 1\nsyscalls:\n  x86_64: [\"@nosuch\"]\n";

	(void)state;
	parse_ok("version: 1\nsyscalls:\n  x86_64: [\"@time\", \"@signals\"]\n", &p);
	assert_true(has(p.sys_native, false, "clock_nanosleep"));
	assert_true(has(p.sys_native, false, "nanosleep"));
	assert_true(has(p.sys_native, false, "restart_syscall"));
	assert_true(has(p.sys_native, false, "rt_sigreturn"));
	assert_false(has(p.sys_native, false, "brk"));
	bg_policy_free(&p);
	assert_int_not_equal(bg_policy_parse("t.yaml", bad, strlen(bad), &p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "t.yaml:3:12: unknown x86_64 syscall '@nosuch'"));
}

static void test_php_functions(void **state)
{
	struct bg_policy p;
	size_t i;

	(void)state;
	/* brk was seen in main only: PDO::query may grow the heap next time. */
	parse_ok("version: 1\n"
		 "php:\n"
		 "  functions:\n"
		 "    main: [brk, write]\n"
		 "    \"PDO::query\": [read, \"@sync\"]\n",
		 &p);
	for (i = 0; i < p.php.n_fns; i++) {
		assert_true(has(p.php.fns[i].sys, false, "mremap"));
		assert_true(has(p.php.fns[i].sys, false, "futex"));
		assert_true(has(p.php.fns[i].sys, false, "sched_yield"));
		/* Families only: main's write is not PDO::query's. */
		assert_int_equal(has(p.php.fns[i].sys, false, "write"),
				 !strcmp(p.php.fns[i].name, "main"));
	}
	bg_policy_free(&p);
}

static void test_php_allocator_prctl(void **state)
{
	struct bg_policy p;

	(void)state;
	/* Zend's allocator names new chunks with prctl: granted per function
	 * when the process-wide list allows prctl, never otherwise. */
	parse_ok("version: 1\nsyscalls:\n  x86_64: [brk, prctl]\n"
		 "php:\n  functions:\n    grow: []\n",
		 &p);
	assert_true(has(p.php.fns[0].sys, false, "mremap"));
	assert_true(has(p.php.fns[0].sys, false, "prctl"));
	bg_policy_free(&p);
	parse_ok("version: 1\nsyscalls:\n  x86_64: [brk]\nphp:\n  functions:\n    grow: []\n", &p);
	assert_true(has(p.php.fns[0].sys, false, "mmap"));
	assert_false(has(p.php.fns[0].sys, false, "prctl"));
	bg_policy_free(&p);
}

static void test_family_of(void **state)
{
	(void)state;
	assert_string_equal(bg_syscall_family_of(false, bg_syscall_nr(false, "mremap")), "memory");
	assert_string_equal(bg_syscall_family_of(true, bg_syscall_nr(true, "mmap2")), "memory");
	assert_null(bg_syscall_family_of(false, bg_syscall_nr(false, "mprotect")));
	assert_null(bg_syscall_family_of(false, bg_syscall_nr(false, "openat")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_grants_family),
		cmocka_unit_test(test_named_family),
		cmocka_unit_test(test_php_functions),
		cmocka_unit_test(test_php_allocator_prctl),
		cmocka_unit_test(test_family_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
