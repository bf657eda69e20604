// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard agent`: the long-running host guard. It validates the whole
 * config, probes the kernel, starts the guards the config enables, and
 * writes their events until SIGINT/SIGTERM. SIGHUP reopens the output
 * (log rotation) and reloads the config; a bad config keeps the old one.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpfguard/events.h>

#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/context.h"
#include "events/enrich.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/guard.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/persist.h"
#include "core/probe.h"

/*
 * Loading the guards parses the kernel's BTF (several MB, once per BPF
 * object) and every object's ELF; libbpf frees it all after load, but the
 * allocator keeps the freed pages, and an idle agent would hold them for
 * its whole life. Hand them back once loading is over (at start and after
 * each reload).
 */
static void trim_heap(void)
{
	malloc_trim(0);
}

struct agent {
	const char *config_path;
	struct bg_config cfg;
	struct bg_caps caps;
	struct bg_ctx ctx;	  /* format, output, events */
	struct bg_enrich *enrich; /* ancestry, hashes, containers; NULL: all off */
	/* Each guard's running state, in the order of bg_guards; on: started. */
	void *state[BG_GUARDS_MAX];
	bool on[BG_GUARDS_MAX];
	bool persist; /* --persist: keep everything pinned (src/core/persist.c) */
	const char *pin_dir;
	bool pins_on;		    /* pins.root found or made: adopt from it */
	struct bg_metrics *metrics; /* metrics: on (src/core/metrics.c), else NULL */
	struct bg_persist pins;
	/* command-line overrides */
	unsigned long long ring_size;
	double duration;
	bool check;
};

/* A state line: agent start, reload results. */
static void state_event(struct agent *a, const char *action, const char *outcome,
			const char *message, bool with_probe)
{
	struct bg_buf *b = &a->ctx.out.buf;

	if (a->ctx.json) {
		struct bg_json j;

		bg_json_init(&j, b);
		bg_json_obj(&j);
		bg_json_key(&j, "@timestamp");
		bg_json_qbegin(&j);
		bg_fmt_now(&a->ctx.ev.fmt, b);
		bg_json_qend(&j);
		bg_json_kobj(&j, "event");
		bg_json_kstr(&j, "kind", "state");
		bg_json_kstr(&j, "action", action);
		bg_json_kstr(&j, "outcome", outcome);
		bg_json_kstr(&j, "module", "bpfguard");
		bg_json_obj_end(&j);
		if (message)
			bg_json_kstr(&j, "message", message);
		bg_json_kobj(&j, "bpfguard");
		bg_json_kstr(&j, "type", "agent");
		bg_json_kstr(&j, "config", a->config_path);
		bg_json_ku64(&j, "ring_buffer_size", a->ctx.ev.ring_size);
		if (with_probe) {
			bg_json_key(&j, "probe");
			bg_probe_json(&a->caps, &j);
		}
		bg_json_obj_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(b, '\n');
	} else {
		bg_fmt_now(&a->ctx.ev.fmt, b);
		bg_buf_printf(b, " agent %s %s%s%s\n", action, outcome, message ? ": " : "",
			      message ? message : "");
		if (with_probe)
			bg_probe_text(&a->caps, b, a->ctx.out.tty);
	}
	bg_output_flush(&a->ctx.out);
}

/* Names of rules in events: each guard owns the ids it hands out. */
static const char *agent_rule_name(void *ctx, uint32_t id)
{
	struct agent *a = ctx;
	const char *name;
	size_t i;

	for (i = 0; bg_guards[i]; i++)
		if (a->on[i] && bg_guards[i]->rule_name &&
		    (name = bg_guards[i]->rule_name(a->state[i], id)))
			return name;
	return NULL;
}

/* Guard i started, updated or stopped: the links it holds now are its own. */
static void metrics_guard(struct agent *a, size_t i)
{
	if (a->metrics)
		bg_metrics_guard(a->metrics, i, a->on[i]);
}

