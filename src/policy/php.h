/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_POLICY_PHP_H
#define BG_POLICY_PHP_H

#include "policy/policy.h"
#include "policy/yaml.h"

/* The php: section (docs/policy.md). */
int bg_policy_php_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p);

#endif
