// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard net`: its subcommand table, options and help, and
 * allow/deny/remove, which change rules in place through the pins (what
 * the subcommands share is in cmd_common.c).
 */
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/cli.h"
#include "events/json.h"
#include "core/log.h"
#include "core/sys.h"
#include "guards/net/net_int.h"

static const char *opt_mode(void *cmd, const char *arg)
{
	struct net_cmd *nc = cmd;

	if (!strcmp(arg, "auto"))
		nc->nc.mode = BG_NET_MODE_AUTO;
	else if (!strcmp(arg, "native"))
		nc->nc.mode = BG_NET_MODE_NATIVE;
	else if (!strcmp(arg, "generic"))
		nc->nc.mode = BG_NET_MODE_GENERIC;
	else
		return "is not auto, native or generic";
	return NULL;
}

static const char *act_of(const char *s, bool source_ok, __u8 *out)
{
	int i;

	for (i = 0; net_action_names[i]; i++) {
		if (!strcmp(s, net_action_names[i]) && (source_ok || i != BG_NET_SOURCE)) {
			*out = i;
			return NULL;
		}
	}
	return source_ok ? "is not pass, drop or source" : "is not pass or drop";
}

static const char *opt_default(void *cmd, const char *arg)
{
	return act_of(arg, false, &((struct net_cmd *)cmd)->nc.cfg.default_action);
}

static const char *opt_fragments(void *cmd, const char *arg)
{
	return act_of(arg, true, &((struct net_cmd *)cmd)->nc.cfg.frag_action);
}

static const char *opt_other(void *cmd, const char *arg)
{
	return act_of(arg, true, &((struct net_cmd *)cmd)->nc.cfg.other_action);
}

static const char *opt_malformed(void *cmd, const char *arg)
{
	return act_of(arg, false, &((struct net_cmd *)cmd)->nc.cfg.malformed_action);
}

static const char *opt_non_ip(void *cmd, const char *arg)
{
	return act_of(arg, false, &((struct net_cmd *)cmd)->nc.cfg.non_ip_action);
}

#define NET_OPT_IF                                                                                 \
	BG_OPT_STR(struct net_cmd, ifname, "interface", 'i', "IF",                                 \
		   "the filter's interface (when more than one is attached)")
#define NET_OPT_PIN                                                                                \
	BG_OPT_STR(struct net_cmd, pin_dir, "pin-dir", 'p', "DIR",                                 \
		   "pin directory on a bpffs (default <bpffs>/bpfguard/net/IF)")
#define NET_OPT_JSON BG_OPT_FLAG(struct net_cmd, json, "json", 'j', "JSON output")

static const struct bg_opt attach_opts[] = {
	NET_OPT_PIN,
	NET_OPT_JSON,
	BG_OPT_STR(struct net_cmd, config, "config", 'c', "FILE",
		   "the interfaces and rules of an agent config"),
	BG_OPT_FN("mode", 'm', "MODE", opt_mode, "auto (native, else generic), native, generic"),
	BG_OPT_FN("default", 'd', "ACTION", opt_default,
		  "pass or drop (drop): TCP/UDP no allow rule admits"),
	BG_OPT_FN("fragments", 256, "ACTION", opt_fragments,
		  "non-first fragments: pass, drop, source (source)"),
	BG_OPT_FN("other", 257, "ACTION", opt_other,
		  "IP but not TCP/UDP: pass, drop, source (pass)"),
	BG_OPT_FN("malformed", 258, "ACTION", opt_malformed,
		  "truncated or bad headers: pass or drop (drop)"),
	BG_OPT_FN("non-ip", 259, "ACTION", opt_non_ip,
		  "ARP and other ethertypes: pass or drop (pass)"),
	BG_OPT_UINT(struct net_cmd, nc.max_rules, "max-rules", 260, "N", 1, 1u << 20,
		    "rule capacity (16384)"),
	{0},
};

static const struct bg_opt detach_opts[] = {NET_OPT_PIN, NET_OPT_JSON, {0}};
static const struct bg_opt show_opts[] = {NET_OPT_IF, NET_OPT_PIN, NET_OPT_JSON, {0}};

