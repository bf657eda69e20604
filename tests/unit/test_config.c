// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Agent config validation: every error names file, line and the problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <bpfguard/events.h>

#include "core/config.h"
#include "events/ring.h"
#include "guards/exec.h"
#include "core/guard.h"
#include "unit.h"

extern const struct bg_guard bg_guard_exec;
#define EXEC_CFG(c) ((struct bg_exec_config *)bg_config_get(&(c), &bg_guard_exec))

static int parse(const char *text, struct bg_config *c, char *err)
{
	memset(c, 0x5a, sizeof(*c));
	return bg_config_parse("t.yaml", text, strlen(text), c, err, 600);
}

static void test_defaults_and_values(void **state)
{
	struct bg_config c;
	char err[600];

	(void)state;
	assert_int_equal(parse("mode: alert\n", &c, err), 0);
	assert_int_equal(c.mode, BG_ACT_ALERT);
	assert_int_equal(c.ring_size, BG_RING_DEFAULT);
	assert_null(c.output);
	assert_true(EXEC_CFG(c)->enabled);
	bg_config_free(&c);

	assert_int_equal(parse("mode: kill\nevents:\n  ring_buffer_size: 64K\n  output: /tmp/x\n"
			       "  format: json\nguards:\n  exec:\n    enabled: no\n",
			       &c, err),
			 0);
	assert_int_equal(c.mode, BG_ACT_KILL);
	assert_int_equal(c.ring_size, 65536);
	assert_string_equal(c.output, "/tmp/x");
	assert_int_equal(c.format, BG_FORMAT_JSON);
	assert_false(EXEC_CFG(c)->enabled);
	bg_config_free(&c);
}

/* As parse, for expect_error: the config's own errors, nothing resolved. */
static int parser(const char *text, char *err, size_t errlen)
{
	struct bg_config c;
	int rc;

	memset(&c, 0x5a, sizeof(c));
	rc = bg_config_parse("t.yaml", text, strlen(text), &c, err, errlen);
	if (!rc)
		bg_config_free(&c);
	return rc;
}

#define expect_error(text, want) UNIT_EXPECT_ERROR(parser, (text), (want))

static void test_errors(void **state)
{
	(void)state;
	expect_error("mode: alert\nbogus: 1\n", "t.yaml:2:1: unknown key 'bogus'");
	expect_error("mode: alert\nmode: kill\n", "t.yaml:2:1: duplicate key 'mode'");
	expect_error("mode: maybe\n",
		     "t.yaml:1:7: mode must be one of alert, deny, kill, not 'maybe'");
	expect_error("events:\n  ring_buffer_size: lots\n",
		     "t.yaml:2:21: events.ring_buffer_size must be a size");
	expect_error("events:\n  ring_buffer_size: 1K\n", "between 4K and 1G");
	expect_error("events: [1, 2]\n", "t.yaml:1:9: events must be a mapping, not a list");
	expect_error("guards:\n  exec:\n    enabled: 3\n",
		     "t.yaml:3:14: guards.exec.enabled must be true or false, not '3'");
	expect_error("guards:\n  filez: {}\n", "t.yaml:2:3: unknown key 'filez' in guards");
	expect_error("mode: [\n", "t.yaml:");
	expect_error("", "empty configuration");
	/* A NUL would cut the path: the output would go to /tmp/x. */
	expect_error("events:\n  output: \"/tmp/x\\0y\"\n",
		     "t.yaml:2:18: a NUL character inside a string is not allowed");
}

/* events: syslog, ancestry, hashes, containers (docs/agent.md, events.md). */
static void test_fleet_keys(void **state)
{
	struct bg_config c;
	char err[600];

	(void)state;
	assert_int_equal(parse("mode: alert\n", &c, err), 0);
	assert_false(c.to_syslog);
	assert_int_equal(c.enrich.ancestry, 4);
	assert_true(c.enrich.hashes && c.enrich.containers);
	assert_int_equal(c.syslog.facility, 3); /* daemon */
	bg_config_free(&c);
	assert_int_equal(parse("events:\n  output: syslog\n  syslog:\n    address: tcp:[::1]:6514\n"
			       "    facility: local7\n    buffer: 64K\n  ancestry: 0\n"
			       "  hashes: false\n  containers: no\n",
			       &c, err),
			 0);
	assert_true(c.to_syslog);
	assert_null(c.output);
	assert_string_equal(c.syslog.address, "tcp:[::1]:6514");
	assert_int_equal(c.syslog.facility, 23);
	assert_int_equal(c.syslog.buffer, 65536);
	assert_int_equal(c.enrich.ancestry, 0);
	assert_false(c.enrich.hashes || c.enrich.containers);
	bg_config_free(&c);
	expect_error("events:\n  output: syslog\n  syslog:\n    address: tcp:logs.example:514\n",
		     "t.yaml:4:14: events.syslog.address 'tcp:logs.example:514': the collector "
		     "must be an IPv4 or IPv6 address");
	expect_error("events:\n  output: syslog\n  syslog: { facility: local9 }\n",
		     "t.yaml:3:23: events.syslog.facility 'local9': expected");
	expect_error("events:\n  syslog: { facility: local1 }\n",
		     "events.syslog is set but events.output is not syslog");
	expect_error("events:\n  output: syslog\n  format: text\n", "t.yaml:3:11: events.output: "
								    "syslog sends JSON");
	expect_error("events:\n  ancestry: 33\n", "t.yaml:2:13: events.ancestry must be between 0 "
						  "and 32");
	expect_error("events:\n  hashes: maybe\n", "events.hashes must be true or false");
}

/* The kernel's rule (dev_valid_name): 1 to 15 bytes, not . or .., no '/',
 * ':' or white space; refused at parse, not at attach. */
static void test_interface_names(void **state)
{
	static const char *const bad[] = {
		"\"rbv0\\nx\"", "\"a b\"",   "\"eth0:1\"",	 "\"a/b\"",    "\"..\"",
		"\"\"",		"\"a\\tb\"", "0123456789abcdef", "\"a\\xa0\"", NULL};
	struct bg_config c;
	char text[256], err[600];
	int i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		snprintf(text, sizeof(text), "network:\n  interfaces: [lo, %s]\n", bad[i]);
		if (!parse(text, &c, err))
			fail_msg("interface %s accepted", bad[i]);
		if (!strstr(err, "t.yaml:2:20: ") || !strstr(err, "is not an interface name"))
			fail_msg("interface %s: error '%s'", bad[i], err);
	}
	assert_int_equal(
		parse("network:\n  interfaces: [lo, veth-x.10, \"0123456789abcde\"]\n", &c, err),
		0);
	bg_config_free(&c);
}

static void test_missing_file(void **state)
{
	struct bg_config c;
	char err[600];

	(void)state;
	assert_int_not_equal(bg_config_load("/nonexistent/x.yaml", &c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "/nonexistent/x.yaml: No such file or directory"));
}

/* metrics: (docs/agent.md, "Metrics and health"). */
static void test_metrics_off_by_default(void **state)
{
	struct bg_config c;
	char err[600];

	(void)state;
	assert_int_equal(parse("mode: alert\n", &c, err), 0);
	assert_false(c.metrics.on);
	bg_config_free(&c);
}

static void test_metrics_addresses(void **state)
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

static void test_metrics_errors(void **state)
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
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_fleet_keys),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_interface_names),
		cmocka_unit_test(test_metrics_off_by_default),
		cmocka_unit_test(test_metrics_addresses),
		cmocka_unit_test(test_metrics_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
