/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_DISASM_ELF_H
#define BG_DISASM_ELF_H

/*
 * A bounds-checked reader for ELF64 little-endian BPF object files: the
 * sections, symbols and relocations `bpf dump --file` needs. Every offset,
 * size and string index in the file is checked before use, so malformed
 * files give an error in e->err, never a read outside the buffer. No
 * libelf: this reader is fuzzed on its own (tests/fuzz/).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bg_elf_sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	uint64_t size;
	uint64_t entsize;
	uint32_t link;
	uint32_t info;
	const uint8_t *data; /* NULL for SHT_NOBITS and empty sections */
};

struct bg_elf_sym {
	const char *name;
	uint64_t value;
	uint64_t size;
	uint16_t shndx;
	uint8_t type; /* STT_* */
	uint8_t bind; /* STB_* */
};

struct bg_elf_rel {
	uint64_t off; /* byte offset in the section relocated */
	uint32_t sym; /* index into e->syms */
	uint32_t type;
};

struct bg_elf {
	uint8_t *owned; /* the file's bytes when read by bg_elf_open_file */
	const uint8_t *buf;
	size_t len;
	struct bg_elf_sec *secs;
	size_t nsecs;
	struct bg_elf_sym *syms;
	size_t nsyms;
	char err[192];
};

/* Parse len bytes at buf (not copied: buf must outlive e). 0 or -EINVAL
 * (e->err says what is wrong) or -ENOMEM. Always call bg_elf_close. */
int bg_elf_open_mem(struct bg_elf *e, const void *buf, size_t len);
/* Read a file (at most 256 MiB) and parse it; -errno if unreadable. */
int bg_elf_open_file(struct bg_elf *e, const char *path);
void bg_elf_close(struct bg_elf *e);

/* Index of the section with this name, or -1. */
long bg_elf_find_sec(const struct bg_elf *e, const char *name);
/* Is section i BPF code (PROGBITS, executable, non-empty)? */
bool bg_elf_is_code(const struct bg_elf *e, size_t i);
/* Relocations applying to section i, from every SHT_REL section whose
 * sh_info is i, sorted by offset. *out is malloc'ed (NULL when none). */
int bg_elf_relocs(struct bg_elf *e, size_t i, struct bg_elf_rel **out, size_t *n);

#endif
