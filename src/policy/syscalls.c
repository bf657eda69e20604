// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "policy/syscalls.h"

const char *bg_syscall_name(bool compat, unsigned nr)
{
	/* libseccomp hands out a new copy of the name on every call: each is
	 * resolved once and kept for the life of the process. */
	static _Atomic(char *) names[2][BG_SYSCALL_MAX];
	char *n, *expected = NULL;

	if (nr >= BG_SYSCALL_MAX) /* no x86 call has such a number */
		return NULL;
	n = atomic_load(&names[compat][nr]);
	if (n)
		return n;
	n = seccomp_syscall_resolve_num_arch(compat ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64, nr);
	if (n && !atomic_compare_exchange_strong(&names[compat][nr], &expected, n)) {
		free(n);
		n = expected;
	}
	return n;
}

int bg_syscall_nr(bool compat, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(compat ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64, name);

	return nr < 0 || nr >= BG_SYSCALL_MAX ? -ENOENT : nr;
}
