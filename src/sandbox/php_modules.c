// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PHP built-in functions and their handlers' addresses, read
 * statically from the ELF files of the PHP binary and its shared
 * extensions (the PHP guard traps the handlers of the built-ins a policy
 * does not allow; src/sandbox/php_builtins.c). The frame layout the kernel
 * half reads is found in src/sandbox/php_engine.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpfguard/php.h>

#include "core/log.h"
#include "sandbox/php_engine.h"

/*
 * Each PHP extension (those built into the binary and the shared ones in
 * the extension directory) describes itself with a zend_module_entry
 * {u16 size, u32 zend_api, u8 debug, u8 zts, ini, deps, name, functions,
 * ...} whose `functions` is its list of built-in functions (not methods):
 * zend_function_entry {fname, handler, arg_info, u32 num_args, u32 flags},
 * ended by a NULL fname. Found statically, the pointers resolved through
 * the file's R_X86_64_RELATIVE relocations (PIE), they give every
 * built-in function's name and handler, for any SAPI's binary, without
 * running it: the handlers of the built-ins a policy does not allow are
 * where the PHP guard puts its uprobes.
 */
struct elf_img {
	Elf *elf;
	int fd;
	uint64_t *rel_off, *rel_val; /* sorted by offset */
	size_t n_rel;
	struct {
		uint64_t vaddr, filesz, off;
		bool exec;
	} seg[16];
	size_t n_seg;
	char *data; /* the whole file */
	size_t size;
};

