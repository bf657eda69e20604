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

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "events/json.h"
#include "events/ring.h"
#include "bpfload.h"
#include "exec.h"
#include "files.h"
#include "limits_guard.h"
#include "log.h"
#include "net.h"
#include "persist.h"
#include "probe.h"

/* Set by signal handlers, read by the loop: the one place for globals. */
static volatile sig_atomic_t got_stop, got_hup;

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

static void on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

struct agent {
	const char *config_path;
	struct bg_config cfg;
	struct bg_caps caps;
	struct bg_events ev;
	struct bg_output out;
	struct bg_exec_guard exec;
	bool exec_on;
	struct bg_net_guard net;
	bool net_on;
	struct bg_files_guard files;
	bool files_on;
	struct bg_limits_guard limits;
	bool limits_on;
	bool persist; /* --persist: keep everything pinned (src/persist.c) */
	const char *pin_dir;
	bool pins_on; /* pins.root found or made: adopt from it */
	struct bg_persist pins;
	struct bg_bpfload_guard bpf_load;
	bool bpf_load_on;
	bool json;
	/* command-line overrides */
	const char *output;
	int format;
	unsigned long long ring_size;
	double duration;
};

/* A state line: agent start, reload results. */
static void state_event(struct agent *a, const char *action, const char *outcome,
			const char *message, bool with_probe)
{
	struct bg_buf *b = &a->out.buf;

	if (a->json) {
		struct bg_json j;

		bg_json_init(&j, b);
		bg_json_obj(&j);
		bg_json_key(&j, "@timestamp");
		bg_json_qbegin(&j);
		bg_fmt_now(&a->ev.fmt, b);
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
		bg_json_ku64(&j, "ring_buffer_size", a->ev.ring_size);
		if (with_probe) {
			bg_json_key(&j, "probe");
			bg_probe_json(&a->caps, &j);
		}
		bg_json_obj_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(b, '\n');
	} else {
		bg_fmt_now(&a->ev.fmt, b);
		bg_buf_printf(b, " agent %s %s%s%s\n", action, outcome, message ? ": " : "",
			      message ? message : "");
		if (with_probe)
			bg_probe_text(&a->caps, b, a->out.tty);
	}
	bg_output_flush(&a->out);
}

/* Names of rules in events: each guard owns the ids it hands out. */
static const char *agent_rule_name(void *ctx, uint32_t id)
{
	struct agent *a = ctx;

	if (a->files_on && BG_FILES_IS_RULE_ID(id))
		return bg_files_rule_name(&a->files, id);
	if (a->limits_on && BG_LIM_IS_RULE_ID(id))
		return bg_limits_rule_name(&a->limits, id);
	return NULL;
}

/* guards.files: start, swap the rules in place, or stop. Called before
 * the new config replaces the old one, so a failure keeps the old rules. */
static int apply_files(struct agent *a, const struct bg_config *c)
{
	int err;

	if (c->files.n_rules && !a->files_on) {
		err = bg_files_guard_start(&a->files, &c->files, c->mode, &a->ev, &a->caps);
		if (err)
			return err;
		a->files_on = true;
		return 0;
	}
	if (c->files.n_rules)
		return bg_files_guard_update(&a->files, &c->files, c->mode);
	if (a->files_on) {
		bg_files_guard_stop(&a->files);
		a->files_on = false;
	}
	return 0;
}

/* guards.limits: start, rewrite the rules in place, or stop; same contract
 * as apply_files. */
static int apply_limits(struct agent *a, const struct bg_config *c)
{
	int err;

	if (c->limits.n_rules && !a->limits_on) {
		err = bg_limits_guard_start(&a->limits, &c->limits, c->mode, &a->ev, &a->caps);
		if (err)
			return err;
		a->limits_on = true;
		return 0;
	}
	if (c->limits.n_rules)
		return bg_limits_guard_update(&a->limits, &c->limits, c->mode);
	if (a->limits_on) {
		bg_limits_guard_stop(&a->limits);
		a->limits_on = false;
	}
	return 0;
}

