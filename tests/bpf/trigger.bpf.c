// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Event source for tests and benchmarks: run with BPF_PROG_TEST_RUN, it
 * emits args[0] test events through the shared pipeline exactly as a guard
 * would (same reserve, process context and submit path).
 */
#include "lib/common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static long emit_one(__u32 i, void *ctx)
{
	struct bg_test_event *e = bg_reserve(sizeof(*e));

	if (!e)
		return 0;
	bg_hdr(&e->hdr, BG_EV_TEST, sizeof(*e));
	bg_fill_proc(&e->proc, &e->hdr.flags, false);
	e->seq = i;
	bg_submit(e);
	return 0;
}

SEC("raw_tp")
int trigger(struct bpf_raw_tracepoint_args *ctx)
{
	bpf_loop(ctx->args[0], emit_one, NULL, 0);
	return 0;
}
