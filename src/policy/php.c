// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The php: section of a policy:
 *
 *   php:
 *     functions:
 *       "main": [read, write]
 *       "App::render": []
 *       "system": [clone, execve, wait4]
 *     files:
 *       - /srv/app/index.php
 *
 * A function absent from `functions` may not be called; a syscall absent
 * from its list may not be made while it is on top of the PHP stack; a PHP
 * file absent from `files` may not be compiled (no `files:` key: any).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/emit.h"
#include "policy/families.h"
#include "policy/php.h"
#include "policy/policy.h"
#include "policy/yaml.h"

/* "Class::method" as the PHP guard reads it: two 64-byte halves. */
#define BG_PHP_NAME_MAX (2 * 64)

static struct bg_policy_php_fn *find_fn(struct bg_policy_php *ph, const char *name)
{
	size_t i;

	for (i = 0; i < ph->n_fns; i++)
		if (!strcmp(ph->fns[i].name, name))
			return &ph->fns[i];
	return NULL;
}

int bg_policy_php_add_fn(struct bg_policy *p, const char *name, const uint64_t *sys)
{
	struct bg_policy_php *ph = &p->php;
	struct bg_policy_php_fn *f = find_fn(ph, name), *n;
	size_t i;

	p->has_php = true;
	if (!f) {
		n = realloc(ph->fns, (ph->n_fns + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		ph->fns = n;
		f = &n[ph->n_fns];
		memset(f, 0, sizeof(*f));
		f->name = strdup(name);
		if (!f->name)
			return -ENOMEM;
		ph->n_fns++;
	}
	for (i = 0; sys && i < BG_SYSCALL_WORDS; i++)
		f->sys[i] |= sys[i];
	return 0;
}

int bg_policy_php_add_file(struct bg_policy *p, const char *path)
{
	struct bg_policy_php *ph = &p->php;
	char **n;
	size_t i;

	p->has_php = true;
	ph->check_files = true;
	for (i = 0; i < ph->n_files; i++)
		if (!strcmp(ph->files[i], path))
			return 0;
	n = realloc(ph->files, (ph->n_files + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	ph->files = n;
	n[ph->n_files] = strdup(path);
	if (!n[ph->n_files])
		return -ENOMEM;
	ph->n_files++;
	return 0;
}

void bg_policy_php_free(struct bg_policy *p)
{
	size_t i;

	for (i = 0; i < p->php.n_fns; i++)
		free(p->php.fns[i].name);
	for (i = 0; i < p->php.n_files; i++)
		free(p->php.files[i]);
	free(p->php.fns);
	free(p->php.files);
	memset(&p->php, 0, sizeof(p->php));
}

int bg_policy_php_merge(struct bg_policy *dst, const struct bg_policy *src)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < src->php.n_fns; i++)
		err = bg_policy_php_add_fn(dst, src->php.fns[i].name, src->php.fns[i].sys);
	for (i = 0; !err && i < src->php.n_files; i++)
		err = bg_policy_php_add_file(dst, src->php.files[i]);
	dst->has_php |= src->has_php;
	dst->php.check_files |= src->php.check_files;
	return err;
}

static int cmp_fn(const void *a, const void *b)
{
	return strcmp(((const struct bg_policy_php_fn *)a)->name,
		      ((const struct bg_policy_php_fn *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int bg_policy_php_write(const struct bg_policy *p, FILE *f, char *err, size_t errlen)
{
	const struct bg_policy_php *ph = &p->php;
	struct bg_policy_php_fn *fns;
	struct bg_emit e;
	char **files;
	size_t i;
	unsigned nr;

	if (!p->has_php)
		return 0;
	fns = calloc(ph->n_fns + 1, sizeof(*fns));
	files = calloc(ph->n_files + 1, sizeof(*files));
	if (!fns || !files) {
		free(fns);
		free(files);
		return -ENOMEM;
	}
	if (ph->n_fns) /* the arrays are NULL when empty */
		memcpy(fns, ph->fns, ph->n_fns * sizeof(*fns));
	if (ph->n_files)
		memcpy(files, ph->files, ph->n_files * sizeof(*files));
	qsort(fns, ph->n_fns, sizeof(*fns), cmp_fn);
	qsort(files, ph->n_files, sizeof(*files), cmp_str);
	fprintf(f, "\n# PHP functions it may call, each with the syscalls it may make while on\n"
		   "# top of the PHP stack; PHP files it compiled.\n");
	bg_emit_open(&e, f, err, errlen);
	bg_emit_str(&e, "php", BG_EMIT_AUTO, "a key");
	bg_emit_map(&e, false);
	bg_emit_str(&e, "functions", BG_EMIT_AUTO, "a key");
	bg_emit_map(&e, ph->n_fns == 0);
	for (i = 0; i < ph->n_fns; i++) {
		/* Always quoted, as they always were: "App::render" reads as a
		 * name at a glance, and a namespace's \ is escaped. */
		if (!fns[i].name[0] || strlen(fns[i].name) >= BG_PHP_NAME_MAX)
			bg_emit_refuse(&e, -EINVAL, "PHP function", fns[i].name,
				       "empty, or longer than the reader takes");
		bg_emit_str(&e, fns[i].name, BG_EMIT_QUOTED, "PHP function");
		bg_emit_seq(&e, true);
		for (nr = 0; nr < BG_SYSCALL_MAX; nr++) {
			const char *name =
				bg_bit(fns[i].sys, nr) ? bg_syscall_name(false, nr) : NULL;

			if (name)
				bg_emit_str(&e, name, BG_EMIT_AUTO, "a syscall");
		}
		bg_emit_end(&e);
	}
	bg_emit_end(&e);
	if (ph->check_files) {
		bg_emit_str(&e, "files", BG_EMIT_AUTO, "a key");
		bg_emit_seq(&e, ph->n_files == 0);
		for (i = 0; i < ph->n_files; i++)
			bg_emit_str(&e, files[i], BG_EMIT_AUTO, "PHP file");
		bg_emit_end(&e);
	}
	free(fns);
	free(files);
	return bg_emit_close(&e);
}

static const char *const php_keys[] = {"functions", "files", NULL};

static int parse_fns(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p)
{
	yaml_node_pair_t *pr;
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return bg_yaml_error(y, n, "php.functions must map NAME: [syscalls]");
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&y->doc, pr->value);
		uint64_t sys[BG_SYSCALL_WORDS] = {0};
		yaml_node_item_t *it;
		const char *name;

		err = bg_yaml_str(y, k, "a PHP function", &name);
		if (err)
			return err;
		if (!*name || strlen(name) >= BG_PHP_NAME_MAX)
			return bg_yaml_error(y, k, "bad PHP function name '%s'", name);
		if (v->type != YAML_SEQUENCE_NODE)
			return bg_yaml_error(y, v, "the syscalls of %s must be a list", name);
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(&y->doc, *it);
			const char *sc;

			err = bg_yaml_str(y, e, "a syscall", &sc);
			if (err)
				return err;
			if (bg_syscall_add(false, sc, sys))
				return bg_yaml_error(y, e, "unknown x86_64 syscall '%s'", sc);
		}
		err = bg_policy_php_add_fn(p, name, sys);
		if (err)
			return err;
	}
	return 0;
}

int bg_policy_php_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p)
{
	yaml_node_t *fns, *files;
	yaml_node_item_t *it;
	int err = bg_yaml_check_map(y, n, "php", php_keys);

	if (err)
		return err;
	p->has_php = true;
	fns = bg_yaml_get(y, n, "functions");
	if (fns && (err = parse_fns(y, fns, p)))
		return err;
	files = bg_yaml_get(y, n, "files");
	if (!files)
		return 0; /* no list: compiled files are not checked */
	p->php.check_files = true;
	if (files->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, files, "php.files must be a list of paths");
	for (it = files->data.sequence.items.start; it < files->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(&y->doc, *it);
		const char *path;

		err = bg_yaml_str(y, e, "a PHP file", &path);
		if (!err)
			err = bg_policy_php_add_file(p, path);
		if (err)
			return err;
	}
	return 0;
}