/* --persist: the names of the rule ids in use, for the agent that adopts
 * our pins (events our programs write while no agent runs carry only ids). */
static void persist_names(struct agent *a)
{
	struct bg_persist *p = &a->pins;
	size_t i;
	__u32 gen;

	bg_persist_names_clear(p);
	for (gen = 0; a->files_on && gen < 2; gen++)
		for (i = 0; a->files.gen[gen].names && i < a->files.gen[gen].n_rules; i++)
			bg_persist_name(p, BG_FILES_RULE_ID(gen, (__u32)i),
					a->files.gen[gen].names[i]);
	for (i = 0; a->limits_on && i < a->limits.n_names; i++)
		bg_persist_name(p, BG_LIM_RULE_ID((__u32)i), a->limits.names[i]);
}

/*
 * --persist: pin the links attached now, replacing the pins of links the
 * agent has dropped (a reload). Called once everything is attached, before
 * the agent says it is ready, and after every reload.
 */
static int persist_sync(struct agent *a)
{
	struct bg_persist *p = &a->pins;
	int err = 0;

	if (!p->dir[0])
		return 0;
	bg_persist_sync_begin(p);
	if (a->exec_on)
		err = bg_exec_guard_pin(&a->exec, p);
	if (!err && a->files_on)
		err = bg_files_guard_pin(&a->files, p);
	if (!err && a->limits_on)
		err = bg_limits_guard_pin(&a->limits, p);
	if (!err && a->bpf_load_on)
		err = bg_bpfload_guard_pin(&a->bpf_load, p);
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
	uint64_t before = a->ev.received;
	int err;

	err = bg_persist_adopt(&a->pins, &a->ev, &ad);
	if (err) {
		pr_err("cannot adopt the pins under %s: %s\n", a->pins.root, strerror(-err));
		return err;
	}
	if (!ad.links && !ad.dirs)
		return 0;
	bg_events_drain(&a->ev);
	snprintf(
		msg, sizeof(msg),
		"%zu links left pinned under %s by %zu agent(s) no longer running "
		"(last pid %d) enforce until this agent's are attached; %llu events they "
		"wrote were read (above), %llu were dropped (ring buffer full) while no agent read",
		ad.links, a->pins.root, ad.dirs, (int)ad.pid,
		(unsigned long long)(a->ev.received - before), (unsigned long long)ad.dropped);
	pr_info("%s\n", msg);
	state_event(a, "agent-adopt", ad.dropped ? "failure" : "success", msg, false);
	return 0;
}

static int apply(struct agent *a)
{
	int err;

	if (a->cfg.exec_events && !a->exec_on) {
		err = bg_exec_guard_start(&a->exec, &a->ev, &a->caps);
		if (err)
			return err;
		a->exec_on = true;
	} else if (!a->cfg.exec_events && a->exec_on) {
		bg_exec_guard_stop(&a->exec);
		a->exec_on = false;
	}
	/* bpf_load: restarted so that changed patterns apply. */
	if (a->bpf_load_on)
		bg_bpfload_guard_stop(&a->bpf_load);
	a->bpf_load_on = false;
	if (a->cfg.bpf_load.enabled) {
		err = bg_bpfload_guard_start(&a->bpf_load, &a->cfg.bpf_load, &a->ev, &a->caps);
		if (err)
			return err;
		a->bpf_load_on = true;
	}
	return 0;
}

