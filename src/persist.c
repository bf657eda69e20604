// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "persist.h"
#include "sys.h"

int bg_persist_dir(char *dir, size_t len, bool create)
{
	char bpffs[PATH_MAX];
	int err;

	err = create ? bg_ensure_mount("bpf", "/sys/fs/bpf", bpffs, sizeof(bpffs))
		     : bg_find_mount("bpf", bpffs, sizeof(bpffs));
	if (err)
		return err;
	if ((size_t)snprintf(dir, len, "%s/bpfguard", bpffs) >= len)
		return -ENAMETOOLONG;
	if (create && mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(dir, len, "%s/bpfguard/agent", bpffs) >= len)
		return -ENAMETOOLONG;
	if (create && mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int bg_persist_links(struct bpf_object_skeleton *s, const char *dir, const char *prefix)
{
	char path[PATH_MAX];
	int i, err;

	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_link *l = *s->progs[i].link;

		if (!l)
			continue; /* not loaded on this kernel */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s-%s", dir, prefix,
				     s->progs[i].name) >= sizeof(path))
			return -ENAMETOOLONG;
		err = bpf_link__pin(l, path);
		if (err) {
			pr_err("cannot pin %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

int bg_persist_clear(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0, err = 0;

	if (!dp)
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= sizeof(path))
			continue;
		if (unlink(path)) {
			err = -errno;
			pr_err("cannot unpin %s: %s\n", path, strerror(errno));
			continue;
		}
		n++;
	}
	closedir(dp);
	if (rmdir(dir) && !err)
		err = -errno;
	return err ? err : n;
}
