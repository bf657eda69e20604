// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Attach and detach: the XDP program loaded, its maps and link pinned under
 * <bpffs>/bpfguard/net/<ifname>/, and the agent's filter started and stopped.
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>

#include "events/ring.h"
#include "core/log.h"
#include "core/probe.h"
#include "core/sys.h"
#include "xdp.skel.h"
#include "core/guard.h"
#include "guards/net/net_int.h"

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i])
			continue;
		p[i] = 0;
		if (mkdir(p, 0700) && errno != EEXIST)
			return -errno;
		p[i] = dir[i];
	}
	return 0;
}

/* Remove what attach pinned; the link first, so the program stops before
 * its maps lose their names. */
int net_unpin_all(const char *dir, bool detach)
{
	char path[PATH_MAX];
	int i, fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	if (detach) {
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			/* Detaches even if someone else holds the link open. */
			if (bpf_link_detach(fd) && errno != EINVAL && errno != ENOLINK)
				err = -errno;
			close(fd);
		}
	}
	if (unlink(path) && errno != ENOENT && !err)
		err = -errno;
	for (i = 0; i < M_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, net_map_pins[i]);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	if (rmdir(dir) && errno != ENOENT && !err)
		err = -errno;
	return err;
}

int net_pin_root(char *root, size_t len, bool mount_it)
{
	char bpffs[PATH_MAX];
	int err;

	/* /sys/fs/bpf is only where we mount one if none is mounted yet. */
	err = mount_it ? bg_ensure_mount("bpf", "/sys/fs/bpf", bpffs, sizeof(bpffs))
		       : bg_find_mount("bpf", bpffs, sizeof(bpffs));
	if (err)
		return err;
	if ((size_t)snprintf(root, len, "%s/bpfguard/net", bpffs) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int net_attach_one(const struct bg_net_config *c, const char *ifname, const char *dir,
		   struct bg_events *ev, struct bg_net_link *out)
{
	struct bg_xdp_bpf *skel = NULL;
	struct net_maps m;
	struct net_rule_set rs = {};
	char path[PATH_MAX];
	int ifindex, i, err, link_fd = -1;
	bool pinned = false;
	size_t j;

	memset(out, 0, sizeof(*out));
	out->link_fd = -1;
	net_maps_init(&m);
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		err = -ENODEV;
		pr_err("%s: no such interface in this network namespace\n", ifname);
		return err;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	if (!access(path, F_OK)) {
		pr_err("%s: a filter is already pinned at %s (bpfguard net detach %s first)\n",
		       ifname, dir, ifname);
		return -EEXIST;
	}
	skel = bg_xdp_bpf__open();
	if (!skel) {
		err = -errno;
		pr_err("xdp filter: open failed: %s\n", strerror(errno));
		return err;
	}
	bpf_map__set_max_entries(skel->maps.bg_net_allow4, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_allow6, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_deny4, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_deny6, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_rule_hits, c->max_rules + 1);
	bpf_map__set_max_entries(skel->maps.bg_net_long24, c->max_rules);
	if (ev) {
		err = bg_events_share(ev, skel->obj);
		if (err)
			goto cleanup;
	} else {
		/* Nobody reads events outside the agent: keep the unshared
		 * pipeline maps minimal, and sampling off. */
		bpf_map__set_max_entries(skel->maps.events, 4096);
		bpf_map__set_max_entries(skel->maps.bg_exe_cache, 1);
	}
	err = bg_xdp_bpf__load(skel);
	if (err) {
		pr_err("xdp filter: load failed: %s\n", strerror(-err));
		goto cleanup;
	}
	m.fd[M_CFG] = bpf_map__fd(skel->maps.bg_net_cfg);
	m.fd[M_ALLOW4] = bpf_map__fd(skel->maps.bg_net_allow4);
	m.fd[M_ALLOW6] = bpf_map__fd(skel->maps.bg_net_allow6);
	m.fd[M_DENY4] = bpf_map__fd(skel->maps.bg_net_deny4);
	m.fd[M_DENY6] = bpf_map__fd(skel->maps.bg_net_deny6);
	m.fd[M_PORTS] = bpf_map__fd(skel->maps.bg_net_ports);
	m.fd[M_COUNTERS] = bpf_map__fd(skel->maps.bg_net_counters);
	m.fd[M_RULE_HITS] = bpf_map__fd(skel->maps.bg_net_rule_hits);
	m.fd[M_SRC16] = bpf_map__fd(skel->maps.bg_net_src16);
	m.fd[M_SRC24] = bpf_map__fd(skel->maps.bg_net_src24);
	m.fd[M_LONG24] = bpf_map__fd(skel->maps.bg_net_long24);
	m.max_rules = c->max_rules;
	{
		struct bg_net_cfg cfg = c->cfg;

		if (!ev)
			cfg.sample_per_sec = 0;
		err = net_cfg_write(&m, &cfg);
	}
	if (!err)
		err = net_rules_read(&rs, &m);
	for (j = 0; !err && j < c->n_rules; j++)
		err = net_rule_add(&rs, &m, &c->rules[j]) < 0 ? -EINVAL : 0;
	if (!err)
		err = net_src16_sync(&rs, &m, NULL, 0); /* not attached yet: no order to keep */
	if (!err)
		err = net_long24_sync(&rs, &m);
	if (err) {
		pr_err("%s: cannot write the rules: %s\n", ifname, strerror(-err));
		goto cleanup;
	}

	err = mkdir_p(dir);
	if (err) {
		pr_err("%s: %s\n", dir, strerror(-err));
		goto cleanup;
	}
	pinned = true;
	for (i = 0; i < M_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, net_map_pins[i]);
		if (bpf_obj_pin(m.fd[i], path)) {
			err = -errno;
			pr_err("cannot pin %s: %s\n", path, strerror(errno));
			goto cleanup;
		}
	}
	{
		LIBBPF_OPTS(bpf_link_create_opts, lo);
		int prog = bpf_program__fd(skel->progs.bg_xdp_filter);

		out->native = c->mode != BG_NET_MODE_GENERIC;
		lo.flags = out->native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
		link_fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
		if (link_fd < 0 && c->mode == BG_NET_MODE_AUTO &&
		    (errno == EOPNOTSUPP || errno == EINVAL)) {
			pr_info("%s: no native XDP in this driver (%s); using generic mode\n",
				ifname, strerror(errno));
			out->native = false;
			lo.flags = XDP_FLAGS_SKB_MODE;
			link_fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
		}
		if (link_fd < 0) {
			err = -errno;
			pr_err("%s: XDP attach (%s mode) failed: %s%s\n", ifname,
			       out->native ? "native" : "generic", strerror(errno),
			       errno == EBUSY || errno == EEXIST
				       ? " (another XDP program is attached)"
				       : "");
			goto cleanup;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	if (bpf_obj_pin(link_fd, path)) {
		err = -errno;
		pr_err("cannot pin %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	snprintf(out->pin_dir, sizeof(out->pin_dir), "%s", dir);
	out->skel = skel;
	out->link_fd = link_fd;
	net_rules_free(&rs);
	return 0;
cleanup:
	if (link_fd >= 0)
		close(link_fd);
	if (pinned)
		net_unpin_all(dir, false);
	net_rules_free(&rs);
	bg_xdp_bpf__destroy(skel);
	return err;
}

void net_link_close(struct bg_net_link *l, bool detach)
{
	if (detach && l->pin_dir[0])
		net_unpin_all(l->pin_dir, true);
	if (l->link_fd >= 0)
		close(l->link_fd);
	l->link_fd = -1;
	bg_xdp_bpf__destroy(l->skel);
	l->skel = NULL;
}

int bg_net_guard_start(void *guard, const void *cfg, const struct bg_guard_env *env)
{
	struct bg_net_guard *g = guard;
	const struct bg_net_config *c = cfg;
	const struct bg_caps *caps = env->caps;
	char root[PATH_MAX], dir[DIR_MAX];
	size_t i;
	int err;

	memset(g, 0, sizeof(*g));
	g->persist = c->persist;
	if (caps && !bg_has(caps, BG_FEAT_XDP_GENERIC) && !bg_has(caps, BG_FEAT_XDP_NATIVE)) {
		pr_err("xdp filter: this kernel refuses XDP (%s)\n",
		       caps->f[BG_FEAT_XDP_GENERIC].detail);
		return -EOPNOTSUPP;
	}
	err = net_pin_root(root, sizeof(root), true);
	if (err) {
		pr_err("xdp filter: no bpffs to pin the rules on: %s\n", strerror(-err));
		return err;
	}
	g->links = calloc(c->n_ifaces, sizeof(*g->links));
	if (!g->links)
		return -ENOMEM;
	for (i = 0; i < c->n_ifaces; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, c->ifaces[i]);
		err = net_attach_one(c, c->ifaces[i], dir, env->ev, &g->links[i]);
		if (err)
			goto cleanup;
		g->n_links++;
		pr_info("xdp filter on %s (%s mode), rules pinned at %s\n", c->ifaces[i],
			g->links[i].native ? "native" : "generic", dir);
	}
	return 0;
cleanup:
	g->persist = false; /* a half-applied section is rolled back whole */
	bg_net_guard_stop(g);
	return err;
}

void bg_net_guard_stop(void *guard)
{
	struct bg_net_guard *g = guard;
	size_t i;

	for (i = 0; i < g->n_links; i++)
		net_link_close(&g->links[i], !g->persist);
	free(g->links);
	g->links = NULL;
	g->n_links = 0;
}
