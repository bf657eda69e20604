// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Policy network peers to kernel rules (src/policy/netrule.h). */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "policy/netrule.h"
#include "policy/policy.h"

void bg_net_rule_from(struct bg_net_rule *r, const struct bg_policy_net *pn, uint8_t op)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->prefix = pn->prefix;
	r->family = pn->family;
	r->port = pn->port;
	memcpy(r->addr, pn->addr, sizeof(r->addr));
}

int bg_net_rules_write(int fd, const struct bg_policy_net *pn, size_t n)
{
	struct bg_net_rule r;
	uint32_t k;

	for (k = 0; k < n; k++) {
		bg_net_rule_from(&r, &pn[k], pn[k].op);
		if (bpf_map_update_elem(fd, &k, &r, BPF_ANY))
			return -errno;
	}
	return 0;
}
