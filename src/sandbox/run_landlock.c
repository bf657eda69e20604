// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard run`, files without BPF LSM: the policy's files as a Landlock
 * ruleset installed in the child before exec (docs/policy.md, "How the
 * file list becomes Landlock rules"), and the plan of which entries must
 * be granted through their directory (then checked by name at open's
 * exit, bpf/refusals.bpf.c). Split from run.c, behaviour unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpfguard/profile.h>

#include "policy/policy.h"
#include "sandbox/run_int.h"

/* ---- Landlock -------------------------------------------------------- */

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

static uint64_t fs_handled(int abi)
{
	uint64_t all = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

static uint64_t fs_rights(unsigned acc, uint64_t handled)
{
	uint64_t r = 0;

	if (acc & BG_ACC_DIR) {
		if (acc & BG_ACC_READ)
			r |= LANDLOCK_ACCESS_FS_READ_DIR;
		if (acc & (BG_ACC_CREAT | BG_ACC_WRITE))
			r |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |
			     LANDLOCK_ACCESS_FS_REMOVE_FILE;
	} else {
		if (acc & BG_ACC_READ)
			r |= LANDLOCK_ACCESS_FS_READ_FILE;
		if (acc & BG_ACC_WRITE)
			r |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
		/* truncate(2) by path needs TRUNCATE alone (ABI 3); ftruncate
		 * and O_TRUNC come with write. */
		if (acc & BG_ACC_TRUNC)
			r |= LANDLOCK_ACCESS_FS_TRUNCATE;
		if (acc & BG_ACC_EXEC)
			r |= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE;
	}
	return r & handled;
}

/*
 * What an entry operation on a path needs on its directory: Landlock checks
 * creating, removing, renaming and linking entries on the parent, and a
 * right there covers every entry below it, whatever its name (the LSM path
 * checks the name). Only entry rights: never reading or writing other files.
 * A name ending in '/' (BG_ACC_DIR) was a directory: a rename of it is
 * MAKE_DIR/REMOVE_DIR, not the rights of a file.
 */
static uint64_t parent_rights(unsigned acc)
{
	bool dir = acc & BG_ACC_DIR;
	uint64_t make = dir ? LANDLOCK_ACCESS_FS_MAKE_DIR : LANDLOCK_ACCESS_FS_MAKE_REG;
	uint64_t remove = dir ? LANDLOCK_ACCESS_FS_REMOVE_DIR : LANDLOCK_ACCESS_FS_REMOVE_FILE;
	uint64_t r = 0;

	/* On a directory entry ("D/: c"), c is about the entries in it. */
	if ((acc & BG_ACC_CREAT) && !dir)
		r |= LANDLOCK_ACCESS_FS_MAKE_REG;
	if (acc & BG_ACC_REMOVE)
		r |= LANDLOCK_ACCESS_FS_REMOVE_FILE;
	/* A rename needs REFER between directories; over an existing name,
	 * the removal of that name too. RENAME_EXCHANGE records both words on
	 * both names: each is removed and made. */
	if (acc & BG_ACC_RENAME_FROM)
		r |= remove | LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_RENAME_TO)
		r |= make | remove | LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_MKDIR)
		r |= LANDLOCK_ACCESS_FS_MAKE_DIR;
	if (acc & BG_ACC_RMDIR)
		r |= LANDLOCK_ACCESS_FS_REMOVE_DIR;
	/* A hard link: the new name is made (MAKE_REG: links of regular
	 * files, what profile records), REFER on both directories when they
	 * differ (Landlock does not ask for it within one directory). */
	if (acc & BG_ACC_LINK_FROM)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_LINK_TO)
		r |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER;
	if (acc & BG_ACC_SYMLINK)
		r |= LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (acc & BG_ACC_MKFIFO)
		r |= LANDLOCK_ACCESS_FS_MAKE_FIFO;
	if (acc & BG_ACC_MKSOCK) /* mknod S_IFSOCK and bind(AF_UNIX, path) */
		r |= LANDLOCK_ACCESS_FS_MAKE_SOCK;
	if (acc & BG_ACC_MKCHAR)
		r |= LANDLOCK_ACCESS_FS_MAKE_CHAR;
	if (acc & BG_ACC_MKBLOCK)
		r |= LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	return r;
}

/* A file that does not exist yet has no inode to hold a rule: once
 * created, its opens are checked against its directory's rule, so what
 * was done to it (and only that) is granted there. */
static uint64_t new_file_rights(unsigned acc)
{
	uint64_t r = 0;

	if (acc & BG_ACC_READ)
		r |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (acc & BG_ACC_WRITE)
		r |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
	if (acc & BG_ACC_TRUNC) /* truncate(2) of the name: no write */
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return r;
}

/*
 * An own-files directory (docs/policy.md): new names made in it and in the
 * directories made below it, the directories listed, the files there read
 * and written. A
 * Landlock right cannot tell a file made in this run from one already
 * there: the opens below it are checked at open's exit (refusals.bpf.c:
 * only inodes this run created, or named), so the directory is widened.
 * Symlinks only where the profile saw one made.
 */
static uint64_t own_rights(unsigned acc)
{
	uint64_t r = LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		     LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
		     LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_READ_DIR |
		     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		     LANDLOCK_ACCESS_FS_TRUNCATE;

	if (acc & BG_ACC_SYMLINK)
		r |= LANDLOCK_ACCESS_FS_MAKE_SYM;
	return r;
}

