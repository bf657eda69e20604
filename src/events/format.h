/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_FORMAT_H
#define BG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Turns ring-buffer records into JSON lines or terminal text. */
struct bg_fmt {
	bool json;
	bool color;
	int64_t boot_to_real_ns; /* CLOCK_REALTIME minus CLOCK_BOOTTIME */
	int64_t ts_sec;          /* second the cached prefix is for */
	char ts_prefix[24];      /* "YYYY-MM-DDTHH:MM:SS." or "HH:MM:SS." */
	size_t ts_prefix_len;
	/* Names of rules by id, supplied by the guard that owns them. */
	const char *(*rule_name)(void *ctx, uint32_t rule_id);
	void *rule_ctx;
	uint64_t malformed; /* records too short for their type */
};

void bg_fmt_init(struct bg_fmt *f, bool json, bool color);

/* Append one line for the record; -EINVAL if it is malformed (counted). */
int bg_fmt_event(struct bg_fmt *f, struct bg_buf *out, const void *data, size_t size);

/* The drops figure: a metric line, emitted when drops change and at exit. */
struct bg_ev_stats {
	uint64_t emitted;  /* committed by the kernel */
	uint64_t dropped;  /* reservations that failed in the kernel */
	uint64_t received; /* records this consumer read */
	uint64_t path_errors;
};
void bg_fmt_stats(struct bg_fmt *f, struct bg_buf *out, const struct bg_ev_stats *st, bool final);

/* @timestamp of a CLOCK_BOOTTIME stamp, ISO 8601 UTC with nanoseconds. */
void bg_fmt_timestamp(struct bg_fmt *f, struct bg_buf *out, uint64_t boot_ns);
void bg_fmt_now(struct bg_fmt *f, struct bg_buf *out);

const char *bg_action_name(unsigned int a);
const char *bg_mechanism_name(unsigned int m);
const char *bg_outcome_name(unsigned int o);
const char *bg_event_type_name(unsigned int t);

/* Terminal-safe text: control bytes and non-ASCII as \xNN, so a watched
 * process cannot send escape sequences to the operator's terminal. */
void bg_text_escape(struct bg_buf *b, const char *s, size_t n);

#endif
