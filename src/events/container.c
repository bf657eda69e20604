// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Container identity from a cgroup path. Each runtime names the cgroup of
 * a container after its id, in one of a few shapes (systemd cgroup driver:
 * a scope unit; cgroupfs driver: a directory):
 *
 *   docker      .../docker-<64 hex>.scope            /docker/<64 hex>
 *   containerd  .../cri-containerd-<64 hex>.scope     /kubepods/.../pod<uid>/<64 hex>
 *   CRI-O       .../crio-<64 hex>.scope               (crio-conmon-<id>: its monitor)
 *   podman      .../libpod-<64 hex>.scope[/container] /libpod_parent/libpod-<64 hex>
 *               (libpod-conmon-<id>.scope: its monitor, not the container)
 *   nspawn      /machine.slice/systemd-nspawn@<name>.service/...
 *               /machine.slice/machine-<name>.scope/...
 *
 * The innermost component that names a container wins (a container nested
 * in another is reported as itself).
 */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "events/container.h"
#include "core/sys.h"

static const char *const rt_names[] = {
	[BG_RT_NONE] = "none",	       [BG_RT_DOCKER] = "docker", [BG_RT_CONTAINERD] = "containerd",
	[BG_RT_CRIO] = "cri-o",	       [BG_RT_PODMAN] = "podman", [BG_RT_NSPAWN] = "systemd-nspawn",
	[BG_RT_KUBEPODS] = "kubepods",
};

const char *bg_runtime_name(enum bg_runtime rt)
{
	return (unsigned)rt < sizeof(rt_names) / sizeof(rt_names[0]) ? rt_names[rt] : "unknown";
}