static int guard_start(struct agent *a, size_t i, const struct bg_config *c)
{
	struct bg_guard_env env = {.ev = &a->ctx.ev, .caps = &a->caps, .mode = c->mode};
	int err;

	memset(a->state[i], 0, bg_guards[i]->state_size);
	err = bg_guards[i]->start(a->state[i], c->guard[i], &env);
	a->on[i] = !err;
	metrics_guard(a, i);
	return err;
}

static void guard_stop(struct agent *a, size_t i)
{
	if (a->on[i])
		bg_guards[i]->stop(a->state[i]);
	a->on[i] = false;
	metrics_guard(a, i);
}

/*
 * The guards that swap their rules in place: start, update or stop each as
 * config c says. Called before c replaces the running config, so that a
 * failure keeps the old rules (of this guard and of those after it).
 */
static int apply_updates(struct agent *a, const struct bg_config *c)
{
	size_t i;
	int err;

	for (i = 0; bg_guards[i]; i++) {
		const struct bg_guard *g = bg_guards[i];
		bool want = g->enabled(c->guard[i]);

		if (g->reload != BG_GUARD_UPDATE)
			continue;
		if (want && !a->on[i])
			err = guard_start(a, i, c);
		else if (want && g->update)
			err = g->update(a->state[i], c->guard[i], c->mode), metrics_guard(a, i);
		else if (want)
			err = 0; /* nothing but enabled to apply */
		else
			err = 0, guard_stop(a, i);
		if (err)
			return err;
	}
	return 0;
}

/* After a reload: the guards that restart with the new config. */
static int apply_restarts(struct agent *a)
{
	size_t i;
	int err;

	for (i = 0; bg_guards[i]; i++) {
		const struct bg_guard *g = bg_guards[i];

		if (g->reload != BG_GUARD_RESTART)
			continue;
		guard_stop(a, i);
		if (g->enabled(a->cfg.guard[i])) {
			err = guard_start(a, i, &a->cfg);
			if (err)
				return err;
		}
	}
	return 0;
}

static void put_name(void *ctx, uint32_t id, const char *name)
{
	bg_persist_name(ctx, id, name);
}

/* --persist: the names of the rule ids in use, for the agent that adopts
 * our pins (events our programs write while no agent runs carry only ids). */
static void persist_names(struct agent *a)
{
	size_t i;

	bg_persist_names_clear(&a->pins);
	for (i = 0; bg_guards[i]; i++)
		if (a->on[i] && bg_guards[i]->names)
			bg_guards[i]->names(a->state[i], put_name, &a->pins);
}

/*
 * --persist: pin the links attached now, replacing the pins of links the
 * agent has dropped (a reload). Called once everything is attached, before
 * the agent says it is ready, and after every reload.
 */
static int persist_sync(struct agent *a)
{
	struct bg_persist *p = &a->pins;
	size_t i;
	int err = 0;

	if (!p->dir[0])
		return 0;
	bg_persist_sync_begin(p);
	for (i = 0; bg_guards[i] && !err; i++)
		if (a->on[i] && bg_guards[i]->pin)
			err = bg_guards[i]->pin(a->state[i], p);
	if (!err)
		err = bg_persist_sync_end(p);
	if (err)
		pr_err("--persist: cannot pin the agent's links under %s: %s\n", p->dir,
		       strerror(-err));
	persist_names(a);
	return err;
}

/*
 * Programs that agents which are gone (killed, or stopped with --persist)
 * left pinned keep enforcing until ours are attached. Before that, read
 * what they wrote while no agent did, and report what they dropped.
 */
