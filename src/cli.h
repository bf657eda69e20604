/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CLI_H
#define BG_CLI_H

#include <getopt.h>

/* One option of a command: its help is generated from this table. */
struct bg_opt {
	const char *name; /* long name */
	int val;	  /* short letter, or >= 256 for long-only */
	const char *arg;  /* metavar, or NULL for a flag */
	const char *help;
};

struct bg_cmd_help {
	const char *usage;   /* "bpfguard probe [--json]" */
	const char *summary; /* one line */
	const struct bg_opt *opts;
	const char *more; /* optional paragraph after the options */
};

#define BG_OPT_HELP 'h'

/* getopt_long over the table, plus -h/--help. */
int bg_getopt(int argc, char **argv, const struct bg_cmd_help *h);
void bg_cli_print_help(const struct bg_cmd_help *h);
/* For the default branch: --help prints help and gives 0; anything else
 * gives 2 after a hint on stderr. */
int bg_cli_default(int opt, const struct bg_cmd_help *h);
int bg_cli_usage_error(const struct bg_cmd_help *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "4MiB", "65536", "1G": bytes; -EINVAL on anything else. */
int bg_parse_size(const char *s, unsigned long long *out);

#endif
