// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The eBPF disassembler: one instruction in the verifier's and bpftool's notation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "disasm/internal.h"
#include <linux/bpf.h>

/*
 * Decode in the context of a program. In xlated code of a JITed program
 * the kernel moves a bpf-to-bpf call's offset to `off` and puts the
 * subprogram's index in `imm`.
 */
int bg_dis_decode_p(const struct bg_dis_prog *p, size_t i, struct bg_dis_insn *d)
{
	int k = bg_dis_decode(p->insns, p->n, i, d);

	if (k > 0 && p->xlated && d->kind == BG_DIS_CALL_FUNC && d->off)
		d->target = (long)i + 1 + d->off;
	return k;
}

static const char *ldst_size(uint8_t code, bool sx)
{
	switch (BPF_SIZE(code)) {
	case BPF_W:
		return sx ? "s32" : "u32";
	case BPF_H:
		return sx ? "s16" : "u16";
	case BPF_B:
		return sx ? "s8" : "u8";
	default:
		return "u64";
	}
}

static const char *alu_op(const struct bg_dis_insn *d)
{
	switch (BPF_OP(d->code)) {
	case BPF_ADD:
		return "+=";
	case BPF_SUB:
		return "-=";
	case BPF_MUL:
		return "*=";
	case BPF_DIV:
		return d->off ? "s/=" : "/=";
	case BPF_OR:
		return "|=";
	case BPF_AND:
		return "&=";
	case BPF_LSH:
		return "<<=";
	case BPF_RSH:
		return ">>=";
	case BPF_MOD:
		return d->off ? "s%=" : "%=";
	case BPF_XOR:
		return "^=";
	case BPF_MOV:
		return "=";
	case BPF_ARSH:
		return "s>>=";
	}
	return "?";
}

static const char *jmp_op(uint8_t code)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return "==";
	case BPF_JGT:
		return ">";
	case BPF_JGE:
		return ">=";
	case BPF_JSET:
		return "&";
	case BPF_JNE:
		return "!=";
	case BPF_JSGT:
		return "s>";
	case BPF_JSGE:
		return "s>=";
	case BPF_JLT:
		return "<";
	case BPF_JLE:
		return "<=";
	case BPF_JSLT:
		return "s<";
	case BPF_JSLE:
		return "s<=";
	}
	return "?";
}

static const char *atomic_name(int32_t imm)
{
	switch (imm & ~BPF_FETCH) {
	case BPF_ADD:
		return "add";
	case BPF_AND:
		return "and";
	case BPF_OR:
		return "or";
	case BPF_XOR:
		return "xor";
	}
	return "?";
}

static const char *atomic_lock_op(int32_t imm)
{
	switch (imm) {
	case BPF_ADD:
		return "+=";
	case BPF_AND:
		return "&=";
	case BPF_OR:
		return "|=";
	case BPF_XOR:
		return "^=";
	}
	return "?";
}

static void put_target(struct bg_buf *out, const struct bg_dis_insn *d, const char *label, long rel)
{
	if (label)
		bg_buf_puts(out, label);
	else
		bg_buf_printf(out, "pc%+ld", rel);
	(void)d;
}

bool bg_dis_resolve(const struct bg_dis_prog *p, enum bg_dis_query q, const struct bg_dis_insn *d,
		    struct bg_dis_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->helper_id = -1;
	return p && p->resolve && p->resolve(p->priv, q, d, ref);
}

static void format_call_helper(const struct bg_dis_prog *p, const struct bg_dis_insn *d,
			       struct bg_buf *out)
{
	struct bg_dis_ref ref;
	const char *name;
	int id = -1;

	if (bg_dis_resolve(p, BG_Q_HELPER, d, &ref)) {
		id = ref.helper_id;
	} else if (!p || !p->xlated) {
		id = d->imm;
	}
	name = bg_helper_name(id);
	if (p && p->xlated) {
		/* imm is an offset from __bpf_call_base: the id is gone, the
		 * kernel symbol it lands on is what identifies the helper. */
		if (name)
			bg_buf_printf(out, "call bpf_%s", name);
		else
			bg_buf_printf(out, "call %s", ref.symbol ? ref.symbol : "unknown");
		bg_buf_printf(out, "#%d", d->imm);
		if (name && ref.symbol &&
		    (strncmp(ref.symbol, "bpf_", 4) || strcmp(ref.symbol + 4, name)))
			bg_buf_printf(out, " <%s>", ref.symbol);
		return;
	}
	if (name)
		bg_buf_printf(out, "call bpf_%s#%d", name, d->imm);
	else
		bg_buf_printf(out, "call unknown#%d", d->imm);
}

