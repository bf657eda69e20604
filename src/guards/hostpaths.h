/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_HOSTPATHS_H
#define BG_HOSTPATHS_H

/*
 * Paths a guard's config names on this host (files to protect, executables
 * allowed to write them, classified files): read from the document as
 * absolute paths with where each was written, and found (stat, identity)
 * when the config is resolved, so that a config can be checked on one host
 * and applied on another (docs/agent.md).
 */
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "core/ident.h"
#include "policy/yaml.h"

struct bg_resolve;

struct bg_host_path {
	char *path;
	struct bg_yaml_pos at; /* where the config names it */
	struct bg_ident id;    /* found when the config is resolved */
	bool dir;
};

/* What bg_host_paths_resolve() accepts. */
enum bg_host_path_kind {
	BG_HOST_FILE_OR_DIR, /* a directory stands for everything beneath */
	BG_HOST_FILE,	     /* a regular file (an executable) */
};

/* n, a list of absolute paths under the key `what`, into *out (*count of
 * them); on error what was read so far stays there for bg_host_paths_free. */
int bg_host_paths_parse(struct bg_yaml *y, yaml_node_t *n, const char *what,
			struct bg_host_path **out, size_t *count);
/*
 * Each path to its identity: a missing path is an error, not a rule that
 * silently never matches, unless ignore_missing (the entry is dropped:
 * a shipped config may name what some systems lack); a path of the wrong
 * kind, or the same file twice in the list, is an error at its position.
 */
int bg_host_paths_resolve(struct bg_resolve *rs, const char *what, enum bg_host_path_kind kind,
			  bool ignore_missing, struct bg_host_path *p, size_t *count);
/* The first entry of a (n_a of them) that is the file p names, or NULL. */
const struct bg_host_path *bg_host_paths_find(const struct bg_host_path *a, size_t n_a,
					      const struct bg_host_path *p);
void bg_host_paths_free(struct bg_host_path *p, size_t n);

/* A rule over host paths, as files and taint rules begin. */
struct bg_path_rule {
	char *name;
	int action; /* enum bg_action, or -1: the config's mode */
	bool ignore_missing;
	struct bg_yaml_pos at_paths;
	struct bg_host_path *paths; /* files or directories (everything beneath) */
	size_t n_paths;
};

struct bg_yaml_rules;
/* Rule n, an item of list: its head (bg_yaml_rule_head: keys, a name no
 * rule before it has, action), ignore_missing, and paths, not empty. */
int bg_path_rule_parse(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *n,
		       const struct bg_yaml_rules *k, struct bg_path_rule *r);
/* Its paths to identities; a rule whose every path is missing is an error. */
int bg_path_rule_resolve(struct bg_resolve *rs, struct bg_path_rule *r);
/* The first path of r that is a file earlier names too, or NULL; *same
 * gets earlier's entry (one file, one rule: the kernel looks a file up
 * once). */
const struct bg_host_path *bg_path_rule_overlap(const struct bg_path_rule *earlier,
						const struct bg_path_rule *r,
						const struct bg_host_path **same);
void bg_path_rule_free(struct bg_path_rule *r);

#endif
