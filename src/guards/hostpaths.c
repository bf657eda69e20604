// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/guard.h"
#include "guards/hostpaths.h"

int bg_host_paths_parse(struct bg_yaml *y, yaml_node_t *n, const char *what,
			struct bg_host_path **out, size_t *count)
{
	yaml_node_item_t *it;
	yaml_node_t *item;
	struct bg_host_path *p;
	const char *s;
	size_t len;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "%s must be a list of paths", what);
	len = n->data.sequence.items.top - n->data.sequence.items.start;
	p = calloc(len ? len : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*out = p;
	*count = 0;
	BG_YAML_FOR_EACH(y, n, it, item)
	{
		err = bg_yaml_str(y, item, what, &s);
		if (err)
			return err;
		if (s[0] != '/')
			return bg_yaml_error(y, item, "%s: '%s' is not an absolute path", what, s);
		p[*count].path = strdup(s);
		if (!p[*count].path)
			return -ENOMEM;
		p[*count].at = bg_yaml_pos(item);
		(*count)++;
	}
	return 0;
}

const struct bg_host_path *bg_host_paths_find(const struct bg_host_path *a, size_t n_a,
					      const struct bg_host_path *p)
{
	size_t i;

	for (i = 0; i < n_a; i++)
		if (!memcmp(&a[i].id, &p->id, sizeof(p->id)))
			return &a[i];
	return NULL;
}

int bg_host_paths_resolve(struct bg_resolve *rs, const char *what, enum bg_host_path_kind kind,
			  bool ignore_missing, struct bg_host_path *p, size_t *count)
{
	const struct bg_host_path *same;
	struct stat st;
	size_t i, kept = 0;

	for (i = 0; i < *count; i++) {
		const char *s = p[i].path;

		if (stat(s, &st) < 0) {
			if (errno == ENOENT && ignore_missing) {
				free(p[i].path);
				p[i].path = NULL;
				continue;
			}
			return bg_resolve_error(rs, p[i].at, "%s: %s: %s", what, s,
						strerror(errno));
		}
		if (kind == BG_HOST_FILE && !S_ISREG(st.st_mode))
			return bg_resolve_error(rs, p[i].at, "%s: %s is not a regular file", what,
						s);
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			return bg_resolve_error(
				rs, p[i].at, "%s: %s is neither a file nor a directory", what, s);
		if (kept != i) {
			p[kept] = p[i];
			p[i].path = NULL; /* moved: freed once, whatever happens next */
		}
		bg_ident_from_stat(&st, &p[kept].id);
		p[kept].dir = S_ISDIR(st.st_mode);
		same = bg_host_paths_find(p, kept, &p[kept]);
		if (same)
			return bg_resolve_error(rs, p[kept].at, "%s: %s is the same file as %s",
						what, s, same->path);
		kept++;
	}
	*count = kept;
	return 0;
}

void bg_host_paths_free(struct bg_host_path *p, size_t n)
{
	size_t i;

	for (i = 0; p && i < n; i++)
		free(p[i].path);
	free(p);
}

int bg_path_rule_parse(struct bg_yaml *y, yaml_node_t *list, yaml_node_t *n,
		       const struct bg_yaml_rules *k, struct bg_path_rule *r)
{
	yaml_node_t *v;
	const char *s;
	int err;

	r->action = -1;
	err = bg_yaml_rule_head(y, list, n, k, &s, &r->action);
	if (err)
		return err;
	r->name = strdup(s);
	if (!r->name)
		return -ENOMEM;
	if ((v = bg_yaml_get(y, n, "ignore_missing"))) {
		err = bg_yaml_bool(y, v, "ignore_missing", &r->ignore_missing);
		if (err)
			return err;
	}
	v = bg_yaml_get(y, n, "paths");
	if (!v)
		return bg_yaml_error(y, n, "rule '%s' has no paths", r->name);
	r->at_paths = bg_yaml_pos(v);
	err = bg_host_paths_parse(y, v, "paths", &r->paths, &r->n_paths);
	if (!err && !r->n_paths)
		err = bg_yaml_error(y, v, "rule '%s': paths is empty", r->name);
	return err;
}

int bg_path_rule_resolve(struct bg_resolve *rs, struct bg_path_rule *r)
{
	int err = bg_host_paths_resolve(rs, "paths", BG_HOST_FILE_OR_DIR, r->ignore_missing,
					r->paths, &r->n_paths);

	if (!err && !r->n_paths)
		err = bg_resolve_error(rs, r->at_paths,
				       "rule '%s': every path is missing (ignore_missing)",
				       r->name);
	return err;
}

const struct bg_host_path *bg_path_rule_overlap(const struct bg_path_rule *earlier,
						const struct bg_path_rule *r,
						const struct bg_host_path **same)
{
	size_t q;

	for (q = 0; q < r->n_paths; q++)
		if ((*same = bg_host_paths_find(earlier->paths, earlier->n_paths, &r->paths[q])))
			return &r->paths[q];
	return NULL;
}

void bg_path_rule_free(struct bg_path_rule *r)
{
	free(r->name);
	bg_host_paths_free(r->paths, r->n_paths);
	r->name = NULL;
	r->paths = NULL;
	r->n_paths = 0;
}
