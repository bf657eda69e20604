/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_POLICY_EMIT_H
#define BG_POLICY_EMIT_H

#include <stdbool.h>
#include <stdio.h>
#include <yaml.h>

/*
 * The policy writer's YAML: every scalar goes through libyaml's emitter,
 * which escapes it; we only choose plain style for names that a reader
 * cannot take for anything else, and double quotes for the rest
 * (docs/policy.md, "Names in a policy").
 *
 * A policy is written one top-level key at a time (one emitter, one
 * single-key mapping each), so that the comments libyaml cannot emit go
 * between the sections. The errors are sticky: the first one is kept in
 * err and returned by bg_emit_close().
 */
struct bg_emit {
	yaml_emitter_t y;
	char *err;
	size_t errlen;
	int rc;
	bool open;
	int depth;
	bool is_map[8]; /* what each open collection is, to end it */
};

/* Quoting of a scalar: AUTO is plain where that reads back as the same
 * string, double-quoted otherwise; QUOTED is always double-quoted. */
enum bg_emit_style { BG_EMIT_AUTO, BG_EMIT_QUOTED };

int bg_emit_open(struct bg_emit *e, FILE *f, char *err, size_t errlen);
void bg_emit_str(struct bg_emit *e, const char *s, enum bg_emit_style st, const char *what);
void bg_emit_seq(struct bg_emit *e, bool flow);
void bg_emit_map(struct bg_emit *e, bool flow);
void bg_emit_end(struct bg_emit *e); /* of the innermost sequence or mapping */
int bg_emit_close(struct bg_emit *e);
/* Refuse what the reader would refuse: rc is kept, err says "WHAT 'S'
 * cannot be written: WHY" with S's non-printable bytes escaped. */
void bg_emit_refuse(struct bg_emit *e, int rc, const char *what, const char *s, const char *why);

/* Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF
 * (libyaml would write a surrogate as a \u escape its own reader refuses). */
bool bg_utf8_valid(const char *s);
/* s with every byte that is not printable text (control characters, line
 * breaks, invalid UTF-8) written as \xNN: safe inside a "# " comment line and
 * in messages. */
void bg_fput_printable(FILE *f, const char *s);

#endif
