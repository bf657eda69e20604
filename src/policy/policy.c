// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/families.h"
#include "policy/policy.h"
#include "policy/yaml.h"
#include "policy/php.h"
#include "policy/emit.h"

void bg_policy_init(struct bg_policy *p)
{
	memset(p, 0, sizeof(*p));
}

void bg_policy_free(struct bg_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_execs; i++)
		free(p->execs[i]);
	for (i = 0; i < p->n_files; i++)
		free(p->files[i].path);
	free(p->execs);
	free(p->files);
	free(p->net);
	free(p->comment);
	bg_policy_php_free(p);
	bg_policy_init(p);
}

int bg_policy_add_exec(struct bg_policy *p, const char *path)
{
	char **n, *d;
	size_t i;

	p->has_exec = true;
	for (i = 0; i < p->n_execs; i++)
		if (!strcmp(p->execs[i], path))
			return 0;
	d = strdup(path);
	n = realloc(p->execs, (p->n_execs + 1) * sizeof(*n));
	if (!d || !n) {
		free(d);
		if (n)
			p->execs = n;
		return -ENOMEM;
	}
	p->execs = n;
	p->execs[p->n_execs++] = d;
	return 0;
}

struct bg_policy_file *bg_policy_find_file(const struct bg_policy *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->n_files; i++)
		if (!strcmp(p->files[i].path, path))
			return &p->files[i];
	return NULL;
}

int bg_policy_add_file(struct bg_policy *p, const char *path, unsigned acc)
{
	struct bg_policy_file *n = bg_policy_find_file(p, path);
	char *d;

	p->has_files = true;
	if (n) {
		n->acc |= acc;
		return 0;
	}
	d = strdup(path);
	n = realloc(p->files, (p->n_files + 1) * sizeof(*n));
	if (!d || !n) {
		free(d);
		if (n)
			p->files = n;
		return -ENOMEM;
	}
	p->files = n;
	p->files[p->n_files].path = d;
	p->files[p->n_files++].acc = acc;
	return 0;
}

