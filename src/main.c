// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard <command> [options]: the command table. */
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
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
	uint64_t caps;	     /* capabilities it needs (1 << CAP_*) */
	/* Non-NULL: the runs of the command that need no privilege. */
	bool (*unprivileged)(int argc, char **argv);
};

#define CAPS_BPF ((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON))
#define CAPS_NET (CAPS_BPF | (1ULL << CAP_NET_ADMIN))

/* An option among the arguments before "--"; "opt" also matches "opt=...". */
static bool has_arg(int argc, char **argv, const char *a, const char *b)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], a) || (b && !strncmp(argv[i], b, strlen(b)) &&
					    (!argv[i][strlen(b)] || argv[i][strlen(b)] == '=')))
			return true;
	return false;
}

/* Reading a file is not privileged: agent --check, bpf dump --file. */
static bool agent_check(int argc, char **argv)
{
	return has_arg(argc, argv, "--check", NULL);
}

static bool bpf_dump_file(int argc, char **argv)
{
	return argc > 1 && !strcmp(argv[1], "dump") && has_arg(argc, argv, "-f", "--file");
}

/* For commands listed before they are built (none at the moment). */
static const struct bg_cmd_help planned_help __attribute__((unused)) = {0};

static const struct cmd cmds[] = {
	{"probe", cmd_probe, &probe_help, NULL, CAPS_NET, NULL},
	{"agent", cmd_agent, &agent_help, NULL, CAPS_NET, agent_check},
	{"profile", cmd_profile, &profile_help, NULL, CAPS_BPF, NULL},
	{"run", cmd_run, &run_help, NULL, CAPS_BPF, NULL},
	{"monitor", cmd_monitor, &monitor_help, NULL, CAPS_BPF, NULL},
	{"bpf", cmd_bpf, &bpf_help, NULL, CAPS_BPF, bpf_dump_file},
	{"net", cmd_net, &net_help, NULL, CAPS_NET, NULL},
};

static const char *const cap_names[64] = {
	[CAP_NET_ADMIN] = "CAP_NET_ADMIN",
	[CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
	[CAP_PERFMON] = "CAP_PERFMON",
	[CAP_BPF] = "CAP_BPF",
};

/*
 * Without its capabilities a command would fail further on with an error
 * that blames the kernel ("tp_btf programs needed") or, for probe, report
 * every feature missing. Say what is needed before anything is tried.
 */
static int check_privilege(const struct cmd *c, int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};
	uint64_t eff, missing;
	char need[128] = "", lack[128] = "";
	size_t n = 0, l = 0;
	int i;

	if (!c->caps || has_arg(argc, argv, "-h", "--help") ||
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
	fprintf(stderr, "bpfguard %s%s%s: needs root (%s%s%s): run it as root\n", c->name,
		(!strcmp(c->name, "bpf") || !strcmp(c->name, "net")) && argc > 1 ? " " : "",
		(!strcmp(c->name, "bpf") || !strcmp(c->name, "net")) && argc > 1 ? argv[1] : "",
		need, missing == c->caps ? "" : "; this process lacks ",
		missing == c->caps ? "" : lack);
	return 1;
}

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
		if (check_privilege(&cmds[c], argc - i, argv + i))
			return 1;
		optind = 1;
		return cmds[c].fn(argc - i, argv + i);
	}
	fprintf(stderr, "bpfguard: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
