// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "events/ring.h"
#include "exec.h"
#include "log.h"
#include "probe.h"
#include "exec.skel.h"

int bg_exec_guard_start(struct bg_exec_guard *g, struct bg_events *ev, const struct bg_caps *caps)
{
	int err;

	g->skel = NULL;
	if (caps && !bg_has(caps, BG_FEAT_TP_BTF)) {
		pr_err("exec events need tp_btf programs, which this kernel refuses (%s)\n",
		       caps->f[BG_FEAT_TP_BTF].detail);
		return -EOPNOTSUPP;
	}
	g->skel = bg_exec_bpf__open();
	if (!g->skel) {
		err = -errno;
		pr_err("exec guard: open failed: %s\n", strerror(errno));
		return err;
	}
	err = bg_events_share(ev, g->skel->obj);
	if (err)
		goto cleanup;
	err = bg_exec_bpf__load(g->skel);
	if (err) {
		pr_err("exec guard: load failed: %s\n", strerror(-err));
		goto cleanup;
	}
	err = bg_exec_bpf__attach(g->skel);
	if (err) {
		pr_err("exec guard: attach failed: %s\n", strerror(-err));
		goto cleanup;
	}
	return 0;
cleanup:
	bg_exec_guard_stop(g);
	return err;
}

void bg_exec_guard_stop(struct bg_exec_guard *g)
{
	bg_exec_bpf__destroy(g->skel);
	g->skel = NULL;
}
