/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CGROUP_H
#define BG_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

/* A cgroup v2 directory bpfguard created for a command it runs. */
struct bg_cgroup {
	char path[512];
	uint64_t id; /* what bpf_get_current_cgroup_id() returns inside */
	int fd;	     /* the directory, for cgroup BPF attachment */
};

/* Create <parent>/<name>.<pid>, parent <cgroup2 mount>/bpfguard when NULL;
 * stale <name>.<pid> cgroups there (their bpfguard is gone) are cleaned. */
int bg_cgroup_create(struct bg_cgroup *cg, const char *name, const char *parent);
/* Move the calling process into it (used by the child before exec). */
int bg_cgroup_enter(const struct bg_cgroup *cg);
/* Kill what is left inside (cgroup.kill, else SIGKILL each), then remove it. */
void bg_cgroup_destroy(struct bg_cgroup *cg);
/* The id of an existing cgroup v2 directory. */
int bg_cgroup_id(const char *path, uint64_t *id);

#endif
