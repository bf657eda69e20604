/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the C integration tests share: one "ok - WHAT" or "not ok - WHAT"
 * line a check, the failures counted for the exit status, and the exit
 * status tests/run.sh reads as a skip (with a last line "SKIP: reason").
 * A header: the Makefile builds each test from its one .c file. */
#ifndef BPFGUARD_TESTS_TAP_H
#define BPFGUARD_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

#define EXIT_SKIP 77

static int failures;

/* check(OK, WHAT...): the line for one check; counts a failure. */
__attribute__((format(printf, 2, 3))) static inline void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

#endif
