/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_JSON_H
#define BG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define BG_JSON_MAX_DEPTH 32

/*
 * Streaming JSON writer. Every string goes through full escaping: control
 * bytes become \u00XX and invalid UTF-8 (overlong forms, surrogates, stray
 * continuation bytes, truncated sequences) becomes U+FFFD, because comm,
 * argv and paths are chosen by whoever we are watching.
 */
struct bg_json {
	struct bg_buf *b;
	int depth;
	bool first[BG_JSON_MAX_DEPTH];
	bool after_key;
};

void bg_json_init(struct bg_json *j, struct bg_buf *b);
void bg_json_obj(struct bg_json *j);
void bg_json_obj_end(struct bg_json *j);
void bg_json_arr(struct bg_json *j);
void bg_json_arr_end(struct bg_json *j);
/* key must be a literal of our own: it is not escaped. */
void bg_json_key(struct bg_json *j, const char *key);
void bg_json_str(struct bg_json *j, const char *s);
void bg_json_strn(struct bg_json *j, const char *s, size_t n);
void bg_json_u64(struct bg_json *j, uint64_t v);
void bg_json_i64(struct bg_json *j, int64_t v);
void bg_json_bool(struct bg_json *j, bool v);
void bg_json_null(struct bg_json *j);
/* A value already in JSON form (a nested document we produced). */
void bg_json_raw(struct bg_json *j, const char *s, size_t n);

/* A string value assembled by the caller from trusted pieces (numbers,
 * timestamps): opens the quote; bg_json_qend closes it. */
void bg_json_qbegin(struct bg_json *j);
void bg_json_qend(struct bg_json *j);
/* "key": "decimal" (ECS keeps ids such as user.id as strings). */
void bg_json_kustr(struct bg_json *j, const char *key, uint64_t v);

/* Shorthands for "key": value. */
void bg_json_kstr(struct bg_json *j, const char *key, const char *s);
void bg_json_ku64(struct bg_json *j, const char *key, uint64_t v);
void bg_json_ki64(struct bg_json *j, const char *key, int64_t v);
void bg_json_kbool(struct bg_json *j, const char *key, bool v);
void bg_json_kobj(struct bg_json *j, const char *key);
void bg_json_karr(struct bg_json *j, const char *key);

/* Append s (n bytes, stops early at NUL if stop_at_nul) escaped, without quotes. */
void bg_json_escape(struct bg_buf *b, const char *s, size_t n, bool stop_at_nul);

#endif