static void format_ld64(const struct bg_dis_prog *p, const struct bg_dis_insn *d, const char *label,
			struct bg_buf *out)
{
	struct bg_dis_ref ref;
	bool named = bg_dis_resolve(p, BG_Q_LD64, d, &ref) && ref.name;

	bg_buf_printf(out, "r%u = ", d->dst);
	switch (d->src) {
	case BPF_PSEUDO_MAP_FD:
		bg_buf_printf(out, "map[%s:%d]", p && p->xlated ? "id" : "fd", d->imm);
		if (named)
			bg_buf_printf(out, "(%s)", ref.name);
		break;
	case BPF_PSEUDO_MAP_VALUE:
		bg_buf_printf(out, "map[%s:%d]", p && p->xlated ? "id" : "fd", d->imm);
		if (named)
			bg_buf_printf(out, "(%s)", ref.name);
		bg_buf_printf(out, "[0]+%u", (uint32_t)d->imm2);
		break;
	case BPF_PSEUDO_BTF_ID:
		if (named)
			bg_buf_printf(out, "ksym(%s)", ref.name);
		else
			bg_buf_printf(out, "btf_id(%d)", d->imm);
		break;
	case BPF_PSEUDO_FUNC:
		bg_buf_puts(out, "func ");
		put_target(out, d, named ? ref.name : label, d->imm);
		break;
	case BPF_PSEUDO_MAP_IDX:
		bg_buf_printf(out, "map[idx:%d]", d->imm);
		if (named)
			bg_buf_printf(out, "(%s)", ref.name);
		break;
	case BPF_PSEUDO_MAP_IDX_VALUE:
		bg_buf_printf(out, "map[idx:%d]", d->imm);
		if (named)
			bg_buf_printf(out, "(%s)", ref.name);
		bg_buf_printf(out, "+%u", (uint32_t)d->imm2);
		break;
	default:
		if (named && ref.is_map)
			bg_buf_printf(out, "map(%s)", ref.name);
		else if (named && ref.is_func)
			bg_buf_printf(out, "func %s", ref.name);
		else if (named && ref.is_extern)
			bg_buf_printf(out, "extern(%s)", ref.name);
		else if (named)
			bg_buf_printf(out, "map(%s)+%lld", ref.name, ref.addend);
		else
			bg_buf_printf(out, "0x%llx", (unsigned long long)d->imm64);
		break;
	}
}

