/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the unit tests share. A header, not a .c: the Makefile builds each
 * tests/unit/test_*.c alone against libbpfguard.a. A check made here
 * reports the line of the test that called it (the macros pass
 * __FILE__ and __LINE__), not a line of this file. */
#ifndef BPFGUARD_TESTS_UNIT_H
#define BPFGUARD_TESTS_UNIT_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/config.h"
#include "policy/policy.h"

/* A parser under test as expect_error calls it: TEXT parsed and what it
 * built freed; non-zero, with the message in ERR, on an error. */
typedef int unit_parser(const char *text, char *err, size_t errlen);

/* UNIT_EXPECT_ERROR(PARSER, TEXT, WANT): TEXT does not parse, and the error
 * contains WANT. SHOW=1 in the environment prints every error as well (to
 * write the WANT of a new case). */
#define UNIT_EXPECT_ERROR(parser, text, want)                                                      \
	unit_expect_error((parser), (text), (want), __FILE__, __LINE__)

static inline void unit_expect_error(unit_parser *parse, const char *text, const char *want,
				     const char *file, int line)
{
	char err[600] = "";

	if (!parse(text, err, sizeof(err))) {
		print_error("ERROR: parsed, but an error with '%s' was expected\n", want);
		_fail(file, line);
	}
	if (getenv("SHOW"))
		print_message("%s\n", err);
	if (!strstr(err, want)) {
		print_error("ERROR: error '%s' lacks '%s'\n", err, want);
		_fail(file, line);
	}
}

/* The agent's config from TEXT (named t.yaml), resolved against this host
 * as the agent does when it applies one; on an error nothing is left to
 * free. */
static inline int unit_config_parse(const char *text, struct bg_config *c, char *err, size_t errlen)
{
	int rc;

	err[0] = 0;
	rc = bg_config_parse("t.yaml", text, strlen(text), c, err, errlen);
	if (!rc && (rc = bg_config_resolve(c, err, errlen)))
		bg_config_free(c);
	return rc;
}

/* unit_config_parse as a unit_parser. */
static inline int unit_config_parser(const char *text, char *err, size_t errlen)
{
	struct bg_config c;
	int rc = unit_config_parse(text, &c, err, errlen);

	if (!rc)
		bg_config_free(&c);
	return rc;
}

/* A policy from TEXT (named p.yaml), as a unit_parser. */
static inline int unit_policy_parser(const char *text, char *err, size_t errlen)
{
	struct bg_policy p;
	int rc = bg_policy_parse("p.yaml", text, strlen(text), &p, err, errlen);

	if (!rc)
		bg_policy_free(&p);
	return rc;
}

/* P written as YAML into *TEXT (*LEN bytes, for free()); bg_policy_write's
 * result, or a negative errno where the memory stream failed. */
static inline int unit_policy_text(const struct bg_policy *p, char **text, size_t *len, char *err,
				   size_t errlen)
{
	FILE *f = open_memstream(text, len);
	int rc;

	if (!f)
		return -ENOMEM;
	rc = bg_policy_write(p, f, err, errlen);
	if (fclose(f) && !rc)
		rc = -EIO;
	return rc;
}

#endif
