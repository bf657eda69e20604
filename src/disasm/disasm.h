/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_DISASM_H
#define BG_DISASM_H

/*
 * bpfguard's own eBPF disassembler. It works on a plain instruction array
 * (an object file's section, a program's xlated code, or the instructions a
 * load watcher copied), and asks a resolver for the names it cannot know
 * itself (maps, kernel symbols, relocations). Nothing here allocates except
 * the per-program label table, so the decoder is cheap enough for a load
 * watcher's hot path (bg_dis_decode, bg_dis_helper_hist).
 *
 * The text follows the notation the verifier and bpftool use
 * ("r1 = *(u64 *)(r10 -8)") so the two can be compared line by line, but
 * jumps print as labels and references print with their names. Written from
 * the instruction-set specification (Documentation/bpf/standardization/
 * instruction-set.rst), not from the kernel's disasm.c. Its parts:
 * helpers.c (names), decode.c, format.c (one instruction), render.c (a
 * program: walked once, rendered as text or JSON), strings.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "core/buf.h"
#include "events/json.h"

/* What a decoded slot is, coarser than the opcode. */
enum bg_dis_kind {
	BG_DIS_INVALID = 0,
	BG_DIS_ALU,
	BG_DIS_MOV,
	BG_DIS_NEG,
	BG_DIS_END,  /* le/be/bswap */
	BG_DIS_LOAD, /* LDX MEM, MEMSX */
	BG_DIS_STORE_IMM,
	BG_DIS_STORE_REG,
	BG_DIS_ATOMIC,
	BG_DIS_LD_ABS,
	BG_DIS_LD_IND,
	BG_DIS_LD_IMM64,
	BG_DIS_JA,    /* goto, gotol */
	BG_DIS_GOTOX, /* indirect goto through a register */
	BG_DIS_JCOND, /* if ... goto */
	BG_DIS_MAY_GOTO,
	BG_DIS_CALL_HELPER,
	BG_DIS_CALL_FUNC, /* bpf-to-bpf */
	BG_DIS_CALL_KFUNC,
	BG_DIS_EXIT,
};

/* One decoded instruction (one slot, two for ld_imm64). */
struct bg_dis_insn {
	size_t idx;
	unsigned int slots;
	enum bg_dis_kind kind;
	uint8_t code, cls, dst, src;
	int16_t off;
	int32_t imm;
	uint64_t imm64;	 /* ld_imm64: both halves */
	int32_t imm2;	 /* ld_imm64: second slot's imm (map value offset) */
	long target;	 /* jump, call or func target slot; -1 if none */
	const char *why; /* BG_DIS_INVALID: the reason */
};

/* Questions the disassembler asks its resolver. */
enum bg_dis_query {
	BG_Q_HELPER,  /* helper call: id or kernel symbol */
	BG_Q_KFUNC,   /* kfunc call: name */
	BG_Q_CALL,    /* bpf-to-bpf call leaving this instruction array */
	BG_Q_LD64,    /* ld_imm64: map, data or extern it refers to */
	BG_Q_FUNC_AT, /* the name of a function starting at this slot */
};

struct bg_dis_ref {
	const char *name;   /* map, function, kfunc or extern name */
	const char *symbol; /* kernel symbol a call goes to (xlated code) */
	int helper_id;	    /* BG_Q_HELPER: helper id, or -1 */
	long long addend;   /* BG_Q_LD64 in objects: offset into the data */
	bool is_map;	    /* BG_Q_LD64: name is a map (else a data section or extern) */
	bool is_extern;	    /* BG_Q_LD64: an extern (ksym, kconfig) */
	bool is_func;	    /* BG_Q_LD64: the address of a function (callbacks) */
	const char *str;    /* a string the reference points at, if any */
};

/* Fills ref and returns true when it knows the answer. */
typedef bool (*bg_dis_resolve_fn)(void *priv, enum bg_dis_query q, const struct bg_dis_insn *d,
				  struct bg_dis_ref *ref);

struct bg_dis_prog {
	const struct bpf_insn *insns;
	size_t n;
	bg_dis_resolve_fn resolve; /* may be NULL */
	void *priv;
	/* Instructions come from the kernel (xlated): map imms are map ids and
	 * helper imms are offsets from __bpf_call_base, not helper ids. */
	bool xlated;
};

/* Helper names from the uapi header this was built with. NULL if unknown. */
const char *bg_helper_name(int id);
int bg_helper_max(void);
/* Helper id for "map_lookup_elem" or "bpf_map_lookup_elem"; -1 if none. */
int bg_helper_id(const char *name);
/*
 * Helper id for a kernel function symbol a helper call lands on in xlated
 * code: "bpf_ringbuf_reserve", variants such as "bpf_perf_event_output_tp",
 * and the map operations the verifier calls directly for map helpers
 * ("htab_map_lookup_elem"). -1 if it is not recognisably a helper.
 */
int bg_helper_id_from_symbol(const char *sym);

/* Decode slot i of insns[0..n). Returns the slots used (1 or 2; an invalid
 * slot still uses 1 and is described by d->why), or -EINVAL if i >= n. */
int bg_dis_decode(const struct bpf_insn *insns, size_t n, size_t i, struct bg_dis_insn *d);

/* Text of one decoded instruction, without index or label ("r1 = r2"). */
void bg_dis_format(const struct bg_dis_prog *p, const struct bg_dis_insn *d, const char *label,
		   const char *target_name, struct bg_buf *out);

/* The whole program as text: function names, labels, "idx: (op) text".
 * Returns 0, -ENOMEM, or -EINVAL if some slot was invalid (still printed). */
int bg_dis_text(const struct bg_dis_prog *p, struct bg_buf *out);
/* The same as a JSON array of instruction objects. */
int bg_dis_json(const struct bg_dis_prog *p, struct bg_json *j);

/* Helper-call histogram. counts[id] for ids below BG_HIST_MAX; calls whose
 * id is not known (or beyond the table) go to `unknown`. kfunc and
 * bpf-to-bpf calls are counted apart: they are not helpers. */
#define BG_HIST_MAX 256
struct bg_helper_hist {
	unsigned int counts[BG_HIST_MAX];
	unsigned int unknown;
	unsigned int kfuncs;
	unsigned int func_calls;
	unsigned int total; /* helper calls, known or not */
};
void bg_dis_helper_hist(const struct bg_dis_prog *p, struct bg_helper_hist *h);

/*
 * Strings a program builds on its stack: runs of constant stores (ST, or
 * STX of a register holding a constant) to r10-relative slots that form
 * printable text of at least min_len bytes. cb gets each string and the
 * slot of the first store.
 */
typedef void (*bg_str_cb)(void *priv, const char *s, size_t len, size_t where);
void bg_dis_stack_strings(const struct bpf_insn *insns, size_t n, size_t min_len, bg_str_cb cb,
			  void *priv);
/* Printable NUL- or unprintable-delimited runs of at least min_len bytes in
 * data (.rodata, a read-only map's value). `where` is the byte offset. */
void bg_data_strings(const uint8_t *data, size_t len, size_t min_len, bg_str_cb cb, void *priv);

const char *bg_dis_kind_name(enum bg_dis_kind k);

#endif