static const struct bg_cmd_help attach_help = {
	.usage = "bpfguard net attach IF [options] | bpfguard net attach --config FILE",
	.summary = "attach the XDP ingress filter to an interface, or to a config's interfaces",
	.opts = attach_opts,
	.more = "See docs/network.md for the order of evaluation and the defaults.",
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help detach_help = {
	.usage = "bpfguard net detach IF",
	.summary = "detach the filter from IF and remove its pins (the rollback)",
	.opts = detach_opts,
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help status_help = {
	.usage = "bpfguard net status [-i IF] [--json]",
	.summary = "the attached filters: interface, mode, defaults, rules",
	.opts = show_opts,
};

static const struct bg_cmd_help stats_help = {
	.usage = "bpfguard net stats [-i IF] [--json]",
	.summary = "the filters' packet counters by verdict and reason",
	.opts = show_opts,
};

#define RULES_MORE                                                                                 \
	"RULE is a prefix (10.0.0.0/8, 2001:db8::/32, 192.0.2.1) or, for allow and\n"              \
	"remove, a port: tcp:22, udp:53, tcp:8000-8080, 22 (TCP and UDP), tcp:any.\n"              \
	"deny takes prefixes only; a deny prefix wins over every allow. Rules change\n"            \
	"in place through the pinned maps; the program is not reloaded."

static const struct bg_cmd_help allow_help = {
	.usage = "bpfguard net allow [-i IF] RULE...",
	.summary = "admit traffic from prefixes or to TCP/UDP ports",
	.opts = show_opts,
	.more = RULES_MORE,
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help deny_help = {
	.usage = "bpfguard net deny [-i IF] PREFIX...",
	.summary = "drop traffic from prefixes (wins over every allow)",
	.opts = show_opts,
	.more = RULES_MORE,
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help remove_help = {
	.usage = "bpfguard net remove [-i IF] RULE...",
	.summary = "remove allow or deny rules",
	.opts = show_opts,
	.more = RULES_MORE,
	.operands = BG_OPERANDS_ANY,
};

const struct bg_cmd_help net_help = {
	.usage = "bpfguard net <attach|detach|status|stats|allow|deny|remove> [options]",
	.summary = "XDP ingress filter: source prefix and TCP/UDP port allowlists",
	.more = "Detach (the rollback) removes the program and its pins: bpfguard net detach IF.\n"
		"See docs/network.md for the order of evaluation and the defaults.",
};

/* allow / deny / remove: parse every rule first, then change the maps. */
static int do_rules(struct net_cmd *nc, char **args, int n)
{
	struct bg_xdp_rule *rules = NULL;
	struct net_dirs d = {};
	struct net_maps m;
	struct net_rule_set rs;
	size_t nr = 0, k, got;
	char msg[160], s[64];
	bool deny = !strcmp(nc->sub, "deny"), rm = !strcmp(nc->sub, "remove");
	int i, err, rc = 0, lock = -1;

	if (!n)
		return bg_cli_usage_error(nc->help, "%s needs at least one RULE", nc->sub);
	rules = calloc((size_t)n * 2, sizeof(*rules));
	if (!rules)
		return net_cmd_fail(nc, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		bool prefix = strchr(args[i], '.') || strchr(args[i], ':') != NULL;

		if (!strncmp(args[i], "tcp:", 4) || !strncmp(args[i], "udp:", 4) ||
		    !strcmp(args[i], "any") || !prefix) {
			if (deny) {
				free(rules);
				return bg_cli_usage_error(
					nc->help,
					"deny takes prefixes; to stop allowing a port: remove %s",
					args[i]);
			}
			err = bg_net_parse_port(args[i], &rules[nr], &got, msg, sizeof(msg));
		} else {
			err = bg_net_parse_prefix(args[i], &rules[nr], msg, sizeof(msg));
			rules[nr].deny = deny;
			got = 1;
		}
		if (err) {
			free(rules);
			return bg_cli_usage_error(nc->help, "%s", msg);
		}
		nr += got;
	}
	if (net_one_dir(nc, &d)) {
		net_dirs_free(&d);
		free(rules);
		return 1;
	}
	/* One rule change at a time per filter: rule ids and the nonempty
	 * bits are read, then written. */
	lock = open(d.d[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		rc = net_cmd_fail(nc, errno, "%s: no filter pinned at %s (%s)", d.name[0], d.d[0],
				  strerror(errno));
		goto out;
	}
	err = net_maps_open(&m, d.d[0]);
	if (err) {
		rc = net_cmd_fail(nc, err, "%s: no filter pinned at %s", d.name[0], d.d[0]);
		goto out;
	}
	err = net_rules_read(&rs, &m);
	if (err) {
		net_maps_close(&m);
		rc = net_cmd_fail(nc, err, "cannot read the rules: %s", strerror(-err));
		goto out;
	}
	err = rm ? 0 : net_src16_sync(&rs, &m, rules, nr);
	if (err) {
		net_rules_free(&rs);
		net_maps_close(&m);
		rc = net_cmd_fail(nc, err, "cannot update the prefilter: %s", strerror(-err));
		goto out;
	}
	if (nc->json)
		printf("{\"interface\":\"%s\",\"changes\":[", d.name[0]);
	for (k = 0; k < nr; k++) {
		bg_net_rule_str(&rules[k], s, sizeof(s));
		err = rm ? net_rule_remove(&rs, &m, &rules[k]) : net_rule_add(&rs, &m, &rules[k]);
		if (err < 0) {
			rc = 1;
			continue;
		}
		if (nc->json)
			printf("%s{\"rule\":\"%s\",\"action\":\"%s\",\"result\":\"%s\"}",
			       k ? "," : "", s, rm ? "remove" : nc->sub,
			       err == 1 ? "present"
			       : rm	? "removed"
					: "added");
		else
			printf("%s: %s %s%s\n", d.name[0], rm ? "removed" : nc->sub, s,
			       err == 1 ? " (already present)" : "");
	}
	/* Drop what the removed prefixes alone needed. */
	err = net_src16_sync(&rs, &m, NULL, 0);
	if (!err)
		err = net_long24_sync(&rs, &m);
	if (err) {
		pr_err("cannot update the prefilter: %s\n", strerror(-err));
		rc = 1;
	}
	if (nc->json)
		printf("],\"ok\":%s}\n", rc ? "false" : "true");
	net_rules_free(&rs);
	net_maps_close(&m);
out:
	if (lock >= 0)
		close(lock);
	net_dirs_free(&d);
	free(rules);
	return rc;
}

/* Each subcommand: its options parsed into nc, then its work. */
static int net_run(int argc, char **argv, const struct bg_cmd_help *h)
{
	struct net_cmd nc = {.sub = argv[0], .help = h};
	char **operands;
	int rc, n;

	bg_net_config_defaults(&nc.nc);
	rc = bg_cli_parse(argc, argv, h, &nc, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	if (!strcmp(nc.sub, "attach"))
		return net_do_attach(&nc, operands, n);
	if (!strcmp(nc.sub, "detach"))
		return net_do_detach(&nc, operands, n);
	if (!strcmp(nc.sub, "status"))
		return net_do_status(&nc);
	if (!strcmp(nc.sub, "stats"))
		return net_do_stats(&nc);
	return do_rules(&nc, operands, n);
}

#define NET_CMD(name, h)                                                                           \
	static int net_##name(int argc, char **argv)                                               \
	{                                                                                          \
		return net_run(argc, argv, &h);                                                    \
	}
NET_CMD(attach, attach_help)
NET_CMD(detach, detach_help)
NET_CMD(status, status_help)
NET_CMD(stats, stats_help)
NET_CMD(allow, allow_help)
NET_CMD(deny, deny_help)
NET_CMD(remove, remove_help)

#define CAPS_NET                                                                                   \
	((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON) |                     \
	 (1ULL << CAP_NET_ADMIN))

const struct bg_cmd net_cmds[] = {
	{"attach", net_attach, &attach_help, CAPS_NET},
	{"detach", net_detach, &detach_help, CAPS_NET},
	{"status", net_status, &status_help, CAPS_NET},
	{"stats", net_stats, &stats_help, CAPS_NET},
	{"allow", net_allow, &allow_help, CAPS_NET},
	{"deny", net_deny, &deny_help, CAPS_NET},
	{"remove", net_remove, &remove_help, CAPS_NET},
	{0},
};
