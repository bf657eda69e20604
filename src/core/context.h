/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CONTEXT_H
#define BG_CONTEXT_H

/*
 * What every command that reports events holds: the output format, where
 * events go, the event pipeline, and the signals asking it to stop or to
 * reopen its output. One struct and one signal record instead of a copy
 * per command.
 */
#include <stdbool.h>
#include <stddef.h>

#include "events/output.h"
#include "events/ring.h"

enum bg_format {
	BG_FORMAT_AUTO = 0, /* text on a terminal, JSON otherwise */
	BG_FORMAT_JSON = 1,
	BG_FORMAT_TEXT = 2,
};

/* The --json and --text rows of a command whose struct T holds its bg_ctx
 * as field c (src/core/cli.h). */
#define BG_OPT_FORMAT(T, c)                                                                        \
	BG_OPT_SET(T, c.format, BG_FORMAT_JSON, "json", 'j',                                       \
		   "JSON lines (the default when the output is not a terminal)"),                  \
		BG_OPT_SET(T, c.format, BG_FORMAT_TEXT, "text", 't',                               \
			   "readable text (the default on a terminal)")

struct bg_ctx {
	enum bg_format format; /* --json / --text (BG_OPT_SET), or a config's */
	const char *output;    /* --output FILE; NULL: the command's default */
	bool to_stderr;	       /* without --output: stderr, not stdout (run's) */
	/* Non-NULL: events go to syslog (JSON in each message), not to output. */
	const struct bg_syslog_config *syslog;
	bool json; /* the format chosen at bg_ctx_open */
	bool opened, started;
	struct bg_output out;
	struct bg_events ev;
};

/* Open the output (c->output, else def: "-" for stdout... as
 * bg_output_open takes it), create the ring of ring_size bytes and start
 * the consumer in the format (AUTO: JSON unless the output is a terminal). */
int bg_ctx_open(struct bg_ctx *c, const char *def, size_t ring_size);
/* Drain what is left, print the final counts, close. Safe on a ctx that
 * failed to open, or was never opened. */
void bg_ctx_close(struct bg_ctx *c);

/* Signals: bg_sig_catch installs the one handler, which records them. */
void bg_sig_catch(int sig);
/* A stop was asked (SIGINT or SIGTERM caught): the last such signal, or 0. */
int bg_sig_stop(void);
/* Whether sig was caught since the last call (and forget it). */
bool bg_sig_take(int sig);
/* The last signal caught, of any kind (0: none), and forget it. */
int bg_sig_take_any(void);

#endif
