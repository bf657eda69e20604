/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A file's path looked up in the file rules of `bpfguard run`'s policy, as
 * the policy writes it: the walk of bpf/profile.bpf.c (host view),
 * /proc/<pid>/ written /proc/self/. Shared by the LSM hooks
 * (bpf/run_lsm.bpf.c) and the exact-name check at open's exit
 * (bpf/refusals.bpf.c), so both read a policy the same way.
 * The including object declares nothing else named file_rules or
 * lsm_scratch_map; user space sizes and fills file_rules (src/sandbox/run_lsm.c).
 */
#ifndef BG_PATHRULES_BPF_H
#define BG_PATHRULES_BPF_H

#include "common.bpf.h"
#include <bpfguard/profile.h>
#include <bpfguard/run_lsm.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* set by user space */
	__type(key, struct bg_lsm_path);
	__type(value, __u32);
} file_rules SEC(".maps");

/* key: the path looked up (upper half stays zero: appends may overrun into
 * it, and a key is its first BG_PATH_MAX bytes); tmp: rewrites. */
struct lsm_scratch {
	char key[2 * BG_PATH_MAX];
	char tmp[BG_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lsm_scratch);
} lsm_scratch_map SEC(".maps");

/* s->key = the path of p, zero-padded; returns its length. */
static __always_inline __u32 path_key(struct lsm_scratch *s, const struct path *p)
{
	struct bg_scratch *bs;
	__u32 zero = 0, flags = 0, pos, len;

	__builtin_memset(s->key, 0, sizeof(s->key));
	bs = bpf_map_lookup_elem(&bg_scratch_map, &zero);
	if (!bs)
		return 0;
	pos = bg_path_walk(p, bs->buf, &flags);
	/* The walk leaves bs->buf[BG_PATH_MAX..] zero: the copy is padded. */
	bpf_probe_read_kernel(s->key, BG_PATH_MAX, &bs->buf[pos]);
	len = BG_PATH_MAX - 1 - pos;
	return len;
}

/* /proc/1234/x -> /proc/self/x, as the profile writes it. */
static __always_inline void normalise_proc(struct lsm_scratch *s)
{
	const char *k = s->key;
	__u32 j;

	if (k[0] != '/' || k[1] != 'p' || k[2] != 'r' || k[3] != 'o' || k[4] != 'c' ||
	    k[5] != '/' || k[6] < '0' || k[6] > '9')
		return;
	for (j = 7; j < 17; j++)
		if (k[j] < '0' || k[j] > '9')
			break;
	if (j >= 17 || (k[j] != '/' && k[j] != 0))
		return;
	__builtin_memset(s->tmp, 0, sizeof(s->tmp));
	__builtin_memcpy(s->tmp, "/proc/self", 10);
	bpf_probe_read_kernel(&s->tmp[10], BG_PATH_MAX - 16, &s->key[j]);
	__builtin_memcpy(s->key, s->tmp, BG_PATH_MAX);
}

/* Append "/name" to the key of length len (a directory's path). */
static __always_inline void append_name(struct lsm_scratch *s, __u32 len, struct dentry *d)
{
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);

	if (len > 1) /* "/" already ends in a slash */
		s->key[len & (BG_PATH_MAX - 1)] = '/', len++;
	bpf_probe_read_kernel_str(&s->key[len & (BG_PATH_MAX - 1)], BG_PATH_MAX, name);
	s->key[BG_PATH_MAX - 1] = 0;
	__builtin_memset(&s->key[BG_PATH_MAX], 0, BG_PATH_MAX);
}

#define OWN_DEPTH 8 /* how far above a name its workspace is looked for */

/* The offsets of the key's last OWN_DEPTH slashes (pos[(n - 1) % OWN_DEPTH]
 * is the last), found with bpf_loop: an open-coded loop remembering them
 * makes the verifier walk each of its 256 states. */
struct slashes {
	const char *key;
	__u32 n;
	__u32 pos[OWN_DEPTH];
};

static long note_slash(__u32 i, void *c)
{
	struct slashes *sl = c;
	char ch = sl->key[i & (BG_PATH_MAX - 1)];

	if (!ch)
		return 1;
	if (ch == '/')
		sl->pos[sl->n++ & (OWN_DEPTH - 1)] = i;
	return 0;
}

/* The rule of the key's directory that ends before offset len ("/" for 0). */
static __always_inline __u32 *dir_rule(struct lsm_scratch *s, __u32 len)
{
	__builtin_memset(s->tmp, 0, sizeof(s->tmp));
	if (len == 0)
		s->tmp[0] = '/';
	else
		bpf_probe_read_kernel(s->tmp, len & (BG_PATH_MAX - 1), s->key);
	return bpf_map_lookup_elem(&file_rules, s->tmp);
}

