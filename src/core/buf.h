/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_BUF_H
#define BG_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A growable byte buffer. A failed allocation sets `oom` and later appends
 * are dropped, so callers check once, at the end. */
struct bg_buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

void bg_buf_init(struct bg_buf *b);
void bg_buf_free(struct bg_buf *b);
bool bg_buf_grow(struct bg_buf *b, size_t need);
void bg_buf_printf(struct bg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void bg_buf_put(struct bg_buf *b, const void *s, size_t n)
{
	if (!n)
		return;
	if (b->len + n > b->cap && !bg_buf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void bg_buf_putc(struct bg_buf *b, char c)
{
	if (b->len + 1 > b->cap && !bg_buf_grow(b, 1))
		return;
	b->p[b->len++] = c;
}

static inline void bg_buf_puts(struct bg_buf *b, const char *s)
{
	bg_buf_put(b, s, strlen(s));
}

/* Decimal without printf: this is on the event hot path. */
void bg_buf_u64(struct bg_buf *b, unsigned long long v);
void bg_buf_i64(struct bg_buf *b, long long v);

#endif