static void reload(struct agent *a)
{
	struct bg_config next;
	char err[600];
	int rc;

	bg_output_reopen(&a->out);
	rc = bg_config_load(a->config_path, &next, err, sizeof(err));
	if (rc) {
		pr_err("reload refused, old rules stay: %s\n", err);
		state_event(a, "config-reload", "failure", err, false);
		return;
	}
	rc = apply_files(a, &next);
	if (!rc)
		rc = apply_limits(a, &next);
	if (rc) {
		bg_config_free(&next);
		state_event(a, "config-reload", "failure", strerror(-rc), false);
		return;
	}
	if (next.ring_size != a->cfg.ring_size || !!next.output != !!a->cfg.output ||
	    (next.output && strcmp(next.output, a->cfg.output)))
		pr_warn("events.ring_buffer_size and events.output take effect at restart\n");
	next.ring_size = a->cfg.ring_size;
	free(next.output);
	next.output = a->cfg.output;
	a->cfg.output = NULL;
	bg_config_free(&a->cfg);
	a->cfg = next;
	rc = apply(a);
	/* Whatever applied is attached: pin it, and let go of what is not. */
	if (persist_sync(a) && !rc)
		rc = -EIO;
	trim_heap();
	state_event(a, "config-reload", rc ? "failure" : "success", rc ? strerror(-rc) : NULL,
		    false);
}

