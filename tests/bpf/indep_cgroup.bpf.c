// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Loaded by bpftool in tests/integration/probe_agree.sh, not by bpfguard. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("cgroup/connect6")
int indep_connect6(struct bpf_sock_addr *ctx)
{
	return 1;
}
