// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Syscall families: calls whose use varies with a program's input, not with
 * its intent. A profile sees brk and munmap on a small input, and mremap or
 * madvise only when the same program grows a big array; a policy that lists
 * only what one run made kills the next, larger one. So a policy that has
 * one member of a family is read as having all of them, and a policy may
 * name a family itself ("@memory"). Every member acts only on the calling
 * process's own memory, clock or signal state: granting the family gives no
 * access to files, peers or other processes. docs/policy.md argues each.
 */
#include <errno.h>
#include <string.h>

#include "policy/families.h"
#include "policy/policy.h"

struct family {
	const char *name;
	const char *const *members; /* names in either ABI; unknown ones are skipped */
};

/*
 * mprotect and pkey_mprotect are not members: they turn writable memory
 * executable (W^X), and their use does not grow with input (ld.so and the
 * JIT of a program call them at start either way, so a profile has them when
 * the program needs them). mmap is a member although it can map executable
 * memory: every dynamically linked program makes it at start, so the family
 * adds no new way to get executable pages.
 */
static const char *const memory[] = {"brk", "mmap", "mmap2", "munmap", "mremap", "madvise", NULL};
/* Contention decides whether a lock ever reaches the kernel. */
static const char *const sync[] = {"futex", "futex_time64", "futex_waitv", "sched_yield", NULL};
/* The vDSO answers most clock reads; a fallback or a timed wait reaches the kernel. */
static const char *const time_[] = {"clock_gettime",
				    "clock_gettime64",
				    "clock_getres",
				    "clock_getres_time64",
				    "gettimeofday",
				    "time",
				    "nanosleep",
				    "clock_nanosleep",
				    "clock_nanosleep_time64",
				    NULL};
/* A handler runs, and an interrupted sleep restarts, only when a signal comes. */
static const char *const signals[] = {
	"rt_sigreturn", "sigreturn", "restart_syscall", "rt_sigaction", "rt_sigprocmask",
	"sigaltstack",	NULL};

static const struct family families[] = {
	{"memory", memory},
	{"sync", sync},
	{"time", time_},
	{"signals", signals},
};

#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

static void set_family(bool compat, const struct family *f, uint64_t *bm)
{
	const char *const *m;
	int nr;

	for (m = f->members; *m; m++)
		if ((nr = bg_syscall_nr(compat, *m)) >= 0)
			bg_set_bit(bm, nr);
}

static bool has_member(bool compat, const struct family *f, const uint64_t *bm)
{
	const char *const *m;
	int nr;

	for (m = f->members; *m; m++)
		if ((nr = bg_syscall_nr(compat, *m)) >= 0 && bg_bit(bm, nr))
			return true;
	return false;
}

static const struct family *find_family(const char *name)
{
	size_t i;

	for (i = 0; i < N_FAMILIES; i++)
		if (!strcmp(name, families[i].name))
			return &families[i];
	return NULL;
}

int bg_syscall_add(bool compat, const char *name, uint64_t *bm)
{
	const struct family *f;
	int nr;

	if (name[0] == '@') {
		f = find_family(name + 1);
		if (!f)
			return -ENOENT;
		set_family(compat, f, bm);
		return 0;
	}
	nr = bg_syscall_nr(compat, name);
	if (nr < 0)
		return nr;
	bg_set_bit(bm, nr);
	return 0;
}

const char *bg_syscall_family_of(bool compat, unsigned nr)
{
	const char *const *m;
	size_t i;

	for (i = 0; i < N_FAMILIES; i++)
		for (m = families[i].members; *m; m++)
			if (bg_syscall_nr(compat, *m) == (int)nr)
				return families[i].name;
	return NULL;
}

void bg_syscall_families_expand(bool compat, const uint64_t *seen, uint64_t *bm)
{
	size_t i;

	for (i = 0; i < N_FAMILIES; i++)
		if (has_member(compat, &families[i], seen))
			set_family(compat, &families[i], bm);
}

void bg_policy_expand_families(struct bg_policy *p)
{
	uint64_t seen[BG_SYSCALL_WORDS];
	bool php_prctl;
	size_t i, w;
	int nr;

	bg_syscall_families_expand(false, p->sys_native, p->sys_native);
	bg_syscall_families_expand(true, p->sys_compat, p->sys_compat);
	/*
	 * PHP: the Zend allocator, the clock and signal handling run on
	 * whatever function is on top of the PHP stack when the heap grows or a
	 * signal lands, so which function a member was seen in is chance (brk
	 * in PDO::query one run in three). A family seen anywhere in the
	 * process is granted to every function.
	 */
	memcpy(seen, p->sys_native, sizeof(seen));
	for (i = 0; i < p->php.n_fns; i++)
		for (w = 0; w < BG_SYSCALL_WORDS; w++)
			seen[w] |= p->php.fns[i].sys[w];
	/*
	 * PHP's allocator (zend_alloc) names each new chunk it maps with
	 * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME), so a function that grows the
	 * heap makes prctl too. Granted per function only when the process-wide
	 * list already allows prctl: the seccomp filter holds it either way.
	 */
	nr = bg_syscall_nr(false, "prctl");
	php_prctl = nr >= 0 && bg_bit(p->sys_native, nr) &&
		    has_member(false, find_family("memory"), seen);
	for (i = 0; i < p->php.n_fns; i++) {
		bg_syscall_families_expand(false, seen, p->php.fns[i].sys);
		if (php_prctl)
			bg_set_bit(p->php.fns[i].sys, nr);
	}
}
