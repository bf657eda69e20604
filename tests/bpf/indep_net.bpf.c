// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Loaded by bpftool in tests/integration/probe_agree.sh, not by bpfguard. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int indep_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}
