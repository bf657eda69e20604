// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cli.h"

#define MAX_OPTS 32

static void opt_left(const struct bg_opt *o, char *left, size_t len)
{
	if (o->val > 0 && o->val < 256)
		snprintf(left, len, "-%c, --%s%s%s", o->val, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(left, len, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void bg_cli_print_help(const struct bg_cmd_help *h)
{
	const struct bg_opt *o;
	char left[64];

	printf("usage: %s\n\n%s\n", h->usage, h->summary);
	if (h->opts && h->opts->name)
		printf("\noptions:\n");
	for (o = h->opts; o && o->name; o++) {
		opt_left(o, left, sizeof(left));
		printf("  %-28s %s\n", left, o->help);
	}
	printf("  %-28s %s\n", "-h, --help", "show this help");
	if (h->more)
		printf("\n%s\n", h->more);
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

/* Store v in the field of o (1, 2, 4 or 8 bytes wide); false if it does not fit. */
static bool put_uint(void *cmd, const struct bg_opt *o, unsigned long long v)
{
	char *p = (char *)cmd + o->off;

	switch (o->size) {
	case 1:
		*(uint8_t *)p = v;
		return v <= UINT8_MAX;
	case 2:
		*(uint16_t *)p = v;
		return v <= UINT16_MAX;
	case 4:
		*(uint32_t *)p = v;
		return v <= UINT32_MAX;
	case 8:
		*(uint64_t *)p = v;
		return true;
	}
	return false;
}

/* "unknown --action 'x' (alert, deny or kill)" */
static int choice_error(const struct bg_cmd_help *h, const struct bg_opt *o, const char *arg)
{
	char list[256];
	size_t i, len = 0;

	list[0] = 0;
	for (i = 0; o->choices[i] && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
				!i ? "" : o->choices[i + 1] ? ", " : " or ", o->choices[i]);
	return bg_cli_usage_error(h, "unknown --%s '%s' (%s)", o->name, arg, list);
}

static int parse_value(const struct bg_cmd_help *h, const struct bg_opt *o, void *cmd,
		       const char *arg)
{
	unsigned long long v = 0;
	const char *why = NULL;
	char *end;
	size_t i;

	switch (o->kind) {
	case BG_ARG_FLAG:
		*(bool *)((char *)cmd + o->off) = true;
		return 0;
	case BG_ARG_SET:
		v = o->set;
		break;
	case BG_ARG_STR:
		*(const char **)((char *)cmd + o->off) = arg;
		return 0;
	case BG_ARG_UINT:
		errno = 0;
		v = strtoull(arg, &end, 10);
		if (!isdigit((unsigned char)*arg) || *end || errno)
			why = "not a number";
		break;
	case BG_ARG_SIZE:
		if (bg_parse_size(arg, &v))
			why = "not a size (4096, 64K, 4MiB, 1G)";
		break;
	case BG_ARG_CHOICE:
		for (i = 0; o->choices[i] && strcmp(o->choices[i], arg); i++)
			;
		if (!o->choices[i])
			return choice_error(h, o, arg);
		v = i;
		break;
	case BG_ARG_SECONDS: {
		double d = strtod(arg, &end);

		if (*end || end == arg || !(d > 0))
			return bg_cli_usage_error(h, "bad --%s '%s': not a positive number of seconds",
						  o->name, arg);
		*(double *)((char *)cmd + o->off) = d;
		return 0;
	}
	case BG_ARG_FN:
		why = o->fn(cmd, arg);
		if (why) /* "--pid '12x' is not a pid" */
			return bg_cli_usage_error(h, "--%s '%s' %s", o->name, arg, why);
		return 0;
	}
	if (!why && (o->kind == BG_ARG_UINT || o->kind == BG_ARG_SIZE) &&
	    (v < o->min || (o->max && v > o->max)))
		why = "out of range";
	if (!why && !put_uint(cmd, o, v))
		why = "too large";
	if (why)
		return bg_cli_usage_error(h, "bad --%s '%s': %s", o->name, arg, why);
	return 0;
}

int bg_cli_parse(int argc, char **argv, const struct bg_cmd_help *h, void *cmd, char ***operands,
		 int *n)
{
	struct option longs[MAX_OPTS + 2];
	char shorts[3 * MAX_OPTS + 4];
	size_t nl = 0, sl = 0;
	const struct bg_opt *o;
	int opt, rc;

	/* Operands among the options: getopt moves them to the end (its
	 * default); otherwise the first operand ends the options. */
	if (h->operands != BG_OPERANDS_ANY)
		shorts[sl++] = '+';
	shorts[sl++] = 'h';
	for (o = h->opts; o && o->name && nl < MAX_OPTS; o++, nl++) {
		longs[nl] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
					    o->val};
		if (o->val > 0 && o->val < 256) {
			shorts[sl++] = o->val;
			if (o->arg)
				shorts[sl++] = ':';
		}
	}
	shorts[sl] = 0;
	longs[nl++] = (struct option){"help", no_argument, NULL, BG_OPT_HELP};
	longs[nl] = (struct option){0};

	*operands = NULL;
	*n = 0;
	optind = 0; /* a full reset: the option string's mode may differ from the last */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (opt == BG_OPT_HELP) {
			bg_cli_print_help(h);
			return 0;
		}
		if (opt == '?') {
			for (o = h->opts; optopt && o && o->name && o->val != optopt; o++)
				;
			if (optopt && o && o->name)
				return bg_cli_usage_error(h, "--%s needs an argument", o->name);
			if (optopt > 0 && optopt < 256)
				return bg_cli_usage_error(h, "unknown option '-%c'", optopt);
			return bg_cli_usage_error(h, "unknown option '%s'", argv[optind - 1]);
		}
		for (o = h->opts; o && o->name && o->val != opt; o++)
			;
		if (!o || !o->name)
			return bg_cli_usage_error(h, "unknown option");
		rc = parse_value(h, o, cmd, optarg);
		if (rc)
			return rc;
	}
	*operands = argv + optind;
	*n = argc - optind;
	if (*n && h->operands == BG_OPERANDS_NONE)
		return bg_cli_usage_error(h, "unexpected argument '%s'", argv[optind]);
	if (h->operands == BG_OPERANDS_ANY && h->max_operands && *n > h->max_operands)
		return bg_cli_usage_error(h, "too many arguments");
	return BG_CLI_RUN;
}

bool bg_cli_has_arg(int argc, char **argv, const char *a, const char *b)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], a) || (b && !strncmp(argv[i], b, strlen(b)) &&
					    (!argv[i][strlen(b)] || argv[i][strlen(b)] == '=')))
			return true;
	return false;
}

