// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* guards.files: parsing, resolution to (dev, ino), and every error naming
 * file:line:col and the problem. Uses paths every Debian system has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <bpfguard/events.h>

#include "core/config.h"
#include "core/ident.h"
#include "guards/files.h"
#include "core/guard.h"
#include "unit.h"

extern const struct bg_guard bg_guard_files;
#define FILES_CFG(c) ((struct bg_files_config *)bg_config_get(&(c), &bg_guard_files))

#define expect_error(text, want) UNIT_EXPECT_ERROR(unit_config_parser, (text), (want))

static void test_rules(void **state)
{
	struct bg_config c;
	struct bg_ident sh, etc;
	char err[600];

	(void)state;
	assert_int_equal(unit_config_parse("guards:\n"
					   "  files:\n"
					   "    rules:\n"
					   "      - name: pw\n"
					   "        paths: [/etc/passwd, /etc/group]\n"
					   "        read: [/bin/sh]\n"
					   "        action: kill\n"
					   "      - name: etc\n"
					   "        paths: [/usr/share]\n"
					   "        write: [/bin/sh, /bin/ls]\n",
					   &c, err, sizeof(err)),
			 0);
	assert_int_equal(FILES_CFG(c)->n_rules, 2);
	assert_string_equal(FILES_CFG(c)->rules[0].h.name, "pw");
	assert_int_equal(FILES_CFG(c)->rules[0].h.action, BG_ACT_KILL);
	assert_true(FILES_CFG(c)->rules[0].restrict_read);
	assert_false(FILES_CFG(c)->rules[0].restrict_write);
	assert_int_equal(FILES_CFG(c)->rules[0].h.n_paths, 2);
	assert_int_equal(bg_ident_from_path("/bin/sh", &sh), 0);
	assert_memory_equal(&FILES_CFG(c)->rules[0].read[0].id, &sh, sizeof(sh));
	assert_false(FILES_CFG(c)->rules[0].h.paths[0].dir);
	assert_int_equal(FILES_CFG(c)->rules[1].h.action, -1); /* the config's mode */
	assert_true(FILES_CFG(c)->rules[1].h.paths[0].dir);
	assert_int_equal(bg_ident_from_path("/usr/share", &etc), 0);
	assert_memory_equal(&FILES_CFG(c)->rules[1].h.paths[0].id, &etc, sizeof(etc));
	assert_int_equal(FILES_CFG(c)->rules[1].n_write, 2);
	bg_config_free(&c);

	/* No section, or no rules: nothing to load. */
	assert_int_equal(unit_config_parse("guards:\n  files: {}\n", &c, err, sizeof(err)), 0);
	assert_int_equal(FILES_CFG(c)->n_rules, 0);
	bg_config_free(&c);
}

#define RULE "guards:\n  files:\n    rules:\n      - name: r\n"

