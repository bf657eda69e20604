// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_ring_round),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
