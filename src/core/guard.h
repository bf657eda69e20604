/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_GUARD_H
#define BG_GUARD_H

/*
 * One interface for the agent's guards. A guard is a kernel half
 * (bpf/NAME.bpf.c, its records in include/bpfguard/NAME.h) and a user half
 * that defines one `struct bg_guard`; src/guards/table.c lists them, one line
 * each. The config parser, the agent (start, reload, stop, pin, rule
 * names) and the event formatter walk that table: nothing else names a
 * guard.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct bg_yaml;
struct bg_events;
struct bg_caps;
struct bg_persist;
struct bg_event_desc;
struct bpf_object;
struct bpf_object_skeleton;

/* What a guard starts with. */
struct bg_guard_env {
	struct bg_events *ev; /* the ring buffer its programs share */
	const struct bg_caps *caps;
	int mode; /* enum bg_action: the action of rules that name none */
};

/* Where resolve() reports: bg_resolve_error() writes FILE:LINE:COL: why. */
struct bg_resolve {
	const char *file;
	char *err;
	size_t errlen;
};
struct bg_yaml_pos;
int bg_resolve_error(struct bg_resolve *r, struct bg_yaml_pos at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Called for each rule id a guard has handed out, with the rule's name. */
typedef void (*bg_guard_name_fn)(void *ctx, uint32_t rule_id, const char *name);

enum bg_guard_reload {
	BG_GUARD_UPDATE,     /* update() swaps the rules in place, before the config does */
	BG_GUARD_RESTART,    /* stopped and started again after the new config is in */
	BG_GUARD_START_ONLY, /* applied at start; a reload does not touch it */
};

struct bg_guard {
	const char *key;   /* its config key: "guards.files", or a top-level "network" */
	size_t cfg_size;   /* its config struct */
	size_t state_size; /* its running state */
	enum bg_guard_reload reload;
	void (*defaults)(void *cfg); /* NULL: all zero */
	int (*parse)(struct bg_yaml *y, yaml_node_t *n, void *cfg);
	void (*free)(void *cfg);
	bool (*enabled)(const void *cfg);
	/* Find on this host what the parsed section names (inodes, cgroups);
	 * NULL: it names nothing of the host. bg_config_resolve() calls it. */
	int (*resolve)(void *cfg, struct bg_resolve *r);
	int (*start)(void *g, const void *cfg, const struct bg_guard_env *env);
	/* BG_GUARD_UPDATE; NULL: the section has nothing to swap but enabled */
	int (*update)(void *g, const void *cfg, int mode);
	void (*stop)(void *g);
	int (*pin)(void *g, struct bg_persist *p); /* --persist; NULL: nothing to pin */
	/* The name of rule_id if this guard handed it out, else NULL. */
	const char *(*rule_name)(const void *g, uint32_t rule_id);
	void (*names)(const void *g, bg_guard_name_fn fn, void *ctx); /* every rule id in use */
	const struct bg_event_desc *const *events; /* its record types, NULL-terminated */
};

/* The table (src/guards/table.c), NULL-terminated. */
extern const struct bg_guard *const bg_guards[];

/*
 * The lifecycle every BPF half goes through: with its skeleton opened
 * (s NULL: the open failed, errno says why), configure (autoload, rodata),
 * share the event ring, load, write its maps (fill), attach. A failure says
 * which step and guard; the caller destroys the skeleton. BG_SKEL()
 * gives s from a skeleton pointer that may be NULL.
 */
struct bg_bpf_steps {
	const char *who; /* "files guard": in messages */
	struct bg_events *ev;
	int (*configure)(void *arg);
	int (*fill)(void *arg);
	void *arg;
};
int bg_bpf_lifecycle(struct bpf_object_skeleton *s, const struct bg_bpf_steps *st);
#define BG_SKEL(skel) ((skel) ? (skel)->skeleton : NULL)

/*
 * A guard whose maps hold two generations of rules, and a word in its BPF
 * object saying which one the checks read, swaps in a new rule set without
 * a window: fill() writes it under the generation not in use, one aligned
 * store to *gen switches every check to it, and after a grace the old one
 * is cleared. On error the old rules stay in force ("WHO: cannot write the
 * new rules" says why).
 */
struct bg_gen_ops {
	const char *who;
	int (*fill)(void *arg, uint32_t gen);
	void (*clear)(void *arg, uint32_t gen);
};
int bg_gen_swap(uint32_t *gen, const struct bg_gen_ops *ops, void *arg);

/*
 * The rules one generation holds, by index: how many its map holds (n)
 * and their names, for events. A rule's id in its events is
 * BG_GEN_RULE_ID(type, gen, index), type the guard's first event type.
 */
struct bg_gen_rules {
	char **names; /* cap of them, NULL where not set */
	size_t cap, n;
};
#define BG_GEN_RULE_ID(type, gen, idx)                                                             \
	(((uint32_t)(type) << 24) | ((uint32_t)(gen) << 16) | ((uint32_t)(idx) + 1))
int bg_gen_rules_alloc(struct bg_gen_rules *r, size_t cap);
/* names[i] = a copy of name. */
int bg_gen_rules_name(struct bg_gen_rules *r, size_t i, const char *name);
void bg_gen_rules_free(struct bg_gen_rules *r);
/* The guard's rule_name and names (struct bg_guard) over its two generations. */
const char *bg_gen_rule_name(const struct bg_gen_rules r[2], uint32_t type, uint32_t id);
void bg_gen_rule_names(const struct bg_gen_rules r[2], uint32_t type, bg_guard_name_fn fn,
		       void *ctx);

#endif
