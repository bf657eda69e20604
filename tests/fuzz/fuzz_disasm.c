// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: arbitrary bytes as an instruction array, through every
 * disassembler entry point (text, JSON, histogram, strings). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"

static void sink(void *priv, const char *s, size_t len, size_t where)
{
	(void)s;
	*(size_t *)priv += len + where;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(struct bpf_insn), acc = 0;
	struct bpf_insn *insns = malloc(n ? n * sizeof(*insns) : 1);
	struct bg_helper_hist h;
	struct bg_buf b;
	struct bg_json j;
	int xl;

	if (!insns)
		return 0;
	memcpy(insns, data, n * sizeof(*insns));
	for (xl = 0; xl < 2; xl++) {
		struct bg_dis_prog p = {insns, n, NULL, NULL, xl};

		bg_buf_init(&b);
		bg_dis_text(&p, &b);
		bg_json_init(&j, &b);
		bg_dis_json(&p, &j);
		bg_dis_helper_hist(&p, &h);
		bg_buf_free(&b);
	}
	bg_dis_stack_strings(insns, n, 4, sink, &acc);
	bg_data_strings(data, size, 4, sink, &acc);
	free(insns);
	return 0;
}
