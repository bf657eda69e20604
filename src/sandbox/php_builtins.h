/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_PHP_BUILTINS_H
#define BG_PHP_BUILTINS_H

/* Built-ins trapped at their handlers (src/sandbox/php_builtins.c). */
#include <stdbool.h>

#include "sandbox/php_state.h"

struct bg_policy;
struct bg_policy_php;

bool bg_php_uprobe_multi(void);
int bg_php_trap_builtins(struct bg_php *ph, const struct bg_policy_php *pp);
int bg_php_trap_all_builtins(struct bg_php *ph);
int bg_php_builtin_aliases(const struct bg_php *ph, struct bg_policy *pol);
void bg_php_untrap_builtins(struct bg_php *ph);

#endif
