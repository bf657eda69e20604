/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_DISASM_INTERNAL_H
#define BG_DISASM_INTERNAL_H

/* What the disassembler's parts (helpers, decode, format, render,
 * strings) share and nobody else needs. */
#include "disasm/disasm.h"

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

extern const char *const bg_dis_class_names[8];

/* Decode in the context of a program (format.c). */
int bg_dis_decode_p(const struct bg_dis_prog *p, size_t i, struct bg_dis_insn *d);
/* Ask the program's resolver (format.c). */
bool bg_dis_resolve(const struct bg_dis_prog *p, enum bg_dis_query q, const struct bg_dis_insn *d,
		    struct bg_dis_ref *ref);

#endif
