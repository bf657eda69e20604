// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/output.h"
#include "log.h"

static int open_path(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0) {
		int err = -errno;

		pr_err("cannot open output %s: %s\n", path, strerror(errno));
		return err;
	}
	return fd;
}

int bg_output_open(struct bg_output *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	bg_buf_init(&o->buf);
	if (!path || !strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		o->tty = isatty(STDOUT_FILENO);
		return 0;
	}
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	o->fd = open_path(path);
	if (o->fd < 0) {
		int err = o->fd;

		free(o->path);
		o->path = NULL;
		return err;
	}
	return 0;
}

int bg_output_reopen(struct bg_output *o)
{
	int fd;

	if (!o->path)
		return 0;
	bg_output_flush(o);
	fd = open_path(o->path);
	if (fd < 0)
		return fd; /* keep writing to the old file rather than nowhere */
	close(o->fd);
	o->fd = fd;
	return 0;
}

int bg_output_flush(struct bg_output *o)
{
	size_t off = 0;

	if (o->buf.oom) {
		/* Lines built while memory ran out are incomplete: drop them
		 * all rather than write broken JSON. */
		o->write_errors++;
		o->buf.len = 0;
		o->buf.oom = false;
		return -ENOMEM;
	}
	while (off < o->buf.len) {
		ssize_t n = write(o->fd, o->buf.p + off, o->buf.len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->write_errors++;
			o->buf.len = 0;
			return -errno;
		}
		off += n;
	}
	o->buf.len = 0;
	return 0;
}

void bg_output_close(struct bg_output *o)
{
	bg_output_flush(o);
	if (o->path)
		close(o->fd);
	free(o->path);
	bg_buf_free(&o->buf);
	o->path = NULL;
}
