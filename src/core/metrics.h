/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_METRICS_H
#define BG_METRICS_H

/*
 * The agent's Prometheus metrics and health endpoint (docs/agent.md,
 * "Metrics and health"). The event consumer counts every record into a
 * fixed table (no allocation per event, one writer: the consumer's
 * thread); libmicrohttpd's thread reads it with atomic loads and renders
 * /metrics and /healthz on demand.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <yaml.h>

struct bg_yaml;
struct bg_fmt;
struct bg_events;

/* metrics: in the agent's config. */
struct bg_metrics_cfg {
	bool on; /* listen was given */
	bool allow_remote;
	char listen[64]; /* as written, for messages */
	struct sockaddr_storage addr;
	socklen_t addr_len;
};

/* Series of events_total; past it, records are counted in one overflow
 * counter (labels of adversarial rule names cannot grow memory). */
#define BG_METRICS_SLOTS  1024
#define BG_METRICS_LINKS  256
#define BG_METRICS_GUARDS 16

struct bg_metrics_slot {
	uint64_t count;	     /* written by the consumer only (relaxed) */
	uint64_t suppressed; /* sum of hdr.suppressed */
	int used;	     /* published with release after the key and name */
	uint32_t rule_id;
	uint32_t gen; /* rule names' generation the id was named in */
	uint16_t type;
	uint8_t action, mechanism, outcome;
	char rule[65];
};

struct bg_metrics_link {
	uint32_t id;
	int guard; /* index in bg_guards, -1: not ours */
	const char *mechanism;
};

struct bg_metrics {
	struct bg_metrics_slot slots[BG_METRICS_SLOTS];
	uint64_t overflow; /* records with no free slot */
	uint32_t gen;
	void *rule_ctx; /* the agent's own rule namer (others: adopted rings) */
	/* Guard owning each event type (index in bg_guards), -1: none. */
	int8_t type_guard[64];

	/* Written by the agent's thread, read by the server's. */
	pthread_mutex_t lock;
	bool guard_on[BG_METRICS_GUARDS];
	struct bg_metrics_link links[BG_METRICS_LINKS];
	int nlinks;
	uint64_t reloads_ok, reloads_failed;
	int last_reload_ok;	 /* -1: none yet */
	double last_reload_time; /* CLOCK_REALTIME seconds */
	uint64_t heartbeat_ns;	 /* CLOCK_MONOTONIC of the last loop turn */
	int ready;		 /* guards attached (agent-start) */
	double start_time;	 /* CLOCK_REALTIME seconds */

	/* What the server reads of the event pipeline. */
	int stats_fd;
	const unsigned long *consumer_pos, *producer_pos;
	size_t ring_size;

	int listen_fd;
	struct MHD_Daemon *daemon;
	bool locked; /* lock initialised */
};

/* Parse the metrics: section (errors at FILE:LINE:COL). */
int bg_metrics_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_metrics_cfg *c);

/* Bind the listening socket (before anything is loaded: a taken port fails
 * the start early), then serve once the event pipeline exists. */
int bg_metrics_open(struct bg_metrics *m, const struct bg_metrics_cfg *c);
int bg_metrics_start(struct bg_metrics *m, struct bg_events *ev, void *rule_ctx);
void bg_metrics_stop(struct bg_metrics *m);

/* The consumer's hook: one record (called for every record read). */
void bg_metrics_event(struct bg_metrics *m, const struct bg_fmt *f, const void *data, size_t size);

/* The agent's thread: guard i started (on) or stopped; links it attached
 * since the last call are its own. */
void bg_metrics_guard(struct bg_metrics *m, int i, bool on);
/* A reload ended; rule names may have changed (ids are re-named). */
void bg_metrics_reload(struct bg_metrics *m, bool ok, const struct bg_fmt *f);
void bg_metrics_beat(struct bg_metrics *m, bool ready);

#endif
