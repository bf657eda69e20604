// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard bpf watch: the BPF-load guard run alone, every load reported. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpfguard/events.h>

#include "guards/bpfload.h"
#include "core/cli.h"
#include "core/guard.h"
#include "core/context.h"
#include "inspect/inspect.h"
#include "core/probe.h"

struct watch_cmd {
	struct bg_ctx ctx;
	const char *patterns;
	int action; /* index in actions[] */
	bool matches;
	double duration;
};

static const char *const actions[] = {"alert", "deny", "kill", NULL};
static const int action_val[] = {BG_ACT_ALERT, BG_ACT_DENY, BG_ACT_KILL};

static const struct bg_opt watch_opts[] = {
	BG_OPT_STR(struct watch_cmd, patterns, "patterns", 'p', "FILE",
		   "patterns (YAML); without it every load is only reported"),
	BG_OPT_CHOICE(struct watch_cmd, action, "action", 'a', "ACTION", actions,
		      "alert, deny or kill: for rules that name no action (alert)"),
	BG_OPT_FLAG(struct watch_cmd, matches, "matches", 'm',
		    "report only loads a pattern matches"),
	BG_OPT_FORMAT(struct watch_cmd, ctx),
	BG_OPT_SECONDS(struct watch_cmd, duration, "duration", 'd', "stop after SECONDS"),
	{0},
};

const struct bg_cmd_help bpf_watch_help = {
	.usage = "bpfguard bpf watch [--patterns FILE] [--action alert|deny|kill] [--matches]\n"
		 "                         [--json|--text] [--duration SECONDS]",
	.summary = "report every BPF program load, and act on the ones patterns match",
	.opts = watch_opts,
	.more = "Each BPF_PROG_LOAD on the host: name, type, attach type, instruction count,\n"
		"license, loader, and the helpers its instructions call. deny needs BPF LSM;\n"
		"without it a deny rule kills the loader at the syscall (docs/bpfload.md).",
};

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

int insp_cmd_watch(int argc, char **argv)
{
	struct bg_bpfload_config c = {.enabled = true};
	struct watch_cmd w = {0};
	struct bg_bpfload_guard g = {0};
	struct timespec t0;
	struct bg_caps caps;
	struct bg_guard_env env = {.ev = &w.ctx.ev, .caps = &caps};
	char err[600], **operands;
	int rc, n;
	unsigned int k;

	rc = bg_cli_parse(argc, argv, &bpf_watch_help, &w, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	c.action = action_val[w.action];
	c.report_all = !w.matches;
	if (w.patterns) {
		if (bg_load_rules_load(w.patterns, &c.rules, err, sizeof(err))) {
			fprintf(stderr, "bpfguard: %s\n", err);
			return 1;
		}
		for (k = 0; k < c.rules.n; k++)
			if (!c.rules.r[k].action)
				c.rules.r[k].action = c.action;
	}
	rc = 1;
	/* Only what picks the guard's hook (lsm, else tp_btf, which the guard's
	 * own load tries): the whole probe takes seconds on a loaded host, and
	 * a load made in that window would go unseen. */
	bg_probe_only(&caps, BG_FEAT_BIT(BG_FEAT_LSM));
	if (bg_ctx_open(&w.ctx, NULL, BG_RING_DEFAULT) || bg_guard_bpf_load.start(&g, &c, &env))
		goto out;
	fprintf(stderr, "bpfguard: watching BPF loads (%s, %u patterns)\n",
		g.lsm ? "lsm/bpf" : "tp_btf/sys_enter", c.rules.n);
	bg_sig_catch(SIGINT);
	bg_sig_catch(SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!bg_sig_stop()) {
		if (bg_events_poll(&w.ctx.ev, 100) < 0)
			break;
		bg_events_report(&w.ctx.ev, false);
		if (w.duration > 0 && since(&t0) >= w.duration)
			break;
	}
	rc = 0;
	bg_guard_bpf_load.stop(&g);
	bg_events_drain(&w.ctx.ev);
	bg_events_report(&w.ctx.ev, true);
out:
	bg_ctx_close(&w.ctx);
	bg_bpfload_config_free(&c);
	return rc;
}
