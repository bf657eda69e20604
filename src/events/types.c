// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every event type this build knows, indexed by enum bg_event_type: the
 * descriptors of each guard in the guard table (src/guards/table.c), and those
 * of the commands listed here.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bpfguard/events.h>

#include "events/format.h"
#include "events/json.h"
#include "core/guard.h"

/* The commands' own types (run, monitor, profile's PHP); the guards' come
 * from their table. */
extern const struct bg_event_desc bg_syscall_desc, bg_net_desc;
extern const struct bg_event_desc bg_run_file_desc, bg_run_exec_desc;
extern const struct bg_event_desc bg_policy_exec_desc, bg_policy_file_desc;
extern const struct bg_event_desc bg_php_call_desc, bg_php_syscall_desc;

/* Records of the trigger program in tests and benchmarks. */
static void test_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	(void)f;
	bg_json_ku64(j, "seq", ((const struct bg_test_event *)rec)->seq);
}

static void test_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	(void)f;
	bg_buf_printf(out, " seq=%llu",
		      (unsigned long long)((const struct bg_test_event *)rec)->seq);
}

static const struct bg_event_desc test_desc = {
	.type = BG_EV_TEST,
	.name = "test",
	.size = sizeof(struct bg_test_event),
	.category = "process",
	.ecs_type = "info",
	.action = "test",
	.has_proc = true,
	.json_bg = test_json_bg,
	.text = test_text,
	.color = "\033[35m",
};

static const struct bg_event_desc *const commands[] = {
	&test_desc,	      &bg_syscall_desc,	    &bg_net_desc,
	&bg_run_file_desc,    &bg_run_exec_desc,    &bg_policy_exec_desc,
	&bg_policy_file_desc, &bg_php_call_desc,    &bg_php_syscall_desc,
	NULL,
};

_Static_assert(BG_EV_TYPE_MAX <= BG_EV_GUARD_FIRST && BG_EV_GUARD_LAST < BG_EV_TYPES,
	       "the listed types, the guards' range and the table agree");

const struct bg_event_desc *bg_event_descs[BG_EV_TYPES];
const unsigned int bg_event_descs_len = BG_EV_TYPES;

static void add(const struct bg_event_desc *d)
{
	/* Two descriptors for one type is a bug of the build: say it at once. */
	if (d->type >= BG_EV_TYPES || bg_event_descs[d->type]) {
		fprintf(stderr, "bpfguard: event type %u (%s) defined twice or out of range\n",
			d->type, d->name);
		abort();
	}
	bg_event_descs[d->type] = d;
}

__attribute__((constructor)) static void register_types(void)
{
	const struct bg_event_desc *const *d;
	size_t i;

	for (d = commands; *d; d++)
		add(*d);
	for (i = 0; bg_guards[i]; i++)
		for (d = bg_guards[i]->events; d && *d; d++)
			add(*d);
}