static const struct bg_opt agent_opts[] = {
	{"config", 'c', "FILE", "agent configuration (YAML), validated whole before use"},
	{"output", 'o', "FILE", "append events to FILE instead of stdout (reopened on SIGHUP)"},
	{"json", 'j', NULL, "JSON lines (the default when stdout is not a terminal)"},
	{"text", 't', NULL, "readable text (the default on a terminal)"},
	{"ring-size", 'r', "SIZE", "event ring buffer size, e.g. 4MiB"},
	{"check", 256, NULL, "validate the configuration and exit"},
	{"duration", 257, "SECONDS", "stop after SECONDS (for scripts and tests)"},
	{"persist", 258, NULL,
	 "pin everything attached as soon as it is: it keeps enforcing after the agent "
	 "exits or is killed; the next agent adopts it"},
	{"pin-dir", 259, "DIR",
	 "pin directory on a bpffs, for --persist and adoption (default "
	 "<bpffs>/bpfguard/agent)"},
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
	struct agent a = {.format = -1, .pins.state_fd = -1, .pins.names_fd = -1};
	bool check = false;
	struct sigaction sa = {0};
	struct timespec t0, now;
	char err[600];
	struct bg_ev_stats st;
	int opt, rc, n, err_pins;

	while ((opt = bg_getopt(argc, argv, &agent_help)) != -1) {
		switch (opt) {
		case 'c':
			a.config_path = optarg;
			break;
		case 'o':
			a.output = optarg;
			break;
		case 'j':
			a.format = BG_FORMAT_JSON;
			break;
		case 't':
			a.format = BG_FORMAT_TEXT;
			break;
		case 'r':
			if (bg_parse_size(optarg, &a.ring_size) || a.ring_size < 4096 ||
			    a.ring_size > (1ULL << 30))
				return bg_cli_usage_error(
					&agent_help, "bad --ring-size '%s' (4K to 1G)", optarg);
			break;
		case 256:
			check = true;
			break;
		case 258:
			a.persist = true;
			break;
		case 259:
			a.pin_dir = optarg;
			break;
		case 257: {
			char *end;

			a.duration = strtod(optarg, &end);
			if (*end || a.duration <= 0)
				return bg_cli_usage_error(&agent_help, "bad --duration '%s'",
							  optarg);
			break;
		}
		default:
			return bg_cli_default(opt, &agent_help);
		}
	}
	if (optind != argc)
		return bg_cli_usage_error(&agent_help, "unexpected argument '%s'", argv[optind]);
	if (!a.config_path)
		return bg_cli_usage_error(&agent_help, "--config FILE is required");
	if (bg_config_load(a.config_path, &a.cfg, err, sizeof(err))) {
		fprintf(stderr, "bpfguard: %s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", a.config_path);
		bg_config_free(&a.cfg);
		return 0;
	}
	if (a.ring_size)
		a.cfg.ring_size = a.ring_size;
	if (a.format >= 0)
		a.cfg.format = a.format;

	rc = 1;
	if (bg_output_open(&a.out, a.output ? a.output : a.cfg.output))
		goto out_cfg;
	a.json = a.cfg.format == BG_FORMAT_JSON || (a.cfg.format == BG_FORMAT_AUTO && !a.out.tty);
	bg_probe(&a.caps);
	if (bg_events_create(&a.ev, a.cfg.ring_size))
		goto out_output;
	if (bg_events_start(&a.ev, &a.out, a.json, a.out.tty))
		goto out_events;
	a.ev.fmt.rule_name = agent_rule_name;
	a.ev.fmt.rule_ctx = &a;
	err_pins = bg_persist_init(&a.pins, a.pin_dir, a.persist);
	/* Without --persist a missing directory only means nothing to adopt. */
	if (err_pins && (a.persist || (a.pin_dir && err_pins != -ENOENT))) {
		pr_err("%s: cannot pin there: %s\n", a.pin_dir ? a.pin_dir : "bpffs",
		       err_pins == -ENOTSUP ? "not a bpffs" : strerror(-err_pins));
		goto out_pins;
	}
	a.pins_on = !err_pins;
	a.ev.adopted_rule_name = bg_persist_old_rule_name;
	a.ev.adopted_rule_ctx = &a.pins;
	if (a.pins_on && adopt_previous(&a))
		goto out_pins;
	if (a.persist && bg_persist_begin(&a.pins, &a.ev)) {
		pr_err("--persist: cannot pin the event pipeline under %s\n", a.pins.root);
		goto out_pins;
	}
	if (apply(&a) || apply_files(&a, &a.cfg) || apply_limits(&a, &a.cfg))
		goto out_guards;
	/* network: applied at start only; rules change live with bpfguard net. */
	if (a.cfg.net.enabled) {
		if (bg_net_guard_start(&a.net, &a.cfg.net, &a.ev, &a.caps))
			goto out_guards;
		a.net_on = true;
	}
	/* Pinned before the agent says it is ready: from here a kill -9
	 * leaves every rule enforced. */
	if (persist_sync(&a))
		goto out_guards;
	/* Handlers before the start line: a SIGTERM right after it must
	 * detach cleanly (and honour --persist), not kill the agent. */
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	/* Ours are attached: unpinning the adopted ones leaves no window. */
	if (a.pins_on && (n = bg_persist_release_adopted(&a.pins)) > 0)
		pr_info("replaced %d links agents no longer running left attached\n", n);
	trim_heap();
	state_event(&a, "agent-start", "success", NULL, true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!got_stop) {
		if (bg_events_poll(&a.ev, 250) < 0)
			break;
		bg_events_report(&a.ev, false);
		bg_persist_note_drops(&a.pins, a.ev.reported_drops);
		if (got_hup) {
			got_hup = 0;
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
	if (a.limits_on)
		bg_limits_guard_stop(&a.limits);
	if (a.files_on)
		bg_files_guard_stop(&a.files);
	if (a.net_on)
		bg_net_guard_stop(&a.net);
	if (a.exec_on)
		bg_exec_guard_stop(&a.exec);
	if (a.bpf_load_on)
		bg_bpfload_guard_stop(&a.bpf_load);
	bg_events_drain(&a.ev);
	bg_events_report(&a.ev, true);
	bg_persist_note_drops(&a.pins, a.ev.reported_drops); /* kept pinned with --persist */
	if (!bg_events_read_stats(&a.ev, &st))
		fprintf(stderr, "bpfguard: %llu events received, %llu drops\n",
			(unsigned long long)st.received, (unsigned long long)st.dropped);
out_events:
	bg_events_close(&a.ev);
	bg_persist_free(&a.pins); /* after the consumer: it reads adopted rings */
out_output:
	bg_output_close(&a.out);
out_cfg:
	bg_config_free(&a.cfg);
	return rc;
}
