/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_HASH_H
#define BG_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * SHA-256 of executables, computed by a worker thread off the event path
 * and cached by the file's identity: (device, inode, change time). A file
 * rewritten in place keeps its inode but gets a new ctime, so it is hashed
 * again; a path pointed at a new file has a new inode.
 */
struct bg_hash_key {
	uint64_t dev, ino;
	int64_t ctime_s;
	uint32_t ctime_ns;
	uint32_t pad;
};

enum bg_hash_state {
	BG_HASH_NONE = 0,    /* no identity known (the process is gone) */
	BG_HASH_PENDING = 1, /* queued or being hashed */
	BG_HASH_DONE = 2,
	BG_HASH_ERROR = 3, /* see the reason */
};

struct bg_hasher;

/* Called on the worker thread for every hash computed (sha256 rules). */
typedef void (*bg_hash_done_fn)(void *ctx, const struct bg_hash_key *k, const unsigned char *sha);

int bg_hasher_start(struct bg_hasher **out, bg_hash_done_fn done, void *ctx);
/*
 * The hash of key k: DONE with sha (32 bytes), ERROR with reason, or
 * PENDING (a job is queued: the worker opens /proc/PID/exe while pid lives,
 * else path, and hashes only a file whose identity is still k).
 */
enum bg_hash_state bg_hasher_get(struct bg_hasher *h, const struct bg_hash_key *k, pid_t pid,
				 const char *path, unsigned char *sha, char *reason,
				 size_t reason_len);
/* Wait (up to ms) until no job is queued: tests and benchmarks only. */
bool bg_hasher_idle(struct bg_hasher *h, int ms);
void bg_hasher_stop(struct bg_hasher *h);

/* Hash a file's contents now, on the caller's thread (config load). */
int bg_sha256_file(int fd, unsigned char *sha);
void bg_sha256_hex(const unsigned char *sha, char *hex65);
/* Parse 64 hex digits; false if s is not exactly that. */
bool bg_sha256_parse(const char *s, unsigned char *sha);

#endif
