// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "policy/yaml.h"

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

int bg_yaml_error(struct bg_yaml *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (n)
		off = snprintf(y->err, sizeof(y->err), "%s:%zu:%zu: ", y->file,
			       n->start_mark.line + 1, n->start_mark.column + 1);
	else
		off = snprintf(y->err, sizeof(y->err), "%s: ", y->file);
	if (off < 0 || (size_t)off >= sizeof(y->err))
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(y->err + off, sizeof(y->err) - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Where a decoded NUL came from: the escape (\0, \x00, \u0000, \U00000000)
 * inside a double-quoted scalar, found by scanning its source. A raw NUL
 * byte never gets this far (libyaml refuses control characters), so an
 * escape is the only way in. Returns false when the source cannot be
 * followed (not UTF-8, not double-quoted), and the scalar's start is used. */
static bool nul_mark(const char *text, size_t len, const yaml_node_t *n, size_t *line, size_t *col)
{
	static const char zeros[] = "00000000";
	size_t i = 0, chars = 0, l = n->start_mark.line, c = n->start_mark.column;

	if (n->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return false;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3; /* libyaml does not count a UTF-8 byte order mark */
	/* Marks count characters, not bytes. */
	for (; i < len && chars < n->start_mark.index; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			chars++;
	while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80)
		i++;
	if (i >= len || text[i] != '"')
		return false;
	for (i++, c++; i < len && text[i] != '"'; i++) {
		size_t hex = 0;

		if (text[i] == '\\' && i + 1 < len) {
			switch (text[i + 1]) {
			case '0':
				goto found;
			case 'x':
				hex = 2;
				break;
			case 'u':
				hex = 4;
				break;
			case 'U':
				hex = 8;
				break;
			}
			if (hex && i + 2 + hex <= len && !memcmp(text + i + 2, zeros, hex))
				goto found;
			i++;
			c++;
		}
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
			l++;
			c = 0;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80 && text[i] != '\r') {
			c++;
		}
	}
	return false;
found:
	*line = l;
	*col = c;
	return true;
}

/*
 * libyaml decodes "\0" into a NUL inside scalar.value and reports the true
 * length; everything we do with a scalar is C strings, which would end at
 * the NUL: "/tmp/s\0/x" would protect /tmp/s. Refuse such a document
 * whole, keys included, before any of it is used.
 */
static int check_nul(struct bg_yaml *y, const char *text, size_t len)
{
	yaml_node_t *n;

	for (n = y->doc.nodes.start; n < y->doc.nodes.top; n++) {
		size_t line = n->start_mark.line, col = n->start_mark.column, at;
		const char *v;

		if (n->type != YAML_SCALAR_NODE)
			continue;
		v = (const char *)n->data.scalar.value;
		if (!memchr(v, 0, n->data.scalar.length))
			continue;
		at = strlen(v);
		if (text)
			nul_mark(text, len, n, &line, &col);
		snprintf(y->err, sizeof(y->err),
			 "%s:%zu:%zu: a NUL character inside a string is not allowed (after "
			 "'%.*s'): the string would end there",
			 y->file, line + 1, col + 1, (int)(at > 64 ? 64 : at), v);
		return -EINVAL;
	}
	return 0;
}

static int load(struct bg_yaml *y, yaml_parser_t *p, const char *text, size_t len)
{
	int err = 0;

	if (!yaml_parser_load(p, &y->doc)) {
		snprintf(y->err, sizeof(y->err), "%s:%zu:%zu: %s%s%s", y->file,
			 p->problem_mark.line + 1, p->problem_mark.column + 1,
			 p->problem ? p->problem : "invalid YAML", p->context ? " " : "",
			 p->context ? p->context : "");
		err = -EINVAL;
	} else {
		y->loaded = true;
		err = check_nul(y, text, len);
		if (err)
			bg_yaml_free(y);
	}
	yaml_parser_delete(p);
	return err;
}

int bg_yaml_load_string(struct bg_yaml *y, const char *name, const char *text, size_t len)
{
	yaml_parser_t p;

	memset(y, 0, sizeof(*y));
	y->file = name;
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	return load(y, &p, text, len);
}

/* The whole file is read first: the NUL check looks back at the source. */
int bg_yaml_load(struct bg_yaml *y, const char *path)
{
	char *text = NULL, *nt;
	size_t len = 0, cap = 0;
	FILE *f;
	int err;

	memset(y, 0, sizeof(*y));
	y->file = path;
	f = fopen(path, "re");
	if (!f)
		goto io_error;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16384;
			nt = realloc(text, cap);
			if (!nt) {
				err = -ENOMEM;
				goto cleanup;
			}
			text = nt;
		}
		len += fread(text + len, 1, cap - len, f);
		if (len < cap)
			break;
	}
	if (ferror(f))
		goto io_error;
	err = bg_yaml_load_string(y, path, text, len);
	goto cleanup;
io_error:
	err = -errno;
	snprintf(y->err, sizeof(y->err), "%s: %s", path, strerror(errno));
cleanup:
	if (f)
		fclose(f);
	free(text);
	return err;
}

