// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every event type this build knows, indexed by enum bg_event_type. A guard
 * defines the descriptors of its types beside its user half and adds them
 * here, one line each.
 */
#include <bpfguard/events.h>

#include "events/format.h"
#include "events/json.h"

extern const struct bg_event_desc bg_exec_desc, bg_exit_desc;
extern const struct bg_event_desc bg_syscall_desc, bg_net_desc;
extern const struct bg_event_desc bg_net_drop_desc;
extern const struct bg_event_desc bg_run_file_desc, bg_run_exec_desc;
extern const struct bg_event_desc bg_policy_exec_desc, bg_policy_file_desc;
extern const struct bg_event_desc bg_file_desc, bg_file_modify_desc;
extern const struct bg_event_desc bg_limit_desc, bg_netban_desc;
extern const struct bg_event_desc bg_bpf_load_desc;
extern const struct bg_event_desc bg_php_call_desc, bg_php_syscall_desc;

/* Records of the trigger program in tests and benchmarks. */
static void test_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	(void)f;
	bg_json_ku64(j, "seq", ((const struct bg_test_event *)rec)->seq);
}

static void test_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	(void)f;
	bg_buf_printf(out, " seq=%llu",
		      (unsigned long long)((const struct bg_test_event *)rec)->seq);
}

static const struct bg_event_desc test_desc = {
	.name = "test",
	.size = sizeof(struct bg_test_event),
	.category = "process",
	.ecs_type = "info",
	.action = "test",
	.has_proc = true,
	.json_bg = test_json_bg,
	.text = test_text,
	.color = "\033[35m",
};

const struct bg_event_desc *const bg_event_descs[] = {
	[BG_EV_EXEC] = &bg_exec_desc,
	[BG_EV_EXIT] = &bg_exit_desc,
	[BG_EV_TEST] = &test_desc,
	[BG_EV_SYSCALL] = &bg_syscall_desc,
	[BG_EV_NET] = &bg_net_desc,
	[BG_EV_POLICY_EXEC] = &bg_policy_exec_desc,
	[BG_EV_POLICY_FILE] = &bg_policy_file_desc,
	[BG_EV_NET_DROP] = &bg_net_drop_desc,
	[BG_EV_RUN_FILE] = &bg_run_file_desc,
	[BG_EV_RUN_EXEC] = &bg_run_exec_desc,
	[BG_EV_FILE] = &bg_file_desc,
	[BG_EV_FILE_MODIFY] = &bg_file_modify_desc,
	[BG_EV_LIMIT] = &bg_limit_desc,
	[BG_EV_NETBAN] = &bg_netban_desc,
	[BG_EV_BPF_LOAD] = &bg_bpf_load_desc,
	[BG_EV_PHP_CALL] = &bg_php_call_desc,
	[BG_EV_PHP_SYSCALL] = &bg_php_syscall_desc,
};

const unsigned int bg_event_descs_len = sizeof(bg_event_descs) / sizeof(bg_event_descs[0]);
