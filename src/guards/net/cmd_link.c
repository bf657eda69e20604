// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard net attach|detach|status|stats`: the filter on an interface
 * and what it counted.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <net/if.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "core/cli.h"
#include "events/json.h"
#include "policy/yaml.h"
#include "core/sys.h"
#include "guards/net/net_int.h"

/*
 * No bpffs is mounted here and the mount namespace is this command's own:
 * `ip netns exec` unshares it and mounts a fresh /sys, hiding the host's
 * /sys/fs/bpf. A bpffs mounted now would be a new instance that vanishes
 * with the namespace when we exit, and the pinned link with it: the
 * filter would be detached the moment we said "attached". Refuse instead.
 */
static int refuse_private_bpffs(struct net_cmd *nc, const char *ifname)
{
	char ns[NAME_MAX + 1];

	if (!bg_netns_name(ns, sizeof(ns)))
		return net_cmd_fail(
			nc, EXDEV,
			"ip netns exec gives this command a private /sys without the "
			"host's bpffs: the pins would vanish when it exits and nothing "
			"would stay attached. Run `nsenter --net=/run/netns/%s bpfguard "
			"net attach %s ...` (it keeps the host's /sys/fs/bpf), or give "
			"--pin-dir on a bpffs that outlives this command",
			ns, ifname);
	return net_cmd_fail(nc, EXDEV,
			    "no bpffs is mounted in this command's private mount namespace: one "
			    "mounted now would vanish with it, and the filter with its pins. Mount "
			    "bpffs where the pins can last (mount -t bpf bpf /sys/fs/bpf in the "
			    "namespace that outlives this command), or give --pin-dir on one");
}

int net_do_attach(struct net_cmd *nc, char **ifs, int n)
{
	struct bg_net_config file;
	struct bg_net_config *c = &nc->nc;
	struct bg_net_link l;
	char dir[DIR_MAX], err[600];
	struct bg_buf b;
	struct bg_json j;
	int i, rc;
	size_t k;

	if (nc->config) {
		struct bg_yaml y;
		yaml_node_t *sec;

		if (n)
			return bg_cli_usage_error(nc->help, "--config names the interfaces itself");
		rc = bg_yaml_load(&y, nc->config);
		if (rc) {
			snprintf(err, sizeof(err), "%s", y.err);
			bg_yaml_free(&y);
			return net_cmd_fail(nc, rc, "%s", err);
		}
		sec = bg_yaml_get(&y, bg_yaml_root(&y), "network");
		if (!sec) {
			bg_yaml_free(&y);
			return net_cmd_fail(nc, EINVAL, "%s: no network section", nc->config);
		}
		rc = bg_net_config_parse(&y, sec, &file);
		snprintf(err, sizeof(err), "%s", y.err);
		bg_yaml_free(&y);
		if (rc) {
			bg_net_config_free(&file);
			return net_cmd_fail(nc, rc, "%s", err[0] ? err : strerror(-rc));
		}
		c = &file;
		ifs = c->ifaces;
		n = c->n_ifaces;
	} else if (n != 1) {
		return bg_cli_usage_error(nc->help, "attach takes one interface");
	}
	if (nc->pin_dir && n != 1) {
		rc = bg_cli_usage_error(nc->help, "--pin-dir names one interface's directory");
		goto out;
	}
	if (!nc->pin_dir) {
		rc = net_pin_root(nc->root, sizeof(nc->root), false);
		if (rc == -ENOENT && bg_mntns_private() > 0) {
			rc = refuse_private_bpffs(nc, ifs[0]);
			goto out;
		}
		if (rc)
			rc = net_pin_root(nc->root, sizeof(nc->root), true);
		if (rc) {
			rc = net_cmd_fail(nc, rc, "no bpffs to pin the rules on: %s",
					  strerror(-rc));
			goto out;
		}
	}
	net_list_begin(nc, &j, &b, "attached");
	rc = 0;
	for (i = 0; i < n; i++) {
		if (nc->pin_dir)
			snprintf(dir, sizeof(dir), "%s", nc->pin_dir);
		else
			snprintf(dir, sizeof(dir), "%s/%s", nc->root, ifs[i]);
		if (net_attach_one(c, ifs[i], dir, NULL, &l)) {
			rc = 1;
			break;
		}
		if (nc->json) {
			bg_json_obj(&j);
			bg_json_kstr(&j, "interface", ifs[i]);
			bg_json_kstr(&j, "mode", l.native ? "native" : "generic");
			bg_json_kstr(&j, "pin_dir", dir);
			bg_json_obj_end(&j);
		} else {
			bg_buf_printf(&b, "%s: attached in %s mode, pinned at %s\n", ifs[i],
				      l.native ? "native" : "generic", dir);
		}
		/* The pins hold program, maps and link from here on. */
		net_link_close(&l, false);
	}
	if (rc) {
		/* All or nothing: undo the interfaces done so far. */
		for (k = 0; k < (size_t)i; k++) {
			snprintf(dir, sizeof(dir), "%s/%s", nc->root, ifs[k]);
			net_unpin_all(dir, true);
		}
		bg_buf_free(&b);
		if (nc->json)
			net_cmd_fail(nc, EINVAL,
				     "attach failed (see stderr); nothing was attached");
		goto out;
	}
	net_list_end(nc, &j, &b);
out:
	if (c == &file)
		bg_net_config_free(&file);
	return rc;
}

