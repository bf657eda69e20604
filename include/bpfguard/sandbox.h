/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Network allowlist of `bpfguard run`, shared by bpf/sandbox.bpf.c and src/sandbox/run.c. */
#ifndef BPFGUARD_SANDBOX_H
#define BPFGUARD_SANDBOX_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BG_NET_RULES_MAX 256

struct bg_net_rule {
	__u8 op;      /* enum bg_net_op */
	__u8 prefix;  /* bits of addr that must match; 0: any address */
	__u16 family; /* 0: any family */
	__u16 port;   /* host order; 0: any port */
	__u16 pad;
	__u8 addr[16];
};

#endif
