/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_POLICY_PHP_H
#define BG_POLICY_PHP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

#include <bpfguard/profile.h>

struct bg_policy;
struct bg_yaml;

/* php: functions ("Class::method" or "function") with the syscalls each
 * made while profiled, and the PHP files compiled (src/policy/php.c). */
struct bg_policy_php_fn {
	char *name;
	uint64_t sys[BG_SYSCALL_WORDS];
};

struct bg_policy_php {
	struct bg_policy_php_fn *fns;
	size_t n_fns;
	char **files;
	size_t n_files;
	bool check_files; /* a files: list was given (possibly empty): enforce it */
};

/* The php: section (docs/policy.md). */
int bg_policy_php_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p);
int bg_policy_php_add_fn(struct bg_policy *p, const char *name, const uint64_t *sys);
int bg_policy_php_add_file(struct bg_policy *p, const char *path);
void bg_policy_php_free(struct bg_policy *p);
int bg_policy_php_write(const struct bg_policy *p, FILE *f, char *err, size_t errlen);
int bg_policy_php_merge(struct bg_policy *dst, const struct bg_policy *src);

#endif