static int adopt_previous(struct agent *a)
{
	struct bg_persist_adoption ad;
	char msg[PATH_MAX + 256];
	uint64_t before = a->ctx.ev.received;
	int err;

	err = bg_persist_adopt(&a->pins, &a->ctx.ev, &ad);
	if (err) {
		pr_err("cannot adopt the pins under %s: %s\n", a->pins.root, strerror(-err));
		return err;
	}
	if (!ad.links && !ad.dirs)
		return 0;
	bg_events_drain(&a->ctx.ev);
	snprintf(
		msg, sizeof(msg),
		"%zu links left pinned under %s by %zu agent(s) no longer running "
		"(last pid %d) enforce until this agent's are attached; %llu events they "
		"wrote were read (above), %llu were dropped (ring buffer full) while no agent read",
		ad.links, a->pins.root, ad.dirs, (int)ad.pid,
		(unsigned long long)(a->ctx.ev.received - before), (unsigned long long)ad.dropped);
	pr_info("%s\n", msg);
	state_event(a, "agent-adopt", ad.dropped ? "failure" : "success", msg, false);
	return 0;
}

/* Returns whether the new config applied whole. */
static bool reload_apply(struct agent *a)
{
	struct bg_config next;
	char err[600];
	int rc;

	bg_output_reopen(&a->ctx.out);
	rc = bg_config_load(a->config_path, &next, err, sizeof(err));
	if (!rc) {
		rc = bg_config_resolve(&next, err, sizeof(err));
		if (rc)
			bg_config_free(&next);
	}
	if (rc) {
		pr_err("reload refused, old rules stay: %s\n", err);
		state_event(a, "config-reload", "failure", err, false);
		return false;
	}
	rc = apply_updates(a, &next);
	if (rc) {
		bg_config_free(&next);
		state_event(a, "config-reload", "failure", strerror(-rc), false);
		return false;
	}
	if (next.ring_size != a->cfg.ring_size || !!next.output != !!a->cfg.output ||
	    (next.output && strcmp(next.output, a->cfg.output)) ||
	    next.to_syslog != a->cfg.to_syslog ||
	    memcmp(&next.enrich, &a->cfg.enrich, sizeof(next.enrich)) ||
	    strcmp(next.metrics.listen, a->cfg.metrics.listen))
		pr_warn("events.ring_buffer_size, output, syslog, ancestry, hashes and containers, "
			"and metrics take effect at restart\n");
	next.to_syslog = a->cfg.to_syslog;
	next.enrich = a->cfg.enrich;
	free(next.syslog.address);
	next.syslog = a->cfg.syslog;
	a->cfg.syslog.address = NULL;
	next.ring_size = a->cfg.ring_size;
	free(next.output);
	next.output = a->cfg.output;
	a->cfg.output = NULL;
	bg_config_free(&a->cfg);
	a->cfg = next;
	rc = apply_restarts(a);
	/* Whatever applied is attached: pin it, and let go of what is not. */
	if (persist_sync(a) && !rc)
		rc = -EIO;
	trim_heap();
	state_event(a, "config-reload", rc ? "failure" : "success", rc ? strerror(-rc) : NULL,
		    false);
	return !rc;
}

static void reload(struct agent *a)
{
	bool ok = reload_apply(a);

	if (a->metrics)
		bg_metrics_reload(a->metrics, ok, &a->ctx.ev.fmt);
}

/* events.ancestry, hashes, containers: the state the formatter reads for
 * each record, seeded before the first record (adopted ones included). */
static int enrich_start(struct agent *a)
{
	const struct bg_enrich_config *c = &a->cfg.enrich;
	int err;

	if (!c->ancestry && !c->hashes && !c->containers)
		return 0;
	err = bg_enrich_start(&a->enrich, c, NULL, NULL);
	if (err) {
		pr_err("cannot start ancestry, hashes and containers: %s\n", strerror(-err));
		return err;
	}
	a->ctx.ev.fmt.enrich = bg_enrich_hook(a->enrich);
	return 0;
}

