// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The eBPF disassembler: one instruction decoded, from the instruction-set specification. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "disasm/internal.h"

const char *const bg_dis_class_names[8] = {"ld",  "ldx", "st",	  "stx",
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
