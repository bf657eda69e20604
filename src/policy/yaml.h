/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_YAML_H
#define BG_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/*
 * A YAML document with line numbers, for configs and policies. Every
 * accessor that finds a problem writes "FILE:LINE:COL: what is wrong" into
 * err and returns -EINVAL, so callers validate the whole file before
 * anything is applied.
 */
struct bg_yaml {
	yaml_document_t doc;
	bool loaded;
	const char *file;
	char err[512];
};

int bg_yaml_load(struct bg_yaml *y, const char *path);
int bg_yaml_load_string(struct bg_yaml *y, const char *name, const char *text, size_t len);
void bg_yaml_free(struct bg_yaml *y);

yaml_node_t *bg_yaml_root(struct bg_yaml *y);
int bg_yaml_error(struct bg_yaml *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A mapping whose keys must all be in `allowed` (NULL-terminated), each at
 * most once; n must be a mapping ("what" names it in the message). */
int bg_yaml_check_map(struct bg_yaml *y, yaml_node_t *n, const char *what,
		      const char *const allowed[]);
/* Value of key in mapping n, or NULL. */
yaml_node_t *bg_yaml_get(struct bg_yaml *y, yaml_node_t *n, const char *key);

/* Scalars; `what` names the value in error messages. */
int bg_yaml_str(struct bg_yaml *y, yaml_node_t *n, const char *what, const char **out);
int bg_yaml_bool(struct bg_yaml *y, yaml_node_t *n, const char *what, bool *out);
int bg_yaml_u64(struct bg_yaml *y, yaml_node_t *n, const char *what, unsigned long long *out);
int bg_yaml_size(struct bg_yaml *y, yaml_node_t *n, const char *what, unsigned long long *out);
/* Index of the scalar in choices (NULL-terminated). */
int bg_yaml_enum(struct bg_yaml *y, yaml_node_t *n, const char *what, const char *const choices[],
		 int *out);
/* 0 if n is a sequence, else "WHAT must be a list" at n. */
int bg_yaml_check_seq(struct bg_yaml *y, yaml_node_t *n, const char *what);

/*
 * The `name` of rule, an item of list (a guard's rules): 1 to 64
 * characters and not the name of an item before it; else an error at the
 * rule or the name, "WHAT rule without a name" and the like. *out stays
 * the document's: copy it.
 */
int bg_yaml_rule_name(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *rule, const char *what,
		      const char **out);

/* What a guard's rules have in common: the section they are in, the
 * keys a rule may have, and its `action:` words (NULL: none). */
struct bg_yaml_rules {
	const char *section;		     /* "guards.files" */
	const char *const *keys;	     /* a rule's keys, NULL-terminated */
	size_t max;			     /* how many rules at most */
	const char *const *actions;	     /* action words, NULL-terminated */
	const int *action_values;	     /* what each word means */
};

/*
 * SECTION.rules of section n: a list of at most k->max rules. *out is a
 * zeroed array of that many elements of size bytes, *list the list (both
 * NULL with no rules:); the caller parses each item into its element.
 */
int bg_yaml_rule_list(struct bg_yaml *y, yaml_node_t *n, const struct bg_yaml_rules *k,
		      size_t size, yaml_node_t **list, void **out);

/*
 * The head of rule, an item of list: only k->keys, a name no rule before
 * it has (*name stays the document's: copy it), and `action:` as its
 * value in k->action_values (*action unchanged when the rule has none).
 */
int bg_yaml_rule_head(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *rule,
		      const struct bg_yaml_rules *k, const char **name, int *action);

/* Each item of sequence seq: it walks the item ids, node is the item. */
/* Where a node was written, kept for messages given after the document is
 * gone (a config's host objects are resolved when it is applied). */
struct bg_yaml_pos {
	unsigned line, col; /* from 1 */
};

static inline struct bg_yaml_pos bg_yaml_pos(const yaml_node_t *n)
{
	struct bg_yaml_pos p = {(unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1};

	return p;
}

#define BG_YAML_FOR_EACH(y, seq, it, node)                                                         \
	for (it = (seq)->data.sequence.items.start;                                                \
	     it < (seq)->data.sequence.items.top &&                                                \
	     ((node) = yaml_document_get_node(&(y)->doc, *it));                                    \
	     it++)

#endif
