// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * User half of bpf/refusals.bpf.c: which syscall seccomp killed `run`'s
 * command for. The filter's SECCOMP_RET_KILL_PROCESS leaves only SIGSYS in
 * the exit status; the kernel's audit record of it needs audit enabled
 * (off on hosts without auditd), so the siginfo is read where the signal
 * is generated instead. Landlock's refusals are EACCES at the return of the
 * file calls it governs, in the command's cgroup (see the kernel half).
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "events/ring.h"
#include "core/log.h"
#include "sandbox/refusals.h"
#include "refusals.skel.h"
#include "sandbox/run_lsm.h"
#include "policy/policy.h"

int bg_refusals_start(const struct bg_refusals_cfg *cfg, struct bg_refusals_bpf **out)
{
	struct bg_refusals_bpf *s;
	struct bpf_program *prog;
	uint32_t zero = 0, cgfd = cfg->cgroup_fd;
	int err;

	*out = NULL;
	s = bg_refusals_bpf__open();
	if (!s)
		return -errno;
	s->rodata->rule_id = cfg->kill_rule;
	s->rodata->files_rule_id = cfg->files_rule;
	s->rodata->exact_names = cfg->exact_names && cfg->files_rule;
	if (s->rodata->exact_names)
		bpf_map__set_max_entries(s->maps.file_rules, 2 * cfg->exact_names->n_files + 1);
	bpf_object__for_each_program(prog, s->obj)
	{
		bool kill = prog == s->progs.rf_signal_generate;

		bpf_program__set_autoload(prog, kill ? cfg->kill_rule : cfg->files_rule);
	}
	err = bg_events_share(cfg->ev, s->obj);
	if (!err)
		err = bg_refusals_bpf__load(s);
	if (!err && bpf_map_update_elem(bpf_map__fd(s->maps.target_cgroup), &zero, &cgfd, BPF_ANY))
		err = -errno;
	if (!err && s->rodata->exact_names)
		err = bg_file_rules_fill(bpf_map__fd(s->maps.file_rules), cfg->exact_names);
	if (!err)
		err = bg_refusals_bpf__attach(s);
	if (err) {
		bg_refusals_bpf__destroy(s);
		return err;
	}
	*out = s;
	return 0;
}

bool bg_refusals_last_kill(const struct bg_refusals_bpf *skel, uint32_t *nr, uint32_t *abi)
{
	if (!skel || !skel->bss->kills)
		return false;
	*nr = skel->bss->last_nr;
	*abi = skel->bss->last_abi;
	return true;
}

void bg_refusals_stop(struct bg_refusals_bpf *skel)
{
	bg_refusals_bpf__destroy(skel);
}