static int add_path(int ruleset, const char *path, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights};
	int err = 0;

	if (!rights)
		return 0;
	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return -errno;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0))
		err = -errno;
	close(pb.parent_fd);
	return err;
}

/*
 * The nearest directory of path that exists (its parent, else the parent's
 * parent...); *direct says whether that is the parent. tar extracting into
 * a directory it makes: when run starts X/a/ does not exist, so the rights
 * recorded on X/a/x1.txt have no inode to hold them but an ancestor's.
 */
static int open_ancestor(const char *path, bool *direct)
{
	char dir[BG_PATH_MAX], *slash;
	size_t len;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	*direct = true;
	for (;;) {
		len = strlen(dir);
		if (len > 1 && dir[len - 1] == '/')
			dir[len - 1] = 0; /* a directory's own parent */
		slash = strrchr(dir, '/');
		if (!slash)
			return -EINVAL;
		slash[1] = 0; /* "/" for a name at the root */
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || slash == dir)
			return fd >= 0 ? fd : -errno;
		*direct = false;
	}
}

/* The directory holding path's last entry, or its nearest existing ancestor. */
static int add_parent(int ruleset, const char *path, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights};
	bool direct;
	int err = 0;

	pb.parent_fd = open_ancestor(path, &direct);
	if (pb.parent_fd < 0)
		return pb.parent_fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0))
		err = -errno;
	close(pb.parent_fd);
	return err;
}

/* path's directory does not exist: the program makes it. */
static bool parent_absent(const char *path)
{
	bool direct;
	int fd = open_ancestor(path, &direct);

	if (fd >= 0)
		close(fd);
	return fd >= 0 && !direct;
}

/*
 * "/proc/self/NAME" as profile folds it: each process's own /proc/PID. A
 * rule made in run's child holds on that process's directory only, not on
 * the ones of the processes it starts (python's subprocess.run started a
 * shell and grep, whose /proc/self/maps read was refused, and grep fell
 * back to mincore, outside the policy too).
 */
static bool proc_self(const char *path)
{
	return !strncmp(path, "/proc/self/", 11);
}

/*
 * Which entries Landlock must grant through their directory, decided once
 * in bpfguard before the fork (the child follows it; bpf/refusals.bpf.c
 * checks names below those directories when any is): a file to be created
 * or linked that does not exist yet, and a name a rename replaces (its new inode
 * carries no rule: git's index, every atomic save), and a file whose
 * directory does not exist yet (tar's extracted tree: granted on the
 * nearest directory that exists, add_parent). A /proc/self file is
 * granted on /proc (any process's directory), so it needs the same check.
 * Returns how many.
 */
size_t bg_run_plan_widening(const struct bg_policy *p, bool *widen)
{
	size_t i, n = 0;
	struct stat st;

	for (i = 0; i < p->n_files; i++) {
		const struct bg_policy_file *f = &p->files[i];

		if (f->acc & BG_ACC_DIR)
			widen[i] = f->acc & BG_ACC_OWN;
		else if (proc_self(f->path))
			widen[i] = f->acc & (BG_ACC_READ | BG_ACC_WRITE);
		else
			widen[i] = new_file_rights(f->acc) &&
				   ((f->acc & BG_ACC_RENAME_TO) || parent_absent(f->path) ||
				    ((f->acc & (BG_ACC_CREAT | BG_ACC_LINK_TO)) &&
				     stat(f->path, &st) && errno == ENOENT));
		n += widen[i];
	}
	return n;
}

/* In the child, before exec. A path that no longer exists gets no rule of
 * its own; entry operations are granted on its directory (parent_rights),
 * and so are the file rights of the names plan_widening chose. */
int bg_run_apply_landlock(const struct bg_policy *p, const bool *widen)
{
	int abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	struct landlock_ruleset_attr attr = {0};
	uint64_t handled;
	size_t i;
	int rs, err = 0;

	if (abi < 1)
		return -EOPNOTSUPP;
	handled = fs_handled(abi);
	attr.handled_access_fs = handled;
	rs = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return -errno;
	for (i = 0; i < p->n_files; i++) {
		const struct bg_policy_file *f = &p->files[i];
		uint64_t r = fs_rights(f->acc, handled), pr = parent_rights(f->acc);

		if (f->acc & BG_ACC_OWN)
			r |= own_rights(f->acc) & handled;

		/* Terminals and devices are used with ioctl. */
		if (!(f->acc & BG_ACC_DIR) && !strncmp(f->path, "/dev/", 5))
			r |= LANDLOCK_ACCESS_FS_IOCTL_DEV & handled;
		if (widen && widen[i] && proc_self(f->path)) {
			add_path(rs, "/proc", r);
			continue;
		}
		/* A directory the program makes (tar's X/ and X/a/): listing
		 * it and making entries in it (a directory's rights) are
		 * granted on its nearest existing ancestor; never a file's
		 * read or write, those are the widened files' own. */
		if (add_path(rs, f->path, r) == -ENOENT && (f->acc & BG_ACC_DIR))
			pr |= r;
		if (widen && widen[i] && !(f->acc & BG_ACC_DIR))
			pr |= new_file_rights(f->acc);
		if (pr & handled)
			add_parent(rs, f->path, pr & handled);
	}
	/* The command is a new exec of this domain: ABI 7 audits its denials only when asked. */
	if (syscall(SYS_landlock_restrict_self, rs,
		    abi >= 7 ? LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON : 0))
		err = -errno;
	close(rs);
	return err;
}