int bg_policy_add_net(struct bg_policy *p, const struct bg_policy_net *e)
{
	struct bg_policy_net *n;
	size_t i;

	p->has_net = true;
	for (i = 0; i < p->n_net; i++)
		if (!memcmp(&p->net[i], e, sizeof(*e)))
			return 0;
	n = realloc(p->net, (p->n_net + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->net = n;
	p->net[p->n_net++] = *e;
	return 0;
}

int bg_policy_merge(struct bg_policy *dst, const struct bg_policy *src)
{
	size_t i;
	int err = 0;

	for (i = 0; i < BG_SYSCALL_WORDS; i++) {
		dst->sys_native[i] |= src->sys_native[i];
		dst->sys_compat[i] |= src->sys_compat[i];
	}
	dst->has_syscalls |= src->has_syscalls;
	dst->has_exec |= src->has_exec;
	dst->has_files |= src->has_files;
	dst->has_net |= src->has_net;
	for (i = 0; !err && i < src->n_execs; i++)
		err = bg_policy_add_exec(dst, src->execs[i]);
	for (i = 0; !err && i < src->n_files; i++)
		err = bg_policy_add_file(dst, src->files[i].path, src->files[i].acc);
	for (i = 0; !err && i < src->n_net; i++)
		err = bg_policy_add_net(dst, &src->net[i]);
	if (!err)
		err = bg_policy_php_merge(dst, src);
	return err;
}

/*
 * Access words, with the letters of the short form for those that have one
 * (r read, w write, x exec, c create, t truncate). A policy names what was
 * done to each path: the entry operations (remove, rename-from, rename-to,
 * mkdir, rmdir) are kept apart from reading and writing so that run grants
 * each on the directory without widening into reads below it.
 */
static const struct {
	char c;
	const char *word;
	unsigned bit;
} acc_names[] = {
	{'r', "read", BG_ACC_READ},
	{'w', "write", BG_ACC_WRITE},
	{'x', "exec", BG_ACC_EXEC},
	{'c', "create", BG_ACC_CREAT},
	{'t', "truncate", BG_ACC_TRUNC},
	{0, "remove", BG_ACC_REMOVE},
	{0, "rename-from", BG_ACC_RENAME_FROM},
	{0, "rename-to", BG_ACC_RENAME_TO},
	{0, "mkdir", BG_ACC_MKDIR},
	{0, "rmdir", BG_ACC_RMDIR},
	{0, "link-from", BG_ACC_LINK_FROM},
	{0, "link-to", BG_ACC_LINK_TO},
	{0, "symlink", BG_ACC_SYMLINK},
	{0, "make-fifo", BG_ACC_MKFIFO},
	{0, "make-socket", BG_ACC_MKSOCK},
	{0, "make-char", BG_ACC_MKCHAR},
	{0, "make-block", BG_ACC_MKBLOCK},
	{0, "own-files", BG_ACC_OWN},
};
#define N_ACC	       (sizeof(acc_names) / sizeof(acc_names[0]))
#define BG_ACC_STR_MAX 256 /* every word, ", " apart */
#define ACC_LETTERS    (BG_ACC_READ | BG_ACC_WRITE | BG_ACC_EXEC | BG_ACC_CREAT | BG_ACC_TRUNC)

/* Letters when every bit has one (the short form policies have always
 * had), otherwise words separated by ", ". out holds BG_ACC_STR_MAX. */
static void acc_format(unsigned acc, char *out)
{
	size_t i, n = 0;

	out[0] = 0;
	for (i = 0; i < N_ACC; i++) {
		if (!(acc & acc_names[i].bit))
			continue;
		if (!(acc & ~(ACC_LETTERS | BG_ACC_DIR))) {
			out[n++] = acc_names[i].c;
			out[n] = 0;
		} else {
			n += sprintf(out + n, "%s%s", n ? ", " : "", acc_names[i].word);
		}
	}
}

static int acc_parse_word(const char *w, size_t len, unsigned *acc)
{
	size_t i, j;

	for (i = 0; i < N_ACC; i++) {
		if (strlen(acc_names[i].word) == len && !memcmp(w, acc_names[i].word, len)) {
			*acc |= acc_names[i].bit;
			return 0;
		}
	}
	/* Not a word: a run of letters ("rw"). */
	for (j = 0; j < len; j++) {
		for (i = 0; i < N_ACC; i++)
			if (acc_names[i].c && w[j] == acc_names[i].c)
				break;
		if (i == N_ACC)
			return -EINVAL;
		*acc |= acc_names[i].bit;
	}
	return 0;
}

/* "rw", "read, write, remove" or "read write": words or letters. */
static int acc_parse(const char *s, unsigned *acc)
{
	size_t len;

	*acc = 0;
	for (;;) {
		s += strspn(s, ", ");
		if (!*s)
			break;
		len = strcspn(s, ", ");
		if (acc_parse_word(s, len, acc))
			return -EINVAL;
		s += len;
	}
	return *acc ? 0 : -EINVAL;
}

int bg_net_parse(const char *s, struct bg_policy_net *n)
{
	char host[64], *slash, *end;
	const char *colon;
	unsigned long v;
	size_t hl;

	memset(n, 0, sizeof(*n));
	if (*s == '[') { /* [v6]:port */
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, rb - s - 1);
		host[rb - s - 1] = 0;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, colon - s);
		host[colon - s] = 0;
	}
	if (!strcmp(colon + 1, "*")) {
		n->port = 0;
	} else {
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (errno || *end || !colon[1] || v > 65535)
			return -EINVAL;
		n->port = v;
	}
	slash = strchr(host, '/');
	if (slash)
		*slash++ = 0;
	hl = strlen(host);
	if (!strcmp(host, "*")) {
		n->family = 0; /* any address, any family */
		n->prefix = 0;
		return slash ? -EINVAL : 0;
	}
	if (inet_pton(AF_INET, host, n->addr) == 1) {
		n->family = AF_INET;
		n->prefix = 32;
	} else if (hl && inet_pton(AF_INET6, host, n->addr) == 1) {
		n->family = AF_INET6;
		n->prefix = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		v = strtoul(slash, &end, 10);
		if (*end || !*slash || v > n->prefix)
			return -EINVAL;
		n->prefix = v;
	}
	return 0;
}

