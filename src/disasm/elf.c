// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bounds-checked ELF64 reader for BPF object files (see elf.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disasm/elf.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define BG_ELF_MAX_FILE (256u << 20)

static int fail(struct bg_elf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct bg_elf *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Is [off, off+size) inside the file? Written to avoid overflow. */
static bool in_file(const struct bg_elf *e, uint64_t off, uint64_t size)
{
	return off <= e->len && size <= e->len - off;
}

/* A NUL-terminated string at index idx of a string table section. */
static const char *str_at(const struct bg_elf_sec *strtab, uint64_t idx)
{
	const char *s;

	if (!strtab->data || idx >= strtab->size)
		return NULL;
	s = (const char *)strtab->data + idx;
	if (!memchr(s, 0, strtab->size - idx))
		return NULL;
	return s;
}

static int read_sections(struct bg_elf *e, const Elf64_Ehdr *eh)
{
	const struct bg_elf_sec *shstr;
	Elf64_Shdr sh;
	uint64_t shnum = eh->e_shnum;
	size_t i;

	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return fail(e, "section header size %u, expected %zu", eh->e_shentsize,
			    sizeof(Elf64_Shdr));
	if (shnum == 0) {
		/* More than SHN_LORESERVE sections: the count is in section 0. */
		if (!eh->e_shoff)
			return fail(e, "no section headers");
		if (!in_file(e, eh->e_shoff, sizeof(sh)))
			return fail(e, "section header table outside the file");
		memcpy(&sh, e->buf + eh->e_shoff, sizeof(sh));
		shnum = sh.sh_size;
		if (shnum == 0)
			return fail(e, "no section headers");
	}
	if (shnum > (e->len / sizeof(Elf64_Shdr)) ||
	    !in_file(e, eh->e_shoff, shnum * sizeof(Elf64_Shdr)))
		return fail(e, "section header table (%llu entries at %#llx) outside the file",
			    (unsigned long long)shnum, (unsigned long long)eh->e_shoff);
	e->secs = calloc(shnum, sizeof(*e->secs));
	if (!e->secs)
		return -ENOMEM;
	e->nsecs = shnum;
	for (i = 0; i < shnum; i++) {
		struct bg_elf_sec *s = &e->secs[i];

		memcpy(&sh, e->buf + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->size = sh.sh_size;
		s->entsize = sh.sh_entsize;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		s->name = "";
		if (sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL || !sh.sh_size)
			continue;
		if (!in_file(e, sh.sh_offset, sh.sh_size))
			return fail(
				e,
				"section %zu (offset %#llx, size %#llx) extends past the end of "
				"the file (%zu bytes)",
				i, (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size,
				e->len);
		s->data = e->buf + sh.sh_offset;
	}
	i = eh->e_shstrndx == SHN_XINDEX ? e->secs[0].link : eh->e_shstrndx;
	if (i >= e->nsecs || e->secs[i].type != SHT_STRTAB)
		return fail(e, "section name table index %zu is not a string table", i);
	shstr = &e->secs[i];
	for (i = 0; i < e->nsecs; i++) {
		memcpy(&sh, e->buf + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		if (i == 0 && !sh.sh_name)
			continue;
		e->secs[i].name = str_at(shstr, sh.sh_name);
		if (!e->secs[i].name)
			return fail(e, "section %zu: name index %u outside the name table", i,
				    sh.sh_name);
	}
	return 0;
}

static int read_symbols(struct bg_elf *e)
{
	const struct bg_elf_sec *symtab = NULL, *strtab;
	Elf64_Sym st;
	size_t i;

	for (i = 0; i < e->nsecs; i++) {
		if (e->secs[i].type != SHT_SYMTAB)
			continue;
		if (symtab)
			return fail(e, "more than one symbol table");
		symtab = &e->secs[i];
	}
	if (!symtab)
		return 0; /* stripped: code without names */
	if (symtab->entsize != sizeof(Elf64_Sym) || symtab->size % sizeof(Elf64_Sym))
		return fail(e, "symbol table entry size %llu, expected %zu",
			    (unsigned long long)symtab->entsize, sizeof(Elf64_Sym));
	if (symtab->link >= e->nsecs || e->secs[symtab->link].type != SHT_STRTAB)
		return fail(e, "symbol table's string table (section %u) is not a string table",
			    symtab->link);
	strtab = &e->secs[symtab->link];
	e->nsyms = symtab->size / sizeof(Elf64_Sym);
	if (!e->nsyms)
		return 0;
	if (!symtab->data)
		return fail(e, "symbol table has no data");
	e->syms = calloc(e->nsyms, sizeof(*e->syms));
	if (!e->syms)
		return -ENOMEM;
	for (i = 0; i < e->nsyms; i++) {
		struct bg_elf_sym *s = &e->syms[i];

		memcpy(&st, symtab->data + i * sizeof(st), sizeof(st));
		s->name = st.st_name ? str_at(strtab, st.st_name) : "";
		if (!s->name)
			return fail(e, "symbol %zu: name index %u outside the string table", i,
				    st.st_name);
		s->value = st.st_value;
		s->size = st.st_size;
		s->shndx = st.st_shndx;
		s->type = ELF64_ST_TYPE(st.st_info);
		s->bind = ELF64_ST_BIND(st.st_info);
		/* A section symbol is named after its section. */
		if (s->type == STT_SECTION && !*s->name && s->shndx < e->nsecs)
			s->name = e->secs[s->shndx].name;
	}
	return 0;
}

int bg_elf_open_mem(struct bg_elf *e, const void *buf, size_t len)
{
	Elf64_Ehdr eh;
	int err;

	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->len = len;
	if (len < sizeof(eh) || memcmp(buf, ELFMAG, SELFMAG))
		return fail(e, "not an ELF file");
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return fail(e, "not a 64-bit ELF file (BPF objects are ELF64)");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(e, "big-endian object: only little-endian BPF objects are supported");
	if (eh.e_machine != EM_BPF)
		return fail(e, "not a BPF object (machine %u, expected %u)", eh.e_machine, EM_BPF);
	err = read_sections(e, &eh);
	if (err)
		return err;
	return read_symbols(e);
}

int bg_elf_open_file(struct bg_elf *e, const char *path)
{
	struct stat st;
	ssize_t r;
	size_t got = 0;
	int fd, err;

	memset(e, 0, sizeof(*e));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(e->err, sizeof(e->err), "cannot open: %s", strerror(errno));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		snprintf(e->err, sizeof(e->err), "cannot stat: %s", strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > BG_ELF_MAX_FILE) {
		err = -EINVAL;
		snprintf(e->err, sizeof(e->err), "not a regular file of at most 256 MiB");
		goto cleanup;
	}
	e->owned = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!e->owned) {
		err = -ENOMEM;
		snprintf(e->err, sizeof(e->err), "out of memory");
		goto cleanup;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, e->owned + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : -EIO;
			snprintf(e->err, sizeof(e->err), "read failed: %s", strerror(-err));
			goto cleanup;
		}
		got += (size_t)r;
	}
	close(fd);
	fd = -1;
	{
		uint8_t *owned = e->owned;

		err = bg_elf_open_mem(e, owned, got);
		e->owned = owned;
	}
	return err;
cleanup:
	close(fd);
	return err;
}

void bg_elf_close(struct bg_elf *e)
{
	free(e->secs);
	free(e->syms);
	free(e->owned);
	e->secs = NULL;
	e->syms = NULL;
	e->owned = NULL;
	e->nsecs = e->nsyms = 0;
}

long bg_elf_find_sec(const struct bg_elf *e, const char *name)
{
	size_t i;

	for (i = 1; i < e->nsecs; i++)
		if (!strcmp(e->secs[i].name, name))
			return (long)i;
	return -1;
}

bool bg_elf_is_code(const struct bg_elf *e, size_t i)
{
	return i < e->nsecs && e->secs[i].type == SHT_PROGBITS &&
	       (e->secs[i].flags & SHF_EXECINSTR) && e->secs[i].data && e->secs[i].size;
}

static int rel_cmp(const void *a, const void *b)
{
	const struct bg_elf_rel *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

int bg_elf_relocs(struct bg_elf *e, size_t target, struct bg_elf_rel **out, size_t *n)
{
	struct bg_elf_rel *r = NULL, *tmp;
	size_t i, k, cnt = 0, total = 0;
	Elf64_Rel rel;

	*out = NULL;
	*n = 0;
	for (i = 0; i < e->nsecs; i++) {
		const struct bg_elf_sec *s = &e->secs[i];

		if (s->type != SHT_REL || s->info != target || !s->data)
			continue;
		if (s->size % sizeof(Elf64_Rel))
			return fail(e, "relocation section %s: size %llu is not a multiple of %zu",
				    s->name, (unsigned long long)s->size, sizeof(Elf64_Rel));
		if (s->link >= e->nsecs || e->secs[s->link].type != SHT_SYMTAB)
			return fail(e, "relocation section %s does not link to the symbol table",
				    s->name);
		total += s->size / sizeof(Elf64_Rel);
	}
	if (!total)
		return 0;
	r = calloc(total, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < e->nsecs; i++) {
		const struct bg_elf_sec *s = &e->secs[i];

		if (s->type != SHT_REL || s->info != target || !s->data)
			continue;
		for (k = 0; k < s->size / sizeof(Elf64_Rel); k++) {
			memcpy(&rel, s->data + k * sizeof(rel), sizeof(rel));
			if (ELF64_R_SYM(rel.r_info) >= e->nsyms) {
				free(r);
				return fail(e, "relocation %zu in %s: symbol %llu out of range", k,
					    s->name, (unsigned long long)ELF64_R_SYM(rel.r_info));
			}
			tmp = &r[cnt++];
			tmp->off = rel.r_offset;
			tmp->sym = (uint32_t)ELF64_R_SYM(rel.r_info);
			tmp->type = (uint32_t)ELF64_R_TYPE(rel.r_info);
		}
	}
	qsort(r, cnt, sizeof(*r), rel_cmp);
	*out = r;
	*n = cnt;
	return 0;
}
