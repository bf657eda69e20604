// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Strings a program carries: in its read-only data, and built on its stack by stores. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "disasm/internal.h"

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
