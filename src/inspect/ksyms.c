// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Kernel text symbols from /proc/kallsyms: helper and kfunc calls named. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "inspect/inspect.h"
#include "core/log.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int insp_ksyms_load(struct ksyms *ks)
{
	struct bg_buf b;
	char chunk[65536];
	size_t cap = 0, r;
	char *line, *save = NULL;
	FILE *f;
	int err = 0;

	memset(ks, 0, sizeof(*ks));
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	bg_buf_init(&b);
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
		bg_buf_put(&b, chunk, r);
	bg_buf_putc(&b, 0);
	fclose(f);
	if (b.oom) {
		err = -ENOMEM;
		goto cleanup;
	}
	ks->text = b.p;
	b.p = NULL;
	for (line = strtok_r(ks->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp1 = strchr(line, ' '), *sp2, *end;
		unsigned long long addr;

		if (!sp1 || !(sp2 = strchr(sp1 + 1, ' ')))
			continue;
		if (sp1[1] != 't' && sp1[1] != 'T')
			continue;
		addr = strtoull(line, NULL, 16);
		end = strpbrk(sp2 + 1, " \t");
		if (end)
			*end = 0;
		if (!strcmp(sp2 + 1, "__bpf_call_base"))
			ks->call_base = addr;
		if (ks->n == cap) {
			struct ksym *t;

			cap = cap ? cap * 2 : 65536;
			t = realloc(ks->syms, cap * sizeof(*t));
			if (!t) {
				err = -ENOMEM;
				goto cleanup;
			}
			ks->syms = t;
		}
		ks->syms[ks->n].addr = addr;
		ks->syms[ks->n].name = sp2 + 1;
		ks->n++;
	}
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
	if (!ks->call_base || !ks->n || !ks->syms[ks->n - 1].addr)
		pr_warn("kernel symbols are hidden (kptr_restrict): helper calls stay unnamed\n");
cleanup:
	bg_buf_free(&b);
	return err;
}

void insp_ksyms_free(struct ksyms *ks)
{
	free(ks->text);
	free(ks->syms);
	memset(ks, 0, sizeof(*ks));
}

static const char *ksyms_at(const struct ksyms *ks, unsigned long long addr)
{
	struct ksym key = {.addr = addr}, *s;

	if (!ks->call_base)
		return NULL;
	s = bsearch(&key, ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
	return s ? s->name : NULL;
}

/* The kernel symbol a helper or kfunc call in xlated code lands on. */
const char *insp_call_symbol(const struct ksyms *ks, int32_t imm)
{
	return ksyms_at(ks, ks->call_base + (long long)imm);
}
