// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* guards.limits: parsing, and every error naming file:line:col and the
 * problem (unknown key, wrong type, duplicate target). Uses paths every
 * Debian system has; no root, no BPF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <bpfguard/events.h>

#include "core/config.h"
#include "core/ident.h"
#include "guards/limits_guard.h"
#include "core/guard.h"
#include "unit.h"

extern const struct bg_guard bg_guard_limits;
#define LIMITS_CFG(c) ((struct bg_limits_config *)bg_config_get(&(c), &bg_guard_limits))

#define expect_error(text, want) UNIT_EXPECT_ERROR(unit_config_parser, (text), (want))

#define HEAD "guards:\n  limits:\n    rules:\n"

static void test_rules(void **state)
{
	struct bg_config c;
	struct bg_ident sh;
	char err[600];

	(void)state;
	assert_int_equal(
		unit_config_parse(HEAD
				  "      - name: sh-mem\n" /* 4 */
				  "        match: { exe: /bin/sh }\n"
				  "        action: kill\n"
				  "        max_memory: 1GiB\n"
				  "        max_children: 8\n"
				  "      - name: bombs\n" /* 9 */
				  "        match: { comm: bash }\n"
				  "        max_descendants: 500\n"
				  "        network:\n"
				  "          ban: [connect, receive]\n"
				  "          allow: [\"10.0.0.0/8:443\", \"[::1]:*\", \"*:53\"]\n",
				  &c, err, sizeof(err)),
		0);
	assert_int_equal(LIMITS_CFG(c)->n_rules, 2);
	assert_string_equal(LIMITS_CFG(c)->rules[0].name, "sh-mem");
	assert_int_equal(LIMITS_CFG(c)->rules[0].match, BG_LIM_MATCH_EXE);
	assert_int_equal(bg_ident_from_path("/bin/sh", &sh), 0);
	assert_memory_equal(&LIMITS_CFG(c)->rules[0].exe, &sh, sizeof(sh));
	assert_int_equal(LIMITS_CFG(c)->rules[0].action, BG_ACT_KILL);
	assert_int_equal(LIMITS_CFG(c)->rules[0].r.max_memory, 1ull << 30);
	assert_int_equal(LIMITS_CFG(c)->rules[0].r.max_children, 8);
	assert_int_equal(LIMITS_CFG(c)->rules[0].r.net_ban, 0);

	assert_int_equal(LIMITS_CFG(c)->rules[1].match, BG_LIM_MATCH_COMM);
	assert_string_equal(LIMITS_CFG(c)->rules[1].comm, "bash");
	assert_int_equal(LIMITS_CFG(c)->rules[1].action, 0); /* the config's mode */
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.max_descendants, 500);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.net_ban, BG_BAN_CONNECT | BG_BAN_RECV);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.n_peers, 3);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[0].family, AF_INET);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[0].prefix, 8);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[0].port, 443);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[0].addr[0], 10);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[1].family, AF_INET6);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[1].port, 0);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[1].addr[15], 1);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[2].family, 0);
	assert_int_equal(LIMITS_CFG(c)->rules[1].r.peers[2].port, 53);
	bg_config_free(&c);

	/* No section or no rules: nothing to load. */
	assert_int_equal(unit_config_parse("guards:\n  limits: {}\n", &c, err, sizeof(err)), 0);
	assert_int_equal(LIMITS_CFG(c)->n_rules, 0);
	bg_config_free(&c);
}

