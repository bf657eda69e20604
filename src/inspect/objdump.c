// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfguard bpf dump --file: the code sections of a BPF object file, disassembled with what their relocations say. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include "disasm/elf.h"

#include "inspect/inspect.h"
#include "core/log.h"

/* One code section of an object, with what its relocations say. */
struct obj_sec {
	struct bg_elf *e;
	size_t sec;
	struct bg_elf_rel *rels;
	size_t nrels;
	const char **fn_at;
	size_t n;
	char scratch[256];
};

static const struct bg_elf_rel *find_rel(const struct obj_sec *os, size_t idx)
{
	uint64_t off = (uint64_t)idx * sizeof(struct bpf_insn);
	size_t lo = 0, hi = os->nrels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (os->rels[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < os->nrels && os->rels[lo].off == off ? &os->rels[lo] : NULL;
}

/* The name of the function at byte offset off of section sec. */
static const char *func_in(const struct bg_elf *e, size_t sec, uint64_t off)
{
	size_t i;

	for (i = 0; i < e->nsyms; i++)
		if (e->syms[i].type == STT_FUNC && e->syms[i].shndx == sec &&
		    e->syms[i].value == off)
			return e->syms[i].name;
	return NULL;
}

static bool is_maps_sec(const char *name)
{
	return !strcmp(name, ".maps") || !strcmp(name, "maps") || !strncmp(name, "maps/", 5);
}

/* A printable NUL-terminated string at off in a data section, if any. */
static const char *data_str(struct obj_sec *os, const struct bg_elf_sec *s, long long off)
{
	size_t i;

	if (!s->data || off < 0 || (uint64_t)off >= s->size)
		return NULL;
	for (i = 0; i + 1 < sizeof(os->scratch) && (uint64_t)off + i < s->size; i++) {
		uint8_t ch = s->data[off + i];

		if (!ch)
			break;
		if (ch < 0x20 || ch >= 0x7f)
			return NULL;
		os->scratch[i] = (char)ch;
	}
	if (i < 2 || (uint64_t)off + i >= s->size || s->data[off + i])
		return NULL;
	os->scratch[i] = 0;
	return os->scratch;
}

static bool obj_resolve(void *priv, enum bg_dis_query q, const struct bg_dis_insn *d,
			struct bg_dis_ref *ref)
{
	struct obj_sec *os = priv;
	const struct bg_elf_rel *r;
	const struct bg_elf_sym *sym;
	const struct bg_elf_sec *s;

	if (q == BG_Q_FUNC_AT) {
		ref->name = d->idx < os->n ? os->fn_at[d->idx] : NULL;
		return ref->name != NULL;
	}
	if (q == BG_Q_HELPER)
		return false; /* imm is the helper id */
	r = find_rel(os, d->idx);
	if (!r)
		return false;
	sym = &os->e->syms[r->sym];
	s = sym->shndx < os->e->nsecs ? &os->e->secs[sym->shndx] : NULL;
	switch (q) {
	case BG_Q_KFUNC:
		ref->name = sym->name;
		return *sym->name != 0;
	case BG_Q_CALL:
		if (sym->type == STT_SECTION && s) {
			uint64_t off = sym->value + ((int64_t)d->imm + 1) * 8;

			ref->name = func_in(os->e, sym->shndx, off);
			if (!ref->name) {
				snprintf(os->scratch, sizeof(os->scratch), "%s+%llu", s->name,
					 (unsigned long long)off);
				ref->name = os->scratch;
			}
		} else {
			ref->name = sym->name;
		}
		return true;
	case BG_Q_LD64:
		if (d->src)
			return false;
		if (sym->shndx == SHN_UNDEF || !s) {
			ref->name = sym->name;
			ref->is_extern = true;
			return true;
		}
		if (is_maps_sec(s->name)) {
			ref->name = sym->name;
			ref->is_map = true;
			return true;
		}
		if (bg_elf_is_code(os->e, sym->shndx)) {
			uint64_t off = sym->type == STT_SECTION ? sym->value + (uint32_t)d->imm
								: sym->value;

			ref->name = func_in(os->e, sym->shndx, off);
			ref->is_func = true;
			if (!ref->name)
				ref->name = sym->name;
			return true;
		}
		ref->name = s->name;
		ref->addend = (long long)(sym->type == STT_SECTION ? 0 : sym->value) + d->imm;
		if (strncmp(s->name, ".rodata", 7) == 0 || strncmp(s->name, ".data", 5) == 0)
			ref->str = data_str(os, s, ref->addend);
		return true;
	case BG_Q_HELPER:
	case BG_Q_FUNC_AT:
		break;
	}
	return false;
}

static int obj_sec_open(struct obj_sec *os, struct bg_elf *e, size_t sec)
{
	const struct bg_elf_sec *s = &e->secs[sec];
	size_t i;
	int err;

	memset(os, 0, sizeof(*os));
	os->e = e;
	os->sec = sec;
	if (s->size % sizeof(struct bpf_insn)) {
		snprintf(e->err, sizeof(e->err), "section %s: size %llu is not a multiple of 8",
			 s->name, (unsigned long long)s->size);
		return -EINVAL;
	}
	os->n = s->size / sizeof(struct bpf_insn);
	err = bg_elf_relocs(e, sec, &os->rels, &os->nrels);
	if (err)
		return err;
	os->fn_at = calloc(os->n ? os->n : 1, sizeof(*os->fn_at));
	if (!os->fn_at)
		return -ENOMEM;
	for (i = 0; i < e->nsyms; i++) {
		const struct bg_elf_sym *sym = &e->syms[i];

		if (sym->type == STT_FUNC && sym->shndx == sec && sym->value % 8 == 0 &&
		    sym->value / 8 < os->n)
			os->fn_at[sym->value / 8] = sym->name;
	}
	return 0;
}

static void obj_sec_close(struct obj_sec *os)
{
	free(os->rels);
	free(os->fn_at);
}

/* Section data is not 8-byte aligned in memory necessarily: copy it. */
static struct bpf_insn *sec_insns(const struct bg_elf_sec *s, size_t n)
{
	struct bpf_insn *insns = calloc(n ? n : 1, sizeof(*insns));

	if (insns && n)
		memcpy(insns, s->data, n * sizeof(*insns));
	return insns;
}

static int dump_section(struct inspect_cmd *c, struct bg_elf *e, size_t sec, struct bg_json *j,
			struct str_out *so)
{
	struct obj_sec os;
	struct bg_dis_prog p;
	struct bpf_insn *insns = NULL;
	int err;

	err = obj_sec_open(&os, e, sec);
	if (err)
		goto cleanup;
	insns = sec_insns(&e->secs[sec], os.n);
	if (!insns) {
		err = -ENOMEM;
		goto cleanup;
	}
	p = (struct bg_dis_prog){insns, os.n, obj_resolve, &os, false};
	if (j) {
		bg_json_obj(j);
		bg_json_kstr(j, "name", e->secs[sec].name);
		bg_json_ku64(j, "insns_count", os.n);
		bg_json_key(j, "insns");
		err = bg_dis_json(&p, j);
		bg_json_obj_end(j);
	} else {
		bg_buf_printf(&c->out, "section %s: %zu insns\n", e->secs[sec].name, os.n);
		err = bg_dis_text(&p, &c->out);
	}
	if (err == -EINVAL)
		snprintf(e->err, sizeof(e->err), "section %s: some instructions are invalid",
			 e->secs[sec].name);
	(void)so;
cleanup:
	free(insns);
	obj_sec_close(&os);
	return err;
}

static void obj_strings(struct bg_elf *e, long only, struct str_out *so)
{
	struct bpf_insn *insns;
	size_t i;

	for (i = 1; i < e->nsecs; i++) {
		const struct bg_elf_sec *s = &e->secs[i];

		if (s->type != SHT_PROGBITS || !s->data || (s->flags & SHF_EXECINSTR) ||
		    (strncmp(s->name, ".rodata", 7) && strncmp(s->name, ".data", 5)))
			continue;
		so->source = s->name;
		bg_data_strings(s->data, s->size, MIN_STR, insp_put_string, so);
	}
	for (i = 1; i < e->nsecs; i++) {
		size_t n = e->secs[i].size / sizeof(struct bpf_insn);

		if (!bg_elf_is_code(e, i) || (only >= 0 && (size_t)only != i))
			continue;
		insns = sec_insns(&e->secs[i], n);
		if (!insns)
			continue;
		so->source = "stack";
		so->where = e->secs[i].name;
		bg_dis_stack_strings(insns, n, MIN_STR, insp_put_string, so);
		free(insns);
	}
}

int insp_dump_file(struct inspect_cmd *c)
{
	struct bg_elf e;
	struct bg_json j;
	struct str_out so = {0};
	long only = -1;
	size_t i, ncode = 0;
	int err, serr = 0;

	err = bg_elf_open_file(&e, c->file);
	if (err)
		goto cleanup;
	if (c->section) {
		only = bg_elf_find_sec(&e, c->section);
		if (only < 0 || !bg_elf_is_code(&e, (size_t)only)) {
			struct bg_buf names;

			bg_buf_init(&names);
			for (i = 1; i < e.nsecs; i++)
				if (bg_elf_is_code(&e, i))
					bg_buf_printf(&names, "%s%s", names.len ? ", " : "",
						      e.secs[i].name);
			bg_buf_putc(&names, 0);
			snprintf(e.err, sizeof(e.err),
				 "no code section '%s' (sections with code: %s)", c->section,
				 names.p ? names.p : "none");
			bg_buf_free(&names);
			err = -ENOENT;
			goto cleanup;
		}
	}
	for (i = 1; i < e.nsecs; i++)
		ncode += bg_elf_is_code(&e, i);
	if (!ncode) {
		snprintf(e.err, sizeof(e.err), "no code sections");
		err = -EINVAL;
		goto cleanup;
	}
	so.b = &c->out;
	if (c->json) {
		bg_json_init(&j, &c->out);
		so.j = &j;
		bg_json_obj(&j);
		bg_json_kstr(&j, "file", c->file);
		bg_json_karr(&j, "maps");
		for (i = 0; i < e.nsyms; i++) {
			const struct bg_elf_sym *s = &e.syms[i];

			if (s->shndx < e.nsecs && is_maps_sec(e.secs[s->shndx].name) &&
			    s->type == STT_OBJECT)
				bg_json_str(&j, s->name);
		}
		bg_json_arr_end(&j);
		bg_json_karr(&j, "sections");
	} else {
		bg_buf_printf(&c->out, "object %s\n", c->file);
	}
	for (i = 1; i < e.nsecs; i++) {
		if (!bg_elf_is_code(&e, i) || (only >= 0 && (size_t)only != i))
			continue;
		err = dump_section(c, &e, i, c->json ? &j : NULL, &so);
		if (err == -EINVAL) {
			/* Keep going: show the other sections, report at the end. */
			pr_err("%s: %s\n", c->file, e.err);
			serr = err;
			err = 0;
		}
		if (err)
			goto cleanup;
	}
	if (c->json) {
		bg_json_arr_end(&j);
		bg_json_karr(&j, "strings");
		obj_strings(&e, only, &so);
		bg_json_arr_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(&c->out, '\n');
	} else {
		bg_buf_puts(&c->out, "strings:\n");
		obj_strings(&e, only, &so);
		if (!so.count)
			bg_buf_puts(&c->out, "  (none)\n");
	}
	err = serr;
	e.err[0] = 0;
cleanup:
	if (err && e.err[0]) {
		pr_err("%s: %s\n", c->file, e.err);
		if (c->json) {
			c->out.len = 0;
			bg_json_init(&j, &c->out);
			bg_json_obj(&j);
			bg_json_kstr(&j, "error", e.err);
			bg_json_kstr(&j, "file", c->file);
			bg_json_obj_end(&j);
			bg_buf_putc(&c->out, '\n');
		}
	}
	bg_elf_close(&e);
	return err;
}
