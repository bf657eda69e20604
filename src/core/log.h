/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_LOG_H
#define BG_LOG_H

#include <stddef.h>

enum bg_log_level {
	BG_LOG_ERROR = 0,
	BG_LOG_WARN = 1,
	BG_LOG_INFO = 2,
	BG_LOG_DEBUG = 3,
};

void bg_log_set_level(enum bg_log_level level);
enum bg_log_level bg_log_get_level(void);
void bg_log(enum bg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Route libbpf's messages into ours, one level down (its warnings are our
 * info: most are expected while probing). */
void bg_log_libbpf(void);

/* While capturing, libbpf's messages go into buf (last lines kept) instead
 * of the log: the probe reports the verifier's reason for a refusal. */
void bg_log_capture(char *buf, size_t len);
void bg_log_capture_end(void);

#define pr_err(...)   bg_log(BG_LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  bg_log(BG_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  bg_log(BG_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) bg_log(BG_LOG_DEBUG, __VA_ARGS__)

#endif
