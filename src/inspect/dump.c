// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard bpf dump ID: a loaded program disassembled, with its maps and strings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "inspect/inspect.h"
#include "core/log.h"

void insp_put_string(void *priv, const char *s, size_t len, size_t where)
{
	struct str_out *so = priv;
	bool stack = !strcmp(so->source, "stack");

	so->count++;
	if (so->j) {
		bg_json_obj(so->j);
		bg_json_kstr(so->j, "source", so->source);
		if (stack && so->where)
			bg_json_kstr(so->j, "in", so->where);
		bg_json_ku64(so->j, stack ? "insn" : "offset", where);
		bg_json_key(so->j, "value");
		bg_json_strn(so->j, s, len);
		bg_json_obj_end(so->j);
		return;
	}
	if (stack)
		bg_buf_printf(so->b, "  stack, %s insn %zu: \"", so->where ? so->where : "", where);
	else
		bg_buf_printf(so->b, "  %s+%zu: \"", so->source, where);
	bg_json_escape(so->b, s, len, false);
	bg_buf_puts(so->b, "\"\n");
}

/* Strings in the program's read-only data: frozen single-entry arrays
 * (.rodata and friends, created by libbpf with BPF_F_RDONLY_PROG). */
static void live_map_strings(const struct live_prog *lp, struct str_out *so)
{
	size_t i;

	for (i = 0; i < lp->nmaps; i++) {
		const struct map_desc *m = &lp->maps[i];
		__u32 key = 0;
		void *val;
		int fd;

		if (m->type != BPF_MAP_TYPE_ARRAY || m->max_entries != 1 ||
		    m->value_size > MAX_RODATA ||
		    !((m->flags & BPF_F_RDONLY_PROG) || strstr(m->name, ".rodata") ||
		      strstr(m->name, ".data")))
			continue;
		fd = bpf_map_get_fd_by_id(m->id);
		if (fd < 0)
			continue;
		val = calloc(1, m->value_size ? m->value_size : 1);
		if (val && !bpf_map_lookup_elem(fd, &key, val)) {
			so->source = m->name;
			bg_data_strings(val, m->value_size, MIN_STR, insp_put_string, so);
		}
		free(val);
		close(fd);
	}
}

int insp_dump_live(struct inspect_cmd *c, __u32 id)
{
	struct live_prog lp;
	struct bg_dis_prog p;
	struct str_out so = {0};
	struct bg_json j;
	char tag[2 * BPF_TAG_SIZE + 1];
	size_t i;
	int err;

	err = insp_ksyms_load(&c->ks);
	if (err)
		pr_warn("cannot read /proc/kallsyms: %s; helper calls stay unnamed\n",
			strerror(-err));
	err = insp_live_load(&lp, id, &c->ks);
	if (err) {
		pr_err("program %u: %s\n", id, strerror(-err));
		return err;
	}
	p = (struct bg_dis_prog){lp.insns, lp.n, insp_live_resolve, &lp, true};
	insp_tag_hex(&lp.info, tag);
	so.b = &c->out;
	so.where = lp.info.name;
	if (c->json) {
		bg_json_init(&j, &c->out);
		so.j = &j;
		bg_json_obj(&j);
		bg_json_ku64(&j, "id", lp.info.id);
		bg_json_kstr(&j, "type", insp_prog_type(lp.info.type));
		bg_json_kstr(&j, "name", lp.info.name);
		bg_json_kstr(&j, "tag", tag);
		bg_json_karr(&j, "maps");
		for (i = 0; i < lp.nmaps; i++) {
			const char *t = libbpf_bpf_map_type_str(lp.maps[i].type);

			bg_json_obj(&j);
			bg_json_ku64(&j, "id", lp.maps[i].id);
			bg_json_kstr(&j, "name", lp.maps[i].name);
			bg_json_kstr(&j, "type", t ? t : "unknown");
			bg_json_obj_end(&j);
		}
		bg_json_arr_end(&j);
		bg_json_key(&j, "insns");
		err = bg_dis_json(&p, &j);
		bg_json_karr(&j, "strings");
		live_map_strings(&lp, &so);
		so.source = "stack";
		bg_dis_stack_strings(lp.insns, lp.n, MIN_STR, insp_put_string, &so);
		bg_json_arr_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(&c->out, '\n');
	} else {
		bg_buf_printf(&c->out, "prog %u %s name %s tag %s, %zu insns\n", lp.info.id,
			      insp_prog_type(lp.info.type), lp.info.name, tag, lp.n);
		for (i = 0; i < lp.nmaps; i++) {
			const char *t = libbpf_bpf_map_type_str(lp.maps[i].type);

			bg_buf_printf(&c->out, "map %u %s (%s)\n", lp.maps[i].id, lp.maps[i].name,
				      t ? t : "unknown");
		}
		err = bg_dis_text(&p, &c->out);
		bg_buf_puts(&c->out, "strings:\n");
		live_map_strings(&lp, &so);
		so.source = "stack";
		bg_dis_stack_strings(lp.insns, lp.n, MIN_STR, insp_put_string, &so);
		if (!so.count)
			bg_buf_puts(&c->out, "  (none)\n");
	}
	if (err == -EINVAL)
		pr_warn("program %u: some instructions did not decode (printed as invalid)\n", id);
	insp_live_free(&lp);
	return err == -ENOMEM ? err : 0;
}
