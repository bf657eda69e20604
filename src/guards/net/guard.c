// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The network guard: the XDP filter the agent attaches on the interfaces of
 * its `network:` section. Applied at start only: its rules change live with
 * `bpfguard net`.
 */

#include "core/guard.h"
#include "guards/net/net_int.h"

static bool net_enabled(const void *cfg)
{
	return ((const struct bg_net_config *)cfg)->enabled;
}

static const struct bg_event_desc *const net_events[] = {&bg_net_drop_desc, NULL};

/* Applied at start only: its rules change live with `bpfguard net`. */
const struct bg_guard bg_guard_network = {
	.key = "network",
	.cfg_size = sizeof(struct bg_net_config),
	.state_size = sizeof(struct bg_net_guard),
	.reload = BG_GUARD_START_ONLY,
	.defaults = bg_net_config_defaults,
	.parse = bg_net_config_parse,
	.free = bg_net_config_free,
	.enabled = net_enabled,
	.start = bg_net_guard_start,
	.stop = bg_net_guard_stop,
	.events = net_events,
};
