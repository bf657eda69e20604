/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_NET_INT_H
#define BG_NET_INT_H

/*
 * What the parts of the XDP filter's user half share (src/guards/net/):
 * rules.c (rules as text), config.c (the `network:` section), maps.c (the
 * pinned maps), attach.c (attach, detach, the agent's filter), events.c
 * (drop events), cmd.c and cmd_link.c (`bpfguard net`), guard.c (its
 * struct bg_guard). Nothing outside this folder includes it.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/bpf.h>

#include "guards/net.h"

/* The pinned maps, by file name under the pin directory (net_map_pins). */
enum {
	M_CFG,
	M_ALLOW4,
	M_ALLOW6,
	M_DENY4,
	M_DENY6,
	M_PORTS,
	M_COUNTERS,
	M_RULE_HITS,
	M_SRC16,
	M_SRC24,
	M_LONG24, /* optional: pins made before it existed lack it */
	M_N,
};

extern const char *const net_map_pins[M_N];
extern const char *const net_reason_names[BG_NET_R_MAX];
extern const char *const net_action_names[]; /* enum bg_net_action, NULL-terminated */

#define LINK_PIN "link"
/* A pin directory: the root plus an interface or directory name. */
#define DIR_MAX (PATH_MAX + 320)

struct net_maps {
	int fd[M_N];
	unsigned int max_rules;
};

/* Every rule in the maps, with its id. */
struct net_rule_set {
	struct bg_xdp_rule *r;
	size_t n;
	__u32 *ports;	     /* BG_NET_PORT_SLOTS */
	unsigned char *used; /* by id, max_rules + 1 */
	__u32 next;
};

/* rules.c */
bool net_same_rule(const struct bg_xdp_rule *a, const struct bg_xdp_rule *b);
/* "8000-8080", "22" or "any" (0-65535). */
int net_parse_range(const char *s, uint16_t *lo, uint16_t *hi);
/* Append to a growing array of rules (a config's, or those read back). */
int net_rule_append(struct bg_xdp_rule **v, size_t *n, const struct bg_xdp_rule *r);

/* maps.c */
int net_ncpus(void);
void net_maps_init(struct net_maps *m);
void net_maps_close(struct net_maps *m);
int net_maps_open(struct net_maps *m, const char *dir);
void net_rules_free(struct net_rule_set *s);
int net_rules_read(struct net_rule_set *s, const struct net_maps *m);
int net_read_cfg(const struct net_maps *m, struct bg_net_cfg *cfg);
int net_cfg_write(const struct net_maps *m, const struct bg_net_cfg *cfg);
/* 1 if it was there already; errors are printed here. */
int net_rule_add(struct net_rule_set *s, const struct net_maps *m, const struct bg_xdp_rule *r);
int net_rule_remove(struct net_rule_set *s, const struct net_maps *m, const struct bg_xdp_rule *r);
/*
 * Make the IPv4 prefilters (bg_net_src16, bg_net_src24) cover the prefixes
 * of s (and extra), and bg_net_long24 answer for those that are not removed.
 */
int net_src16_sync(const struct net_rule_set *s, const struct net_maps *m,
		   const struct bg_xdp_rule *extra, size_t n_extra);
int net_long24_sync(const struct net_rule_set *s, const struct net_maps *m);

/* attach.c */
int net_unpin_all(const char *dir, bool detach);
int net_pin_root(char *root, size_t len, bool mount_it);
struct bg_events;
int net_attach_one(const struct bg_net_config *c, const char *ifname, const char *dir,
		   struct bg_events *ev, struct bg_net_link *out);
void net_link_close(struct bg_net_link *l, bool detach);

/* events.c */
struct bg_event_desc;
extern const struct bg_event_desc bg_net_drop_desc;

/* cmd.c: what the subcommands share */
struct bg_buf;
struct bg_json;
struct bg_cmd_help;

struct net_cmd {
	bool json;
	const char *ifname;
	const char *pin_dir;
	const char *config;
	struct bg_net_config nc;
	char root[PATH_MAX];
	const char *sub;
	const struct bg_cmd_help *help;
};

/* The pin directories this command acts on: --pin-dir, -i, or all. */
struct net_dirs {
	char (*d)[DIR_MAX];
	char (*name)[64];
	size_t n;
};
/* One error, as text on stderr or as a JSON object on stdout. */
int net_cmd_fail(struct net_cmd *nc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void net_emit(struct bg_buf *b);
/* status, stats and attach print {"KEY": [...]} in JSON mode. */
void net_list_begin(struct net_cmd *nc, struct bg_json *j, struct bg_buf *b, const char *key);
void net_list_end(struct net_cmd *nc, struct bg_json *j, struct bg_buf *b);
void net_dirs_free(struct net_dirs *d);
int net_find_dirs(struct net_cmd *nc, struct net_dirs *out);
/* Exactly one filter, for commands that change rules. */
int net_one_dir(struct net_cmd *nc, struct net_dirs *d);

/* cmd_link.c */
int net_do_attach(struct net_cmd *nc, char **ifs, int n);
int net_do_detach(struct net_cmd *nc, char **ifs, int n);
int net_do_status(struct net_cmd *nc);
int net_do_stats(struct net_cmd *nc);

#endif
