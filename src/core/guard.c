// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "events/ring.h"
#include "core/guard.h"
#include "core/log.h"

int bg_gen_swap(uint32_t *gen, const struct bg_gen_ops *ops, void *arg)
{
	uint32_t cur = __atomic_load_n(gen, __ATOMIC_ACQUIRE) & 1, next = cur ^ 1;
	struct timespec grace = {0, 10 * 1000 * 1000};
	int err;

	ops->clear(arg, next); /* leftovers of a failed swap */
	err = ops->fill(arg, next);
	if (err) {
		pr_err("%s: cannot write the new rules (%s); the old rules stay\n", ops->who,
		       strerror(-err));
		ops->clear(arg, next);
		return err;
	}
	__atomic_store_n(gen, next, __ATOMIC_RELEASE);
	/* A check that read the old generation just before the store may
	 * still be looking it up: give it time (checks take microseconds,
	 * and the programs cannot sleep) before deleting what it reads. */
	nanosleep(&grace, NULL);
	ops->clear(arg, cur);
	return 0;
}

int bg_bpf_lifecycle(struct bpf_object_skeleton *s, const struct bg_bpf_steps *st)
{
	int err;

	if (!s) { /* NAME__open() returned NULL, errno set */
		err = errno ? -errno : -ENOMEM;
		pr_err("%s: open failed: %s\n", st->who, strerror(-err));
		return err;
	}
	if (st->configure) {
		err = st->configure(st->arg);
		if (err)
			return err;
	}
	if (st->ev) {
		err = bg_events_share(st->ev, *s->obj);
		if (err)
			return err;
	}
	err = bpf_object__load_skeleton(s);
	if (err) {
		pr_err("%s: load failed: %s\n", st->who, strerror(-err));
		return err;
	}
	if (st->fill) {
		err = st->fill(st->arg);
		if (err)
			return err;
	}
	err = bpf_object__attach_skeleton(s);
	if (err)
		pr_err("%s: attach failed: %s\n", st->who, strerror(-err));
	return err;
}

int bg_gen_rules_alloc(struct bg_gen_rules *r, size_t cap)
{
	r->names = calloc(cap ? cap : 1, sizeof(*r->names));
	r->cap = r->names ? cap : 0;
	r->n = 0;
	return r->names ? 0 : -ENOMEM;
}

int bg_gen_rules_name(struct bg_gen_rules *r, size_t i, const char *name)
{
	if (i >= r->cap)
		return -EINVAL;
	free(r->names[i]);
	r->names[i] = strdup(name);
	return r->names[i] ? 0 : -ENOMEM;
}

void bg_gen_rules_free(struct bg_gen_rules *r)
{
	size_t i;

	for (i = 0; i < r->cap; i++)
		free(r->names[i]);
	free(r->names);
	memset(r, 0, sizeof(*r));
}

const char *bg_gen_rule_name(const struct bg_gen_rules r[2], uint32_t type, uint32_t id)
{
	const struct bg_gen_rules *g = &r[(id >> 16) & 1];
	uint32_t idx = (id & 0xffff) - 1;

	if (id >> 24 != type || idx >= g->n || idx >= g->cap)
		return NULL;
	return g->names[idx];
}

void bg_gen_rule_names(const struct bg_gen_rules r[2], uint32_t type, bg_guard_name_fn fn,
		       void *ctx)
{
	uint32_t gen;
	size_t i;

	for (gen = 0; gen < 2; gen++)
		for (i = 0; i < r[gen].n && i < r[gen].cap; i++)
			if (r[gen].names[i])
				fn(ctx, BG_GEN_RULE_ID(type, gen, i), r[gen].names[i]);
}
