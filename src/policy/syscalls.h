/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_POLICY_SYSCALLS_H
#define BG_POLICY_SYSCALLS_H

/* Syscall numbers: their names, and the bitmaps policies keep them in. */
#include <stdbool.h>
#include <stdint.h>

#include <bpfguard/profile.h>

/* Syscall names, from libseccomp's tables (x86_64 and ia32). */
const char *bg_syscall_name(bool compat, unsigned nr);
int bg_syscall_nr(bool compat, const char *name);

static inline bool bg_bit(const uint64_t *bm, unsigned nr)
{
	return nr < BG_SYSCALL_MAX && (bm[nr / 64] >> (nr % 64) & 1);
}

static inline void bg_set_bit(uint64_t *bm, unsigned nr)
{
	if (nr < BG_SYSCALL_MAX)
		bm[nr / 64] |= 1ULL << (nr % 64);
}

#endif
