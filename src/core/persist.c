// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard agent --persist`: pins made as soon as something is attached,
 * and adoption of what an agent that is gone left pinned (src/core/persist.h,
 * docs/agent.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include <bpfguard/events.h>

#include "events/ring.h"
#include "core/log.h"
#include "core/persist.h"
#include "core/sys.h"

/* Pins of the event pipeline in an agent's directory; the rest are links. */
#define PIN_EVENTS "events"
#define PIN_STATS  "stats"
#define PIN_STATE  "state"
#define PIN_NAMES  "names"
#define NAMES_MAX  1024 /* rule ids with a name: files 2 x 256, limits 64 */
/* A link is pinned under this prefix first, then renamed over its name:
 * the old pin (if any) is replaced, never removed before the new one exists. */
#define PIN_TMP "new-"

/* Value of the "state" map: what the agent has already reported. */
struct agent_state {
	uint64_t reported_drops;
	uint64_t pad;
};

/* dir/name into a PATH_MAX buffer. */
static int join(char *out, const char *dir, const char *name)
{
	return (size_t)snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static bool is_pipeline_pin(const char *name)
{
	return !strcmp(name, PIN_EVENTS) || !strcmp(name, PIN_STATS) || !strcmp(name, PIN_STATE) ||
	       !strcmp(name, PIN_NAMES);
}

static int mkdir_one(const char *dir)
{
	return mkdir(dir, 0700) && errno != EEXIST ? -errno : 0;
}

int bg_persist_init(struct bg_persist *p, const char *root, bool create)
{
	char bpffs[PATH_MAX];
	struct statfs sfs;
	int err;

	memset(p, 0, sizeof(*p));
	p->state_fd = p->names_fd = -1;
	if (root) {
		if ((size_t)snprintf(p->root, sizeof(p->root), "%s", root) >= sizeof(p->root))
			return -ENAMETOOLONG;
		if (create && (err = mkdir_one(p->root)))
			return err;
		if (statfs(p->root, &sfs))
			return -errno;
		/* Pins live only on a bpffs; anywhere else they cannot be made. */
		if (sfs.f_type != BPF_FS_MAGIC)
			return -ENOTSUP;
		return 0;
	}
	err = create ? bg_ensure_mount("bpf", "/sys/fs/bpf", bpffs, sizeof(bpffs))
		     : bg_find_mount("bpf", bpffs, sizeof(bpffs));
	if (err)
		return err;
	if ((size_t)snprintf(p->root, sizeof(p->root), "%s/bpfguard", bpffs) >= sizeof(p->root))
		return -ENAMETOOLONG;
	if (create && (err = mkdir_one(p->root)))
		return err;
	strcat(p->root, "/agent");
	if (create && (err = mkdir_one(p->root)))
		return err;
	return access(p->root, F_OK) ? -errno : 0;
}

/* Start time of a process in clock ticks since boot (field 22 of
 * /proc/PID/stat), which tells a pid's reuse from the process itself. */
static int proc_starttime(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *s;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (bg_read_file(path, buf, sizeof(buf)))
		return -ESRCH;
	s = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!s)
		return -EINVAL;
	for (i = 2; i < 22 && s; i++) /* s is before field i + 1 */
		s = strchr(s + 1, ' ');
	if (!s || sscanf(s + 1, "%llu", start) != 1)
		return -EINVAL;
	return 0;
}

/* 1: an agent directory whose process is gone; 0: its agent runs; -1:
 * not an agent directory. */
static int owner_gone(const char *name, pid_t *pid)
{
	unsigned long long start, now;
	int n = 0, ipid;

	if (sscanf(name, "%d-%llu%n", &ipid, &start, &n) != 2 || name[n] || ipid <= 0)
		return -1;
	*pid = ipid;
	return proc_starttime(ipid, &now) || now != start;
}

static int list_add(char ***list, size_t *n, size_t *cap, const char *s)
{
	char **grown, *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	if (*n == *cap) {
		grown = realloc(*list, (*cap ? *cap * 2 : 16) * sizeof(**list));
		if (!grown) {
			free(copy);
			return -ENOMEM;
		}
		*list = grown;
		*cap = *cap ? *cap * 2 : 16;
	}
	(*list)[(*n)++] = copy;
	return 0;
}

/* Drops counted in a pinned stats map that its agent never reported. */
static uint64_t unreported_drops(const char *dir)
{
	char path[PATH_MAX];
	struct agent_state st = {0};
	uint32_t key = BG_STAT_DROPPED, zero = 0;
	uint64_t *vals, sum = 0;
	int ncpu = libbpf_num_possible_cpus(), fd, i;

	if (ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
		return 0;
	fd = join(path, dir, PIN_STATS) ? -1 : bpf_obj_get(path);
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &key, vals))
		for (i = 0; i < ncpu; i++)
			sum += vals[i];
	if (fd >= 0)
		close(fd);
	free(vals);
	fd = join(path, dir, PIN_STATE) ? -1 : bpf_obj_get(path);
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &zero, &st);
		close(fd);
	}
	return sum > st.reported_drops ? sum - st.reported_drops : 0;
}