void bg_net_format(const struct bg_policy_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "*", port[8] = "*", pfx[8] = "";

	if (n->family)
		inet_ntop(n->family, n->addr, a, sizeof(a));
	if (n->port)
		snprintf(port, sizeof(port), "%u", n->port);
	if (n->family && n->prefix != (n->family == AF_INET ? 32 : 128))
		snprintf(pfx, sizeof(pfx), "/%u", n->prefix);
	if (n->family == AF_INET6)
		snprintf(buf, len, "[%s%s]:%s", a, pfx, port);
	else
		snprintf(buf, len, "%s%s:%s", a, pfx, port);
}

static const char *const op_names[] = {
	[BG_NET_CONNECT] = "connect", [BG_NET_SENDTO] = "sendto", [BG_NET_BIND] = "bind"};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct bg_policy_file *)a)->path,
		      ((const struct bg_policy_file *)b)->path);
}

static void write_syscalls(struct bg_emit *e, const char *key, const uint64_t *bm, bool compat)
{
	const char *names[BG_SYSCALL_MAX];
	size_t n = 0, i;
	unsigned nr;

	for (nr = 0; nr < BG_SYSCALL_MAX; nr++) {
		if (!bg_bit(bm, nr))
			continue;
		names[n] = bg_syscall_name(compat, nr);
		if (!names[n]) /* unknown to libseccomp: keep the number */
			continue;
		n++;
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	bg_emit_str(e, key, BG_EMIT_AUTO, "a key");
	bg_emit_seq(e, true);
	for (i = 0; i < n; i++)
		bg_emit_str(e, names[i], BG_EMIT_AUTO, "a syscall");
	bg_emit_end(e);
}

/* The comment lines: each line of p->comment (argv and paths, which may hold
 * any byte) with its non-printable bytes escaped, so that none ends the
 * comment or makes the file unreadable to libyaml. */
static void write_comment(FILE *f, const char *comment)
{
	char *copy = strdup(comment), *line, *save = NULL;

	if (!copy)
		return;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		fputs("# ", f);
		bg_fput_printable(f, line);
		fputc('\n', f);
	}
	free(copy);
}

static int write_execs(const struct bg_policy *p, FILE *f, char *err, size_t errlen)
{
	struct bg_emit e;
	char **execs = calloc(p->n_execs + 1, sizeof(*execs));
	size_t i;

	if (!execs)
		return -ENOMEM;
	if (p->n_execs) /* p->execs is NULL when empty */
		memcpy(execs, p->execs, p->n_execs * sizeof(*execs));
	qsort(execs, p->n_execs, sizeof(*execs), cmp_str);
	fprintf(f, "\n# Programs it may execute.\n");
	bg_emit_open(&e, f, err, errlen);
	bg_emit_str(&e, "executables", BG_EMIT_AUTO, "a key");
	bg_emit_seq(&e, p->n_execs == 0);
	for (i = 0; i < p->n_execs; i++) {
		if (execs[i][0] != '/')
			bg_emit_refuse(&e, -EINVAL, "executable", execs[i], "not an absolute path");
		bg_emit_str(&e, execs[i], BG_EMIT_AUTO, "executable");
	}
	free(execs);
	return bg_emit_close(&e);
}

