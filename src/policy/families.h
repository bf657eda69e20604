/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_POLICY_FAMILIES_H
#define BG_POLICY_FAMILIES_H

#include <stdbool.h>
#include <stdint.h>

struct bg_policy;

/* Set NAME's bit, or every member's for a family ("@memory"); -ENOENT if unknown. */
int bg_syscall_add(bool compat, const char *name, uint64_t *bm);
/* The family NR belongs to ("memory"), or NULL. */
const char *bg_syscall_family_of(bool compat, unsigned nr);
/* For each family with a member set in seen, set all its members in bm. */
void bg_syscall_families_expand(bool compat, const uint64_t *seen, uint64_t *bm);
/* A policy's syscall sets, process-wide and per PHP function, grown to whole families. */
void bg_policy_expand_families(struct bg_policy *p);

#endif
