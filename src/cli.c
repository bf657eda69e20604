// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_OPTS 32

int bg_getopt(int argc, char **argv, const struct bg_cmd_help *h)
{
	struct option longs[MAX_OPTS + 2];
	char shorts[3 * MAX_OPTS + 4] = "+h";
	size_t n = 0, sl = 2;
	const struct bg_opt *o;

	for (o = h->opts; o && o->name && n < MAX_OPTS; o++, n++) {
		longs[n] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
					   o->val};
		if (o->val > 0 && o->val < 256) {
			shorts[sl++] = o->val;
			if (o->arg)
				shorts[sl++] = ':';
		}
	}
	shorts[sl] = 0;
	longs[n++] = (struct option){"help", no_argument, NULL, BG_OPT_HELP};
	longs[n] = (struct option){0};
	return getopt_long(argc, argv, shorts, longs, NULL);
}

void bg_cli_print_help(const struct bg_cmd_help *h)
{
	const struct bg_opt *o;

	printf("usage: %s\n\n%s\n", h->usage, h->summary);
	if (h->opts && h->opts->name)
		printf("\noptions:\n");
	for (o = h->opts; o && o->name; o++) {
		char left[64];

		if (o->val > 0 && o->val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		printf("  %-28s %s\n", left, o->help);
	}
	printf("  %-28s %s\n", "-h, --help", "show this help");
	if (h->more)
		printf("\n%s\n", h->more);
}

int bg_cli_default(int opt, const struct bg_cmd_help *h)
{
	if (opt == BG_OPT_HELP) {
		bg_cli_print_help(h);
		return 0;
	}
	fprintf(stderr, "usage: %s\n(try --help)\n", h->usage);
	return 2;
}

int bg_cli_usage_error(const struct bg_cmd_help *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bpfguard: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n(try --help)\n", h->usage);
	return 2;
}

int bg_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "") || !strcmp(end, "B"))
		mul = 1;
	else if (!strcmp(end, "K") || !strcmp(end, "KiB") || !strcmp(end, "k"))
		mul = 1ULL << 10;
	else if (!strcmp(end, "M") || !strcmp(end, "MiB"))
		mul = 1ULL << 20;
	else if (!strcmp(end, "G") || !strcmp(end, "GiB"))
		mul = 1ULL << 30;
	else
		return -EINVAL;
	if (v > ~0ULL / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}
