// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/log.h"
#include "core/sys.h"

int bg_cgroup_id(const char *path, uint64_t *id)
{
	struct stat st;

	/* The cgroup id is the kernfs node id, which is the inode number. */
	if (stat(path, &st))
		return -errno;
	*id = st.st_ino;
	return 0;
}

/* The owner of a cgroup of ours holds flock() on its directory for its
 * whole life; the lock goes when the owner dies, however it dies. */
static bool owner_alive(int fd, pid_t pid)
{
	char p[64], comm[32] = "";

	if (flock(fd, LOCK_EX | LOCK_NB))
		return true;
	/* Free, but a bpfguard with that pid may be one that does not lock
	 * (an older build) or one still between mkdir and flock: leave it. */
	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	return !bg_read_file(p, comm, sizeof(comm)) && !strcmp(comm, "bpfguard\n");
}

static int count_procs(const char *path)
{
	char p[600], line[32];
	int n = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/cgroup.procs", path);
	f = fopen(p, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/*
 * Cgroups left by a run or profile that was killed (SIGKILL cannot be
 * caught, so nothing removed them). What still runs inside was held to a
 * policy that no longer holds: its cgroup hooks and BPF LSM programs went
 * with the dead bpfguard and nobody answers its seccomp notifications. It is
 * killed and the cgroup removed, with one line saying so.
 */
static void clean_stale(const char *top)
{
	struct dirent *de;
	DIR *d = opendir(top);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct bg_cgroup old = {.fd = -1};
		char path[sizeof(old.path)];
		const char *dot = strchr(de->d_name, '.');
		char *end;
		long pid;
		int fd, n;

		if (!dot || (strncmp(de->d_name, "run.", 4) && strncmp(de->d_name, "profile.", 8)))
			continue;
		pid = strtol(dot + 1, &end, 10);
		if (*end || pid <= 0)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (owner_alive(fd, pid)) {
			close(fd);
			continue;
		}
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", top, de->d_name) >=
		    sizeof(path)) {
			close(fd);
			continue;
		}
		memcpy(old.path, path, sizeof(old.path));
		n = count_procs(path);
		bg_cgroup_destroy(&old);
		close(fd);
		if (!access(path, F_OK))
			pr_warn("cannot remove %s, left by bpfguard %ld (gone)\n", path, pid);
		else if (n)
			pr_warn("removed %s, left by bpfguard %ld (gone): killed %d process%s "
				"still running in it, no longer held to its policy\n",
				path, pid, n, n == 1 ? "" : "es");
		else
			pr_info("removed %s, left by bpfguard %ld (gone)\n", path, pid);
	}
	closedir(d);
}

int bg_cgroup_create(struct bg_cgroup *cg, const char *name, const char *parent)
{
	char mnt[256], top[300];
	struct statfs sf;
	int err;

	memset(cg, 0, sizeof(*cg));
	cg->fd = -1;
	if (parent) {
		/* A subtree of the caller's own (a systemd unit's delegated
		 * cgroup, a test's): it must exist and be cgroup v2. */
		if (statfs(parent, &sf)) {
			err = -errno;
			pr_err("--cgroup-parent %s: %s\n", parent, strerror(errno));
			return err;
		}
		if (sf.f_type != CGROUP2_SUPER_MAGIC) {
			pr_err("--cgroup-parent %s: not a cgroup v2 directory\n", parent);
			return -ENOTDIR;
		}
		if ((size_t)snprintf(top, sizeof(top), "%s", parent) >= sizeof(top)) {
			pr_err("--cgroup-parent %s: path too long\n", parent);
			return -ENAMETOOLONG;
		}
		goto made;
	}
	err = bg_find_mount("cgroup2", mnt, sizeof(mnt));
	if (err) {
		pr_err("no cgroup v2 mount: bpfguard needs one to follow a process tree\n");
		return err;
	}
	snprintf(top, sizeof(top), "%s/bpfguard", mnt);
	if (mkdir(top, 0755) && errno != EEXIST) {
		err = -errno;
		pr_err("cannot create %s: %s\n", top, strerror(errno));
		return err;
	}
made:
	clean_stale(top);
	snprintf(cg->path, sizeof(cg->path), "%s/%s.%d", top, name, getpid());
	if (mkdir(cg->path, 0755) && errno != EEXIST) {
		err = -errno;
		pr_err("cannot create %s: %s\n", cg->path, strerror(errno));
		return err;
	}
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Blocking: another run's clean_stale() may hold the lock for the
	 * moment it takes to see that we are alive. */
	if (cg->fd < 0 || flock(cg->fd, LOCK_EX) || bg_cgroup_id(cg->path, &cg->id)) {
		err = -errno;
		pr_err("cannot open %s: %s\n", cg->path, strerror(errno));
		bg_cgroup_destroy(cg);
		return err;
	}
	return 0;
}

int bg_cgroup_enter(const struct bg_cgroup *cg)
{
	char p[600];
	int fd, err = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", cg->path);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "0", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

static bool kill_all(const struct bg_cgroup *cg)
{
	char p[600], line[32];
	FILE *f;
	bool any = false;

	/* cgroup.kill (5.14+) kills everything inside at once, forks included. */
	snprintf(p, sizeof(p), "%s/cgroup.kill", cg->path);
	{
		int fd = open(p, O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			bool ok = write(fd, "1", 1) == 1;

			close(fd);
			if (ok)
				return true;
		}
	}
	snprintf(p, sizeof(p), "%s/cgroup.procs", cg->path);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		kill(atoi(line), SIGKILL);
		any = true;
	}
	fclose(f);
	return any;
}

void bg_cgroup_destroy(struct bg_cgroup *cg)
{
	int i;

	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	if (!cg->path[0])
		return;
	kill_all(cg);
	/* rmdir fails with EBUSY until the killed tasks are reaped. */
	for (i = 0; i < 100 && rmdir(cg->path) && errno == EBUSY; i++)
		usleep(10000);
	cg->path[0] = 0;
}
