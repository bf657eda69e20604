// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard <command> [options]: the command table. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "log.h"

#ifndef BG_VERSION
#define BG_VERSION "0.1.0"
#endif

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct bg_cmd_help *help;
	const char *planned; /* non-NULL: not built yet; what it will do */
};

/* For commands listed before they are built (none at the moment). */
static const struct bg_cmd_help planned_help __attribute__((unused)) = {0};

static const struct cmd cmds[] = {
	{"probe", cmd_probe, &probe_help, NULL},
	{"agent", cmd_agent, &agent_help, NULL},
	{"profile", cmd_profile, &profile_help, NULL},
	{"run", cmd_run, &run_help, NULL},
	{"monitor", cmd_monitor, &monitor_help, NULL},
	{"bpf", cmd_bpf, &bpf_help, NULL},
	{"net", cmd_net, &net_help, NULL},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: bpfguard [-v] <command> [options]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s%s\n", cmds[i].name, cmds[i].planned ? "(not built yet) " : "",
			cmds[i].planned ? cmds[i].planned : cmds[i].help->summary);
	fprintf(f, "\n'bpfguard <command> --help' describes a command; man bpfguard has the rest.\n"
		   "Global options: -v (more diagnostics, twice for libbpf's), --version.\n");
}

int main(int argc, char **argv)
{
	int verbose = 0, i = 1;
	size_t c;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose++;
		} else if (!strcmp(argv[i], "-vv")) {
			verbose += 2;
		} else if (!strcmp(argv[i], "--version")) {
			printf("bpfguard %s\n", BG_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bpfguard: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	bg_log_set_level(verbose >= 2 ? BG_LOG_DEBUG : verbose ? BG_LOG_INFO : BG_LOG_WARN);
	bg_log_libbpf();
	for (c = 0; c < NCMDS; c++) {
		if (strcmp(argv[i], cmds[c].name))
			continue;
		if (cmds[c].planned) {
			bool help = i + 1 < argc &&
				    (!strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h"));

			fprintf(help ? stdout : stderr,
				"bpfguard %s is not built yet.\nPlanned: bpfguard %s\n",
				cmds[c].name, cmds[c].planned);
			return help ? 0 : 2;
		}
		optind = 1;
		return cmds[c].fn(argc - i, argv + i);
	}
	fprintf(stderr, "bpfguard: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