static int write_files(const struct bg_policy *p, FILE *f, char *err, size_t errlen)
{
	struct bg_policy_file *files = calloc(p->n_files + 1, sizeof(*files));
	struct bg_emit e;
	size_t i;

	if (!files)
		return -ENOMEM;
	if (p->n_files)
		memcpy(files, p->files, p->n_files * sizeof(*files));
	qsort(files, p->n_files, sizeof(*files), cmp_file);
	fprintf(f, "\n# Files and what was done to them (docs/policy.md): r read, w write,\n"
		   "# x execute, c create, t truncate, or words: remove, rename-from,\n"
		   "# rename-to, mkdir, rmdir; a path ending in / is a directory;\n"
		   "# own-files: a directory the program keeps its own files in.\n");
	bg_emit_open(&e, f, err, errlen);
	bg_emit_str(&e, "files", BG_EMIT_AUTO, "a key");
	bg_emit_seq(&e, p->n_files == 0);
	for (i = 0; i < p->n_files; i++) {
		char acc[BG_ACC_STR_MAX];

		acc_format(files[i].acc, acc);
		if (files[i].path[0] != '/')
			bg_emit_refuse(&e, -EINVAL, "file", files[i].path, "not an absolute path");
		if (!acc[0]) /* grants nothing, and "" would not read back */
			continue;
		bg_emit_map(&e, false);
		bg_emit_str(&e, files[i].path, BG_EMIT_AUTO, "file");
		bg_emit_str(&e, acc, BG_EMIT_AUTO, "an access");
		bg_emit_end(&e);
	}
	free(files);
	return bg_emit_close(&e);
}

static int write_net(const struct bg_policy *p, FILE *f, char *err, size_t errlen)
{
	char **items = calloc(p->n_net + 1, sizeof(*items));
	struct bg_emit e;
	bool oom = false;
	size_t i, n;
	int op, rc;

	if (!items)
		return -ENOMEM;
	fprintf(f, "\n# Network peers: ADDRESS:PORT, [IPV6]:PORT, PREFIX/LEN:PORT, * for any.\n");
	bg_emit_open(&e, f, err, errlen);
	bg_emit_str(&e, "network", BG_EMIT_AUTO, "a key");
	bg_emit_map(&e, false);
	for (op = BG_NET_CONNECT; op <= BG_NET_BIND; op++) {
		char line[96];

		for (i = n = 0; i < p->n_net; i++) {
			if (p->net[i].op != op)
				continue;
			bg_net_format(&p->net[i], line, sizeof(line));
			items[n] = strdup(line);
			if (!items[n]) {
				oom = true;
				break;
			}
			n++;
		}
		qsort(items, n, sizeof(*items), cmp_str);
		bg_emit_str(&e, op_names[op], BG_EMIT_AUTO, "a key");
		bg_emit_seq(&e, n == 0);
		/* Quoted as they always were: "[::1]:80" and "*:53" could not be plain. */
		for (i = 0; i < n; i++) {
			bg_emit_str(&e, items[i], BG_EMIT_QUOTED, "peer");
			free(items[i]);
		}
		bg_emit_end(&e);
	}
	free(items);
	rc = bg_emit_close(&e);
	return oom ? -ENOMEM : rc;
}

int bg_policy_write(const struct bg_policy *p, FILE *f, char *err, size_t errlen)
{
	struct bg_emit e;
	int rc = 0;

	if (errlen)
		err[0] = 0;
	fprintf(f, "# bpfguard policy (edit freely; `bpfguard run --policy FILE -- CMD` enforces "
		   "it)\n");
	if (p->comment)
		write_comment(f, p->comment);
	fprintf(f, "version: 1\n");
	if (p->has_syscalls) {
		fprintf(f, "\n# Syscalls by name, per ABI: ia32 calls (int 0x80) are checked "
			   "apart.\n");
		bg_emit_open(&e, f, err, errlen);
		bg_emit_str(&e, "syscalls", BG_EMIT_AUTO, "a key");
		bg_emit_map(&e, false);
		write_syscalls(&e, "x86_64", p->sys_native, false);
		write_syscalls(&e, "ia32", p->sys_compat, true);
		rc = bg_emit_close(&e);
	}
	if (!rc && p->has_exec)
		rc = write_execs(p, f, err, errlen);
	if (!rc && p->has_files)
		rc = write_files(p, f, err, errlen);
	if (!rc && p->has_net)
		rc = write_net(p, f, err, errlen);
	if (!rc)
		rc = bg_policy_php_write(p, f, err, errlen);
	if (!rc && ferror(f))
		rc = -EIO;
	if (rc && errlen && !err[0])
		snprintf(err, errlen, "%s", strerror(-rc));
	return rc;
}

