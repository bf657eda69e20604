/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_NET_H
#define BG_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpfguard/net.h>

struct bg_yaml;
struct bg_events;
struct bg_caps;
struct bg_xdp_bpf;
typedef struct yaml_node_s yaml_node_t;

/* XDP ingress filter: user half of bpf/xdp.bpf.c. docs/network.md. */

enum bg_net_mode {
	BG_NET_MODE_AUTO = 0, /* native where the driver supports it, else generic */
	BG_NET_MODE_NATIVE = 1,
	BG_NET_MODE_GENERIC = 2,
};

/* One rule as written: a prefix or a port range. */
struct bg_xdp_rule {
	bool is_port;
	bool deny;	/* prefixes only */
	uint8_t family; /* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];
	uint8_t proto; /* enum bg_net_proto */
	uint16_t lo, hi;
	uint32_t id;  /* when read back from the maps */
	bool removed; /* deleted from the maps by the command running */
};

/* The agent config's `network:` section. */
struct bg_net_config {
	bool enabled; /* the section is present */
	char **ifaces;
	size_t n_ifaces;
	int mode;
	struct bg_net_cfg cfg;
	unsigned int max_rules;
	bool persist; /* leave the filter attached when the agent exits */
	struct bg_xdp_rule *rules;
	size_t n_rules;
};

/* The guard's defaults, parse and free (struct bg_guard); cfg is a struct
 * bg_net_config. parse validates the whole section (errors as
 * FILE:LINE:COL). */
void bg_net_config_defaults(void *cfg);
int bg_net_config_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg);
void bg_net_config_free(void *cfg);
/* What the kernel accepts as an interface name (dev_valid_name). */
bool bg_net_ifname_valid(const char *s);

/* "10.0.0.0/8", "2001:db8::/32", "192.0.2.1" (a host). */
int bg_net_parse_prefix(const char *s, struct bg_xdp_rule *r, char *err, size_t errlen);
/* "tcp:22", "udp:53", "tcp:1000-2000", "22" (TCP and UDP: two rules). */
int bg_net_parse_port(const char *s, struct bg_xdp_rule *r, size_t *n, char *err, size_t errlen);
void bg_net_rule_str(const struct bg_xdp_rule *r, char *buf, size_t len);

/* The filter on the agent's interfaces. */
struct bg_net_link {
	char ifname[16];
	char pin_dir[512];
	struct bg_xdp_bpf *skel;
	int link_fd;
	bool native;
};

struct bg_net_guard {
	struct bg_net_link *links;
	size_t n_links;
	bool persist;
};

/* The guard's start and stop (struct bg_guard, net/guard.c); g is a struct
 * bg_net_guard, cfg a struct bg_net_config. */
struct bg_guard_env;
int bg_net_guard_start(void *g, const void *cfg, const struct bg_guard_env *env);
void bg_net_guard_stop(void *g);

#endif