#define R1 HEAD "      - name: a\n        match: { exe: /bin/sh }\n"

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_error("guards:\n  limits:\n    rule: []\n",
		     "t.yaml:3:5: unknown key 'rule' in guards.limits");
	expect_error(R1 "        max_mem: 1G\n", "t.yaml:6:9: unknown key 'max_mem'");
	expect_error(HEAD "      - name: a\n        match: { path: /bin/sh }\n",
		     "t.yaml:5:18: unknown key 'path' in match");
	expect_error(R1 "        network: { ban: [connect], deny: [] }\n",
		     "t.yaml:6:36: unknown key 'deny' in network");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_error("guards:\n  limits:\n    rules: {}\n",
		     "t.yaml:3:12: guards.limits.rules must be a list");
	expect_error(R1 "        max_memory: lots\n", "t.yaml:6:21: max_memory must be a size");
	expect_error(R1 "        max_memory: 100\n",
		     "t.yaml:6:21: max_memory must be at least 4KiB");
	expect_error(R1 "        max_children: many\n", "t.yaml:6:23: max_children");
	expect_error(R1 "        max_children: 0\n",
		     "t.yaml:6:23: max_children must be between 1 and 1000000");
	expect_error(R1 "        max_descendants: [1]\n", "t.yaml:6:26: max_descendants");
	expect_error(R1 "        action: maybe\n",
		     "t.yaml:6:17: action must be one of alert, deny, kill, redirect, not 'maybe'");
	expect_error(R1 "        network: { ban: connect }\n",
		     "t.yaml:6:25: rule 'a': network.ban must be a list of connect, send, receive");
	expect_error(R1 "        network: { ban: [dial] }\n",
		     "t.yaml:6:26: network.ban must be one of");
	expect_error(R1 "        network: { ban: [send], allow: [\"10.0.0.1\"] }\n",
		     "t.yaml:6:41: rule 'a': peer '10.0.0.1' is not ADDR[/BITS]:PORT");
	expect_error(R1 "        network: { ban: [send], allow: \"*:53\" }\n",
		     "t.yaml:6:40: rule 'a': network.allow must be a list of peers");
	expect_error(HEAD "      - name: a\n        match: { exe: [/bin/sh] }\n",
		     "t.yaml:5:23: exe");
}

static void test_targets(void **state)
{
	(void)state;
	expect_error(R1, "t.yaml:4:9: rule 'a' limits nothing");
	expect_error(HEAD "      - name: a\n        max_children: 2\n",
		     "t.yaml:4:9: rule 'a' has no match (exe, cgroup or comm)");
	expect_error(HEAD "      - name: a\n        match: { exe: /bin/sh, comm: sh }\n"
			  "        max_children: 2\n",
		     "t.yaml:5:16: rule 'a': match takes exactly one of exe, cgroup, comm");
	expect_error(HEAD "      - name: a\n        match: { exe: /nonexistent/x }\n"
			  "        max_children: 2\n",
		     "t.yaml:5:16: rule 'a': exe /nonexistent/x: No such file or directory");
	expect_error(HEAD
		     "      - name: a\n        match: { exe: bin/sh }\n        max_children: 2\n",
		     "t.yaml:5:16: rule 'a': exe 'bin/sh' is not an absolute path");
	expect_error(HEAD
		     "      - name: a\n        match: { cgroup: /etc }\n        max_children: 2\n",
		     "t.yaml:5:16: rule 'a': /etc is not a cgroup directory");
	expect_error(HEAD "      - name: a\n        match: { comm: a-very-long-command }\n"
			  "        max_children: 2\n",
		     "t.yaml:5:16: rule 'a': comm 'a-very-long-command' is longer than 15 bytes");
	/* Duplicates: the same name, the same executable (by inode, whatever
	 * the path says), the same comm. */
	expect_error(R1 "        max_children: 2\n"
			"      - name: a\n        match: { comm: x }\n        max_children: 2\n",
		     "t.yaml:7:15: duplicate rule name 'a'");
	expect_error(R1 "        max_children: 2\n"
			"      - name: b\n        match: { exe: /bin/../bin/sh }\n"
			"        max_memory: 1G\n",
		     "t.yaml:7:9: rules 'a' and 'b' match the same target");
	expect_error(HEAD "      - name: a\n        match: { comm: sh }\n        max_children: 2\n"
			  "      - name: b\n        match: { comm: sh }\n        max_children: 3\n",
		     "t.yaml:7:9: rules 'a' and 'b' match the same target");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
