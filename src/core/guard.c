// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "events/ring.h"
#include "core/guard.h"
#include "core/log.h"

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
