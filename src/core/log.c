// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Diagnostics to stderr. The level and the capture buffer are the only
 * process-wide state: libbpf's print callback carries no context pointer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "core/log.h"

static enum bg_log_level log_level = BG_LOG_WARN;
static char *capture_buf;
static size_t capture_len;

void bg_log_set_level(enum bg_log_level level)
{
	log_level = level;
}

enum bg_log_level bg_log_get_level(void)
{
	return log_level;
}

static void vlog(enum bg_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};

	if (level > log_level)
		return;
	fprintf(stderr, "bpfguard: %s", prefix[level]);
	vfprintf(stderr, fmt, ap);
}

void bg_log(enum bg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* Keep the tail of what libbpf said: the verifier's verdict is last. */
static void capture_append(const char *fmt, va_list ap)
{
	size_t used = strlen(capture_buf), n;
	char *msg = NULL;
	const char *tail;

	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	n = strlen(msg);
	tail = msg;
	if (n >= capture_len) {
		tail = msg + n - (capture_len - 1);
		n = capture_len - 1;
	}
	if (used + n >= capture_len) {
		size_t drop = used + n - (capture_len - 1);

		memmove(capture_buf, capture_buf + drop, used - drop + 1);
		used -= drop;
	}
	memcpy(capture_buf + used, tail, n + 1);
	free(msg);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (capture_buf) {
		capture_append(fmt, ap);
		return 0;
	}
	switch (level) {
	case LIBBPF_WARN:
		vlog(BG_LOG_INFO, fmt, ap);
		break;
	case LIBBPF_INFO:
	case LIBBPF_DEBUG:
		vlog(BG_LOG_DEBUG, fmt, ap);
		break;
	}
	return 0;
}

void bg_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

void bg_log_capture(char *buf, size_t len)
{
	if (!buf || len < 2)
		return;
	buf[0] = 0;
	capture_buf = buf;
	capture_len = len;
}

void bg_log_capture_end(void)
{
	capture_buf = NULL;
	capture_len = 0;
}