int net_do_detach(struct net_cmd *nc, char **ifs, int n)
{
	struct net_dirs d = {};
	int rc = 0, err, i;

	if (n > 1 || (n == 1 && nc->ifname))
		return bg_cli_usage_error(nc->help, "detach takes one interface");
	if (n == 1)
		nc->ifname = ifs[0];
	if (!nc->ifname && !nc->pin_dir)
		return bg_cli_usage_error(nc->help, "detach needs an interface");
	err = net_find_dirs(nc, &d);
	if (err || !d.n) {
		net_dirs_free(&d);
		return net_cmd_fail(nc, err ? err : ENOENT, "no filter pinned for %s", nc->ifname);
	}
	for (i = 0; i < (int)d.n; i++) {
		char path[DIR_MAX + 16];

		snprintf(path, sizeof(path), "%s/%s", d.d[i], net_map_pins[M_CFG]);
		if (access(path, F_OK)) {
			rc = net_cmd_fail(nc, ENOENT, "%s: no filter pinned at %s", d.name[i],
					  d.d[i]);
			continue;
		}
		err = net_unpin_all(d.d[i], true);
		if (err) {
			rc = net_cmd_fail(nc, err, "%s: detach incomplete: %s", d.name[i],
					  strerror(-err));
			continue;
		}
		if (nc->json)
			printf("{\"detached\":\"%s\"}\n", d.name[i]);
		else
			printf("%s: detached\n", d.name[i]);
	}
	net_dirs_free(&d);
	return rc;
}

/* Link facts: interface, mode, program. */
struct link_state {
	bool attached;
	__u32 ifindex, prog_id, link_id;
	char ifname[IF_NAMESIZE];
	const char *mode;
};

static void link_state(const char *dir, struct link_state *st)
{
	char path[DIR_MAX + 16];
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd;

	memset(st, 0, sizeof(*st));
	st->mode = "none";
	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP) {
		st->link_id = info.id;
		st->prog_id = info.prog_id;
		st->ifindex = info.xdp.ifindex;
		/* ifindex 0: the device went away and took the attachment. */
		st->attached = st->ifindex != 0;
	}
	close(fd);
	if (!st->attached)
		return;
	st->mode = "unknown (interface in another network namespace)";
	if (if_indextoname(st->ifindex, st->ifname)) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);

		if (!bpf_xdp_query(st->ifindex, 0, &q)) {
			if (q.drv_prog_id == st->prog_id)
				st->mode = "native";
			else if (q.skb_prog_id == st->prog_id)
				st->mode = "generic";
		}
	}
}

static void settings_json(struct bg_json *j, const struct bg_net_cfg *c, unsigned int max_rules)
{
	bg_json_kobj(j, "settings");
	bg_json_kstr(j, "default", net_action_names[c->default_action % 3]);
	bg_json_kstr(j, "fragments", net_action_names[c->frag_action % 3]);
	bg_json_kstr(j, "other_protocols", net_action_names[c->other_action % 3]);
	bg_json_kstr(j, "malformed", net_action_names[c->malformed_action % 3]);
	bg_json_kstr(j, "non_ip", net_action_names[c->non_ip_action % 3]);
	bg_json_ku64(j, "sample_drops", c->sample_per_sec);
	bg_json_ku64(j, "max_rules", max_rules);
	bg_json_obj_end(j);
}

