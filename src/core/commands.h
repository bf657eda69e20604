/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_COMMANDS_H
#define BG_COMMANDS_H

#include "core/cli.h"

int cmd_probe(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

extern const struct bg_cmd_help probe_help;
extern const struct bg_cmd_help agent_help;
extern const struct bg_cmd_help bpf_help;
extern const struct bg_cmd_help net_help;
extern const struct bg_cmd_help profile_help;
extern const struct bg_cmd_help run_help;
extern const struct bg_cmd_help monitor_help;

/* Groups of commands: bpf list/dump/watch (src/inspect/). */
extern const struct bg_cmd bpf_cmds[];
/* net attach/detach/status/stats/allow/deny/remove (src/guards/net/cmd.c). */
extern const struct bg_cmd net_cmds[];

#endif