static bool hex64(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* comp (n bytes) is PREFIX<64 hex>SUFFIX; suffix "" or ".scope". */
static bool id_between(const char *comp, size_t n, const char *prefix, bool scope_optional,
		       struct bg_container *c, enum bg_runtime rt)
{
	size_t pl = strlen(prefix), sl = 0;

	if (n < pl || strncmp(comp, prefix, pl))
		return false;
	if (n >= pl + 6 && !strncmp(comp + n - 6, ".scope", 6))
		sl = 6;
	else if (!scope_optional)
		return false;
	if (!hex64(comp + pl, n - pl - sl))
		return false;
	memcpy(c->id, comp + pl, 64);
	c->id[64] = 0;
	c->runtime = rt;
	return true;
}

/* A machine name: what systemd allows in a unit name, bounded. */
static bool machine(const char *name, size_t n, struct bg_container *c)
{
	if (!n || n >= sizeof(c->id) || !strncmp(name, "qemu-", 5) ||
	    !strncmp(name, "qemu\\x2d", 8))
		return false; /* libvirt's VMs register with machined too */
	memcpy(c->id, name, n);
	c->id[n] = 0;
	c->runtime = BG_RT_NSPAWN;
	return true;
}

/* Whether an earlier component of path (before end) equals or starts with s. */
static bool has_ancestor(const char *path, const char *end, const char *s, bool prefix)
{
	size_t sl = strlen(s);
	const char *p = path;

	while (p < end) {
		const char *q;
		size_t n;

		while (p < end && *p == '/')
			p++;
		q = memchr(p, '/', end - p);
		n = (q ? q : end) - p;
		if (n && (prefix ? n >= sl : n == sl) && !strncmp(p, s, sl))
			return true;
		p += n;
	}
	return false;
}

static bool component(const char *path, const char *comp, size_t n, struct bg_container *c)
{
	if (!strncmp(comp, "crio-conmon-", 12) || !strncmp(comp, "libpod-conmon-", 14))
		return false;
	if (id_between(comp, n, "docker-", false, c, BG_RT_DOCKER) ||
	    id_between(comp, n, "cri-containerd-", false, c, BG_RT_CONTAINERD) ||
	    id_between(comp, n, "crio-", true, c, BG_RT_CRIO) ||
	    id_between(comp, n, "libpod-", true, c, BG_RT_PODMAN))
		return true;
	if (n > 23 && !strncmp(comp, "systemd-nspawn@", 15) &&
	    !strncmp(comp + n - 8, ".service", 8))
		return machine(comp + 15, n - 23, c);
	if (n > 14 && !strncmp(comp, "machine-", 8) && !strncmp(comp + n - 6, ".scope", 6) &&
	    has_ancestor(path, comp, "machine.slice", false))
		return machine(comp + 8, n - 14, c);
	if (hex64(comp, n)) {
		/* cgroupfs drivers: the bare id under the runtime's parent. */
		if (has_ancestor(path, comp, "docker", false))
			c->runtime = BG_RT_DOCKER;
		else if (has_ancestor(path, comp, "kubepods", true))
			c->runtime = BG_RT_CONTAINERD;
		else
			return false;
		memcpy(c->id, comp, 64);
		c->id[64] = 0;
		return true;
	}
	return false;
}

bool bg_container_parse(const char *path, struct bg_container *c)
{
	const char *end = path + strlen(path);

	memset(c, 0, sizeof(*c));
	/* Innermost first: walk the components from the end. */
	while (end > path) {
		const char *start = end;

		while (start > path && start[-1] != '/')
			start--;
		if (end > start && component(path, start, end - start, c))
			return true;
		end = start;
		while (end > path && end[-1] == '/')
			end--;
	}
	memset(c, 0, sizeof(*c));
	return false;
}

/*
 * /proc/PID/cgroup: "0::/path" for cgroup v2, "N:controllers:/path" for
 * each v1 hierarchy. On a hybrid host the runtime may have placed the
 * process only in v1 hierarchies (or only in v2): any line that names a
 * container is taken, the v2 line first.
 */
bool bg_container_of_pid(pid_t pid, struct bg_container *c)
{
	char file[64], line[4096];
	bool found = false;
	FILE *f;

	memset(c, 0, sizeof(*c));
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	f = fopen(file, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');
		struct bg_container t;

		p = p ? strchr(p + 1, ':') : NULL;
		if (!p)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (bg_container_parse(p + 1, &t) && (!found || !strncmp(line, "0::", 3))) {
			*c = t;
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* nftw has no context argument: one search at a time (config load). */
static struct {
	const char *prefix;
	size_t root_len;
	char id[65], other[65];
	char path[4096];
	size_t depth;
} search;

static bool has_procs(const char *dir)
{
	char f[4200], c;
	FILE *fp;
	bool any;

	snprintf(f, sizeof(f), "%s/cgroup.procs", dir);
	fp = fopen(f, "re");
	if (!fp)
		return false;
	any = fread(&c, 1, 1, fp) == 1;
	fclose(fp);
	return any;
}

static int visit(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	struct bg_container c;

	(void)st;
	if (flag != FTW_D || strlen(p) <= search.root_len ||
	    !bg_container_parse(p + search.root_len, &c) ||
	    strncmp(c.id, search.prefix, strlen(search.prefix)))
		return FTW_CONTINUE;
	if (search.id[0] && strcmp(search.id, c.id)) {
		snprintf(search.other, sizeof(search.other), "%s", c.id);
		return FTW_STOP;
	}
	snprintf(search.id, sizeof(search.id), "%s", c.id);
	if ((size_t)ftw->level > search.depth && has_procs(p) && strlen(p) < sizeof(search.path)) {
		search.depth = ftw->level;
		strcpy(search.path, p);
	}
	return FTW_CONTINUE;
}

int bg_container_cgroup(const char *prefix, char *path, size_t len, char *why, size_t whylen)
{
	char mnt[256];
	int err;

	err = bg_find_mount("cgroup2", mnt, sizeof(mnt));
	if (err) {
		snprintf(why, whylen, "no cgroup v2 mount");
		return err;
	}
	memset(&search, 0, sizeof(search));
	search.prefix = prefix;
	search.root_len = strlen(mnt);
	nftw(mnt, visit, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
	if (search.other[0]) {
		snprintf(why, whylen,
			 "'%s' names several containers (%.12s, %.12s): give more digits", prefix,
			 search.id, search.other);
		return -EEXIST;
	}
	if (!search.path[0] || strlen(search.path) >= len) {
		snprintf(why, whylen, "no running container's id starts with '%s' under %s", prefix,
			 mnt);
		return -ENOENT;
	}
	strcpy(path, search.path);
	return 0;
}
