// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Empty cgroup sock_addr programs: the floor of any program on the egress
 * hooks; and an empty tp_btf/sys_exit: the floor of any program that sees
 * every syscall's return (bench/taint). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("cgroup/connect4")
int empty_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/connect6")
int empty_connect6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/sendmsg4")
int empty_sendmsg4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/sendmsg6")
int empty_sendmsg6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("tp_btf/sys_exit")
int empty_sys_exit(void *ctx)
{
	return 0;
}
