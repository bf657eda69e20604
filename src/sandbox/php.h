/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_PHP_H
#define BG_PHP_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct bg_events;
struct bg_policy;
struct bg_policy_php;
struct bg_php_bpf;
struct bpf_link;

#include "sandbox/php_state.h"



/* Find the PHP binary of cmd (PATH), of pid (/proc/PID/exe), or
 * $BPFGUARD_PHP. 0: found and it carries php:function__entry; -ENOENT:
 * not a PHP program; -ENOTSUP: PHP without probes (message printed). */
int bg_php_find(char *const *cmd, pid_t pid, char *out, size_t len);
/* 1 if the ELF file has a .note.stapsdt probe provider:name, 0 if not. */
int bg_php_has_probe(const char *path, const char *provider, const char *name);

/* profile: does nothing (returns 0) unless cmd/pid is a PHP program (or
 * $BPFGUARD_PHP names one). The processes watched: cgroup_id (the
 * command's), else the cgroup v2 directory cgroup, else pid's cgroup. */
int bg_php_profile_start(struct bg_php *ph, char *const *cmd, pid_t pid, const char *cgroup,
			 uint64_t cgroup_id);
int bg_php_profile_collect(struct bg_php *ph, struct bg_policy *pol);
/* run, with a policy that has a php: section. */
int bg_php_run_start(struct bg_php *ph, char *const *cmd, const struct bg_policy *pol, int action,
		     struct bg_events *ev, uint64_t cgroup_id);
/* monitor: the processes watched are the bits of procs_fd (monitor's
 * mon_procs); the PHP binary is found from the first of them that runs
 * PHP (/proc/PID/exe, or a libphp it maps), else from exe, else
 * $BPFGUARD_PHP. Says which of them lack USE_ZEND_DTRACE=1. */
int bg_php_monitor_start(struct bg_php *ph, const struct bg_policy *pol, int action,
			 struct bg_events *ev, int procs_fd, const char *exe);
void bg_php_stop(struct bg_php *ph);


#endif