static const struct bg_opt agent_opts[] = {
	BG_OPT_STR(struct agent, config_path, "config", 'c', "FILE",
		   "agent configuration (YAML), validated whole before use"),
	BG_OPT_STR(struct agent, ctx.output, "output", 'o', "FILE",
		   "append events to FILE instead of stdout (reopened on SIGHUP)"),
	BG_OPT_FORMAT(struct agent, ctx),
	BG_OPT_SIZE(struct agent, ring_size, "ring-size", 'r', "SIZE", 4096, 1ULL << 30,
		    "event ring buffer size, e.g. 4MiB (4K to 1G)"),
	BG_OPT_FLAG(struct agent, check, "check", 256, "validate the configuration and exit"),
	BG_OPT_SECONDS(struct agent, duration, "duration", 257,
		       "stop after SECONDS (for scripts and tests)"),
	BG_OPT_FLAG(struct agent, persist, "persist", 258,
		    "pin everything attached as soon as it is: it keeps enforcing after the agent "
		    "exits or is killed; the next agent adopts it"),
	BG_OPT_STR(struct agent, pin_dir, "pin-dir", 259, "DIR",
		   "pin directory on a bpffs, for --persist and adoption (default "
		   "<bpffs>/bpfguard/agent)"),
	{0},
};

const struct bg_cmd_help agent_help = {
	.usage = "bpfguard agent --config FILE [--output FILE] [--json|--text] [--ring-size SIZE] "
		 "[--persist] [--pin-dir DIR]",
	.summary = "run the host guard: start the guards the config enables and print their events",
	.opts = agent_opts,
	.more = "Signals: SIGINT/SIGTERM stop cleanly (final drop count printed), SIGHUP reopens\n"
		"the output file and reloads the config (a bad config keeps the old rules).\n"
		"Without --persist nothing stays attached or pinned after exit (docs/agent.md).\n"
		"At start, what agents no longer running left pinned is adopted: their ring\n"
		"buffers are read, then their programs are replaced by this agent's.",
};