static const char *const top_keys[] = {"version", "syscalls", "executables", "files",
				       "network", "php",      NULL};
static const char *const sys_keys[] = {"x86_64", "ia32", NULL};
static const char *const net_keys[] = {"connect", "sendto", "bind", NULL};

static int parse_syscalls(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p)
{
	int err = bg_yaml_check_map(y, n, "syscalls", sys_keys), k;

	if (err)
		return err;
	for (k = 0; k < 2; k++) {
		yaml_node_t *list = bg_yaml_get(y, n, sys_keys[k]);
		yaml_node_item_t *it;

		if (!list)
			continue;
		if (list->type != YAML_SEQUENCE_NODE)
			return bg_yaml_error(y, list, "syscalls.%s must be a list of names",
					     sys_keys[k]);
		for (it = list->data.sequence.items.start; it < list->data.sequence.items.top;
		     it++) {
			yaml_node_t *e = yaml_document_get_node(&y->doc, *it);
			const char *name;

			err = bg_yaml_str(y, e, "a syscall", &name);
			if (err)
				return err;
			if (bg_syscall_add(k == 1, name, k ? p->sys_compat : p->sys_native))
				return bg_yaml_error(y, e, "unknown %s syscall '%s'", sys_keys[k],
						     name);
		}
	}
	p->has_syscalls = true;
	return 0;
}

static int parse_files(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p)
{
	yaml_node_item_t *it;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "files must be a list of PATH: ACCESS entries");
	p->has_files = true;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(&y->doc, *it), *k, *v;
		const char *path, *acc_s;
		unsigned acc;

		if (e->type != YAML_MAPPING_NODE ||
		    e->data.mapping.pairs.top - e->data.mapping.pairs.start != 1)
			return bg_yaml_error(y, e, "a files entry is one PATH: ACCESS pair");
		k = yaml_document_get_node(&y->doc, e->data.mapping.pairs.start->key);
		v = yaml_document_get_node(&y->doc, e->data.mapping.pairs.start->value);
		err = bg_yaml_str(y, k, "a path", &path);
		if (!err)
			err = bg_yaml_str(y, v, "an access", &acc_s);
		if (err)
			return err;
		if (path[0] != '/')
			return bg_yaml_error(y, k, "path '%s' is not absolute", path);
		if (acc_parse(acc_s, &acc))
			return bg_yaml_error(
				y, v,
				"access '%s' must be words from read, write, exec, "
				"create, truncate, remove, rename-from, rename-to, mkdir, "
				"rmdir, link-from, link-to, symlink, make-fifo, "
				"make-socket, make-char, make-block, own-files (or letters "
				"from r, w, "
				"x, c, t)",
				acc_s);
		if (path[strlen(path) - 1] == '/')
			acc |= BG_ACC_DIR;
		/* A workspace is a directory: on a file it would name nothing. */
		if ((acc & BG_ACC_OWN) && !(acc & BG_ACC_DIR))
			return bg_yaml_error(y, v, "own-files is for a directory: write '%s/'",
					     path);
		err = bg_policy_add_file(p, path, acc);
		if (err)
			return err;
	}
	return 0;
}