/* Read the ring buffer a gone agent left: its programs write there until
 * ours replace them. */
static int adopt_ring(struct bg_persist *p, struct bg_events *ev, const char *dir)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int *grown, fd, err;

	if (join(path, dir, PIN_EVENTS))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_RINGBUF) {
		close(fd);
		return -EINVAL;
	}
	grown = realloc(p->rings, (p->n_rings + 1) * sizeof(*p->rings));
	if (!grown) {
		close(fd);
		return -ENOMEM;
	}
	p->rings = grown;
	err = bg_events_add_ring(ev, fd);
	if (err) {
		close(fd);
		return err;
	}
	p->rings[p->n_rings++] = fd; /* libbpf does not own it */
	return 0;
}

/* Keep the names a gone agent gave its rule ids; the first one adopted
 * wins where two gave the same id (their programs run side by side only
 * until ours replace them). */
static int adopt_names(struct bg_persist *p, const char *dir)
{
	struct bg_persist_name *grown, n;
	char path[PATH_MAX];
	uint32_t key, *prev = NULL;
	size_t i;
	bool seen;
	int fd;

	if (join(path, dir, PIN_NAMES))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, n.name))
			continue;
		n.id = key;
		n.name[sizeof(n.name) - 1] = 0;
		for (seen = false, i = 0; i < p->n_old_names && !seen; i++)
			seen = p->old_names[i].id == key;
		if (seen)
			continue;
		grown = realloc(p->old_names, (p->n_old_names + 1) * sizeof(*grown));
		if (!grown) {
			close(fd);
			return -ENOMEM;
		}
		p->old_names = grown;
		p->old_names[p->n_old_names++] = n;
	}
	close(fd);
	return 0;
}

const char *bg_persist_old_rule_name(void *ctx, uint32_t rule_id)
{
	const struct bg_persist *p = ctx;
	size_t i;

	for (i = 0; i < p->n_old_names; i++)
		if (p->old_names[i].id == rule_id)
			return p->old_names[i].name;
	return NULL;
}

static size_t count_links(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t n = 0;

	while (dp && (d = readdir(dp)))
		n += d->d_name[0] != '.' && !is_pipeline_pin(d->d_name);
	if (dp)
		closedir(dp);
	return n;
}

