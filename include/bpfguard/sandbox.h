/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Network allowlist of `bpfguard run`, shared by bpf/sandbox.bpf.c and src/sandbox/run.c. */
#ifndef BPFGUARD_SANDBOX_H
#define BPFGUARD_SANDBOX_H

#include <bpfguard/netrule.h> /* struct bg_net_rule, BG_NET_RULES_MAX */

#endif