static void test_errors(void **state)
{
	(void)state;
	expect_error(RULE
		     "        paths: [/etc/passwd]\n        read: [/bin/sh]\n        colour: 1\n",
		     "t.yaml:7:9: unknown key 'colour' in a guards.files rule");
	expect_error(RULE "        paths: /etc/passwd\n        read: [/bin/sh]\n",
		     "t.yaml:5:16: paths must be a list of paths");
	expect_error(RULE "        paths: [/etc/nonexistent-bg]\n        read: [/bin/sh]\n",
		     "t.yaml:5:17: paths: /etc/nonexistent-bg: No such file or directory");
	expect_error(RULE "        paths: [/etc/passwd]\n        read: [/usr/bin/no-such-bg]\n",
		     "t.yaml:6:16: read: /usr/bin/no-such-bg: No such file or directory");
	expect_error(RULE "        paths: [/etc/passwd]\n        read: [/usr/bin]\n",
		     "t.yaml:6:16: read: /usr/bin is not a regular file");
	expect_error(RULE "        paths: [etc/passwd]\n        read: [/bin/sh]\n",
		     "t.yaml:5:17: paths: 'etc/passwd' is not an absolute path");
	expect_error(RULE "        paths: [/etc/passwd]\n", "rule 'r' restricts nothing");
	expect_error(
		RULE
		"        paths: [/etc/passwd]\n        read: [/bin/sh]\n        action: maybe\n",
		"t.yaml:7:17: action must be one of alert, deny, kill, not 'maybe'");
	expect_error(RULE "        paths: [/etc/passwd]\n        read: [/bin/sh]\n"
			  "      - name: r\n        paths: [/etc/group]\n        read: [/bin/sh]\n",
		     "t.yaml:7:15: duplicate rule name 'r'");
	expect_error(RULE "        paths: [/etc/passwd]\n        read: [/bin/sh]\n"
			  "      - name: s\n        paths: [/etc/group, /etc/passwd]\n"
			  "        read: [/bin/sh]\n",
		     "t.yaml:8:16: rule 's': /etc/passwd is already protected by rule 'r'");
	expect_error(RULE "        paths: [/etc/passwd, /etc/passwd]\n        read: [/bin/sh]\n",
		     "t.yaml:5:30: paths: /etc/passwd is the same file as /etc/passwd");
	expect_error(RULE "        read: [/bin/sh]\n", "t.yaml:4:9: rule 'r' has no paths");
	expect_error("guards:\n  files:\n    rules: {}\n",
		     "t.yaml:3:12: guards.files.rules must be a list");
	expect_error("guards:\n  files:\n    rulez: []\n", "t.yaml:3:5: unknown key 'rulez'");
	expect_error(RULE "        paths: [/etc/passwd]\n        read: [1, [2]]\n",
		     "t.yaml:6:16: read: '1' is not an absolute path");
	expect_error(RULE "        paths: [/etc/passwd]\n        read: [[2]]\n",
		     "t.yaml:6:16: read must be a string, not a list");
}

/* Parsing reads only the text: a path missing on this host parses, and is
 * reported, with its rule's position, when the config is resolved; the
 * ignore_missing entries are dropped there. */
static void test_parse_is_text_only(void **state)
{
	static const char text[] = "guards:\n  files:\n    rules:\n"
				   "      - name: r\n        paths: [/etc/passwd]\n"
				   "        read: [/bin/sh]\n"
				   "      - name: gone\n        paths: [/etc/passwd-bg-none]\n"
				   "        read: [/bin/sh]\n";
	static const char ign[] = "guards:\n  files:\n    rules:\n"
				  "      - name: r\n        ignore_missing: true\n"
				  "        paths: [/etc/passwd, /etc/none-bg]\n"
				  "        read: [/usr/bin/none-bg, /bin/sh]\n";
	struct bg_config c;
	char err[600] = "";

	(void)state;
	assert_int_equal(bg_config_parse("t.yaml", text, strlen(text), &c, err, sizeof(err)), 0);
	assert_int_equal(FILES_CFG(c)->n_rules, 2);
	assert_int_not_equal(bg_config_resolve(&c, err, sizeof(err)), 0);
	assert_string_equal(err,
			    "t.yaml:8:17: paths: /etc/passwd-bg-none: No such file or directory");
	bg_config_free(&c);

	assert_int_equal(bg_config_parse("t.yaml", ign, strlen(ign), &c, err, sizeof(err)), 0);
	assert_int_equal(FILES_CFG(c)->rules[0].h.n_paths, 2);
	assert_int_equal(bg_config_resolve(&c, err, sizeof(err)), 0);
	assert_int_equal(FILES_CFG(c)->rules[0].h.n_paths, 1);
	assert_string_equal(FILES_CFG(c)->rules[0].h.paths[0].path, "/etc/passwd");
	assert_int_equal(FILES_CFG(c)->rules[0].n_read, 1);
	assert_string_equal(FILES_CFG(c)->rules[0].read[0].path, "/bin/sh");
	bg_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_parse_is_text_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
