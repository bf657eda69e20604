// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the `bpfguard net` subcommands share (cmd.c, cmd_link.c): errors
 * in text or JSON, JSON lists, and the pin directories of the filters
 * attached.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/sys.h"
#include "events/json.h"
#include "guards/net/net_int.h"

int net_cmd_fail(struct net_cmd *nc, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (nc->json) {
		struct bg_buf b;
		struct bg_json j;

		bg_buf_init(&b);
		bg_json_init(&j, &b);
		bg_json_obj(&j);
		bg_json_kobj(&j, "error");
		bg_json_kstr(&j, "message", msg);
		bg_json_kstr(&j, "errno", bg_errno_name(err ? err : EINVAL));
		bg_json_obj_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(&b, '\n');
		if (!b.oom)
			fwrite(b.p, 1, b.len, stdout);
		bg_buf_free(&b);
	} else {
		fprintf(stderr, "bpfguard: %s\n", msg);
	}
	return 1;
}

void net_emit(struct bg_buf *b)
{
	if (!b->oom)
		fwrite(b->p, 1, b->len, stdout);
	bg_buf_free(b);
}

/* status, stats and attach print {"KEY": [...]} in JSON mode. */
void net_list_begin(struct net_cmd *nc, struct bg_json *j, struct bg_buf *b, const char *key)
{
	bg_buf_init(b);
	bg_json_init(j, b);
	if (nc->json) {
		bg_json_obj(j);
		bg_json_karr(j, key);
	}
}

void net_list_end(struct net_cmd *nc, struct bg_json *j, struct bg_buf *b)
{
	if (nc->json) {
		bg_json_arr_end(j);
		bg_json_obj_end(j);
		bg_buf_putc(b, '\n');
	}
	net_emit(b);
}

void net_dirs_free(struct net_dirs *d)
{
	free(d->d);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

static int dirs_add(struct net_dirs *d, const char *dir, const char *name)
{
	void *a = realloc(d->d, (d->n + 1) * sizeof(*d->d));

	if (!a)
		return -ENOMEM;
	d->d = a;
	a = realloc(d->name, (d->n + 1) * sizeof(*d->name));
	if (!a)
		return -ENOMEM;
	d->name = a;
	snprintf(d->d[d->n], sizeof(d->d[d->n]), "%s", dir);
	snprintf(d->name[d->n], sizeof(d->name[d->n]), "%s", name);
	d->n++;
	return 0;
}

int net_find_dirs(struct net_cmd *nc, struct net_dirs *out)
{
	char dir[DIR_MAX];
	struct dirent *de;
	DIR *dp;
	int err;

	memset(out, 0, sizeof(*out));
	if (nc->pin_dir) {
		const char *base = strrchr(nc->pin_dir, '/');

		return dirs_add(out, nc->pin_dir,
				nc->ifname ? nc->ifname
				: base	   ? base + 1
					   : nc->pin_dir);
	}
	if (net_pin_root(nc->root, sizeof(nc->root), false))
		return 0; /* no bpffs: nothing pinned */
	if (nc->ifname) {
		snprintf(dir, sizeof(dir), "%s/%s", nc->root, nc->ifname);
		return dirs_add(out, dir, nc->ifname);
	}
	dp = opendir(nc->root);
	if (!dp)
		return errno == ENOENT ? 0 : -errno;
	err = 0;
	while (!err && (de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", nc->root, de->d_name);
		err = dirs_add(out, dir, de->d_name);
	}
	closedir(dp);
	return err;
}

/* Exactly one filter, for commands that change rules. */
int net_one_dir(struct net_cmd *nc, struct net_dirs *d)
{
	size_t i;
	char list[256] = "";
	int err = net_find_dirs(nc, d);

	if (err)
		return net_cmd_fail(nc, err, "cannot list the filters: %s", strerror(-err));
	if (d->n == 1)
		return 0;
	if (!d->n)
		return net_cmd_fail(nc, ENOENT,
				    "no XDP filter is attached (bpfguard net attach IF)");
	for (i = 0; i < d->n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 d->name[i]);
	return net_cmd_fail(nc, EINVAL, "several filters are attached (%s): choose one with -i",
			    list);
}