void bg_yaml_free(struct bg_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

yaml_node_t *bg_yaml_root(struct bg_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int bg_yaml_check_map(struct bg_yaml *y, yaml_node_t *n, const char *what,
		      const char *const allowed[])
{
	yaml_node_pair_t *a, *b;

	if (!n || n->type != YAML_MAPPING_NODE)
		return bg_yaml_error(y, n, "%s must be a mapping, not %s", what,
				     n ? kind_name(n) : "empty");
	for (a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, a->key);
		const char *ks = scalar(k);
		size_t i;

		if (!ks)
			return bg_yaml_error(y, k, "%s: keys must be plain words", what);
		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], ks))
				break;
		if (!allowed[i]) {
			char list[256] = "";
			size_t off = 0;

			for (i = 0; allowed[i] && off < sizeof(list); i++)
				off += snprintf(list + off, sizeof(list) - off, "%s%s",
						i ? ", " : "", allowed[i]);
			return bg_yaml_error(y, k, "unknown key '%s' in %s (expected one of: %s)",
					     ks, what, list);
		}
		for (b = n->data.mapping.pairs.start; b < a; b++) {
			const char *prev = scalar(yaml_document_get_node(&y->doc, b->key));

			if (prev && !strcmp(prev, ks))
				return bg_yaml_error(y, k, "duplicate key '%s' in %s", ks, what);
		}
	}
	return 0;
}

yaml_node_t *bg_yaml_get(struct bg_yaml *y, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p;

	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(&y->doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(&y->doc, p->value);
	}
	return NULL;
}

int bg_yaml_str(struct bg_yaml *y, yaml_node_t *n, const char *what, const char **out)
{
	const char *s = scalar(n);

	if (!s)
		return bg_yaml_error(y, n, "%s must be a string, not %s", what, kind_name(n));
	*out = s;
	return 0;
}