int bg_persist_adopt(struct bg_persist *p, struct bg_events *ev, struct bg_persist_adoption *out)
{
	char path[PATH_MAX];
	size_t cap = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp;
	pid_t pid;
	int err = 0, gone;

	memset(out, 0, sizeof(*out));
	dp = opendir(p->root);
	if (!dp)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		if (join(path, p->root, d->d_name) || stat(path, &st))
			continue;
		if (!S_ISDIR(st.st_mode)) {
			/* A link pinned in the root: the layout of bpfguard before
			 * pins were made per agent. Replaced like the others. */
			err = list_add(&p->adopted, &p->n_adopted, &cap, path);
			out->links++;
			continue;
		}
		gone = owner_gone(d->d_name, &pid);
		if (gone < 0) {
			pr_warn("%s: not an agent's pin directory, left alone\n", path);
			continue;
		}
		if (!gone)
			continue; /* a running agent's, with the same --pin-dir */
		err = adopt_ring(p, ev, path);
		if (err) {
			/* Its events cannot be read; the programs still enforce. */
			pr_warn("%s: cannot read its ring buffer (%s): its unread events are "
				"lost\n",
				path, strerror(-err));
			err = 0;
		}
		if (adopt_names(p, path))
			pr_warn("%s: cannot read its rule names: its events are named by id only\n",
				path);
		out->dropped += unreported_drops(path);
		out->links += count_links(path);
		out->dirs++;
		out->pid = pid;
		err = list_add(&p->adopted, &p->n_adopted, &cap, path);
	}
	closedir(dp);
	return err;
}

static int pin_fd(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX];

	if (join(path, dir, name))
		return -ENAMETOOLONG;
	if (bpf_obj_pin(fd, path)) {
		int err = -errno;

		pr_err("cannot pin %s: %s\n", path, strerror(errno));
		return err;
	}
	return 0;
}

int bg_persist_begin(struct bg_persist *p, struct bg_events *ev)
{
	unsigned long long start;
	int err;

	err = proc_starttime(getpid(), &start);
	if (err)
		return err;
	if ((size_t)snprintf(p->dir, sizeof(p->dir), "%s/%d-%llu", p->root, (int)getpid(), start) >=
	    sizeof(p->dir))
		return -ENAMETOOLONG;
	/* Another agent that adopted the last directory may have removed the
	 * root since: make it again. */
	if (mkdir(p->dir, 0700) && errno == ENOENT)
		mkdir_one(p->root);
	err = mkdir_one(p->dir);
	if (err)
		goto cleanup;
	p->state_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bg_agent_state", sizeof(uint32_t),
				     sizeof(struct agent_state), 1, NULL);
	if (p->state_fd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = pin_fd(p->dir, PIN_EVENTS, ev->rb_fd);
	if (!err)
		err = pin_fd(p->dir, PIN_STATS, ev->stats_fd);
	if (!err)
		err = pin_fd(p->dir, PIN_STATE, p->state_fd);
	if (err)
		goto cleanup;
	p->names_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bg_rule_names", sizeof(uint32_t),
				     sizeof(((struct bg_persist_name *)0)->name), NAMES_MAX, NULL);
	if (p->names_fd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = pin_fd(p->dir, PIN_NAMES, p->names_fd);
	if (err)
		goto cleanup;
	return 0;
cleanup:
	bg_persist_remove_own(p);
	return err;
}

void bg_persist_sync_begin(struct bg_persist *p)
{
	size_t i;

	for (i = 0; i < p->n_names; i++)
		free(p->names[i]);
	p->n_names = 0;
}

int bg_persist_link(struct bg_persist *p, const char *name, int link_fd)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/" PIN_TMP "%s", p->dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", p->dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	unlink(tmp); /* left by a sync that failed halfway */
	if (bpf_obj_pin(link_fd, tmp) || rename(tmp, path)) {
		err = -errno;
		pr_err("cannot pin %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return err;
	}
	return list_add(&p->names, &p->n_names, &p->cap_names, name);
}

