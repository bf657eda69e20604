/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_OUTPUT_H
#define BG_OUTPUT_H

#include <stdbool.h>

#include "core/buf.h"

struct bg_syslog;
struct bg_syslog_config;

/*
 * Where events go: stdout or a file opened for appending. Lines are built
 * in `buf` and written whole: bg_output_flush() runs after every batch the
 * ring buffer yields and whenever the buffer passes 64 KiB, so a line is
 * never split and nothing waits in memory while the agent sleeps.
 */
struct bg_output {
	int fd;
	char *path; /* NULL: stdout */
	bool tty;
	struct bg_buf buf;
	unsigned long long write_errors;
	struct bg_syslog *syslog; /* events.output: syslog (syslog.h); fd unused */
};

int bg_output_open(struct bg_output *o, const char *path);
/* The checked open of an output file (docs/agent.md, "The output file"):
 * an fd for appending, or a negative errno after one message. dirs: also
 * refuse directories others own or may write to (an event log). */
int bg_output_open_path(const char *path, bool dirs);
/* Send lines to syslog instead (JSON lines only). */
int bg_output_open_syslog(struct bg_output *o, const struct bg_syslog_config *c);
int bg_output_reopen(struct bg_output *o); /* after log rotation (SIGHUP) */
int bg_output_flush(struct bg_output *o);
void bg_output_close(struct bg_output *o);

static inline int bg_output_maybe_flush(struct bg_output *o)
{
	return o->buf.len >= 65536 ? bg_output_flush(o) : 0;
}

#endif