static void img_close(struct elf_img *m)
{
	if (m->elf)
		elf_end(m->elf);
	if (m->fd >= 0)
		close(m->fd);
	free(m->rel_off);
	free(m->rel_val);
	free(m->data);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

static int cmp_u64_idx(const void *a, const void *b, void *ctx)
{
	const uint64_t *off = ctx;
	uint64_t x = off[*(const size_t *)a], y = off[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

static int img_open(const char *path, struct elf_img *m)
{
	Elf_Scn *scn = NULL;
	struct stat st;
	size_t n, i, *idx = NULL;
	uint64_t *o2 = NULL, *v2 = NULL;
	ssize_t got;

	memset(m, 0, sizeof(*m));
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0 || fstat(m->fd, &st))
		return -errno;
	m->size = st.st_size;
	m->data = malloc(m->size ? m->size : 1);
	if (!m->data)
		return -ENOMEM;
	for (n = 0; n < m->size; n += got)
		if ((got = pread(m->fd, m->data + n, m->size - n, n)) <= 0)
			return -EIO;
	m->elf = elf_memory(m->data, m->size);
	if (!m->elf || elf_kind(m->elf) != ELF_K_ELF || elf_getphdrnum(m->elf, &n))
		return -ENOEXEC;
	for (i = 0; i < n && m->n_seg < 16; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(m->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		m->seg[m->n_seg].vaddr = ph.p_vaddr;
		m->seg[m->n_seg].filesz = ph.p_filesz;
		m->seg[m->n_seg].off = ph.p_offset;
		m->seg[m->n_seg++].exec = ph.p_flags & PF_X;
	}
	while ((scn = elf_nextscn(m->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? sh.sh_size / sh.sh_entsize : 0;
		o2 = realloc(m->rel_off, (m->n_rel + n) * sizeof(*o2));
		if (o2)
			m->rel_off = o2;
		v2 = realloc(m->rel_val, (m->n_rel + n) * sizeof(*v2));
		if (v2)
			m->rel_val = v2;
		if (!o2 || !v2)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			GElf_Rela r;

			if (gelf_getrela(d, i, &r) && GELF_R_TYPE(r.r_info) == R_X86_64_RELATIVE) {
				m->rel_off[m->n_rel] = r.r_offset;
				m->rel_val[m->n_rel++] = r.r_addend;
			}
		}
	}
	/* Sort both arrays by offset, for the binary search of rel(). */
	idx = malloc((m->n_rel + 1) * sizeof(*idx));
	o2 = malloc((m->n_rel + 1) * sizeof(*o2));
	v2 = malloc((m->n_rel + 1) * sizeof(*v2));
	if (!idx || !o2 || !v2) {
		free(idx);
		free(o2);
		free(v2);
		return -ENOMEM;
	}
	for (i = 0; i < m->n_rel; i++)
		idx[i] = i;
	qsort_r(idx, m->n_rel, sizeof(*idx), cmp_u64_idx, m->rel_off);
	for (i = 0; i < m->n_rel; i++) {
		o2[i] = m->rel_off[idx[i]];
		v2[i] = m->rel_val[idx[i]];
	}
	free(idx);
	free(m->rel_off);
	free(m->rel_val);
	m->rel_off = o2;
	m->rel_val = v2;
	return 0;
}

/* File offset of vaddr and how many bytes follow it in its segment. */
static const char *img_at(const struct elf_img *m, uint64_t vaddr, size_t need, bool *exec)
{
	size_t i;

	for (i = 0; i < m->n_seg; i++)
		if (vaddr >= m->seg[i].vaddr &&
		    vaddr + need <= m->seg[i].vaddr + m->seg[i].filesz &&
		    m->seg[i].off + (vaddr - m->seg[i].vaddr) + need <= m->size) {
			if (exec)
				*exec = m->seg[i].exec;
			return m->data + m->seg[i].off + (vaddr - m->seg[i].vaddr);
		}
	return NULL;
}

/* The pointer stored at vaddr once relocated (0 if none). */
static uint64_t img_ptr(const struct elf_img *m, uint64_t vaddr)
{
	size_t lo = 0, hi = m->n_rel;
	const char *p;
	uint64_t v;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->rel_off[mid] < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n_rel && m->rel_off[lo] == vaddr)
		return m->rel_val[lo];
	p = img_at(m, vaddr, 8, NULL);
	if (!p)
		return 0;
	memcpy(&v, p, 8);
	return v;
}

/* A NUL-terminated name of [A-Za-z0-9_] at vaddr, or NULL. */
static const char *img_name(const struct elf_img *m, uint64_t vaddr)
{
	const char *s = vaddr ? img_at(m, vaddr, 1, NULL) : NULL, *c;

	if (!s)
		return NULL;
	for (c = s; c < m->data + m->size && *c; c++)
		if (!(*c == '_' || (*c >= '0' && *c <= '9') ||
		      ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z')) ||
		    c - s >= 128)
			return NULL;
	return c > s && c < m->data + m->size ? s : NULL;
}

/* Every zend_module_entry of the file: its function list to cb. */
static int scan_modules(const char *path, uint32_t api,
			int (*cb)(void *ctx, const char *path, const char *name, uint64_t off),
			void *ctx, unsigned *n_fns)
{
	struct elf_img m;
	size_t s;
	int err = img_open(path, &m);

	for (s = 0; !err && s < m.n_seg; s++) {
		uint64_t va;

		if (m.seg[s].exec)
			continue;
		for (va = (m.seg[s].vaddr + 7) & ~7ULL;
		     !err && va + 48 <= m.seg[s].vaddr + m.seg[s].filesz; va += 8) {
			const char *p = img_at(&m, va, 48, NULL);
			uint16_t size;
			uint32_t zapi;
			uint64_t fe;
			unsigned i;

			memcpy(&size, p, 2);
			memcpy(&zapi, p + 4, 4);
			if (zapi != api || size < 64 || size > 1024 || p[9] /* zts */ ||
			    !img_name(&m, img_ptr(&m, va + 32)))
				continue;
			fe = img_ptr(&m, va + 40);
			for (i = 0; fe && i < 8192 && !err; i++, fe += 32) {
				uint64_t fname = img_ptr(&m, fe), handler = img_ptr(&m, fe + 8);
				const char *name = fname ? img_name(&m, fname) : NULL, *code;
				bool exec = false;

				if (!fname)
					break;
				code = handler ? img_at(&m, handler, 1, &exec) : NULL;
				if (!name || !code || !exec)
					continue; /* not a handler we can probe */
				err = cb(ctx, path, name, code - m.data);
				++*n_fns;
			}
		}
	}
	img_close(&m);
	return err;
}

int bg_php_builtins(const struct bg_php_layout *l, const char *bin,
		    int (*cb)(void *ctx, const char *path, const char *name, uint64_t off),
		    void *ctx)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	unsigned n = 0, n_main = 0;
	struct dirent *de;
	DIR *d;
	int err;

	err = scan_modules(bin, l->api, cb, ctx, &n_main);
	if (!err && !n_main) {
		pr_err("php: no built-in function table (zend_module_entry, API %u) found in %s\n",
		       l->api, bin);
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), "%s", l->ext_dir);
	d = err ? NULL : opendir(dir);
	while (d && !err && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 4 || strcmp(de->d_name + len - 3, ".so"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		err = scan_modules(path, l->api, cb, ctx, &n);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; !err && i < l->n_methods; i++)
		err = cb(ctx, l->methods[i].path, l->methods[i].name, l->methods[i].off);
	return err;
}