int bg_persist_links(struct bg_persist *p, struct bpf_object_skeleton *s, const char *prefix)
{
	char name[NAME_MAX + 1];
	int i, err;

	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_link *l = *s->progs[i].link;

		if (!l)
			continue; /* not loaded or not attached on this kernel */
		if ((size_t)snprintf(name, sizeof(name), "%s-%s", prefix, s->progs[i].name) >=
		    sizeof(name))
			return -ENAMETOOLONG;
		err = bg_persist_link(p, name, bpf_link__fd(l));
		if (err)
			return err;
	}
	return 0;
}

int bg_persist_sync_end(struct bg_persist *p)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(p->dir);
	size_t i;
	bool keep;
	int err = 0;

	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' || is_pipeline_pin(d->d_name))
			continue;
		for (keep = false, i = 0; i < p->n_names && !keep; i++)
			keep = !strcmp(p->names[i], d->d_name);
		if (keep)
			continue;
		/* Detached by the agent (a reload) and held only by this pin. */
		if ((join(path, p->dir, d->d_name) || unlink(path)) && !err)
			err = -errno;
	}
	closedir(dp);
	return err;
}

void bg_persist_names_clear(struct bg_persist *p)
{
	uint32_t key;

	/* Deleting the first key each time: the iteration order changes. */
	while (p->names_fd >= 0 && !bpf_map_get_next_key(p->names_fd, NULL, &key))
		if (bpf_map_delete_elem(p->names_fd, &key))
			break;
}

void bg_persist_name(struct bg_persist *p, uint32_t rule_id, const char *name)
{
	char v[sizeof(((struct bg_persist_name *)0)->name)] = {0};

	if (p->names_fd < 0 || !name)
		return;
	strncpy(v, name, sizeof(v) - 1);
	bpf_map_update_elem(p->names_fd, &rule_id, v, BPF_ANY);
}

void bg_persist_note_drops(struct bg_persist *p, uint64_t reported)
{
	struct agent_state st = {.reported_drops = reported};
	uint32_t zero = 0;

	if (p->state_fd < 0 || reported == p->noted_drops)
		return;
	if (!bpf_map_update_elem(p->state_fd, &zero, &st, BPF_ANY))
		p->noted_drops = reported;
}

int bg_persist_release_adopted(struct bg_persist *p)
{
	struct stat st;
	size_t i;
	int n = 0, r;

	for (i = 0; i < p->n_adopted; i++) {
		if (!stat(p->adopted[i], &st) && S_ISDIR(st.st_mode)) {
			r = bg_persist_clear(p->adopted[i]);
			n += r > 0 ? r : 0;
		} else if (!unlink(p->adopted[i])) {
			n++;
		}
	}
	rmdir(p->root); /* only if empty: other agents may pin there */
	return n;
}

void bg_persist_remove_own(struct bg_persist *p)
{
	if (p->dir[0])
		bg_persist_clear(p->dir);
	p->dir[0] = 0;
	if (p->state_fd >= 0)
		close(p->state_fd);
	if (p->names_fd >= 0)
		close(p->names_fd);
	p->state_fd = p->names_fd = -1;
	rmdir(p->root);
}

void bg_persist_free(struct bg_persist *p)
{
	size_t i;

	bg_persist_sync_begin(p);
	free(p->names);
	for (i = 0; i < p->n_adopted; i++)
		free(p->adopted[i]);
	free(p->adopted);
	for (i = 0; i < p->n_rings; i++)
		close(p->rings[i]);
	free(p->rings);
	free(p->old_names);
	if (p->state_fd >= 0)
		close(p->state_fd);
	if (p->names_fd >= 0)
		close(p->names_fd);
	memset(p, 0, sizeof(*p));
	p->state_fd = p->names_fd = -1;
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
		if (join(path, dir, d->d_name))
			continue;
		if (unlink(path)) {
			err = -errno;
			pr_err("cannot unpin %s: %s\n", path, strerror(errno));
			continue;
		}
		n += !is_pipeline_pin(d->d_name);
	}
	closedir(dp);
	if (rmdir(dir) && !err)
		err = -errno;
	return err ? err : n;
}
