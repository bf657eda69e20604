// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/context.h"

int bg_ctx_open(struct bg_ctx *c, const char *def, size_t ring_size)
{
	if (c->syslog) {
		if (bg_output_open_syslog(&c->out, c->syslog))
			return -1;
		c->format = BG_FORMAT_JSON; /* a message holds one JSON event */
	} else if (bg_output_open(&c->out, c->output ? c->output : def)) {
		return -1;
	}
	c->opened = true;
	if (!c->output && c->to_stderr) {
		c->out.fd = STDERR_FILENO;
		c->out.tty = isatty(STDERR_FILENO);
	}
	c->json = c->format == BG_FORMAT_JSON || (c->format == BG_FORMAT_AUTO && !c->out.tty);
	if (bg_events_create(&c->ev, ring_size))
		return -1;
	c->started = true;
	if (bg_events_start(&c->ev, &c->out, c->json, c->out.tty))
		return -1;
	return 0;
}

void bg_ctx_close(struct bg_ctx *c)
{
	if (c->started)
		bg_events_close(&c->ev);
	if (c->opened) {
		if (!c->output && c->to_stderr)
			c->out.fd = STDOUT_FILENO; /* stderr is not ours to close */
		bg_output_close(&c->out);
	}
	c->started = c->opened = false;
}

/* Bit n: signal n caught; last, last_stop: the latest ones. */
static volatile sig_atomic_t caught[65], last, last_stop;

static void on_signal(int sig)
{
	if (sig > 0 && sig < 65)
		caught[sig] = 1;
	last = sig;
	if (sig == SIGINT || sig == SIGTERM)
		last_stop = sig;
}

void bg_sig_catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(sig, &sa, NULL);
}

int bg_sig_stop(void)
{
	return last_stop;
}

bool bg_sig_take(int sig)
{
	if (sig <= 0 || sig >= 65 || !caught[sig])
		return false;
	caught[sig] = 0;
	return true;
}

int bg_sig_take_any(void)
{
	int s = last;

	last = 0;
	return s;
}
