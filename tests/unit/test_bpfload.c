// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* BPF load patterns: compilation into kernel rules, and clear errors (file,
 * line, column, what) for every malformed pattern. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bpfguard/events.h>

#include "guards/bpfload.h"
#include "core/config.h"
#include "disasm/disasm.h"
#include "guards/bpfload.h"
#include "core/guard.h"
#include "unit.h"

extern const struct bg_guard bg_guard_bpf_load;
#define BPF_LOAD_CFG(c) ((struct bg_bpfload_config *)bg_config_get(&(c), &bg_guard_bpf_load))

#ifndef SRCDIR
#define SRCDIR "." /* tests/run.sh runs unit tests from the source tree */
#endif

static int parse(const char *text, struct bg_load_rules *r, char *err, size_t len)
{
	struct bg_yaml y;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = bg_yaml_load_string(&y, "p.yaml", text, strlen(text));
	if (!rc)
		rc = bg_load_rules_parse(&y, bg_yaml_root(&y), r);
	snprintf(err, len, "%s", y.err);
	bg_yaml_free(&y);
	return rc;
}

static void test_compile(void **state)
{
	struct bg_load_rules r;
	char err[600];

	(void)state;
	assert_int_equal(parse("rules:\n"
			       "  - name: a\n"
			       "    action: kill\n"
			       "    helpers: [\"bpf_probe_write_user >= 2\", \"send_signal\", "
			       "\"map_lookup_elem > 3\"]\n"
			       "    prog_name: \"sys_*open*at\"\n"
			       "    types: [kprobe, tracepoint]\n"
			       "    attach_types: [trace_fentry]\n"
			       "    map_types: [ringbuf]\n"
			       "    except_loaders: [/usr/bin/true]\n"
			       "  - name: b\n"
			       "    prog_name: exact\n"
			       "  - name: c\n"
			       "    unreadable: true\n"
			       "except_loaders: [/bin/sh]\n",
			       &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.r[0].id, 1);
	assert_int_equal(r.r[0].action, BG_ACT_KILL);
	assert_int_equal(r.r[0].nhelpers, 3);
	assert_int_equal(r.r[0].helper_id[0], bg_helper_id("probe_write_user"));
	assert_int_equal(r.r[0].helper_min[0], 2);
	assert_int_equal(r.r[0].helper_min[1], 1);
	assert_int_equal(r.r[0].helper_min[2], 4); /* > 3 */
	assert_int_equal(r.r[0].prefix_len, 4);
	assert_memory_equal(r.r[0].prefix, "sys_", 4);
	assert_int_equal(r.r[0].mid_len, 4);
	assert_memory_equal(r.r[0].mid, "open", 4);
	assert_int_equal(r.r[0].suffix_len, 2);
	assert_true(r.r[0].flags & BG_LR_NAME);
	assert_false(r.r[0].flags & BG_LR_NAME_EXACT);
	assert_true(r.r[0].flags & BG_LR_EXCEPT);
	assert_int_equal(r.r[0].prog_types, (1ULL << 2) | (1ULL << 5)); /* kprobe, tracepoint */
	assert_true(r.r[0].map_types & (1ULL << 27));			/* ringbuf */
	assert_true(r.r[0].attach_types[0] || r.r[0].attach_types[1]);
	assert_int_equal(r.r[1].action, 0); /* the guard's action, set at start */
	assert_true(r.r[1].flags & BG_LR_NAME_EXACT);
	assert_true(r.r[2].flags & BG_LR_UNREADABLE);
	assert_int_equal(r.nexcept, 2);
	assert_int_equal(r.except[0].rule_id, 1);
	assert_int_equal(r.except[1].rule_id, 0);
	bg_load_rules_free(&r);
}

/* parse as a unit_parser, for expect_error. */
static int parser(const char *text, char *err, size_t errlen)
{
	struct bg_load_rules r;
	int rc = parse(text, &r, err, errlen);

	bg_load_rules_free(&r);
	return rc;
}

#define expect_error(text, want) UNIT_EXPECT_ERROR(parser, (text), (want))

static void test_errors(void **state)
{
	(void)state;
	expect_error("rules:\n  - name: a\n    helpers: [bpf_probe_write_usr]\n",
		     "p.yaml:3:15: helpers: unknown helper 'bpf_probe_write_usr'");
	expect_error("rules:\n  - name: a\n    helpers: [\"send_signal <= 1\"]\n",
		     "p.yaml:3:15: helpers: 'send_signal <= 1': the only comparisons are >= and >");
	expect_error("rules:\n  - name: a\n    helpers: [\"send_signal >= x\"]\n",
		     "p.yaml:3:15: helpers: 'send_signal >= x': bad count");
	expect_error("rules:\n  - name: a\n    helpers: [\"send_signal >= 0\"]\n",
		     "a count of 0 always matches");
	expect_error("rules:\n  - name: a\n    helpers: send_signal\n",
		     "p.yaml:3:14: helpers must be a list");
	expect_error("rules:\n  - name: a\n    prog_name: \"a*b*c*d\"\n",
		     "p.yaml:3:16: prog_name: 'a*b*c*d': at most two '*'");
	expect_error("rules:\n  - name: a\n    prog_name: \"a?\"\n", "only '*' is supported");
	expect_error("rules:\n  - name: a\n    prog_name: \"0123456789abcdefg*\"\n",
		     "the kernel keeps 15 bytes");
	expect_error("rules:\n  - name: a\n    types: [kprobes]\n",
		     "p.yaml:3:13: types: unknown type 'kprobes'");
	expect_error("rules:\n  - name: a\n    map_types: [ring_buffer]\n",
		     "map_types: unknown type 'ring_buffer'");
	expect_error("rules:\n  - name: a\n    note: nothing else\n",
		     "p.yaml:2:5: rule 'a' has no condition");
	expect_error("rules:\n  - helpers: [send_signal]\n", "p.yaml:2:5: a rule needs a name");
	expect_error("rules:\n  - name: a\n    helpers: [send_signal]\n  - name: a\n    helpers: "
		     "[send_signal]\n",
		     "p.yaml:4:11: name: a rule named 'a' already exists");
	expect_error("rules:\n  - name: a\n    action: block\n    helpers: [send_signal]\n",
		     "p.yaml:3:13: action must be one of alert, deny, kill, not 'block'");
	expect_error("rules:\n  - name: a\n    helper: [send_signal]\n",
		     "p.yaml:3:5: unknown key 'helper'");
	expect_error("rule:\n  - name: a\n", "p.yaml:1:1: unknown key 'rule'");
	expect_error(
		"rules:\n  - name: a\n    helpers: [send_signal]\n    except_loaders: [bin/sh]\n",
		"p.yaml:4:22: except_loaders: 'bin/sh' is not an absolute path");
	expect_error("rules:\n  - name: a\n    unreadable: false\n", "unreadable: only 'true'");
	expect_error("rules: [\n", "p.yaml:");
	expect_error("rules:\n  - name: a\n    prog_name: \"ab\\0*\"\n",
		     "p.yaml:3:19: a NUL character inside a string is not allowed (after 'ab')");
}

/* The shipped patterns and the default config parse. */
static void test_shipped(void **state)
{
	struct bg_load_rules r;
	struct bg_config c;
	char err[600];

	(void)state;
	if (bg_load_rules_load(SRCDIR "/config/bpf-patterns.yaml", &r, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(r.n >= 6);
	bg_load_rules_free(&r);
	if (bg_config_load(SRCDIR "/config/default.yaml", &c, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(BPF_LOAD_CFG(c)->enabled);
	assert_int_equal(BPF_LOAD_CFG(c)->action, BG_ACT_ALERT);
	assert_true(BPF_LOAD_CFG(c)->rules.n >= 6);
	assert_int_equal(BPF_LOAD_CFG(c)->rules.r[0].action, BG_ACT_ALERT);
	bg_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
