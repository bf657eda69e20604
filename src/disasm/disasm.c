// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The eBPF disassembler. The text follows the notation the verifier and
 * bpftool use ("r1 = *(u64 *)(r10 -8)") so the two can be compared line by
 * line, but jumps print as labels and references print with their names.
 * Written from the instruction-set specification (Documentation/bpf/
 * standardization/instruction-set.rst), not from the kernel's disasm.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "bpf_helper_names.h"

/* Encodings newer than the uapi header we build against (Debian 12: 6.1). */
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL 0x110
#endif
#ifndef BPF_ADDR_SPACE_CAST
#define BPF_ADDR_SPACE_CAST 1
#endif
/* Kernel-internal: the verifier emits it when it inlines per-CPU accesses. */
#define BG_ADDR_PERCPU (-1)
#define BG_MAX_REG     11 /* r11 is the kernel's auxiliary register in xlated code */

const char *bg_helper_name(int id)
{
	if (id < 0 || id >= BG_HELPER_NAMES_N)
		return NULL;
	return bg_helper_names[id];
}

int bg_helper_max(void)
{
	return BG_HELPER_NAMES_N;
}

int bg_helper_id(const char *name)
{
	int i;

	if (!strncmp(name, "bpf_", 4))
		name += 4;
	for (i = 1; i < BG_HELPER_NAMES_N; i++)
		if (bg_helper_names[i] && !strcmp(bg_helper_names[i], name))
			return i;
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

/*
 * The kernel names most helper implementations bpf_<helper>, adds a suffix
 * for per-program-type variants (_tp, _raw_tp, _tracing, _kprobe_multi...),
 * and for map helpers on a known map calls the map type's operation
 * directly (array_map_lookup_elem, __htab_map_lookup_elem...).
 */
int bg_helper_id_from_symbol(const char *sym)
{
	char buf[128];
	const char *base;
	size_t best_len = 0, l;
	int id, i, best = -1;
	char *p;

	if (!sym || strlen(sym) >= sizeof(buf))
		return -1;
	id = bg_helper_id(sym);
	if (id >= 0 && !strncmp(sym, "bpf_", 4))
		return id;
	/* bpf_probe_read_compat_str is the legacy probe_read_str. */
	snprintf(buf, sizeof(buf), "%s", sym);
	p = strstr(buf, "_compat");
	if (p && !strncmp(buf, "bpf_", 4)) {
		memmove(p, p + 7, strlen(p + 7) + 1);
		id = bg_helper_id(buf);
		if (id >= 0)
			return id;
	}
	if (!strncmp(sym, "bpf_", 4)) {
		base = sym + 4;
		for (i = 1; i < BG_HELPER_NAMES_N; i++) {
			if (!bg_helper_names[i])
				continue;
			l = strlen(bg_helper_names[i]);
			if (l > best_len && !strncmp(base, bg_helper_names[i], l) &&
			    base[l] == '_') {
				best = i;
				best_len = l;
			}
		}
		if (best >= 0)
			return best;
	}
	if (ends_with(sym, "_map_redirect"))
		return bg_helper_id("redirect_map");
	for (i = 1; i < BG_HELPER_NAMES_N; i++) {
		if (!bg_helper_names[i] || strncmp(bg_helper_names[i], "map_", 4))
			continue;
		l = strlen(bg_helper_names[i]);
		if (l > best_len && ends_with(sym, bg_helper_names[i])) {
			best = i;
			best_len = l;
		}
	}
	if (best < 0 && ends_with(sym, "_map_for_each_callback"))
		best = bg_helper_id("for_each_map_elem");
	return best;
}

static const char *const kind_names[] = {
	[BG_DIS_INVALID] = "invalid",
	[BG_DIS_ALU] = "alu",
	[BG_DIS_MOV] = "mov",
	[BG_DIS_NEG] = "neg",
	[BG_DIS_END] = "endian",
	[BG_DIS_LOAD] = "load",
	[BG_DIS_STORE_IMM] = "store_imm",
	[BG_DIS_STORE_REG] = "store_reg",
	[BG_DIS_ATOMIC] = "atomic",
	[BG_DIS_LD_ABS] = "ld_abs",
	[BG_DIS_LD_IND] = "ld_ind",
	[BG_DIS_LD_IMM64] = "ld_imm64",
	[BG_DIS_JA] = "goto",
	[BG_DIS_GOTOX] = "gotox",
	[BG_DIS_JCOND] = "cond_jump",
	[BG_DIS_MAY_GOTO] = "may_goto",
	[BG_DIS_CALL_HELPER] = "call_helper",
	[BG_DIS_CALL_FUNC] = "call_func",
	[BG_DIS_CALL_KFUNC] = "call_kfunc",
	[BG_DIS_EXIT] = "exit",
};

const char *bg_dis_kind_name(enum bg_dis_kind k)
{
	return (unsigned int)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

static const char *const class_names[8] = {"ld",  "ldx", "st",	  "stx",
					   "alu", "jmp", "jmp32", "alu64"};

static int invalid(struct bg_dis_insn *d, const char *why)
{
	d->kind = BG_DIS_INVALID;
	d->why = why;
	d->target = -1;
	return (int)d->slots;
}

static int decode_alu(struct bg_dis_insn *d)
{
	bool is64 = d->cls == BPF_ALU64, x = BPF_SRC(d->code) == BPF_X;

	switch (BPF_OP(d->code)) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_OR:
	case BPF_AND:
	case BPF_LSH:
	case BPF_RSH:
	case BPF_XOR:
	case BPF_ARSH:
		if (d->off)
			return invalid(d, "reserved offset field set");
		d->kind = BG_DIS_ALU;
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (d->off != 0 && d->off != 1)
			return invalid(d, "div/mod offset must be 0 or 1 (signed)");
		d->kind = BG_DIS_ALU;
		break;
	case BPF_NEG:
		if (x || d->off)
			return invalid(d, "reserved fields of neg set");
		d->kind = BG_DIS_NEG;
		break;
	case BPF_MOV:
		if (!x && d->off)
			return invalid(d, "reserved offset field set");
		if (x && d->off != 0 && d->off != 8 && d->off != 16 && !(is64 && d->off == 32) &&
		    !(is64 && (d->off == BPF_ADDR_SPACE_CAST || d->off == BG_ADDR_PERCPU)))
			return invalid(d, "bad sign-extension width");
		d->kind = BG_DIS_MOV;
		break;
	case BPF_END:
		if (d->imm != 16 && d->imm != 32 && d->imm != 64)
			return invalid(d, "byte swap width must be 16, 32 or 64");
		if (is64 && x)
			return invalid(d, "bswap takes no source flag");
		d->kind = BG_DIS_END;
		break;
	default:
		return invalid(d, "unknown ALU operation");
	}
	return 1;
}

static int decode_jmp(const struct bpf_insn *insns, size_t i, struct bg_dis_insn *d)
{
	bool is32 = d->cls == BPF_JMP32;
	uint8_t op = BPF_OP(d->code);

	(void)insns;
	switch (op) {
	case BPF_JA:
		if (!is32 && BPF_SRC(d->code) == BPF_X) {
			d->kind = BG_DIS_GOTOX;
			return 1;
		}
		d->kind = BG_DIS_JA;
		d->target = (long)i + 1 + (is32 ? (long)d->imm : (long)d->off);
		return 1;
	case BPF_CALL:
		if (is32)
			return invalid(d, "call in the JMP32 class");
		if (d->src == 0) {
			d->kind = BG_DIS_CALL_HELPER;
		} else if (d->src == BPF_PSEUDO_CALL) {
			d->kind = BG_DIS_CALL_FUNC;
			d->target = (long)i + 1 + d->imm;
		} else if (d->src == BPF_PSEUDO_KFUNC_CALL) {
			d->kind = BG_DIS_CALL_KFUNC;
		} else {
			return invalid(d, "unknown call kind (src_reg)");
		}
		return 1;
	case BPF_EXIT:
		if (is32)
			return invalid(d, "exit in the JMP32 class");
		d->kind = BG_DIS_EXIT;
		return 1;
	case BPF_JCOND:
		if (is32 || d->src != 0)
			return invalid(d, "unknown JCOND form");
		d->kind = BG_DIS_MAY_GOTO;
		d->target = (long)i + 1 + d->off;
		return 1;
	case 0xf0:
		return invalid(d, "unknown jump operation");
	default:
		d->kind = BG_DIS_JCOND;
		d->target = (long)i + 1 + d->off;
		return 1;
	}
}

static bool atomic_op_ok(int32_t imm)
{
	switch (imm) {
	case BPF_ADD:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
	case BPF_ADD | BPF_FETCH:
	case BPF_AND | BPF_FETCH:
	case BPF_OR | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
	case BPF_XCHG:
	case BPF_CMPXCHG:
	case BPF_LOAD_ACQ:
	case BPF_STORE_REL:
		return true;
	}
	return false;
}

int bg_dis_decode(const struct bpf_insn *insns, size_t n, size_t i, struct bg_dis_insn *d)
{
	const struct bpf_insn *in, *hi;
	uint8_t mode, size;

	if (!insns || i >= n)
		return -EINVAL;
	in = &insns[i];
	memset(d, 0, sizeof(*d));
	d->idx = i;
	d->slots = 1;
	d->code = in->code;
	d->cls = BPF_CLASS(in->code);
	d->dst = in->dst_reg;
	d->src = in->src_reg;
	d->off = in->off;
	d->imm = in->imm;
	d->target = -1;
	if (d->dst > BG_MAX_REG || d->src > BG_MAX_REG) {
		/* ld_imm64 and calls use src_reg as a tag, checked below. */
		bool tag = (d->cls == BPF_LD || d->cls == BPF_JMP) && d->dst <= BG_MAX_REG;

		if (!tag)
			return invalid(d, "register number out of range");
	}
	mode = BPF_MODE(d->code);
	size = BPF_SIZE(d->code);
	switch (d->cls) {
	case BPF_ALU:
	case BPF_ALU64:
		return decode_alu(d);
	case BPF_JMP:
	case BPF_JMP32:
		return decode_jmp(insns, i, d);
	case BPF_LDX:
		if (mode != BPF_MEM && !(mode == BPF_MEMSX && size != BPF_DW))
			return invalid(d, "unknown LDX mode");
		d->kind = BG_DIS_LOAD;
		return 1;
	case BPF_ST:
		if (mode != BPF_MEM)
			return invalid(d, "unknown ST mode");
		d->kind = BG_DIS_STORE_IMM;
		return 1;
	case BPF_STX:
		if (mode == BPF_MEM) {
			d->kind = BG_DIS_STORE_REG;
			return 1;
		}
		if (mode != BPF_ATOMIC || !atomic_op_ok(d->imm))
			return invalid(d, "unknown STX mode or atomic operation");
		if (d->imm != BPF_LOAD_ACQ && d->imm != BPF_STORE_REL && size != BPF_W &&
		    size != BPF_DW)
			return invalid(d, "atomic operation on a byte or half word");
		d->kind = BG_DIS_ATOMIC;
		return 1;
	case BPF_LD:
		if (mode == BPF_ABS || mode == BPF_IND) {
			if (size == BPF_DW)
				return invalid(d, "legacy packet load of a double word");
			d->kind = mode == BPF_ABS ? BG_DIS_LD_ABS : BG_DIS_LD_IND;
			return 1;
		}
		if (mode != BPF_IMM || size != BPF_DW)
			return invalid(d, "unknown LD mode");
		if (i + 1 >= n)
			return invalid(d, "ld_imm64 truncated: no second slot");
		hi = &insns[i + 1];
		d->slots = 2;
		if (hi->code || hi->dst_reg || hi->src_reg || hi->off)
			return invalid(d, "ld_imm64 second slot has reserved fields set");
		if (d->src > BPF_PSEUDO_MAP_IDX_VALUE)
			return invalid(d, "unknown ld_imm64 kind (src_reg)");
		d->imm2 = hi->imm;
		d->imm64 = ((uint64_t)(uint32_t)hi->imm << 32) | (uint32_t)in->imm;
		if (d->src == BPF_PSEUDO_FUNC)
			d->target = (long)i + 1 + d->imm;
		d->kind = BG_DIS_LD_IMM64;
		return 2;
	}
	return invalid(d, "unknown class");
}

/*
 * Decode in the context of a program. In xlated code of a JITed program
 * the kernel moves a bpf-to-bpf call's offset to `off` and puts the
 * subprogram's index in `imm`.
 */
static int decode_p(const struct bg_dis_prog *p, size_t i, struct bg_dis_insn *d)
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

static bool resolve(const struct bg_dis_prog *p, enum bg_dis_query q, const struct bg_dis_insn *d,
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

	if (resolve(p, BG_Q_HELPER, d, &ref)) {
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
	bool named = resolve(p, BG_Q_LD64, d, &ref) && ref.name;

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
		if (resolve(p, BG_Q_CALL, d, &ref) && ref.name)
			label = ref.name;
		bg_buf_puts(out, "call ");
		put_target(out, d, label, d->imm);
		return;
	case BG_DIS_CALL_KFUNC:
		if (resolve(p, BG_Q_KFUNC, d, &ref) && (ref.name || ref.symbol))
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
		k = decode_p(p, i, &d);
		if (k < 0)
			break;
		if (d.target < 0 || (size_t)d.target >= p->n)
			continue;
		if (d.kind == BG_DIS_CALL_FUNC && resolve(p, BG_Q_CALL, &d, &ref) && ref.name)
			continue;
		if (d.kind == BG_DIS_LD_IMM64 && resolve(p, BG_Q_LD64, &d, &ref) && ref.name)
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
	if (resolve(p, BG_Q_FUNC_AT, &d, ref) && ref->name)
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
		k = decode_p(p, i, &l.d);
		if (k < 0)
			break;
		l.fn = func_at(p, i, &fref);
		l.label = labels.num[i];
		l.target = target_label(p, &labels, &l.d, lbuf, sizeof(lbuf), &bad);
		l.outside = l.d.target >= 0 && (size_t)l.d.target >= p->n &&
			    l.d.kind != BG_DIS_CALL_FUNC && l.d.kind != BG_DIS_LD_IMM64;
		if (l.d.kind == BG_DIS_CALL_HELPER)
			l.resolved = resolve(p, BG_Q_HELPER, &l.d, &l.ref);
		else if (l.d.kind == BG_DIS_CALL_KFUNC)
			l.resolved = resolve(p, BG_Q_KFUNC, &l.d, &l.ref);
		else if (l.d.kind == BG_DIS_LD_IMM64)
			l.resolved = resolve(p, BG_Q_LD64, &l.d, &l.ref);
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
	bg_json_kstr(j, "class", class_names[d->cls]);
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
			if (resolve(p, BG_Q_HELPER, &d, &ref))
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

static bool printable(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n';
}

void bg_data_strings(const uint8_t *data, size_t len, size_t min_len, bg_str_cb cb, void *priv)
{
	size_t i = 0, start;

	if (!min_len)
		min_len = 1;
	while (i < len) {
		while (i < len && !printable(data[i]))
			i++;
		start = i;
		while (i < len && printable(data[i]))
			i++;
		if (i - start >= min_len)
			cb(priv, (const char *)data + start, i - start, start);
	}
}

#define STACK 512

struct stack_img {
	uint8_t bytes[STACK];
	uint8_t set[STACK];
	size_t where[STACK];
	bool dirty;
};

static void img_flush(struct stack_img *s, size_t min_len, bg_str_cb cb, void *priv)
{
	size_t i = 0, start;

	if (!s->dirty)
		return;
	while (i < STACK) {
		while (i < STACK && !(s->set[i] && printable(s->bytes[i])))
			i++;
		start = i;
		while (i < STACK && s->set[i] && printable(s->bytes[i]))
			i++;
		if (i > start && i - start >= min_len)
			cb(priv, (const char *)s->bytes + start, i - start, s->where[start]);
	}
	memset(s->set, 0, sizeof(s->set));
	s->dirty = false;
}

static void img_store(struct stack_img *s, int off, unsigned int size, uint64_t v, size_t where)
{
	long pos = STACK + (long)off;
	unsigned int b;

	if (pos < 0 || pos + (long)size > STACK)
		return;
	for (b = 0; b < size; b++) {
		/* BPF objects for this host are little-endian. */
		s->bytes[pos + b] = (uint8_t)(v >> (8 * b));
		s->set[pos + b] = 1;
		s->where[pos + b] = where;
	}
	s->dirty = true;
}

static unsigned int size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W:
		return 4;
	case BPF_H:
		return 2;
	case BPF_B:
		return 1;
	default:
		return 8;
	}
}

void bg_dis_stack_strings(const struct bpf_insn *insns, size_t n, size_t min_len, bg_str_cb cb,
			  void *priv)
{
	struct stack_img *s = calloc(1, sizeof(*s));
	uint8_t *is_target = calloc(n ? n : 1, 1);
	struct bg_dis_insn d;
	uint64_t val[BG_MAX_REG + 1] = {0};
	bool known[BG_MAX_REG + 1] = {0};
	size_t i;
	int k;

	if (!s || !is_target)
		goto cleanup;
	for (i = 0; i < n; i += (size_t)k) {
		k = bg_dis_decode(insns, n, i, &d);
		if (k < 0)
			break;
		if (d.target >= 0 && (size_t)d.target < n)
			is_target[d.target] = 1;
	}
	for (i = 0; i < n; i += (size_t)k) {
		k = bg_dis_decode(insns, n, i, &d);
		if (k < 0)
			break;
		/* A string is built within one straight-line block. */
		if (is_target[i]) {
			img_flush(s, min_len, cb, priv);
			memset(known, 0, sizeof(known));
		}
		switch (d.kind) {
		case BG_DIS_STORE_IMM:
			if (d.dst == BPF_REG_10)
				img_store(s, d.off, size_bytes(d.code), (uint64_t)(int64_t)d.imm,
					  i);
			break;
		case BG_DIS_STORE_REG:
			if (d.dst == BPF_REG_10 && known[d.src])
				img_store(s, d.off, size_bytes(d.code), val[d.src], i);
			break;
		case BG_DIS_MOV:
			if (BPF_SRC(d.code) == BPF_K) {
				known[d.dst] = true;
				val[d.dst] = d.cls == BPF_ALU64 ? (uint64_t)(int64_t)d.imm
								: (uint32_t)d.imm;
			} else if (!d.off && known[d.src]) {
				known[d.dst] = true;
				val[d.dst] = d.cls == BPF_ALU64 ? val[d.src] : (uint32_t)val[d.src];
			} else {
				known[d.dst] = false;
			}
			break;
		case BG_DIS_LD_IMM64:
			known[d.dst] = d.src == 0;
			val[d.dst] = d.imm64;
			break;
		case BG_DIS_CALL_HELPER:
		case BG_DIS_CALL_FUNC:
		case BG_DIS_CALL_KFUNC:
		case BG_DIS_EXIT:
		case BG_DIS_JA:
		case BG_DIS_JCOND:
		case BG_DIS_GOTOX:
		case BG_DIS_MAY_GOTO:
			img_flush(s, min_len, cb, priv);
			memset(known, 0, sizeof(known));
			break;
		case BG_DIS_ATOMIC:
			if (d.imm == BPF_CMPXCHG)
				known[BPF_REG_0] = false;
			else if (d.imm == BPF_LOAD_ACQ)
				known[d.dst] = false;
			else if (d.imm & BPF_FETCH)
				known[d.src] = false;
			break;
		case BG_DIS_LD_ABS:
		case BG_DIS_LD_IND:
			known[0] = false;
			break;
		default:
			if (d.dst <= BG_MAX_REG && (d.kind == BG_DIS_ALU || d.kind == BG_DIS_NEG ||
						    d.kind == BG_DIS_END || d.kind == BG_DIS_LOAD))
				known[d.dst] = false;
			break;
		}
	}
	img_flush(s, min_len, cb, priv);
cleanup:
	free(is_target);
	free(s);
}
