// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: the input's NUL-separated pieces become names in every section
 * of a policy (a file with an access from the first byte: letters and entry
 * operations' words; an executable, a PHP function, a PHP file), which is
 * written and read back. What is read
 * back must be what was written; a write may only be refused for a name
 * that is not UTF-8 (docs/policy.md). Anything else aborts. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/emit.h"
#include "policy/families.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *find_str(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return v[i];
	return NULL;
}

static void check(const struct bg_policy *p, const struct bg_policy *q)
{
	size_t i, j;

	if (p->n_files != q->n_files || p->n_execs != q->n_execs || p->php.n_fns != q->php.n_fns ||
	    p->php.n_files != q->php.n_files)
		abort();
	for (i = 0; i < p->n_files; i++) {
		for (j = 0; j < q->n_files && strcmp(p->files[i].path, q->files[j].path); j++)
			;
		if (j == q->n_files || p->files[i].acc != q->files[j].acc)
			abort();
	}
	for (i = 0; i < p->n_execs; i++)
		if (!find_str(q->execs, q->n_execs, p->execs[i]))
			abort();
	for (i = 0; i < p->php.n_files; i++)
		if (!find_str(q->php.files, q->php.n_files, p->php.files[i]))
			abort();
	for (i = 0; i < p->php.n_fns; i++) {
		for (j = 0; j < q->php.n_fns && strcmp(p->php.fns[i].name, q->php.fns[j].name); j++)
			;
		if (j == q->php.n_fns ||
		    memcmp(p->php.fns[i].sys, q->php.fns[j].sys, sizeof(p->php.fns[i].sys)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned letters[] = {BG_ACC_READ, BG_ACC_WRITE, BG_ACC_EXEC, BG_ACC_CREAT,
					   BG_ACC_TRUNC};
	static const unsigned words[] = {
		BG_ACC_REMOVE | BG_ACC_RENAME_FROM | BG_ACC_LINK_FROM | BG_ACC_MKFIFO |
			BG_ACC_MKCHAR,
		BG_ACC_RENAME_TO | BG_ACC_MKDIR | BG_ACC_LINK_TO | BG_ACC_MKSOCK,
		BG_ACC_RMDIR | BG_ACC_SYMLINK | BG_ACC_MKBLOCK,
	};
	struct bg_policy p, q;
	char err[600], *buf, *s, *text = NULL;
	size_t len = 0, i;
	unsigned acc = 0;
	bool utf8 = true;
	FILE *f;
	int rc;

	if (!size)
		return 0;
	for (i = 0; i < 5; i++)
		if (data[0] & (1u << i))
			acc |= letters[i];
	/* Bits 5-7: groups of entry operations, so every word is written. */
	for (i = 0; i < 3; i++)
		if (data[0] & (0x20u << i))
			acc |= words[i];
	if (!acc)
		acc = BG_ACC_READ;
	buf = malloc(size + 1); /* "/" in front of the first name */
	if (!buf)
		return 0;
	buf[0] = '/';
	memcpy(buf + 1, data + 1, size - 1);
	buf[size] = 0;
	bg_policy_init(&p);
	p.has_files = p.has_exec = p.has_php = true;
	p.php.check_files = true;
	/* Each piece, from its '/': the NUL that ends one starts the next. */
	for (s = buf; s < buf + size; s += strlen(s) + 1) {
		uint64_t sys[BG_SYSCALL_WORDS] = {0};
		char *path = s;

		if (s != buf) {
			s[-1] = '/';
			path = s - 1;
		}
		utf8 &= bg_utf8_valid(path);
		bg_set_bit(sys, (unsigned char)path[1] % 300);
		if (bg_policy_add_file(&p, path,
				       acc | (path[strlen(path) - 1] == '/' ? BG_ACC_DIR : 0)) ||
		    bg_policy_add_exec(&p, path) || bg_policy_php_add_file(&p, path + 1) ||
		    (path[1] && strlen(path + 1) < 128 && bg_policy_php_add_fn(&p, path + 1, sys)))
			goto out;
	}
	f = open_memstream(&text, &len);
	if (!f)
		goto out;
	rc = bg_policy_write(&p, f, err, sizeof(err));
	if (fclose(f))
		goto out;
	if (rc == -EILSEQ && !utf8)
		goto out; /* the documented refusal */
	if (rc)
		abort();
	if (bg_policy_parse("fuzz.yaml", text, len, &q, err, sizeof(err))) {
		fprintf(stderr, "read back: %s\n", err);
		abort();
	}
	/* The loader grants syscall families whole: compare with the same. */
	bg_policy_expand_families(&p);
	check(&p, &q);
	bg_policy_free(&q);
out:
	bg_policy_free(&p);
	free(text);
	free(buf);
	return 0;
}