static int parse_execs(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p)
{
	yaml_node_item_t *it;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "executables must be a list of paths");
	p->has_exec = true;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(&y->doc, *it);
		const char *path;

		err = bg_yaml_str(y, e, "an executable", &path);
		if (err)
			return err;
		if (path[0] != '/')
			return bg_yaml_error(y, e, "executable '%s' is not an absolute path", path);
		err = bg_policy_add_exec(p, path);
		if (err)
			return err;
	}
	return 0;
}

static int parse_net(struct bg_yaml *y, yaml_node_t *n, struct bg_policy *p)
{
	int err = bg_yaml_check_map(y, n, "network", net_keys), k;

	if (err)
		return err;
	p->has_net = true;
	for (k = 0; net_keys[k]; k++) {
		yaml_node_t *list = bg_yaml_get(y, n, net_keys[k]);
		yaml_node_item_t *it;

		if (!list)
			continue;
		if (list->type != YAML_SEQUENCE_NODE)
			return bg_yaml_error(y, list, "network.%s must be a list of peers",
					     net_keys[k]);
		for (it = list->data.sequence.items.start; it < list->data.sequence.items.top;
		     it++) {
			yaml_node_t *e = yaml_document_get_node(&y->doc, *it);
			struct bg_policy_net pn;
			const char *s;

			err = bg_yaml_str(y, e, "a peer", &s);
			if (err)
				return err;
			if (bg_net_parse(s, &pn))
				return bg_yaml_error(y, e,
						     "peer '%s' is not ADDRESS:PORT, [IPV6]:PORT, "
						     "PREFIX/LEN:PORT or *:PORT",
						     s);
			pn.op = k + 1;
			err = bg_policy_add_net(p, &pn);
			if (err)
				return err;
		}
	}
	return 0;
}

static int parse(struct bg_yaml *y, struct bg_policy *p)
{
	yaml_node_t *root = bg_yaml_root(y), *n;
	unsigned long long ver;
	int err;

	if (!root)
		return bg_yaml_error(y, NULL, "empty policy");
	err = bg_yaml_check_map(y, root, "the policy", top_keys);
	if (err)
		return err;
	n = bg_yaml_get(y, root, "version");
	if (!n)
		return bg_yaml_error(y, root, "missing 'version: 1'");
	err = bg_yaml_u64(y, n, "version", &ver);
	if (err)
		return err;
	if (ver != 1)
		return bg_yaml_error(
			y, n, "unsupported policy version %llu (this bpfguard reads 1)", ver);
	if ((n = bg_yaml_get(y, root, "syscalls")) && (err = parse_syscalls(y, n, p)))
		return err;
	if ((n = bg_yaml_get(y, root, "executables")) && (err = parse_execs(y, n, p)))
		return err;
	if ((n = bg_yaml_get(y, root, "files")) && (err = parse_files(y, n, p)))
		return err;
	if ((n = bg_yaml_get(y, root, "network")) && (err = parse_net(y, n, p)))
		return err;
	if ((n = bg_yaml_get(y, root, "php")) && (err = bg_policy_php_parse(y, n, p)))
		return err;
	bg_policy_expand_families(p);
	return 0;
}

static int finish(struct bg_yaml *y, int rc, struct bg_policy *p, char *err, size_t errlen)
{
	if (!rc)
		rc = parse(y, p);
	if (rc) {
		snprintf(err, errlen, "%s", y->err[0] ? y->err : strerror(-rc));
		bg_policy_free(p);
	}
	bg_yaml_free(y);
	return rc;
}

int bg_policy_parse(const char *name, const char *text, size_t len, struct bg_policy *p, char *err,
		    size_t errlen)
{
	struct bg_yaml y;

	bg_policy_init(p);
	return finish(&y, bg_yaml_load_string(&y, name, text, len), p, err, errlen);
}

int bg_policy_load(const char *path, struct bg_policy *p, char *err, size_t errlen)
{
	struct bg_yaml y;

	bg_policy_init(p);
	return finish(&y, bg_yaml_load(&y, path), p, err, errlen);
}
