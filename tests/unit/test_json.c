// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON writer: structure and escaping of hostile strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "events/json.h"

static char *esc(struct bg_buf *b, const char *s, size_t n)
{
	b->len = 0;
	bg_json_escape(b, s, n, false);
	bg_buf_putc(b, 0);
	return b->p;
}

static void test_structure(void **state)
{
	struct bg_buf b;
	struct bg_json j;

	(void)state;
	bg_buf_init(&b);
	bg_json_init(&j, &b);
	bg_json_obj(&j);
	bg_json_kstr(&j, "a", "x");
	bg_json_ku64(&j, "n", 18446744073709551615ULL);
	bg_json_ki64(&j, "m", -9223372036854775807LL - 1);
	bg_json_karr(&j, "l");
	bg_json_u64(&j, 1);
	bg_json_bool(&j, false);
	bg_json_null(&j);
	bg_json_obj(&j);
	bg_json_obj_end(&j);
	bg_json_arr_end(&j);
	bg_json_kobj(&j, "o");
	bg_json_kustr(&j, "id", 0);
	bg_json_obj_end(&j);
	bg_json_obj_end(&j);
	bg_buf_putc(&b, 0);
	assert_string_equal(b.p, "{\"a\":\"x\",\"n\":18446744073709551615,"
				 "\"m\":-9223372036854775808,\"l\":[1,false,null,{}],"
				 "\"o\":{\"id\":\"0\"}}");
	bg_buf_free(&b);
}

static void test_escape_ascii(void **state)
{
	struct bg_buf b;

	(void)state;
	bg_buf_init(&b);
	assert_string_equal(esc(&b, "a\"b\\c", 5), "a\\\"b\\\\c");
	assert_string_equal(esc(&b, "\n\t\r\x01\x1b\x7f", 6), "\\n\\t\\r\\u0001\\u001b\x7f");
	/* An embedded NUL is data here (not stop_at_nul). */
	assert_string_equal(esc(&b, "a\0b", 3), "a\\u0000b");
	bg_buf_free(&b);
}

static void test_escape_utf8(void **state)
{
	struct bg_buf b;

	(void)state;
	bg_buf_init(&b);
	/* Valid: 2, 3 and 4-byte sequences pass through. */
	assert_string_equal(esc(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* Stray continuation byte, overlong '/', surrogate, above U+10FFFF,
	 * truncated sequence at the end, 0xff. */
	assert_string_equal(esc(&b, "\x80", 1), "\\ufffd");
	assert_string_equal(esc(&b, "\xc0\xaf", 2), "\\ufffd\\ufffd");
	assert_string_equal(esc(&b, "\xe0\x80\xaf", 3), "\\ufffd\\ufffd\\ufffd");
	assert_string_equal(esc(&b, "\xed\xa0\x80", 3), "\\ufffd\\ufffd\\ufffd");
	assert_string_equal(esc(&b, "\xf4\x90\x80\x80", 4), "\\ufffd\\ufffd\\ufffd\\ufffd");
	assert_string_equal(esc(&b, "ok\xe2\x82", 4), "ok\\ufffd\\ufffd");
	assert_string_equal(esc(&b, "\xff", 1), "\\ufffd");
	bg_buf_free(&b);
}

static void test_strn_stops_at_nul(void **state)
{
	struct bg_buf b;
	struct bg_json j;
	char comm[16] = "bash";

	(void)state;
	bg_buf_init(&b);
	bg_json_init(&j, &b);
	bg_json_strn(&j, comm, sizeof(comm));
	bg_buf_putc(&b, 0);
	assert_string_equal(b.p, "\"bash\"");
	bg_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_escape_ascii),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_strn_stops_at_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
