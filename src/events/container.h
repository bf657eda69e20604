/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CONTAINER_H
#define BG_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * A container as its runtime names it in the cgroup path of its processes
 * (docs/events.md, "Container identity"). The runtime's cgroup layout is
 * the only thing every runtime leaves behind on the host without an API:
 * no socket to ask, no daemon to trust.
 */
enum bg_runtime {
	BG_RT_NONE = 0,
	BG_RT_DOCKER,
	BG_RT_CONTAINERD, /* containerd's CRI plugin (Kubernetes) */
	BG_RT_CRIO,
	BG_RT_PODMAN,
	BG_RT_NSPAWN,
	BG_RT_KUBEPODS, /* a kubepods cgroup whose runtime the path does not say */
};

struct bg_container {
	enum bg_runtime runtime;
	char id[65]; /* 64 hex digits, or an nspawn machine name */
};

const char *bg_runtime_name(enum bg_runtime rt);
/* Parse one cgroup path (as in /proc/PID/cgroup, after the second colon).
 * Returns true and fills c when the path is a container's. */
bool bg_container_parse(const char *path, struct bg_container *c);
/* The container of a live process from /proc/PID/cgroup; false when it is
 * in none or the file cannot be read (the process is gone). */
bool bg_container_of_pid(pid_t pid, struct bg_container *c);

/*
 * The cgroup v2 directory of the running container whose id starts with
 * prefix (the deepest one holding processes: podman's systemd mode puts
 * them in a "container" leaf). 0, or -ENOENT (none), -EEXIST (the prefix
 * names several containers; why says which), after filling why.
 */
int bg_container_cgroup(const char *prefix, char *path, size_t len, char *why, size_t whylen);

#endif
