/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CLI_H
#define BG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Commands and their options are tables. An option says where its value
 * goes (an offset into the command's own struct) and how it is read, so
 * one parser fills every command and the help is printed from the same
 * table: they cannot disagree. A command with subcommands is a table of
 * commands (bpf list/dump/watch, net attach/...), selected by name.
 */

enum bg_arg {
	BG_ARG_FLAG,   /* bool = true */
	BG_ARG_SET,    /* an int-sized field = .set (--json, --text) */
	BG_ARG_STR,    /* const char * = the argument */
	BG_ARG_UINT,   /* an unsigned field, decimal, within [min, max] */
	BG_ARG_SIZE,   /* an unsigned field, "4MiB" (bg_parse_size), within [min, max] */
	BG_ARG_CHOICE, /* an int-sized field = index of the argument in .choices */
	BG_ARG_SECONDS, /* a double > 0 */
	BG_ARG_FN,     /* .fn(cmd, arg): NULL, or what is wrong: "is not a pid" */
};

struct bg_opt {
	const char *name; /* long name */
	int val;	  /* short letter, or >= 256 for long-only */
	const char *arg;  /* metavar, or NULL for a flag */
	const char *help;
	enum bg_arg kind;
	size_t off, size; /* the field in the command's struct */
	long long set;
	unsigned long long min, max;
	const char *const *choices; /* NULL-terminated */
	const char *(*fn)(void *cmd, const char *arg);
};

#define BG_FIELD(T, f) .off = offsetof(T, f), .size = sizeof(((T *)0)->f)
#define BG_OPT_FLAG(T, f, n, v, h) {.name = n, .val = v, .help = h, .kind = BG_ARG_FLAG, BG_FIELD(T, f)}
#define BG_OPT_SET(T, f, x, n, v, h) \
	{.name = n, .val = v, .help = h, .kind = BG_ARG_SET, .set = x, BG_FIELD(T, f)}
#define BG_OPT_STR(T, f, n, v, a, h) \
	{.name = n, .val = v, .arg = a, .help = h, .kind = BG_ARG_STR, BG_FIELD(T, f)}
#define BG_OPT_UINT(T, f, n, v, a, lo, hi, h)                                                \
	{.name = n, .val = v, .arg = a, .help = h, .kind = BG_ARG_UINT, .min = lo, .max = hi, \
	 BG_FIELD(T, f)}
#define BG_OPT_SIZE(T, f, n, v, a, lo, hi, h)                                                \
	{.name = n, .val = v, .arg = a, .help = h, .kind = BG_ARG_SIZE, .min = lo, .max = hi, \
	 BG_FIELD(T, f)}
#define BG_OPT_CHOICE(T, f, n, v, a, c, h) \
	{.name = n, .val = v, .arg = a, .help = h, .kind = BG_ARG_CHOICE, .choices = c, BG_FIELD(T, f)}
#define BG_OPT_SECONDS(T, f, n, v, h) \
	{.name = n, .val = v, .arg = "SECONDS", .help = h, .kind = BG_ARG_SECONDS, BG_FIELD(T, f)}
#define BG_OPT_FN(n, v, a, f, h) {.name = n, .val = v, .arg = a, .help = h, .kind = BG_ARG_FN, .fn = f}

/* Where a command's operands may stand. */
enum bg_operands {
	BG_OPERANDS_NONE,    /* none */
	BG_OPERANDS_ANY,     /* among the options ("dump 12 --json") */
	BG_OPERANDS_COMMAND, /* the first ends the options: CMD [ARGS] */
};

struct bg_cmd_help {
	const char *usage;   /* "bpfguard probe [--json]" */
	const char *summary; /* one line */
	const struct bg_opt *opts;
	const char *more; /* optional paragraph after the options */
	enum bg_operands operands;
	int max_operands; /* with BG_OPERANDS_ANY; 0: any number */
};

#define BG_OPT_HELP 'h'
/* bg_cli_parse: go on with the command (any other value is the exit status). */
#define BG_CLI_RUN (-1)

/*
 * Parse argv (argv[0] is the command's name) into cmd, as h's table says.
 * The operands are left in *operands (a slice of argv, *n of them).
 * --help prints the help and gives 0; bad input prints why with the usage
 * on stderr and gives 2.
 */
int bg_cli_parse(int argc, char **argv, const struct bg_cmd_help *h, void *cmd, char ***operands,
		 int *n);
void bg_cli_print_help(const struct bg_cmd_help *h);
int bg_cli_usage_error(const struct bg_cmd_help *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One command of a table: a leaf runs fn, a group selects among sub. */
struct bg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct bg_cmd_help *help;
	uint64_t caps; /* capabilities it needs (1 << CAP_*) */
	/* Non-NULL: the runs of the command that need no privilege. */
	bool (*unprivileged)(int argc, char **argv);
	const struct bg_cmd *sub; /* a group: its commands, ended by {0} */
	const char *planned;	  /* non-NULL: not built yet; what it will do */
};

/*
 * Run argv[0] of table t (path: the words before it, "bpfguard bpf"):
 * privileges checked, a group's help listing its commands, an unknown
 * name an error with the list.
 */
int bg_cmd_select(const char *path, const struct bg_cmd *t, const struct bg_cmd_help *group,
		  int argc, char **argv);
/* Whether argv (up to "--") holds option a or long option b (b= too). */
bool bg_cli_has_arg(int argc, char **argv, const char *a, const char *b);

/* "4MiB", "65536", "1G": bytes; -EINVAL on anything else. */
int bg_parse_size(const char *s, unsigned long long *out);

#endif
