// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "sys.h"

int bg_cgroup_id(const char *path, uint64_t *id)
{
	struct stat st;

	/* The cgroup id is the kernfs node id, which is the inode number. */
	if (stat(path, &st))
		return -errno;
	*id = st.st_ino;
	return 0;
}

int bg_cgroup_create(struct bg_cgroup *cg, const char *name)
{
	char mnt[256], top[300];
	int err;

	memset(cg, 0, sizeof(*cg));
	cg->fd = -1;
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
	snprintf(cg->path, sizeof(cg->path), "%s/%s.%d", top, name, getpid());
	if (mkdir(cg->path, 0755) && errno != EEXIST) {
		err = -errno;
		pr_err("cannot create %s: %s\n", cg->path, strerror(errno));
		return err;
	}
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0 || bg_cgroup_id(cg->path, &cg->id)) {
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
