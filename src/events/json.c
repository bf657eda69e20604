// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "events/json.h"

static const char hex[] = "0123456789abcdef";

void bg_json_init(struct bg_json *j, struct bg_buf *b)
{
	j->b = b;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Separator before a value or key at the current level. */
static void sep(struct bg_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		bg_buf_putc(j->b, ',');
	j->first[j->depth] = false;
}

static void nest_open(struct bg_json *j, char c)
{
	sep(j);
	bg_buf_putc(j->b, c);
	if (j->depth < BG_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void nest_close(struct bg_json *j, char c)
{
	bg_buf_putc(j->b, c);
	if (j->depth > 0)
		j->depth--;
}

void bg_json_obj(struct bg_json *j)
{
	nest_open(j, '{');
}

void bg_json_obj_end(struct bg_json *j)
{
	nest_close(j, '}');
}

void bg_json_arr(struct bg_json *j)
{
	nest_open(j, '[');
}

void bg_json_arr_end(struct bg_json *j)
{
	nest_close(j, ']');
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0; /* 0x80-0xc1 (continuation, overlong lead) and 0xf5-0xff */
}

void bg_json_escape(struct bg_buf *b, const char *str, size_t n, bool stop_at_nul)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c == 0 && stop_at_nul)
			break;
		bg_buf_put(b, s + run, i - run);
		if (c >= 0x80) {
			l = utf8_len(s + i, n - i);
			if (l) {
				bg_buf_put(b, s + i, l);
				i += l;
			} else {
				bg_buf_put(b, "\\ufffd", 6);
				i++;
			}
			run = i;
			continue;
		}
		switch (c) {
		case '"':
			bg_buf_put(b, "\\\"", 2);
			break;
		case '\\':
			bg_buf_put(b, "\\\\", 2);
			break;
		case '\n':
			bg_buf_put(b, "\\n", 2);
			break;
		case '\t':
			bg_buf_put(b, "\\t", 2);
			break;
		case '\r':
			bg_buf_put(b, "\\r", 2);
			break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

			bg_buf_put(b, u, 6);
		}
		}
		i++;
		run = i;
	}
	bg_buf_put(b, s + run, i - run);
}

/* Keys are literals in our code, never data: written as they are. */
void bg_json_key(struct bg_json *j, const char *key)
{
	sep(j);
	bg_buf_putc(j->b, '"');
	bg_buf_puts(j->b, key);
	bg_buf_put(j->b, "\":", 2);
	j->after_key = true;
}

void bg_json_strn(struct bg_json *j, const char *s, size_t n)
{
	sep(j);
	bg_buf_putc(j->b, '"');
	bg_json_escape(j->b, s, n, true);
	bg_buf_putc(j->b, '"');
}

void bg_json_str(struct bg_json *j, const char *s)
{
	if (!s) {
		bg_json_null(j);
		return;
	}
	bg_json_strn(j, s, strlen(s));
}

void bg_json_u64(struct bg_json *j, uint64_t v)
{
	sep(j);
	bg_buf_u64(j->b, v);
}

void bg_json_i64(struct bg_json *j, int64_t v)
{
	sep(j);
	bg_buf_i64(j->b, v);
}

void bg_json_bool(struct bg_json *j, bool v)
{
	sep(j);
	bg_buf_puts(j->b, v ? "true" : "false");
}

void bg_json_null(struct bg_json *j)
{
	sep(j);
	bg_buf_put(j->b, "null", 4);
}

void bg_json_raw(struct bg_json *j, const char *s, size_t n)
{
	sep(j);
	bg_buf_put(j->b, s, n);
}

void bg_json_qbegin(struct bg_json *j)
{
	sep(j);
	bg_buf_putc(j->b, '"');
}

void bg_json_qend(struct bg_json *j)
{
	bg_buf_putc(j->b, '"');
}

void bg_json_kustr(struct bg_json *j, const char *key, uint64_t v)
{
	bg_json_key(j, key);
	bg_json_qbegin(j);
	bg_buf_u64(j->b, v);
	bg_json_qend(j);
}

void bg_json_kstr(struct bg_json *j, const char *key, const char *s)
{
	bg_json_key(j, key);
	bg_json_str(j, s);
}

void bg_json_ku64(struct bg_json *j, const char *key, uint64_t v)
{
	bg_json_key(j, key);
	bg_json_u64(j, v);
}

void bg_json_ki64(struct bg_json *j, const char *key, int64_t v)
{
	bg_json_key(j, key);
	bg_json_i64(j, v);
}

void bg_json_kbool(struct bg_json *j, const char *key, bool v)
{
	bg_json_key(j, key);
	bg_json_bool(j, v);
}

void bg_json_kobj(struct bg_json *j, const char *key)
{
	bg_json_key(j, key);
	bg_json_obj(j);
}

void bg_json_karr(struct bg_json *j, const char *key)
{
	bg_json_key(j, key);
	bg_json_arr(j);
}
