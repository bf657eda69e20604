/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `bpfguard agent --persist`: the agent's links pinned under
 * <bpffs>/bpfguard/agent/ so that its programs stay attached (and keep
 * enforcing) after it exits. Removing the directory detaches them
 * (docs/agent.md).
 */
#ifndef BG_PERSIST_H
#define BG_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object_skeleton;

/* <bpffs>/bpfguard/agent, mounting bpffs at /sys/fs/bpf if it is not. */
int bg_persist_dir(char *dir, size_t len, bool create);
/* Pin every attached link of a skeleton as dir/<prefix>-<program> (bpffs refuses dots in names). */
int bg_persist_links(struct bpf_object_skeleton *s, const char *dir, const char *prefix);
/* Unpin everything under dir (detaching what it kept) and remove dir;
 * returns the number of pins removed or -errno. */
int bg_persist_clear(const char *dir);

#endif
