// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Loaded by bpftool in tests/integration/probe_agree.sh, not by bpfguard. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("fexit/do_rmdir")
int BPF_PROG(indep_fexit)
{
	return 0;
}
