// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The metrics: section: addresses accepted, and every refusal at its
 * FILE:LINE:COL (docs/agent.md, "Metrics and health"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "core/config.h"

static int parse(const char *text, struct bg_config *c, char *err)
{
	memset(c, 0x5a, sizeof(*c));
	return bg_config_parse("t.yaml", text, strlen(text), c, err, 600);
}

static void test_off_by_default(void **state)
{
	struct bg_config c;
	char err[600];

	(void)state;
	assert_int_equal(parse("mode: alert\n", &c, err), 0);
	assert_false(c.metrics.on);
	bg_config_free(&c);
}

static void test_addresses(void **state)
{
	struct bg_config c;
	char err[600];
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&c.metrics.addr;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&c.metrics.addr;

	(void)state;
	assert_int_equal(parse("metrics:\n  listen: 127.0.0.1:9464\n", &c, err), 0);
	assert_true(c.metrics.on);
	assert_int_equal(a4->sin_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 9464);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	bg_config_free(&c);

	assert_int_equal(parse("metrics: { listen: \"[::1]:80\" }\n", &c, err), 0);
	assert_int_equal(a6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(a6->sin6_port), 80);
	bg_config_free(&c);

	assert_int_equal(parse("metrics: { listen: localhost:9 }\n", &c, err), 0);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	bg_config_free(&c);

	assert_int_equal(parse("metrics: { listen: 0.0.0.0:9464, allow_remote: true }\n", &c, err),
			 0);
	assert_true(c.metrics.allow_remote);
	bg_config_free(&c);
}

static void expect_error(const char *text, const char *msg)
{
	struct bg_config c;
	char err[600];

	assert_int_not_equal(parse(text, &c, err), 0);
	if (!strstr(err, msg))
		fail_msg("error '%s' lacks '%s'", err, msg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("metrics:\n  listen: 9464\n",
		     "t.yaml:2:11: metrics.listen '9464': expected HOST:PORT");
	expect_error("metrics:\n  listen: \"127.0.0.1:\"\n",
		     "t.yaml:2:11: metrics.listen '127.0.0.1:': the port");
	expect_error("metrics:\n  listen: 127.0.0.1:65536\n",
		     "the port must be a number from 1 to 65535");
	expect_error("metrics:\n  listen: 127.0.0.1:0\n", "the port must be");
	expect_error("metrics:\n  listen: 127.0.0.1:-1\n", "the port must be");
	expect_error("metrics:\n  listen: 127.0.0.1:9x\n", "the port must be");
	expect_error("metrics:\n  listen: 127.0.0.300:9464\n", "not an IPv4 address");
	expect_error("metrics:\n  listen: prometheus.example:9464\n", "not an IPv4 address");
	expect_error("metrics:\n  listen: ::1:9464\n", "not an IPv4 address");
	expect_error("metrics:\n  listen: \"[::1:9464\"\n", "in brackets");
	expect_error("metrics:\n  listen: \"[zz]:9464\"\n", "not an IPv6 address");
	expect_error("metrics:\n  listen: 10.0.0.1:9464\n",
		     "t.yaml:2:11: metrics.listen '10.0.0.1:9464' is not a loopback address");
	expect_error("metrics:\n  listen: \"[::]:9464\"\n", "is not a loopback address");
	expect_error("metrics:\n  listen: 0.0.0.0:1\n  allow_remote: false\n", "not a loopback");
	expect_error("metrics:\n  allow_remote: true\n", "t.yaml:2:3: metrics: listen is missing");
	expect_error("metrics:\n  listen: [a]\n", "t.yaml:2:11:");
	expect_error("metrics:\n  port: 1\n", "t.yaml:2:3: unknown key 'port'");
	expect_error("metrics:\n  listen: 127.0.0.1:1\n  allow_remote: maybe\n", "t.yaml:3:17:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