/* The rule of the directory the key's last component is in. */
static __always_inline __u32 *parent_rule(struct lsm_scratch *s)
{
	struct slashes sl = {.key = s->key};

	bpf_loop(BG_PATH_MAX, note_slash, &sl, 0);
	return dir_rule(s, sl.n ? sl.pos[(sl.n - 1) & (OWN_DEPTH - 1)] : 0);
}

static __always_inline bool dir_writable(__u32 *v)
{
	return v && (*v & BG_ACC_DIR) && (*v & (BG_ACC_CREAT | BG_ACC_WRITE));
}

static __always_inline struct lsm_scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lsm_scratch_map, &zero);
}

/* ---- own-files: the program's own workspace ----------------------------- */

/* f_mode of a file the open created (lookup_open sets it before
 * security_file_open runs, and it stays for the file's life); the same bit
 * on 6.1 and 6.18. */
#define FMODE_CREATED 0x100000

/* An inode the command created in this run: its device, number and
 * generation (a freed number reused by another file has another
 * generation on ext4 and tmpfs). */
struct own_key {
	__u64 dev;
	__u64 ino;
	__u32 gen;
	__u32 pad;
};

/* Filled at the open that created each regular file (FMODE_CREATED), kept
 * across renames (the inode stays). LRU: a command that creates more than
 * this many files loses the oldest, whose later opens are refused. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct own_key);
	__type(value, __u8);
} own_inodes SEC(".maps");

static __always_inline void own_key_of(struct own_key *k, struct inode *inode)
{
	k->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	k->ino = BPF_CORE_READ(inode, i_ino);
	k->gen = BPF_CORE_READ(inode, i_generation);
	k->pad = 0;
}

static __always_inline void own_add(struct inode *inode)
{
	struct own_key k;
	__u8 one = 1;

	own_key_of(&k, inode);
	bpf_map_update_elem(&own_inodes, &k, &one, BPF_ANY);
}

static __always_inline bool own_inode(struct inode *inode)
{
	struct own_key k;

	if (!inode)
		return false;
	own_key_of(&k, inode);
	return bpf_map_lookup_elem(&own_inodes, &k) != NULL;
}

/*
 * The rule of the own-files directory s->key is below: its directory, or
 * one of the OWN_DEPTH - 1 above it (git's objects/ for a name in
 * objects/ab/, a directory made in this run). NULL when there is none.
 * Leaves s->key as it was.
 */
static __always_inline __u32 *own_dir(struct lsm_scratch *s)
{
	struct slashes sl = {.key = s->key};
	__u32 j, last, *v;

	bpf_loop(BG_PATH_MAX, note_slash, &sl, 0);
	for (j = 1; j <= OWN_DEPTH; j++) {
		if (j > sl.n)
			break;
		last = sl.pos[(sl.n - j) & (OWN_DEPTH - 1)];
		if (last == 0) /* the root is nobody's workspace */
			break;
		v = dir_rule(s, last);
		if (v && (*v & BG_ACC_OWN))
			return v;
	}
	return NULL;
}

/* Whether the policy lets the file at s->key be opened for need (BG_ACC_*):
 * its own rule holds every access asked; or it is a regular file (not for
 * execution) below an own-files directory that this run created (created:
 * this open made it, and it is remembered), or a directory there listed;
 * or a file (not a directory,
 * not for execution) with no rule of its own in a directory the policy
 * writes or creates in (profiled, or to be created). */
static __always_inline bool bg_file_allowed(struct lsm_scratch *s, __u32 need, unsigned int i_mode,
					    struct inode *inode, bool created)
{
	__u32 *v = bpf_map_lookup_elem(&file_rules, s->key);
	bool named = v && (*v & need) == need;

	/* A file created under its own name is remembered too: it may be
	 * renamed or linked to a name the policy does not hold. */
	if (named && !created)
		return true;
	/* A directory below a workspace may be listed (git's objects/NN/ it
	 * made): names only, no file's contents. */
	if ((i_mode & S_IFMT) == S_IFDIR && need == BG_ACC_READ && own_dir(s))
		return true;
	if ((i_mode & S_IFMT) == S_IFREG && !(need & BG_ACC_EXEC) && own_dir(s)) {
		if (created)
			own_add(inode);
		if (created || own_inode(inode))
			return true;
	}
	if (v)
		return named;
	return (i_mode & S_IFMT) != S_IFDIR && !(need & BG_ACC_EXEC) &&
	       dir_writable(parent_rule(s));
}

#endif
