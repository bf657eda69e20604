// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The eBPF disassembler: a program walked once (labels, functions, references) and rendered as text or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "disasm/internal.h"
#include "events/json.h"
#include <linux/bpf.h>

/*
 * Per-slot annotations for one program: label numbers (0: none) and
 * function names at function starts.
 */
struct dis_labels {
	uint32_t *num;
	size_t n;
};

static int labels_build(const struct bg_dis_prog *p, struct dis_labels *l)
{
	struct bg_dis_ref ref;
	struct bg_dis_insn d;
	uint32_t next = 1;
	size_t i;
	int k;

	l->n = p->n;
	l->num = calloc(p->n ? p->n : 1, sizeof(*l->num));
	if (!l->num)
		return -ENOMEM;
	for (i = 0; i < p->n; i += (size_t)k) {
		k = bg_dis_decode_p(p, i, &d);
		if (k < 0)
			break;
		if (d.target < 0 || (size_t)d.target >= p->n)
			continue;
		if (d.kind == BG_DIS_CALL_FUNC && bg_dis_resolve(p, BG_Q_CALL, &d, &ref) && ref.name)
			continue;
		if (d.kind == BG_DIS_LD_IMM64 && bg_dis_resolve(p, BG_Q_LD64, &d, &ref) && ref.name)
			continue;
		l->num[d.target] = 1;
	}
	for (i = 0; i < p->n; i++)
		if (l->num[i])
			l->num[i] = next++;
	return 0;
}

static const char *func_at(const struct bg_dis_prog *p, size_t idx, struct bg_dis_ref *ref)
{
	struct bg_dis_insn d = {.idx = idx, .target = -1};

	if (idx < p->n)
		bg_dis_decode(p->insns, p->n, idx, &d);
	if (bg_dis_resolve(p, BG_Q_FUNC_AT, &d, ref) && ref->name)
		return ref->name;
	return NULL;
}

/* The label text for a target: its function's name, else "L<n>"; NULL
 * (print "pc+N") when the target is outside the program. */
static const char *target_label(const struct bg_dis_prog *p, const struct dis_labels *l,
				const struct bg_dis_insn *d, char *buf, size_t len, bool *bad)
{
	struct bg_dis_ref ref;
	const char *fn;

	if (d->target < 0)
		return NULL;
	if ((size_t)d->target >= p->n) {
		/* A call or callback leaving the array may be resolved by name
		 * (objects); a jump cannot leave. */
		if (d->kind != BG_DIS_CALL_FUNC && d->kind != BG_DIS_LD_IMM64)
			*bad = true;
		return NULL;
	}
	fn = func_at(p, (size_t)d->target, &ref);
	if (fn) {
		snprintf(buf, len, "%s", fn);
		return buf;
	}
	snprintf(buf, len, "L%u", l->num[d->target]);
	return buf;
}

/* One instruction as both renderers see it: decoded, labelled and resolved once. */
struct dis_line {
	struct bg_dis_insn d;
	const char *fn;	    /* the function starting here, or NULL */
	uint32_t label;	    /* L<n> starts here; 0: none */
	const char *target; /* the target's label text, or NULL */
	bool outside;	    /* a jump leaving the program */
	bool resolved;	    /* ref answers the query of d's kind (helper, kfunc, ld64) */
	struct bg_dis_ref ref;
};

typedef void (*dis_render_fn)(const struct bg_dis_prog *p, const struct dis_line *l, void *ctx);

/* Walk p once, handing each instruction to render; -EINVAL if any did not
 * decode or jumps outside the program. */
static int dis_walk(const struct bg_dis_prog *p, dis_render_fn render, void *ctx)
{
	struct dis_labels labels;
	struct bg_dis_ref fref;
	struct dis_line l;
	char lbuf[160];
	bool bad = false;
	size_t i;
	int k, err;

	err = labels_build(p, &labels);
	if (err)
		return err;
	for (i = 0; i < p->n; i += (size_t)k) {
		memset(&l, 0, sizeof(l));
		k = bg_dis_decode_p(p, i, &l.d);
		if (k < 0)
			break;
		l.fn = func_at(p, i, &fref);
		l.label = labels.num[i];
		l.target = target_label(p, &labels, &l.d, lbuf, sizeof(lbuf), &bad);
		l.outside = l.d.target >= 0 && (size_t)l.d.target >= p->n &&
			    l.d.kind != BG_DIS_CALL_FUNC && l.d.kind != BG_DIS_LD_IMM64;
		if (l.d.kind == BG_DIS_CALL_HELPER)
			l.resolved = bg_dis_resolve(p, BG_Q_HELPER, &l.d, &l.ref);
		else if (l.d.kind == BG_DIS_CALL_KFUNC)
			l.resolved = bg_dis_resolve(p, BG_Q_KFUNC, &l.d, &l.ref);
		else if (l.d.kind == BG_DIS_LD_IMM64)
			l.resolved = bg_dis_resolve(p, BG_Q_LD64, &l.d, &l.ref);
		if (l.d.kind == BG_DIS_INVALID)
			bad = true;
		render(p, &l, ctx);
	}
	free(labels.num);
	return bad ? -EINVAL : 0;
}

