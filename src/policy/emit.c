// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/emit.h"

/* Length of the UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, unsigned *cp)
{
	size_t n, i;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		n = 2, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 3, c &= 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

bool bg_utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;
	size_t n;

	for (; *u; u += n)
		if (!(n = utf8_len(u, &cp)))
			return false;
	return true;
}

/* What libyaml's reader takes as printable inside a comment, less the
 * characters it counts as line breaks (NEL, LS, PS) and the BOM. */
static bool printable(unsigned cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7f;
	return cp >= 0xa0 && cp != 0x2028 && cp != 0x2029 && cp != 0xfeff && cp != 0xfffe &&
	       cp != 0xffff;
}

void bg_fput_printable(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;
	size_t n;

	while (*u) {
		n = utf8_len(u, &cp);
		if (n && printable(cp)) {
			fwrite(u, 1, n, f);
			u += n;
		} else {
			fprintf(f, "\\x%02x", *u++);
		}
	}
}

/* Plain style only for what no YAML reader resolves to another type or
 * reads differently: a letter, '_' or '/' first (no indicator, digit or
 * sign), then letters, digits and a few punctuation marks that are no
 * indicators in block context, and spaces inside (access words are
 * "write, create"); ':' neither last nor before a space, no space last.
 * Words a YAML 1.1 reader takes for null or a boolean are quoted. */
static bool plain_ok(const char *s)
{
	static const char *const words[] = {"null", "true", "false", "yes", "no",
					    "on",   "off",  "y",     "n",   NULL};
	size_t i, len = strlen(s);

	if (!len || !(s[0] == '_' || s[0] == '/' || (s[0] >= 'a' && s[0] <= 'z') ||
		      (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (!strchr("/._+=,@%~-: ", c))
			return false;
		if ((c == ':' || c == ' ') && (i == len - 1 || s[i + 1] == ' '))
			return false;
	}
	for (i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return false;
	return true;
}

static void fail(struct bg_emit *e, int rc, const char *what, const char *s)
{
	bg_emit_refuse(e, rc, what, s, rc == -EILSEQ ? "it is not UTF-8 text" : strerror(-rc));
}

void bg_emit_refuse(struct bg_emit *e, int rc, const char *what, const char *s, const char *why)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *m;

	if (e->rc)
		return;
	e->rc = rc;
	if (!e->errlen)
		return;
	/* Not fmemopen on err: it leaves no NUL when the text fills it. */
	m = open_memstream(&msg, &len);
	if (!m) {
		snprintf(e->err, e->errlen, "%s", strerror(-rc));
		return;
	}
	if (s) {
		char head[161];

		/* A 4096-byte path would push the reason out of err: cut it. */
		snprintf(head, sizeof(head), "%s", s);
		fprintf(m, "%s '", what);
		bg_fput_printable(m, head);
		fprintf(m, "%s' cannot be written: %s", strlen(s) >= sizeof(head) ? "..." : "",
			why);
	} else {
		fprintf(m, "YAML emitter: %s", e->y.problem ? e->y.problem : why);
	}
	if (!fclose(m))
		snprintf(e->err, e->errlen, "%s", msg);
	free(msg);
}

static void emit(struct bg_emit *e, yaml_event_t *ev, int ok)
{
	if (e->rc) {
		if (ok)
			yaml_event_delete(ev);
		return;
	}
	if (!ok) {
		fail(e, -ENOMEM, NULL, NULL);
		return;
	}
	/* yaml_emitter_emit frees the event, whether or not it succeeds. */
	if (!yaml_emitter_emit(&e->y, ev))
		fail(e, e->y.error == YAML_MEMORY_ERROR ? -ENOMEM : -EIO, NULL, NULL);
}

int bg_emit_open(struct bg_emit *e, FILE *f, char *err, size_t errlen)
{
	yaml_event_t ev;

	memset(e, 0, sizeof(*e));
	e->err = err;
	e->errlen = errlen;
	if (errlen)
		err[0] = 0;
	if (!yaml_emitter_initialize(&e->y)) {
		fail(e, -ENOMEM, NULL, NULL);
		return e->rc;
	}
	e->open = true;
	yaml_emitter_set_output_file(&e->y, f);
	yaml_emitter_set_unicode(&e->y, 1); /* UTF-8 names as they are, not \u escapes */
	yaml_emitter_set_indent(&e->y, 2);
	yaml_emitter_set_width(&e->y, 78);
	yaml_emitter_set_break(&e->y, YAML_LN_BREAK);
	emit(e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	bg_emit_map(e, false);
	return e->rc;
}

void bg_emit_str(struct bg_emit *e, const char *s, enum bg_emit_style st, const char *what)
{
	yaml_scalar_style_t ys = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	yaml_event_t ev;

	if (e->rc)
		return;
	/* libyaml would refuse invalid UTF-8 too, but without saying which. */
	if (!bg_utf8_valid(s)) {
		fail(e, -EILSEQ, what, s);
		return;
	}
	if (st == BG_EMIT_AUTO && plain_ok(s))
		ys = YAML_PLAIN_SCALAR_STYLE;
	emit(e, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					  ys));
}

static void push(struct bg_emit *e, bool is_map)
{
	if (e->depth >= (int)(sizeof(e->is_map) / sizeof(e->is_map[0]))) {
		fail(e, -E2BIG, NULL, NULL);
		return;
	}
	e->is_map[e->depth++] = is_map;
}

void bg_emit_seq(struct bg_emit *e, bool flow)
{
	yaml_event_t ev;

	push(e, false);
	emit(e, &ev,
	     yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						  flow ? YAML_FLOW_SEQUENCE_STYLE
						       : YAML_BLOCK_SEQUENCE_STYLE));
}

void bg_emit_map(struct bg_emit *e, bool flow)
{
	yaml_event_t ev;

	push(e, true);
	emit(e, &ev,
	     yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						 flow ? YAML_FLOW_MAPPING_STYLE
						      : YAML_BLOCK_MAPPING_STYLE));
}

void bg_emit_end(struct bg_emit *e)
{
	yaml_event_t ev;

	if (e->depth <= 0) {
		fail(e, -EINVAL, NULL, NULL);
		return;
	}
	if (e->is_map[--e->depth])
		emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
	else
		emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

int bg_emit_close(struct bg_emit *e)
{
	yaml_event_t ev;

	while (e->depth > 0)
		bg_emit_end(e);
	emit(e, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(e, &ev, yaml_stream_end_event_initialize(&ev));
	if (!e->rc && !yaml_emitter_flush(&e->y))
		fail(e, -EIO, NULL, NULL);
	if (e->open)
		yaml_emitter_delete(&e->y);
	e->open = false;
	return e->rc;
}
