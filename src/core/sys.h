/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_SYS_H
#define BG_SYS_H

#include <stdbool.h>
#include <stddef.h>

/* Find where a filesystem type is mounted (first match in mountinfo). */
int bg_find_mount(const char *fstype, char *path, size_t len);
/* Find it, or mount it at `where` (created if missing); path gets the result. */
int bg_ensure_mount(const char *fstype, const char *where, char *path, size_t len);

/* 1 when this process's mount namespace is not shared by some ancestor
 * (ip netns exec, unshare -m made it for this command, and it goes away
 * with it), 0 when every ancestor we can see shares it, negative errno. */
int bg_mntns_private(void);
/* The name under /run/netns of this process's network namespace. */
int bg_netns_name(char *name, size_t len);

/* Read a small text file into buf, trailing newline removed. */
int bg_read_file(const char *path, char *buf, size_t len);

/* rtnetlink: create a veth pair in the current network namespace. */
int bg_nl_veth_create(const char *name, const char *peer);

/* Symbolic errno ("EPERM") for messages and JSON. */
const char *bg_errno_name(int err);

#endif
