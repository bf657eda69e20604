/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CONFIG_H
#define BG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "files.h"
#include "limits_guard.h"
#include "bpfload.h"
#include "context.h"
#include "net.h"

/* The agent's configuration (config/default.yaml documents every key). */
struct bg_config {
	int mode; /* enum bg_action: default action of rules */
	unsigned long long ring_size;
	char *output; /* NULL: stdout */
	enum bg_format format;
	bool exec_events;		   /* guards.exec.enabled */
	struct bg_net_config net;	   /* network: the XDP ingress filter (src/net.c) */
	struct bg_files_config files;	   /* guards.files: protected files (src/files.c) */
	struct bg_limits_config limits;	   /* guards.limits (src/limits.c) */
	struct bg_bpfload_config bpf_load; /* guards.bpf_load (src/bpfload.c) */
};

/* Parse and validate the whole file; on error, err holds FILE:LINE:COL: why
 * and c is untouched. */
int bg_config_load(const char *path, struct bg_config *c, char *err, size_t errlen);
int bg_config_parse(const char *name, const char *text, size_t len, struct bg_config *c, char *err,
		    size_t errlen);
void bg_config_free(struct bg_config *c);

#endif