int net_do_status(struct net_cmd *nc)
{
	struct net_dirs d;
	struct bg_buf b;
	struct bg_json j;
	size_t i, k;
	int err = net_find_dirs(nc, &d);

	if (err)
		return net_cmd_fail(nc, err, "cannot list the filters: %s", strerror(-err));
	net_list_begin(nc, &j, &b, "filters");
	if (!nc->json && !d.n)
		bg_buf_printf(&b, "no XDP filter attached\n");
	for (i = 0; i < d.n; i++) {
		struct link_state st;
		struct net_maps m;
		struct net_rule_set rs = {};
		struct bg_net_cfg cfg = {};
		size_t na = 0, nd = 0, np = 0;
		bool have = !net_maps_open(&m, d.d[i]);

		link_state(d.d[i], &st);
		if (have && !net_read_cfg(&m, &cfg) && !net_rules_read(&rs, &m)) {
			for (k = 0; k < rs.n; k++) {
				np += rs.r[k].is_port;
				nd += !rs.r[k].is_port && rs.r[k].deny;
				na += !rs.r[k].is_port && !rs.r[k].deny;
			}
		}
		if (nc->json) {
			bg_json_obj(&j);
			bg_json_kstr(&j, "interface", d.name[i]);
			bg_json_kstr(&j, "pin_dir", d.d[i]);
			bg_json_kbool(&j, "attached", st.attached);
			bg_json_ku64(&j, "ifindex", st.ifindex);
			bg_json_kstr(&j, "mode", st.mode);
			bg_json_ku64(&j, "prog_id", st.prog_id);
			bg_json_ku64(&j, "link_id", st.link_id);
			if (have) {
				settings_json(&j, &cfg, m.max_rules);
				bg_json_kobj(&j, "rules");
				bg_json_ku64(&j, "allow_prefixes", na);
				bg_json_ku64(&j, "deny_prefixes", nd);
				bg_json_ku64(&j, "ports", np);
				bg_json_obj_end(&j);
			}
			bg_json_obj_end(&j);
		} else {
			bg_buf_printf(&b, "%s: %s", d.name[i],
				      st.attached ? "attached" : "NOT attached (pins only)");
			if (st.attached)
				bg_buf_printf(&b, ", ifindex %u, %s mode, prog %u, link %u",
					      st.ifindex, st.mode, st.prog_id, st.link_id);
			bg_buf_printf(&b, "\n  pinned at %s\n", d.d[i]);
			if (have)
				bg_buf_printf(&b,
					      "  rules: %zu allow prefixes, %zu deny prefixes, %zu "
					      "port rules (capacity %u)\n"
					      "  default %s, fragments %s, other protocols %s, "
					      "malformed %s, non-IP %s\n",
					      na, nd, np, m.max_rules,
					      net_action_names[cfg.default_action % 3],
					      net_action_names[cfg.frag_action % 3],
					      net_action_names[cfg.other_action % 3],
					      net_action_names[cfg.malformed_action % 3],
					      net_action_names[cfg.non_ip_action % 3]);
		}
		net_rules_free(&rs);
		if (have)
			net_maps_close(&m);
	}
	net_list_end(nc, &j, &b);
	net_dirs_free(&d);
	return 0;
}

/* Sum a per-CPU slot of `vsz` bytes made of u64 counters. */
int net_percpu_sum(int fd, __u32 key, __u64 *sum, size_t nvals)
{
	int n = net_ncpus(), c;
	size_t v;
	__u64 *buf = calloc((size_t)n * nvals, sizeof(__u64));

	if (!buf)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, buf)) {
		int err = -errno;

		free(buf);
		return err;
	}
	for (v = 0; v < nvals; v++)
		sum[v] = 0;
	for (c = 0; c < n; c++)
		for (v = 0; v < nvals; v++)
			sum[v] += buf[(size_t)c * nvals + v];
	free(buf);
	return 0;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct bg_xdp_rule *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int stats_one(struct net_cmd *nc, const char *name, const char *dir, struct bg_buf *b,
		     struct bg_json *j)
{
	__u64 cnt[BG_NET_COUNTERS][2], tot[2][2] = {{0}}, hits;
	struct net_maps m;
	struct net_rule_set rs;
	char rule[64];
	size_t k;
	int r, err = net_maps_open(&m, dir);

