/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_PROBE_H
#define BG_PROBE_H

#include <linux/bpf.h>
#include <stdbool.h>

struct bg_json;
struct bg_buf;

/*
 * What this kernel can do, found by trying: each feature is a real load,
 * attach or call, never a version check. Every guard reads this one struct
 * to pick its mechanism on the enforcement ladder.
 */
/* BPF attach types newer than the headers we build with (Debian 12: the
 * 6.1 uapi, libbpf 1.1): the kernel's numbers, tried where used. */
#define BG_ATTACH_UPROBE_MULTI	      ((enum bpf_attach_type)48) /* 6.6+ */
#define BG_ATTACH_CGROUP_UNIX_CONNECT ((enum bpf_attach_type)49) /* 6.7+ */
#define BG_ATTACH_CGROUP_UNIX_SENDMSG ((enum bpf_attach_type)50) /* 6.7+ */

enum bg_feature {
	BG_FEAT_BTF,
	BG_FEAT_LSM,
	BG_FEAT_FENTRY,
	BG_FEAT_KPROBE,
	BG_FEAT_TP_BTF,
	BG_FEAT_RAW_TP,
	BG_FEAT_TRACEPOINT,
	BG_FEAT_UPROBE,
	BG_FEAT_USDT,
	BG_FEAT_CGROUP2,
	BG_FEAT_CGROUP_SOCK_ADDR,
	BG_FEAT_CGROUP_UNIX, /* sock_addr programs on unix sockets (6.7+) */
	BG_FEAT_XDP_GENERIC,
	BG_FEAT_XDP_NATIVE,
	BG_FEAT_TC,
	BG_FEAT_RINGBUF,
	BG_FEAT_SEND_SIGNAL,
	BG_FEAT_KILL_TASK, /* task iterator + bpf_send_signal_task kfuncs (6.13+) */
	BG_FEAT_PROBE_WRITE_USER,
	BG_FEAT_SECCOMP,
	BG_FEAT_SECCOMP_KILL_PROCESS,
	BG_FEAT_SECCOMP_USER_NOTIF,
	BG_FEAT_LANDLOCK,
	BG_FEAT_MAX,
};

struct bg_feature_result {
	bool available;
	bool probed;	  /* false: bg_probe_only() was not asked for it */
	int err;	  /* negative errno of the step that failed, 0 if available */
	char detail[192]; /* what was tried and what the kernel said */
};

struct bg_caps {
	struct bg_feature_result f[BG_FEAT_MAX];
	int landlock_abi;   /* 0: none */
	char lockdown[32];  /* none, integrity, confidentiality, unknown */
	char lsm_list[256]; /* active LSMs, from securityfs */
	char cgroup2[256];  /* cgroup v2 mount point, "" if none */
	char bpffs[256];    /* bpffs mount point, "" if none */
	char kernel[128];   /* uname release: shown, never used to decide */
};

#define BG_FEAT_BIT(f) (1UL << (f))
#define BG_FEAT_ALL    (BG_FEAT_BIT(BG_FEAT_MAX) - 1)
_Static_assert(BG_FEAT_MAX <= 8 * sizeof(unsigned long), "feature mask too narrow");

int bg_probe(struct bg_caps *caps);
/* Only the features in `mask` (BG_FEAT_BIT()s): for a command that must
 * start fast. The others read as unavailable, "not probed". */
int bg_probe_only(struct bg_caps *caps, unsigned long mask);
const char *bg_feature_name(enum bg_feature f);
/* Does the kernel's BTF hold this function: a kfunc (bpf_rdonly_cast,
 * 6.2+) or an LSM hook (bpf_lsm_file_truncate)? A program that needs it
 * loads only then. */
bool bg_kernel_has_func(const char *name);
/* Is this feature named in BPFGUARD_PROBE_MASK (tests: take the fallback)? */
bool bg_probe_masked(const char *name);
static inline bool bg_has(const struct bg_caps *c, enum bg_feature f)
{
	return c->f[f].available;
}
void bg_probe_json(const struct bg_caps *caps, struct bg_json *j);
void bg_probe_text(const struct bg_caps *caps, struct bg_buf *out, bool color);

#endif
