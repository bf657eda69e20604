// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard <command> [options]: the command table. */
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/commands.h"
#include "core/log.h"

#ifndef BG_VERSION
#define BG_VERSION "0.1.0"
#endif

#define CAPS_BPF ((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON))
#define CAPS_NET (CAPS_BPF | (1ULL << CAP_NET_ADMIN))

static bool agent_check(int argc, char **argv)
{
	return bg_cli_has_arg(argc, argv, "--check", NULL);
}

static const struct bg_cmd cmds[] = {
	{"probe", cmd_probe, &probe_help, CAPS_NET},
	{"agent", cmd_agent, &agent_help, CAPS_NET, agent_check},
	{"profile", cmd_profile, &profile_help, CAPS_BPF},
	{"run", cmd_run, &run_help, CAPS_BPF},
	{"monitor", cmd_monitor, &monitor_help, CAPS_BPF},
	{"bpf", NULL, &bpf_help, 0, NULL, bpf_cmds},
	{"net", NULL, &net_help, 0, NULL, net_cmds},
	{0},
};

static const struct bg_cmd_help top_help = {
	.usage = "bpfguard [-v] <command> [options]",
	.summary = "runtime security with eBPF: guards, sandboxes and an inspector",
	.more = "Global options: -v (more diagnostics, twice for libbpf's), --version.\n"
		"man bpfguard has the rest.",
};

int main(int argc, char **argv)
{
	int verbose = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			verbose++;
		else if (!strcmp(argv[i], "-vv"))
			verbose += 2;
		else if (!strcmp(argv[i], "--version"))
			return printf("bpfguard %s\n", BG_VERSION) < 0;
		else
			break; /* --help, or an unknown option: bg_cmd_select says */
	}
	bg_log_set_level(verbose >= 2 ? BG_LOG_DEBUG : verbose ? BG_LOG_INFO : BG_LOG_WARN);
	bg_log_libbpf();
	return bg_cmd_select("bpfguard", cmds, &top_help, argc - i, argv + i);
}
