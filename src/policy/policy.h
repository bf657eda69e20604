/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_POLICY_H
#define BG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bpfguard/profile.h>

#include "policy/php.h"
#include "policy/syscalls.h"

/*
 * A program's policy: what `profile` recorded and `run`/`monitor` enforce.
 * It names syscalls, paths and addresses, never a mechanism, so a profile
 * recorded on one kernel holds under deny, kill or alert on another.
 * A section that is absent is not restricted; a present, empty one allows
 * nothing.
 */
struct bg_policy_file {
	char *path;   /* absolute; a directory ends with '/' */
	unsigned acc; /* BG_ACC_* */
};

struct bg_policy_net {
	uint8_t op;	 /* enum bg_net_op */
	uint16_t family; /* AF_INET, AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix; /* prefix length: 32/128 for one address, 0 for any */
	uint16_t port;	/* 0: any port */
};


struct bg_policy {
	char *comment; /* header lines, written back as "# " comments */
	bool has_syscalls, has_files, has_exec, has_net, has_php;
	struct bg_policy_php php;
	uint64_t sys_native[BG_SYSCALL_WORDS];
	uint64_t sys_compat[BG_SYSCALL_WORDS];
	char **execs;
	size_t n_execs;
	struct bg_policy_file *files;
	size_t n_files;
	struct bg_policy_net *net;
	size_t n_net;
};

void bg_policy_init(struct bg_policy *p);
void bg_policy_free(struct bg_policy *p);
/* Load and validate; err gets FILE:LINE:COL: what is wrong. */
int bg_policy_load(const char *path, struct bg_policy *p, char *err, size_t errlen);
int bg_policy_parse(const char *name, const char *text, size_t len, struct bg_policy *p, char *err,
		    size_t errlen);
/* Write sorted, readable YAML through libyaml's emitter. A name that YAML
 * cannot hold (not UTF-8) is refused: -EILSEQ, and err names it. */
int bg_policy_write(const struct bg_policy *p, FILE *f, char *err, size_t errlen);
/* Add the contents of src to dst (profile --append). */
int bg_policy_merge(struct bg_policy *dst, const struct bg_policy *src);

int bg_policy_add_exec(struct bg_policy *p, const char *path);
int bg_policy_add_file(struct bg_policy *p, const char *path, unsigned acc);
/* The files entry of exactly that path, or NULL. */
struct bg_policy_file *bg_policy_find_file(const struct bg_policy *p, const char *path);
int bg_policy_add_net(struct bg_policy *p, const struct bg_policy_net *n);


/* "127.0.0.1:80", "[::1]:80", "10.0.0.0/8", "*:53", "0.0.0.0:8000". */
int bg_net_parse(const char *s, struct bg_policy_net *n);
void bg_net_format(const struct bg_policy_net *n, char *buf, size_t len);



#endif
