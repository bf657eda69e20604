/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_POLICY_NETRULE_H
#define BG_POLICY_NETRULE_H

/*
 * A policy's network peer (struct bg_policy_net, written as ADDR[/BITS]:PORT)
 * as the kernel's rule (struct bg_net_rule, include/bpfguard/netrule.h):
 * the one place user space fills it, for run's and monitor's maps and the
 * limits guard's allowed peers.
 */
#include <stddef.h>
#include <stdint.h>

#include <bpfguard/netrule.h>

struct bg_policy_net;

/* op: the peer's operation, or 0 for any (a ban's allowed peers). */
void bg_net_rule_from(struct bg_net_rule *r, const struct bg_policy_net *pn, uint8_t op);
/* Write n peers at keys 0..n-1 of an array map of struct bg_net_rule, each
 * with its own operation; -errno. */
int bg_net_rules_write(int fd, const struct bg_policy_net *pn, size_t n);

#endif
