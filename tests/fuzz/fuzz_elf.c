// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: arbitrary bytes as a BPF object file, through the ELF reader
 * and then the disassembler over every code section with its relocations. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "disasm/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bg_elf e;
	size_t i, k, sum = 0;

	if (bg_elf_open_mem(&e, data, size) == 0) {
		for (i = 0; i < e.nsecs; i++) {
			struct bg_elf_rel *rels;
			struct bpf_insn *insns;
			size_t nrels, n;
			struct bg_buf b;

			if (bg_elf_relocs(&e, i, &rels, &nrels) == 0) {
				for (k = 0; k < nrels; k++)
					sum += strlen(e.syms[rels[k].sym].name);
				free(rels);
			}
			if (!bg_elf_is_code(&e, i))
				continue;
			n = e.secs[i].size / sizeof(struct bpf_insn);
			insns = malloc(n ? n * sizeof(*insns) : 1);
			if (!insns)
				continue;
			memcpy(insns, e.secs[i].data, n * sizeof(*insns));
			{
				struct bg_dis_prog p = {insns, n, NULL, NULL, false};

				bg_buf_init(&b);
				bg_dis_text(&p, &b);
				bg_buf_free(&b);
			}
			free(insns);
			sum += strlen(e.secs[i].name);
		}
		for (i = 0; i < e.nsyms; i++)
			sum += strlen(e.syms[i].name);
	}
	bg_elf_close(&e);
	return (int)(sum & 0);
}
