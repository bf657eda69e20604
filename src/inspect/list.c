// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard bpf list: every loaded program, text or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "events/format.h"
#include "inspect/inspect.h"
#include "core/log.h"

static void fmt_time(__u64 boot_ns, char *buf, size_t len)
{
	struct timespec rt, bt;
	time_t t;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	t = rt.tv_sec - (bt.tv_sec - (time_t)(boot_ns / 1000000000ULL));
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
static void list_json(struct bg_json *j, const struct live_prog *lp)
{
	struct bg_dis_prog p = {lp->insns, lp->n, insp_live_resolve, (void *)lp, true};
	struct bg_helper_hist h;
	struct other_call oc[32];
	char buf[64];
	size_t i, n;

	bg_dis_helper_hist(&p, &h);
	bg_json_obj(j);
	bg_json_ku64(j, "id", lp->info.id);
	bg_json_kstr(j, "type", insp_prog_type(lp->info.type));
	bg_json_kstr(j, "name", lp->info.name);
	insp_tag_hex(&lp->info, buf);
	bg_json_kstr(j, "tag", buf);
	fmt_time(lp->info.load_time, buf, sizeof(buf));
	bg_json_kstr(j, "loaded_at", buf);
	bg_json_ku64(j, "uid", lp->info.created_by_uid);
	bg_json_ku64(j, "xlated_insns", lp->n);
	bg_json_karr(j, "map_ids");
	for (i = 0; i < lp->nmaps; i++)
		bg_json_u64(j, lp->maps[i].id);
	bg_json_arr_end(j);
	bg_json_karr(j, "loaders");
	for (i = 0; i < lp->nloaders; i++) {
		bg_json_obj(j);
		bg_json_ku64(j, "pid", lp->loaders[i].pid);
		bg_json_kstr(j, "comm", lp->loaders[i].comm);
		bg_json_kstr(j, "exe", lp->loaders[i].exe);
		bg_json_obj_end(j);
	}
	bg_json_arr_end(j);
	bg_json_kobj(j, "helpers");
	for (i = 0; i < BG_HIST_MAX; i++)
		if (h.counts[i] && bg_helper_name((int)i)) {
			bg_json_key(j, bg_helper_name((int)i));
			bg_json_u64(j, h.counts[i]);
		}
	bg_json_obj_end(j);
	/* Calls we could not map to a helper id, by the kernel symbol hit. */
	bg_json_karr(j, "other_calls");
	n = insp_other_calls(lp, oc, sizeof(oc) / sizeof(oc[0]));
	for (i = 0; i < n; i++) {
		bg_json_obj(j);
		bg_json_kstr(j, "symbol", oc[i].sym);
		bg_json_ku64(j, "count", oc[i].count);
		bg_json_obj_end(j);
	}
	bg_json_arr_end(j);
	bg_json_ku64(j, "helper_calls", h.total);
	bg_json_ku64(j, "kfunc_calls", h.kfuncs);
	bg_json_ku64(j, "func_calls", h.func_calls);
	bg_json_obj_end(j);
}

static void list_text(struct bg_buf *o, const struct live_prog *lp)
{
	struct bg_dis_prog p = {lp->insns, lp->n, insp_live_resolve, (void *)lp, true};
	struct bg_helper_hist h;
	struct other_call oc[32];
	char buf[64];
	size_t i, n;
	bool first = true;

	bg_dis_helper_hist(&p, &h);
	insp_tag_hex(&lp->info, buf);
	bg_buf_printf(o, "%u: %s  name %s  tag %s\n", lp->info.id, insp_prog_type(lp->info.type),
		      lp->info.name[0] ? lp->info.name : "-", buf);
	fmt_time(lp->info.load_time, buf, sizeof(buf));
	bg_buf_printf(o, "\tloaded %s  uid %u  xlated %zu insns  maps", buf,
		      lp->info.created_by_uid, lp->n);
	for (i = 0; i < lp->nmaps; i++)
		bg_buf_printf(o, "%s%u", i ? "," : " ", lp->maps[i].id);
	if (!lp->nmaps)
		bg_buf_puts(o, " -");
	bg_buf_puts(o, "\n\tloaders");
	for (i = 0; i < lp->nloaders; i++) {
		bg_buf_printf(o, "%s pid %d ", i ? "," : "", lp->loaders[i].pid);
		bg_text_escape(o, lp->loaders[i].comm, strlen(lp->loaders[i].comm));
		bg_buf_puts(o, " ");
		bg_text_escape(o, lp->loaders[i].exe, strlen(lp->loaders[i].exe));
	}
	if (!lp->nloaders)
		bg_buf_puts(o, " unknown (no process holds it)");
	bg_buf_printf(o, "\n\thelpers (%u calls)", h.total);
	for (i = 0; i < BG_HIST_MAX; i++) {
		if (!h.counts[i] || !bg_helper_name((int)i))
			continue;
		bg_buf_printf(o, "%s %s %u", first ? ":" : ",", bg_helper_name((int)i),
			      h.counts[i]);
		first = false;
	}
	n = insp_other_calls(lp, oc, sizeof(oc) / sizeof(oc[0]));
	for (i = 0; i < n; i++) {
		bg_buf_printf(o, "%s %s %u", first ? ":" : ",", oc[i].sym, oc[i].count);
		first = false;
	}
	if (h.kfuncs || h.func_calls)
		bg_buf_printf(o, "; kfunc calls %u, bpf-to-bpf calls %u", h.kfuncs, h.func_calls);
	bg_buf_putc(o, '\n');
}

int insp_list(struct inspect_cmd *c)
{
	struct live_prog lp;
	struct bg_json j;
	__u32 id = 0;
	int err;

	err = insp_ksyms_load(&c->ks);
	if (err)
		pr_warn("cannot read /proc/kallsyms: %s; helper calls stay unnamed\n",
			strerror(-err));
	err = insp_scan_holders(c);
	if (err)
		pr_warn("cannot scan /proc for loaders: %s\n", strerror(-err));
	if (c->json) {
		bg_json_init(&j, &c->out);
		bg_json_arr(&j);
	}
	for (;;) {
		if (bpf_prog_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			err = -errno;
			pr_err("listing programs: %s\n", strerror(errno));
			return err;
		}
		err = insp_live_load(&lp, id, &c->ks);
		if (err == -ENOENT)
			continue; /* unloaded while we looked */
		if (err) {
			pr_warn("program %u: %s\n", id, strerror(-err));
			continue;
		}
		insp_find_loaders(c, &lp);
		if (c->json)
			list_json(&j, &lp);
		else
			list_text(&c->out, &lp);
		insp_live_free(&lp);
	}
	if (c->json) {
		bg_json_arr_end(&j);
		bg_buf_putc(&c->out, '\n');
	}
	return 0;
}
