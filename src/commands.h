/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_COMMANDS_H
#define BG_COMMANDS_H

#include "cli.h"

int cmd_probe(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_bpf(int argc, char **argv);
int cmd_net(int argc, char **argv);
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

#endif