static void render_text(const struct bg_dis_prog *p, const struct dis_line *l, void *ctx)
{
	struct bg_buf *out = ctx;

	if (l->fn)
		bg_buf_printf(out, "%s:\n", l->fn);
	else if (l->label)
		bg_buf_printf(out, "L%u:\n", l->label);
	bg_buf_printf(out, "%6zu: (%02x) ", l->d.idx, l->d.code);
	bg_dis_format(p, &l->d, l->target, NULL, out);
	if (l->outside)
		bg_buf_puts(out, "  ; target outside the program");
	if (l->d.kind == BG_DIS_LD_IMM64 && l->resolved && l->ref.str) {
		bg_buf_puts(out, "  ; \"");
		bg_json_escape(out, l->ref.str, strlen(l->ref.str), true);
		bg_buf_putc(out, '"');
	}
	bg_buf_putc(out, '\n');
}

int bg_dis_text(const struct bg_dis_prog *p, struct bg_buf *out)
{
	return dis_walk(p, render_text, out);
}

struct json_ctx {
	struct bg_json *j;
	struct bg_buf text;
};

/* What a resolved instruction refers to: helper, kfunc, map, function... */
static void json_ref(const struct bg_dis_prog *p, const struct dis_line *l, struct bg_json *j)
{
	const struct bg_dis_insn *d = &l->d;
	const struct bg_dis_ref *ref = &l->ref;

	if (d->kind == BG_DIS_CALL_HELPER) {
		int id = l->resolved ? ref->helper_id : !p->xlated ? d->imm : -1;

		if (id >= 0)
			bg_json_ki64(j, "helper_id", id);
		if (bg_helper_name(id))
			bg_json_kstr(j, "helper", bg_helper_name(id));
		if (l->resolved && ref->symbol)
			bg_json_kstr(j, "symbol", ref->symbol);
	} else if (d->kind == BG_DIS_CALL_KFUNC && l->resolved) {
		if (ref->name || ref->symbol)
			bg_json_kstr(j, "kfunc", ref->name ? ref->name : ref->symbol);
	} else if (d->kind == BG_DIS_LD_IMM64 && l->resolved && ref->name) {
		bool map = ref->is_map ||
			   (d->src && d->src != BPF_PSEUDO_FUNC && d->src != BPF_PSEUDO_BTF_ID);

		bg_json_kstr(j,
			     ref->is_func || d->src == BPF_PSEUDO_FUNC	    ? "func"
			     : map					    ? "map"
			     : ref->is_extern || d->src == BPF_PSEUDO_BTF_ID ? "extern"
									    : "data",
			     ref->name);
		if (ref->str)
			bg_json_kstr(j, "string", ref->str);
	}
}

static void render_json(const struct bg_dis_prog *p, const struct dis_line *l, void *ctx)
{
	struct json_ctx *c = ctx;
	struct bg_json *j = c->j;
	const struct bg_dis_insn *d = &l->d;
	char lbuf[32];

	bg_json_obj(j);
	bg_json_ku64(j, "idx", d->idx);
	if (l->fn)
		bg_json_kstr(j, "function", l->fn);
	if (l->label) {
		snprintf(lbuf, sizeof(lbuf), "L%u", l->label);
		bg_json_kstr(j, "label", lbuf);
	}
	bg_json_ku64(j, "code", d->code);
	bg_json_kstr(j, "class", bg_dis_class_names[d->cls]);
	bg_json_kstr(j, "kind", bg_dis_kind_name(d->kind));
	bg_json_ku64(j, "dst", d->dst);
	bg_json_ku64(j, "src", d->src);
	bg_json_ki64(j, "off", d->off);
	bg_json_ki64(j, "imm", d->imm);
	if (d->kind == BG_DIS_LD_IMM64)
		bg_json_ku64(j, "imm64", d->imm64);
	if (d->target >= 0) {
		bg_json_ki64(j, "target", d->target);
		if (l->target)
			bg_json_kstr(j, "target_label", l->target);
	}
	c->text.len = 0;
	bg_dis_format(p, d, l->target, NULL, &c->text);
	bg_json_key(j, "text");
	bg_json_strn(j, c->text.p ? c->text.p : "", c->text.len);
	if (d->kind == BG_DIS_INVALID)
		bg_json_kstr(j, "error", d->why);
	json_ref(p, l, j);
	bg_json_obj_end(j);
}

int bg_dis_json(const struct bg_dis_prog *p, struct bg_json *j)
{
	struct json_ctx c = {.j = j};
	int err;

	bg_buf_init(&c.text);
	bg_json_arr(j);
	err = dis_walk(p, render_json, &c);
	bg_json_arr_end(j);
	bg_buf_free(&c.text);
	return err;
}

void bg_dis_helper_hist(const struct bg_dis_prog *p, struct bg_helper_hist *h)
{
	struct bg_dis_insn d;
	struct bg_dis_ref ref;
	size_t i;
	int k, id;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < p->n; i += (size_t)k) {
		k = bg_dis_decode(p->insns, p->n, i, &d);
		if (k < 0)
			break;
		switch (d.kind) {
		case BG_DIS_CALL_HELPER:
			h->total++;
			id = -1;
			if (bg_dis_resolve(p, BG_Q_HELPER, &d, &ref))
				id = ref.helper_id;
			else if (!p->xlated)
				id = d.imm;
			if (id >= 0 && id < BG_HIST_MAX)
				h->counts[id]++;
			else
				h->unknown++;
			break;
		case BG_DIS_CALL_KFUNC:
			h->kfuncs++;
			break;
		case BG_DIS_CALL_FUNC:
			h->func_calls++;
			break;
		default:
			break;
		}
	}
}
