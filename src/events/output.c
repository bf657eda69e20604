// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
		size_t want = o->buf.len - off;
		ssize_t n = write(o->fd, o->buf.p + off, want);

		/* A signal while a pipe reader stalls ends a blocking write:
		 * with EINTR, or short once some bytes went. Keep what is not
		 * written for the next flush and let the caller's loop see
		 * the signal (handlers are installed without SA_RESTART). */
		if ((n < 0 && errno == EINTR) || (n > 0 && (size_t)n < want)) {
			off += n > 0 ? n : 0;
			memmove(o->buf.p, o->buf.p + off, o->buf.len - off);
			o->buf.len -= off;
			return -EINTR;
		}
		if (n < 0) {
			int err = -errno;

			o->write_errors++;
			o->buf.len = 0;
			return err;
		}
		off += n;
	}
	o->buf.len = 0;
	return 0;
}

/*
 * At exit, a reader that stopped reading (a pipe to a paused pager) must not
 * hold the agent forever: write at most PIPE_BUF bytes at a time, each only
 * once poll() says the descriptor is writable (then a write of PIPE_BUF
 * bytes or less does not block), and give up after a second without room.
 */
#define BG_OUTPUT_CLOSE_MS 1000

static void flush_bounded(struct bg_output *o)
{
	struct pollfd p = {.fd = o->fd, .events = POLLOUT};
	size_t off = 0;

	if (o->buf.oom) {
		bg_output_flush(o); /* drops and counts the incomplete lines */
		return;
	}
	while (off < o->buf.len && poll(&p, 1, BG_OUTPUT_CLOSE_MS) > 0 &&
	       !(p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
		size_t chunk = o->buf.len - off < PIPE_BUF ? o->buf.len - off : PIPE_BUF;
		ssize_t n = write(o->fd, o->buf.p + off, chunk);

		if (n < 0 && errno != EINTR && errno != EAGAIN)
			break;
		if (n > 0)
			off += n;
	}
	if (off < o->buf.len) {
		pr_warn("%zu bytes of events not written: the output was not being read\n",
			o->buf.len - off);
		o->write_errors++;
	}
	o->buf.len = 0;
}

void bg_output_close(struct bg_output *o)
{
	flush_bounded(o);
	if (o->path)
		close(o->fd);
	free(o->path);
	bg_buf_free(&o->buf);
	o->path = NULL;
}
