// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The eBPF disassembler: helper names by id and by kernel symbol, and the names of instruction kinds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "disasm/internal.h"
#include "bpf_helper_names.h"

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