void bg_dis_format(const struct bg_dis_prog *p, const struct bg_dis_insn *d, const char *label,
		   const char *target_name, struct bg_buf *out)
{
	char r = d->cls == BPF_ALU || d->cls == BPF_JMP32 ? 'w' : 'r';
	struct bg_dis_ref ref;
	const char *sz;

	if (target_name)
		label = target_name;
	switch (d->kind) {
	case BG_DIS_INVALID:
		bg_buf_printf(out, "invalid (%s)", d->why ? d->why : "?");
		return;
	case BG_DIS_ALU:
		if (BPF_SRC(d->code) == BPF_X)
			bg_buf_printf(out, "%c%u %s %c%u", r, d->dst, alu_op(d), r, d->src);
		else
			bg_buf_printf(out, "%c%u %s %d", r, d->dst, alu_op(d), d->imm);
		return;
	case BG_DIS_MOV:
		if (BPF_SRC(d->code) == BPF_K)
			bg_buf_printf(out, "%c%u = %d", r, d->dst, d->imm);
		else if (d->cls == BPF_ALU64 && d->off == BPF_ADDR_SPACE_CAST)
			bg_buf_printf(out, "r%u = addr_space_cast(r%u, %d, %d)", d->dst, d->src,
				      (int)((uint32_t)d->imm >> 16), (int)(d->imm & 0xffff));
		else if (d->cls == BPF_ALU64 && d->off == BG_ADDR_PERCPU)
			bg_buf_printf(out, "r%u = &(void __percpu *)(r%u)", d->dst, d->src);
		else if (d->off)
			bg_buf_printf(out, "%c%u = (s%d)%c%u", r, d->dst, d->off, r, d->src);
		else
			bg_buf_printf(out, "%c%u = %c%u", r, d->dst, r, d->src);
		return;
	case BG_DIS_NEG:
		bg_buf_printf(out, "%c%u = -%c%u", r, d->dst, r, d->dst);
		return;
	case BG_DIS_END:
		if (d->cls == BPF_ALU64)
			bg_buf_printf(out, "r%u = bswap%d r%u", d->dst, d->imm, d->dst);
		else
			bg_buf_printf(out, "r%u = %s%d r%u", d->dst,
				      BPF_SRC(d->code) == BPF_TO_BE ? "be" : "le", d->imm, d->dst);
		return;
	case BG_DIS_LOAD:
		sz = ldst_size(d->code, BPF_MODE(d->code) == BPF_MEMSX);
		bg_buf_printf(out, "r%u = *(%s *)(r%u %+d)", d->dst, sz, d->src, d->off);
		return;
	case BG_DIS_STORE_IMM:
		bg_buf_printf(out, "*(%s *)(r%u %+d) = %d", ldst_size(d->code, false), d->dst,
			      d->off, d->imm);
		return;
	case BG_DIS_STORE_REG:
		bg_buf_printf(out, "*(%s *)(r%u %+d) = r%u", ldst_size(d->code, false), d->dst,
			      d->off, d->src);
		return;
	case BG_DIS_ATOMIC: {
		const char *w = BPF_SIZE(d->code) == BPF_DW ? "64" : "";

		sz = ldst_size(d->code, false);
		if (d->imm == BPF_LOAD_ACQ)
			bg_buf_printf(out, "r%u = load_acquire((%s *)(r%u %+d))", d->dst, sz,
				      d->src, d->off);
		else if (d->imm == BPF_STORE_REL)
			bg_buf_printf(out, "store_release((%s *)(r%u %+d), r%u)", sz, d->dst,
				      d->off, d->src);
		else if (d->imm == BPF_CMPXCHG)
			bg_buf_printf(out, "r0 = atomic%s_cmpxchg((%s *)(r%u %+d), r0, r%u)", w, sz,
				      d->dst, d->off, d->src);
		else if (d->imm == BPF_XCHG)
			bg_buf_printf(out, "r%u = atomic%s_xchg((%s *)(r%u %+d), r%u)", d->src, w,
				      sz, d->dst, d->off, d->src);
		else if (d->imm & BPF_FETCH)
			bg_buf_printf(out, "r%u = atomic%s_fetch_%s((%s *)(r%u %+d), r%u)", d->src,
				      w, atomic_name(d->imm), sz, d->dst, d->off, d->src);
		else
			bg_buf_printf(out, "lock *(%s *)(r%u %+d) %s r%u", sz, d->dst, d->off,
				      atomic_lock_op(d->imm), d->src);
		return;
	}
	case BG_DIS_LD_ABS:
		bg_buf_printf(out, "r0 = *(%s *)skb[%d]", ldst_size(d->code, false), d->imm);
		return;
	case BG_DIS_LD_IND:
		bg_buf_printf(out, "r0 = *(%s *)skb[r%u + %d]", ldst_size(d->code, false), d->src,
			      d->imm);
		return;
	case BG_DIS_LD_IMM64:
		format_ld64(p, d, label, out);
		return;
	case BG_DIS_JA:
		bg_buf_puts(out, d->cls == BPF_JMP32 ? "gotol " : "goto ");
		put_target(out, d, label, d->cls == BPF_JMP32 ? d->imm : d->off);
		return;
	case BG_DIS_GOTOX:
		bg_buf_printf(out, "gotox r%u", d->dst);
		return;
	case BG_DIS_MAY_GOTO:
		bg_buf_puts(out, "may_goto ");
		put_target(out, d, label, d->off);
		return;
	case BG_DIS_JCOND:
		if (BPF_SRC(d->code) == BPF_X)
			bg_buf_printf(out, "if %c%u %s %c%u goto ", r, d->dst, jmp_op(d->code), r,
				      d->src);
		else
			bg_buf_printf(out, "if %c%u %s 0x%x goto ", r, d->dst, jmp_op(d->code),
				      (uint32_t)d->imm);
		put_target(out, d, label, d->off);
		return;
	case BG_DIS_CALL_HELPER:
		format_call_helper(p, d, out);
		return;
	case BG_DIS_CALL_FUNC:
		/* A relocation (objects) names the callee better than imm does. */
		if (bg_dis_resolve(p, BG_Q_CALL, d, &ref) && ref.name)
			label = ref.name;
		bg_buf_puts(out, "call ");
		put_target(out, d, label, d->imm);
		return;
	case BG_DIS_CALL_KFUNC:
		if (bg_dis_resolve(p, BG_Q_KFUNC, d, &ref) && (ref.name || ref.symbol))
			bg_buf_printf(out, "call kfunc %s", ref.name ? ref.name : ref.symbol);
		else
			bg_buf_printf(out, "call kfunc#%d", d->imm);
		if (d->off)
			bg_buf_printf(out, " (btf %d)", d->off);
		return;
	case BG_DIS_EXIT:
		bg_buf_puts(out, "exit");
		return;
	}
}