int cmd_agent(int argc, char **argv)
{
	struct agent a = {.pins.state_fd = -1, .pins.names_fd = -1};
	struct timespec t0, now;
	char err[600], **operands;
	struct bg_ev_stats st;
	size_t i, n_guards = 0;
	int rc, n, err_pins;

	rc = bg_cli_parse(argc, argv, &agent_help, &a, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	if (!a.config_path)
		return bg_cli_usage_error(&agent_help, "--config FILE is required");
	if (bg_config_load(a.config_path, &a.cfg, err, sizeof(err))) {
		fprintf(stderr, "bpfguard: %s\n", err);
		return 1;
	}
	/* What the rules name on this host, found now (also for --check: a
	 * config is checked against the host it is meant for). */
	if (bg_config_resolve(&a.cfg, err, sizeof(err))) {
		fprintf(stderr, "bpfguard: %s\n", err);
		bg_config_free(&a.cfg);
		return 1;
	}
	if (a.check) {
		printf("%s: ok\n", a.config_path);
		bg_config_free(&a.cfg);
		return 0;
	}
	/* Bound before anything is loaded: a taken port stops the start here. */
	if (a.cfg.metrics.on) {
		a.metrics = calloc(1, sizeof(*a.metrics));
		if (!a.metrics || bg_metrics_open(a.metrics, &a.cfg.metrics)) {
			free(a.metrics);
			bg_config_free(&a.cfg);
			return 1;
		}
	}
	if (a.ring_size)
		a.cfg.ring_size = a.ring_size;
	if (a.ctx.format == BG_FORMAT_AUTO)
		a.ctx.format = a.cfg.format;

	rc = 1;
	for (; bg_guards[n_guards]; n_guards++) {
		a.state[n_guards] = calloc(1, bg_guards[n_guards]->state_size);
		if (!a.state[n_guards])
			goto out_events;
	}
	bg_probe(&a.caps);
	/* --output FILE on the command line wins over the config's syslog. */
	if (a.cfg.to_syslog && !a.ctx.output)
		a.ctx.syslog = &a.cfg.syslog;
	if (bg_ctx_open(&a.ctx, a.cfg.output, a.cfg.ring_size))
		goto out_events;
	if (enrich_start(&a))
		goto out_events;
	a.ctx.ev.fmt.rule_name = agent_rule_name;
	a.ctx.ev.fmt.rule_ctx = &a;
	err_pins = bg_persist_init(&a.pins, a.pin_dir, a.persist);
	/* Without --persist a missing directory only means nothing to adopt. */
	if (err_pins && (a.persist || (a.pin_dir && err_pins != -ENOENT))) {
		pr_err("%s: cannot pin there: %s\n", a.pin_dir ? a.pin_dir : "bpffs",
		       err_pins == -ENOTSUP ? "not a bpffs" : strerror(-err_pins));
		goto out_pins;
	}
	a.pins_on = !err_pins;
	a.ctx.ev.adopted_rule_name = bg_persist_old_rule_name;
	a.ctx.ev.adopted_rule_ctx = &a.pins;
	if (a.pins_on && adopt_previous(&a))
		goto out_pins;
	if (a.metrics && bg_metrics_start(a.metrics, &a.ctx.ev, &a))
		goto out_pins;
	if (a.persist && bg_persist_begin(&a.pins, &a.ctx.ev)) {
		pr_err("--persist: cannot pin the event pipeline under %s\n", a.pins.root);
		goto out_pins;
	}
	for (i = 0; bg_guards[i]; i++)
		if (bg_guards[i]->enabled(a.cfg.guard[i]) && guard_start(&a, i, &a.cfg))
			goto out_guards;
	/* Pinned before the agent says it is ready: from here a kill -9
	 * leaves every rule enforced. */
	if (persist_sync(&a))
		goto out_guards;
	/* Handlers before the start line: a SIGTERM right after it must
	 * detach cleanly (and honour --persist), not kill the agent. */
	bg_sig_catch(SIGINT);
	bg_sig_catch(SIGTERM);
	bg_sig_catch(SIGHUP);
	/* Ours are attached: unpinning the adopted ones leaves no window. */
	if (a.pins_on && (n = bg_persist_release_adopted(&a.pins)) > 0)
		pr_info("replaced %d links agents no longer running left attached\n", n);
	trim_heap();
	state_event(&a, "agent-start", "success", NULL, true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!bg_sig_stop()) {
		if (a.metrics)
			bg_metrics_beat(a.metrics, true);
		if (bg_events_poll(&a.ctx.ev, 250) < 0)
			break;
		bg_events_report(&a.ctx.ev, false);
		bg_persist_note_drops(&a.pins, a.ctx.ev.reported_drops);
		if (bg_sig_take(SIGHUP)) {
			reload(&a);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (a.duration > 0 &&
		    (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 >= a.duration)
			break;
	}
	rc = 0;
out_guards:
	if (a.persist && rc == 0 && a.pins.dir[0])
		fprintf(stderr,
			"bpfguard: programs left attached, pinned under %s "
			"(rm -r %s detaches them)\n",
			a.pins.dir, a.pins.dir);
	else
		bg_persist_remove_own(&a.pins); /* a failed start leaves nothing */
out_pins:
	for (i = n_guards; i-- > 0;)
		guard_stop(&a, i);
	bg_events_drain(&a.ctx.ev);
	bg_events_report(&a.ctx.ev, true);
	bg_persist_note_drops(&a.pins, a.ctx.ev.reported_drops); /* kept pinned with --persist */
	if (!bg_events_read_stats(&a.ctx.ev, &st))
		fprintf(stderr, "bpfguard: %llu events received, %llu drops\n",
			(unsigned long long)st.received, (unsigned long long)st.dropped);
out_events:
	if (a.metrics) {
		/* Before the maps and rings it reads are closed. */
		bg_metrics_stop(a.metrics);
		a.ctx.ev.metrics = NULL;
		free(a.metrics);
	}
	bg_ctx_close(&a.ctx);
	bg_enrich_stop(a.enrich); /* after the last record is formatted */
	for (i = 0; i < n_guards; i++)
		free(a.state[i]);
	bg_persist_free(&a.pins); /* after the consumer: it reads adopted rings */
	bg_config_free(&a.cfg);
	return rc;
}