	if (err)
		return err;
	for (r = 0; r < BG_NET_COUNTERS && !err; r++)
		err = net_percpu_sum(m.fd[M_COUNTERS], r, cnt[r], 2);
	if (!err)
		err = net_rules_read(&rs, &m);
	if (err) {
		net_maps_close(&m);
		return err;
	}
	for (r = 0; r < BG_NET_COUNTERS; r++) {
		tot[r % 2][0] += cnt[r][0];
		tot[r % 2][1] += cnt[r][1];
	}
	if (rs.n)
		qsort(rs.r, rs.n, sizeof(*rs.r), cmp_rule);
	if (nc->json) {
		bg_json_obj(j);
		bg_json_kstr(j, "interface", name);
		bg_json_kobj(j, "pass");
		bg_json_ku64(j, "packets", tot[0][0]);
		bg_json_ku64(j, "bytes", tot[0][1]);
		bg_json_obj_end(j);
		bg_json_kobj(j, "drop");
		bg_json_ku64(j, "packets", tot[1][0]);
		bg_json_ku64(j, "bytes", tot[1][1]);
		bg_json_obj_end(j);
		bg_json_kobj(j, "reasons");
		for (r = 0; r < BG_NET_R_MAX; r++) {
			bg_json_kobj(j, net_reason_names[r]);
			bg_json_ku64(j, "pass", cnt[r * 2][0]);
			bg_json_ku64(j, "drop", cnt[r * 2 + 1][0]);
			bg_json_obj_end(j);
		}
		bg_json_obj_end(j);
		bg_json_karr(j, "rules");
	} else {
		bg_buf_printf(
			b, "%s: pass %llu packets (%llu bytes), drop %llu packets (%llu bytes)\n",
			name, (unsigned long long)tot[0][0], (unsigned long long)tot[0][1],
			(unsigned long long)tot[1][0], (unsigned long long)tot[1][1]);
		bg_buf_printf(b, "  %-16s %12s %12s\n", "reason", "pass", "drop");
		for (r = 0; r < BG_NET_R_MAX; r++)
			bg_buf_printf(b, "  %-16s %12llu %12llu\n", net_reason_names[r],
				      (unsigned long long)cnt[r * 2][0],
				      (unsigned long long)cnt[r * 2 + 1][0]);
		if (rs.n)
			bg_buf_printf(b, "  %6s %-6s %-40s %12s\n", "id", "action", "rule",
				      "packets");
	}
	for (k = 0; k < rs.n && !err; k++) {
		err = net_percpu_sum(m.fd[M_RULE_HITS], rs.r[k].id, &hits, 1);
		if (err)
			break;
		bg_net_rule_str(&rs.r[k], rule, sizeof(rule));
		if (nc->json) {
			bg_json_obj(j);
			bg_json_ku64(j, "id", rs.r[k].id);
			bg_json_kstr(j, "action", rs.r[k].deny ? "deny" : "allow");
			bg_json_kstr(j, "rule", rule);
			bg_json_ku64(j, "packets", hits);
			bg_json_obj_end(j);
		} else {
			bg_buf_printf(b, "  %6u %-6s %-40s %12llu\n", rs.r[k].id,
				      rs.r[k].deny ? "deny" : "allow", rule,
				      (unsigned long long)hits);
		}
	}
	if (nc->json) {
		bg_json_arr_end(j);
		bg_json_obj_end(j);
	}
	net_rules_free(&rs);
	net_maps_close(&m);
	return err;
}

int net_do_stats(struct net_cmd *nc)
{
	struct net_dirs d;
	struct bg_buf b;
	struct bg_json j;
	size_t i;
	int err = net_find_dirs(nc, &d);

	if (err)
		return net_cmd_fail(nc, err, "cannot list the filters: %s", strerror(-err));
	if (!d.n) {
		net_dirs_free(&d);
		return net_cmd_fail(nc, ENOENT, "no XDP filter is attached");
	}
	net_list_begin(nc, &j, &b, "filters");
	for (i = 0; i < d.n && !err; i++)
		err = stats_one(nc, d.name[i], d.d[i], &b, &j);
	if (err) {
		bg_buf_free(&b);
		net_dirs_free(&d);
		return net_cmd_fail(nc, err, "cannot read the counters: %s", strerror(-err));
	}
	net_list_end(nc, &j, &b);
	net_dirs_free(&d);
	return 0;
}
