/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_FORMAT_H
#define BG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct bg_fmt;
struct bg_json;

/*
 * How one event type is printed. The common parts (header, process, user)
 * are printed by format.c for every type; a descriptor adds the type's own
 * fields. Each guard defines the descriptors of its types next to its user
 * half and lists them in its struct bg_guard (src/core/guard.h).
 */
struct bg_event_desc {
	unsigned int type;    /* enum bg_event_type: the records it describes */
	const char *name;     /* bpfguard.type */
	size_t size;	      /* minimum record size */
	const char *category; /* ECS event.category */
	const char *ecs_type; /* ECS event.type */
	const char *action;   /* ECS event.action */
	bool has_proc;	      /* struct bg_proc follows the header */
	/* Top-level ECS objects of this type (file, destination, ...). */
	void (*json)(struct bg_fmt *f, struct bg_json *j, const void *rec);
	/* Fields inside the "bpfguard" object. */
	void (*json_bg)(struct bg_fmt *f, struct bg_json *j, const void *rec);
	/* Text appended after the common part of the line. */
	void (*text)(struct bg_fmt *f, struct bg_buf *out, const void *rec);
	const char *color; /* terminal colour of the type name */
	/* Name of the rule a record carries itself (NUL-terminated in the
	 * record); NULL: ask bg_fmt.rule_name. */
	const char *(*rule_name)(const void *rec);
};

/* Indexed by enum bg_event_type and the numbers guards claim from
 * BG_EV_GUARD_FIRST to BG_EV_GUARD_LAST; NULL for types not in this build.
 * Filled before main from the guards' tables and the commands' list
 * (types.c). */
#define BG_EV_TYPES 64
extern const struct bg_event_desc *bg_event_descs[BG_EV_TYPES];
extern const unsigned int bg_event_descs_len;

struct bg_event_hdr;
struct bg_proc;

/*
 * What an enricher adds to the records of processes (events/enrich.c is
 * the one there is), called by the formatter through these: the
 * formatter knows the hooks, not the enricher.
 */
struct bg_fmt_enrich {
	void *ctx;
	/* A record with a process is about to be formatted. */
	void (*event)(void *ctx, const struct bg_event_hdr *h, const struct bg_proc *p);
	void (*json_process)(void *ctx, struct bg_buf *b); /* inside "process" */
	void (*json_top)(void *ctx, struct bg_buf *b);	   /* at the top level */
	void (*json_bg)(void *ctx, struct bg_fmt *f, struct bg_buf *b); /* in "bpfguard" */
	void (*text)(void *ctx, struct bg_buf *b); /* the text line's tail */
};

/* Turns ring-buffer records into JSON lines or terminal text. */
struct bg_fmt {
	bool json;
	bool color;
	int64_t boot_to_real_ns; /* CLOCK_REALTIME minus CLOCK_BOOTTIME */
	/* Two cached seconds: events carry their own time and the process
	 * start time, and both repeat from one event to the next. */
	struct {
		int64_t sec;
		char prefix[24]; /* "YYYY-MM-DDTHH:MM:SS." or "HH:MM:SS." */
		size_t len;
	} ts[2];
	unsigned int ts_next;
	/* Names of rules by id, supplied by the guard that owns them. */
	const char *(*rule_name)(void *ctx, uint32_t rule_id);
	void *rule_ctx;
	uint64_t malformed; /* records too short for their type */
	/* Ancestry, hashes and containers (the agent's, events/enrich.h); NULL:
	 * records are printed as the kernel wrote them. */
	const struct bg_fmt_enrich *enrich;
	/* Each type's constant "event" object, up to the outcome value:
	 * [type][is an alert]. */
	char ecs[BG_EV_TYPES][2][192];
	size_t ecs_len[BG_EV_TYPES][2];
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

/* Helpers for descriptors. */
void bg_fmt_json_time(struct bg_fmt *f, struct bg_json *j, const char *key, uint64_t boot_ns);
size_t bg_kstrlen(const char *s, size_t max);
/* "PID-STARTNS", process.entity_id's value, quoted. */
void bg_fmt_entity(struct bg_buf *b, uint32_t pid, uint64_t start_ns);

/* Terminal-safe text: control bytes and non-ASCII as \xNN, so a watched
 * process cannot send escape sequences to the operator's terminal. */
void bg_text_escape(struct bg_buf *b, const char *s, size_t n);

#endif
