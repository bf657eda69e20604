/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Address prefix match shared by the network checks of run (netrules.bpf.h),
 * monitor and the limits guard: do the first `bits` bits of a and b (16-byte
 * addresses, IPv4 in the first 4) agree?
 */
#ifndef BG_PREFIX_BPF_H
#define BG_PREFIX_BPF_H

static __always_inline bool bg_prefix_match(const __u8 *a, const __u8 *b, __u32 bits)
{
	__u32 i;

	for (i = 0; i < 16; i++) {
		__u8 mask;

		if (bits >= 8) {
			mask = 0xff;
			bits -= 8;
		} else {
			mask = (__u8)(0xff << (8 - bits));
			bits = 0;
		}
		if ((a[i] ^ b[i]) & mask)
			return false;
		if (!bits)
			return true;
	}
	return true;
}

#endif /* BG_PREFIX_BPF_H */