int bg_yaml_bool(struct bg_yaml *y, yaml_node_t *n, const char *what, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", NULL};
	static const char *const no[] = {"false", "no", "off", NULL};
	const char *s = scalar(n);
	int i;

	for (i = 0; s && yes[i]; i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return bg_yaml_error(y, n, "%s must be true or false, not %s%s%s", what,
			     s ? "'" : kind_name(n), s ? s : "", s ? "'" : "");
}

int bg_yaml_u64(struct bg_yaml *y, yaml_node_t *n, const char *what, unsigned long long *out)
{
	const char *s = scalar(n);
	char *end;

	if (s && *s >= '0' && *s <= '9') {
		errno = 0;
		*out = strtoull(s, &end, 10);
		if (!errno && !*end)
			return 0;
	}
	return bg_yaml_error(y, n, "%s must be a non-negative integer, not %s%s%s", what,
			     s ? "'" : kind_name(n), s ? s : "", s ? "'" : "");
}

int bg_yaml_size(struct bg_yaml *y, yaml_node_t *n, const char *what, unsigned long long *out)
{
	const char *s = scalar(n);

	if (s && !bg_parse_size(s, out))
		return 0;
	return bg_yaml_error(y, n, "%s must be a size such as 4096, 64K or 4MiB, not %s%s%s", what,
			     s ? "'" : kind_name(n), s ? s : "", s ? "'" : "");
}

int bg_yaml_enum(struct bg_yaml *y, yaml_node_t *n, const char *what, const char *const choices[],
		 int *out)
{
	const char *s = scalar(n);
	char list[256] = "";
	size_t off = 0;
	int i;

	for (i = 0; s && choices[i]; i++) {
		if (!strcmp(s, choices[i])) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; choices[i] && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", choices[i]);
	return bg_yaml_error(y, n, "%s must be one of %s, not %s%s%s", what, list,
			     s ? "'" : kind_name(n), s ? s : "", s ? "'" : "");
}

int bg_yaml_check_seq(struct bg_yaml *y, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "%s must be a list", what);
	return 0;
}

/* The name scalar of a rule mapping, or NULL. */
static const char *name_of(struct bg_yaml *y, yaml_node_t *rule)
{
	yaml_node_t *v = rule->type == YAML_MAPPING_NODE ? bg_yaml_get(y, rule, "name") : NULL;

	return v && v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : NULL;
}

int bg_yaml_rule_name(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *rule, const char *what,
		      const char **out)
{
	yaml_node_t *v = bg_yaml_get(y, rule, "name"), *item;
	yaml_node_item_t *it;
	char label[64];
	const char *o;
	int err;

	if (!v)
		return bg_yaml_error(y, rule, "%s rule without a name", what);
	snprintf(label, sizeof(label), "%s rule name", what);
	err = bg_yaml_str(y, v, label, out);
	if (err)
		return err;
	if (!**out || strlen(*out) > 64)
		return bg_yaml_error(y, v, "rule names are 1 to 64 characters");
	BG_YAML_FOR_EACH(y, list, it, item)
	{
		if (item == rule)
			break;
		if ((o = name_of(y, item)) && !strcmp(o, *out))
			return bg_yaml_error(y, v, "duplicate rule name '%s'", *out);
	}
	return 0;
}

int bg_yaml_rule_list(struct bg_yaml *y, yaml_node_t *n, const struct bg_yaml_rules *k,
		      size_t size, yaml_node_t **list, void **out)
{
	char what[64];
	size_t len;
	int err;

	*list = bg_yaml_get(y, n, "rules");
	*out = NULL;
	if (!*list)
		return 0;
	snprintf(what, sizeof(what), "%s.rules", k->section);
	err = bg_yaml_check_seq(y, *list, what);
	if (err)
		return err;
	len = (*list)->data.sequence.items.top - (*list)->data.sequence.items.start;
	if (len > k->max)
		return bg_yaml_error(y, *list, "at most %zu rules", k->max);
	*out = calloc(len ? len : 1, size);
	return *out ? 0 : -ENOMEM;
}

int bg_yaml_rule_head(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *rule,
		      const struct bg_yaml_rules *k, const char **name, int *action)
{
	char what[64];
	yaml_node_t *v;
	int err, a;

	snprintf(what, sizeof(what), "a %s rule", k->section);
	err = bg_yaml_check_map(y, rule, what, k->keys);
	if (!err)
		err = bg_yaml_rule_name(y, list, rule, k->section, name);
	if (err || !k->actions || !(v = bg_yaml_get(y, rule, "action")))
		return err;
	err = bg_yaml_enum(y, v, "action", k->actions, &a);
	if (!err)
		*action = k->action_values[a];
	return err;
}
