// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The network guard: the XDP filter the agent attaches on the interfaces of
 * its `network:` section. Applied at start only: its rules change live with
 * `bpfguard net`.
 */

#include "core/guard.h"
#include "guards/net/net_int.h"


static void net_defaults(void *cfg)
{
	bg_net_config_defaults(cfg);
}

static int net_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	return bg_net_config_parse(y, n, cfg);
}

static void net_free(void *cfg)
{
	bg_net_config_free(cfg);
}

static bool net_enabled(const void *cfg)
{
	return ((const struct bg_net_config *)cfg)->enabled;
}

static int net_start(void *g, const void *cfg, const struct bg_guard_env *env)
{
	return bg_net_guard_start(g, cfg, env->ev, env->caps);
}

static void net_stop(void *g)
{
	bg_net_guard_stop(g);
}

static const struct bg_event_desc *const net_events[] = {&bg_net_drop_desc, NULL};

/* Applied at start only: its rules change live with `bpfguard net`. */
const struct bg_guard bg_guard_network = {
	.key = "network",
	.cfg_size = sizeof(struct bg_net_config),
	.state_size = sizeof(struct bg_net_guard),
	.reload = BG_GUARD_START_ONLY,
	.defaults = net_defaults,
	.parse = net_parse,
	.free = net_free,
	.enabled = net_enabled,
	.start = net_start,
	.stop = net_stop,
	.events = net_events,
};
