// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Programs of bench/xdp: the ceiling (drop everything, counting), a pass
 * program that gives a veth NAPI for redirected frames without filtering
 * (the nftables variant), and the traffic generator run with
 * BPF_PROG_TEST_RUN in live-frames mode, which redirects each frame out of
 * the sending veth.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_ifindex = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

SEC("xdp")
int xdp_drop_all(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&dropped, &zero);

	if (v)
		*v += 1;
	return XDP_DROP;
}

SEC("xdp")
int xdp_pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	return bpf_redirect(target_ifindex, 0);
}
