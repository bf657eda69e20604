// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/output.h"
#include "events/syslog.h"
#include "core/log.h"

/*
 * Root appends to this file, possibly again on every SIGHUP: whoever can
 * choose what the path names could make root append events (text they
 * partly control: comm, argv, paths) to any file. So the path is walked one
 * directory at a time from a descriptor: a symbolic link on the way must be
 * root's, every directory root's and not writable by others unless sticky;
 * the file itself is opened without following a link and must be a regular
 * file (or a device) that is root's, not writable by group or others, with
 * one link. Returns the fd or a negative errno after one message.
 */
static int refuse(const char *path, const char *what, const char *why)
{
	pr_err("cannot write to %s: %s %s: refused, an unprivileged user could redirect root's "
	       "writes\n",
	       path, what, why);
	return -EPERM;
}

/* Whoever owns or may write to a directory can remove or replace what root
 * wrote there: an event log in it could not be trusted. */
static int check_dir(const char *path, const char *dir, int fd, bool dirs)
{
	struct stat st;

	if (!dirs)
		return 0;
	if (fstat(fd, &st))
		return -errno;
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return refuse(path, dir, "is a directory not owned by root");
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		return refuse(path, dir, "is a directory writable by others and not sticky");
	return 0;
}

int bg_output_open_path(const char *path, bool dirs)
{
	char *copy = strdup(path), *comp, *next, *shown = NULL;
	int dfd = -1, fd = -1, err, i;
	struct stat st;

	if (!copy)
		return -ENOMEM;
	dfd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		goto sys_error;
	err = check_dir(path, path[0] == '/' ? "/" : "the current directory", dfd, dirs);
	if (err)
		goto cleanup;
	for (comp = copy; (next = strchr(comp, '/')); comp = next) {
		int nfd;

		*next++ = 0;
		if (!*comp)
			continue;
		free(shown);
		shown = strndup(path, next - 1 - copy);
		if (!shown)
			goto sys_error;
		if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW))
			goto sys_error;
		if (S_ISLNK(st.st_mode) && st.st_uid != 0) {
			err = refuse(path, shown, "is a symbolic link not owned by root");
			goto cleanup;
		}
		/* Not a link when looked at: must not become one before the open. */
		nfd = openat(dfd, comp,
			     O_PATH | O_DIRECTORY | O_CLOEXEC |
				     (S_ISLNK(st.st_mode) ? 0 : O_NOFOLLOW));
		if (nfd < 0)
			goto sys_error;
		close(dfd);
		dfd = nfd;
		err = check_dir(path, shown, dfd, dirs);
		if (err)
			goto cleanup;
	}
	free(shown);
	shown = NULL;
	/* An existing file is opened without O_CREAT, so that its checks
	 * below, not fs.protected_regular, decide and say why; a new one is
	 * created exclusively (O_EXCL never follows a link). */
	for (i = 0; i < 3 && fd < 0; i++) {
		/* O_NONBLOCK: a FIFO put there must not hold us in open(). */
		fd = openat(dfd, comp,
			    O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			fd = openat(dfd, comp,
				    O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC,
				    0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 && errno == ELOOP) {
		err = refuse(path, "it", "is a symbolic link");
		goto cleanup;
	}
	if (fd < 0 || fstat(fd, &st))
		goto sys_error;
	if (S_ISCHR(st.st_mode)) {
		/* /dev/null and ttys: only root makes device nodes. */
		err = 0;
	} else if (!S_ISREG(st.st_mode)) {
		err = refuse(path, "it", "is not a regular file");
	} else if (st.st_uid != geteuid() && st.st_uid != 0) {
		err = refuse(path, "it", "is owned by another user than root");
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		err = refuse(path, "it", "is writable by group or others");
	} else if (st.st_nlink != 1) {
		err = refuse(path, "it", "has more than one hard link");
	} else {
		err = 0;
	}
	if (!err && fcntl(fd, F_SETFL, O_APPEND))
		goto sys_error;
	goto cleanup;
sys_error:
	err = -errno;
	pr_err("cannot open output %s: %s%s%s\n", path, shown ? shown : "", shown ? ": " : "",
	       strerror(errno));
cleanup:
	if (err && fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(copy);
	free(shown);
	return err ? err : fd;
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
	o->fd = bg_output_open_path(path, true);
	if (o->fd < 0) {
		int err = o->fd;

		free(o->path);
		o->path = NULL;
		return err;
	}
	return 0;
}

int bg_output_open_syslog(struct bg_output *o, const struct bg_syslog_config *c)
{
	memset(o, 0, sizeof(*o));
	bg_buf_init(&o->buf);
	o->fd = -1;
	return bg_syslog_open(&o->syslog, c);
}

/* How long the agent goes on sending queued messages at exit. */
#define BG_SYSLOG_CLOSE_MS 1000

int bg_output_reopen(struct bg_output *o)
{
	int fd;

	if (!o->path)
		return 0;
	bg_output_flush(o);
	fd = bg_output_open_path(o->path, true);
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
	if (o->syslog)
		return bg_syslog_write(o->syslog, &o->buf);
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
	if (o->syslog) {
		bg_output_flush(o);
		bg_syslog_close(o->syslog, BG_SYSLOG_CLOSE_MS);
		o->syslog = NULL;
		bg_buf_free(&o->buf);
		return;
	}
	flush_bounded(o);
	if (o->path)
		close(o->fd);
	free(o->path);
	bg_buf_free(&o->buf);
	o->path = NULL;
}
