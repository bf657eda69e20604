/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_INSPECT_H
#define BG_INSPECT_H

/*
 * bpfguard bpf list/dump: what the inspector's parts share. A loaded
 * program as list and dump see it (live.c), kernel symbols (ksyms.c), the
 * strings a program carries (dump.c), object files (objdump.c).
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "core/buf.h"
#include "disasm/disasm.h"
#include "events/json.h"

#define MIN_STR	    4
#define MAX_MAPS    64
#define MAX_LOADERS 8
#define MAX_RODATA  (1u << 20)

/* /proc/kallsyms, text symbols only, sorted by address. */
struct ksym {
	unsigned long long addr;
	const char *name;
};

struct ksyms {
	char *text;
	struct ksym *syms;
	size_t n;
	unsigned long long call_base; /* __bpf_call_base: helper imms are relative to it */
};

struct map_desc {
	__u32 id;
	__u32 type;
	__u32 flags;
	__u32 value_size;
	__u32 max_entries;
	char name[BPF_OBJ_NAME_LEN];
};

struct loader {
	int pid;
	char comm[32];
	char exe[PATH_MAX];
};

/* One loaded program, as list and dump see it. */
struct live_prog {
	struct bpf_prog_info info;
	struct bpf_insn *insns;
	size_t n;
	struct map_desc maps[MAX_MAPS];
	size_t nmaps;
	/* Function name per slot (from BTF func_info), NULL elsewhere. */
	const char **fn_at;
	struct btf *btf;
	const struct ksyms *ks;
	struct loader loaders[MAX_LOADERS];
	size_t nloaders;
};

/* prog id -> pids holding an fd of it (a program or a link to it). */
struct holder {
	__u32 prog_id;
	int pid;
};

struct inspect_cmd {
	bool json;
	const char *file;
	const char *section;
	struct ksyms ks;
	struct holder *holders;
	size_t nholders;
	struct bg_buf out;
};

/* Unresolved helper calls, keyed by the kernel symbol they land on (helpers
 * newer than our uapi header, or symbols hidden by kptr_restrict). */
struct other_call {
	const char *sym;
	unsigned int count;
};

/* Where extracted strings go: text lines or JSON objects. */
struct str_out {
	struct bg_buf *b;
	struct bg_json *j;
	const char *source; /* "stack" or a section / map name */
	const char *where;  /* program or section the stack string is in */
	unsigned int count;
};


int insp_ksyms_load(struct ksyms *ks);
void insp_ksyms_free(struct ksyms *ks);
const char *insp_call_symbol(const struct ksyms *ks, int32_t imm);

bool insp_live_resolve(void *priv, enum bg_dis_query q, const struct bg_dis_insn *d,
		       struct bg_dis_ref *ref);
int insp_live_load(struct live_prog *lp, __u32 id, const struct ksyms *ks);
void insp_live_free(struct live_prog *lp);
int insp_scan_holders(struct inspect_cmd *c);
void insp_find_loaders(const struct inspect_cmd *c, struct live_prog *lp);
size_t insp_other_calls(const struct live_prog *lp, struct other_call *oc, size_t max);
const char *insp_prog_type(__u32 t);
void insp_tag_hex(const struct bpf_prog_info *info, char *buf);
void insp_put_string(void *priv, const char *s, size_t len, size_t where);

int insp_list(struct inspect_cmd *c);
int insp_dump_live(struct inspect_cmd *c, __u32 id);
int insp_dump_file(struct inspect_cmd *c);

/* bpfguard bpf watch (watch.c) */
struct bg_cmd_help;
extern const struct bg_cmd_help bpf_watch_help;
int insp_cmd_watch(int argc, char **argv);

#endif