static const char *const cap_names[64] = {
	[CAP_NET_ADMIN] = "CAP_NET_ADMIN",
	[CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
	[CAP_PERFMON] = "CAP_PERFMON",
	[CAP_BPF] = "CAP_BPF",
};

/* 0, or 1 after saying which capabilities the command lacks. */
static int check_privilege(const char *name, const struct bg_cmd *c, int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};
	uint64_t eff, missing;
	char need[128] = "", lack[128] = "";
	size_t n = 0, l = 0;
	int i;

	if (!c->caps || bg_cli_has_arg(argc, argv, "-h", "--help") ||
	    (c->unprivileged && c->unprivileged(argc, argv)))
		return 0;
	if (syscall(SYS_capget, &hdr, data))
		return 0; /* cannot tell: let the command find out */
	eff = data[0].effective | (uint64_t)data[1].effective << 32;
	missing = c->caps & ~eff;
	if (!missing)
		return 0;
	for (i = 0; i < 64; i++) {
		if (!(c->caps & (1ULL << i)))
			continue;
		n += snprintf(need + n, sizeof(need) - n, "%s%s", n ? ", " : "", cap_names[i]);
		if (missing & (1ULL << i))
			l += snprintf(lack + l, sizeof(lack) - l, "%s%s", l ? ", " : "",
				      cap_names[i]);
	}
	fprintf(stderr, "%s: needs root (%s%s%s): run it as root\n", name, need,
		missing == c->caps ? "" : "; this process lacks ", missing == c->caps ? "" : lack);
	return 1;
}

static void group_usage(FILE *f, const char *path, const struct bg_cmd *t,
			const struct bg_cmd_help *group)
{
	const struct bg_cmd *c;

	fprintf(f, "usage: %s\n\n%s\n\ncommands:\n", group->usage, group->summary);
	for (c = t; c->name; c++)
		fprintf(f, "  %-8s %s%s\n", c->name, c->planned ? "(not built yet) " : "",
			c->planned ? c->planned : c->help->summary);
	if (group->more)
		fprintf(f, "\n%s\n", group->more);
	fprintf(f, "\n'%s <command> --help' describes a command.\n", path);
}

int bg_cmd_select(const char *path, const struct bg_cmd *t, const struct bg_cmd_help *group,
		  int argc, char **argv)
{
	const struct bg_cmd *c;
	char name[128];

	if (argc < 1 || argv[0][0] == '-') {
		if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
			group_usage(stdout, path, t, group);
			return 0;
		}
		if (argc >= 1)
			fprintf(stderr, "bpfguard: unknown option '%s'\n", argv[0]);
		group_usage(stderr, path, t, group);
		return 2;
	}
	for (c = t; c->name && strcmp(c->name, argv[0]); c++)
		;
	if (!c->name) {
		fprintf(stderr, "bpfguard: unknown command '%s'\n", argv[0]);
		group_usage(stderr, path, t, group);
		return 2;
	}
	snprintf(name, sizeof(name), "%s %s", path, c->name);
	if (c->planned) {
		bool help = argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));

		fprintf(help ? stdout : stderr, "%s is not built yet.\nPlanned: %s\n", name,
			c->planned);
		return help ? 0 : 2;
	}
	if (c->sub)
		return bg_cmd_select(name, c->sub, c->help, argc - 1, argv + 1);
	if (check_privilege(name, c, argc, argv))
		return 1;
	optind = 0;
	return c->fn(argc, argv);
}
