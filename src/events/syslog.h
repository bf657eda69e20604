/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_SYSLOG_H
#define BG_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/*
 * events.output: syslog (docs/events.md, "Syslog"). Every JSON line
 * becomes one RFC 5424 message, the JSON as its MSG:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME bpfguard PROCID MSGID - {"@timestamp":...}
 *
 * sent to the local socket (unix datagram, /dev/log by default) or to a
 * TCP collector, framed by octet counting (RFC 6587: "LEN SP MESSAGE").
 */
#define BG_SYSLOG_BUFFER_DEFAULT (4ULL << 20)

struct bg_syslog_config {
	char *address;		   /* "/dev/log", "unix:PATH" or "tcp:ADDR:PORT"; NULL: /dev/log */
	int facility;		   /* syslog facility number (daemon: 3) */
	unsigned long long buffer; /* bytes of messages kept while the collector is away */
};

/* Check an address as the config gives it; NULL or a reason. */
const char *bg_syslog_check_address(const char *addr);
/* A facility's number from its name (kern, user, daemon, auth, local0..7), or -1. */
int bg_syslog_facility(const char *name);

struct bg_syslog;

int bg_syslog_open(struct bg_syslog **out, const struct bg_syslog_config *c);
/* Take the whole lines of b (JSON lines), queue them as messages, send
 * what the collector takes now without waiting; b is emptied. */
int bg_syslog_write(struct bg_syslog *s, struct bg_buf *b);
/* Messages dropped because the buffer was full. */
uint64_t bg_syslog_dropped(const struct bg_syslog *s);
/* Send what is queued for at most ms, then close. */
void bg_syslog_close(struct bg_syslog *s, int ms);

#endif
