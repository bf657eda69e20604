// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard bpf list|dump`: the inspector. list reads every loaded program
 * through the BPF syscall (ids, type, name, tag, load time, uid, maps) and
 * counts the helpers its xlated code calls; dump disassembles a loaded
 * program or a section of an object file with src/disasm/.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfload.h"
#include "buf.h"
#include "cli.h"
#include "commands.h"
#include "disasm/disasm.h"
#include "disasm/elf.h"
#include "events/format.h"
#include "events/json.h"
#include "log.h"
#include "sys.h"

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

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int ksyms_load(struct ksyms *ks)
{
	struct bg_buf b;
	char chunk[65536];
	size_t cap = 0, r;
	char *line, *save = NULL;
	FILE *f;
	int err = 0;

	memset(ks, 0, sizeof(*ks));
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	bg_buf_init(&b);
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
		bg_buf_put(&b, chunk, r);
	bg_buf_putc(&b, 0);
	fclose(f);
	if (b.oom) {
		err = -ENOMEM;
		goto cleanup;
	}
	ks->text = b.p;
	b.p = NULL;
	for (line = strtok_r(ks->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp1 = strchr(line, ' '), *sp2, *end;
		unsigned long long addr;

		if (!sp1 || !(sp2 = strchr(sp1 + 1, ' ')))
			continue;
		if (sp1[1] != 't' && sp1[1] != 'T')
			continue;
		addr = strtoull(line, NULL, 16);
		end = strpbrk(sp2 + 1, " \t");
		if (end)
			*end = 0;
		if (!strcmp(sp2 + 1, "__bpf_call_base"))
			ks->call_base = addr;
		if (ks->n == cap) {
			struct ksym *t;

			cap = cap ? cap * 2 : 65536;
			t = realloc(ks->syms, cap * sizeof(*t));
			if (!t) {
				err = -ENOMEM;
				goto cleanup;
			}
			ks->syms = t;
		}
		ks->syms[ks->n].addr = addr;
		ks->syms[ks->n].name = sp2 + 1;
		ks->n++;
	}
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
	if (!ks->call_base || !ks->n || !ks->syms[ks->n - 1].addr)
		pr_warn("kernel symbols are hidden (kptr_restrict): helper calls stay unnamed\n");
cleanup:
	bg_buf_free(&b);
	return err;
}

static void ksyms_free(struct ksyms *ks)
{
	free(ks->text);
	free(ks->syms);
	memset(ks, 0, sizeof(*ks));
}

static const char *ksyms_at(const struct ksyms *ks, unsigned long long addr)
{
	struct ksym key = {.addr = addr}, *s;

	if (!ks->call_base)
		return NULL;
	s = bsearch(&key, ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
	return s ? s->name : NULL;
}

/* The kernel symbol a helper or kfunc call in xlated code lands on. */
static const char *call_symbol(const struct ksyms *ks, int32_t imm)
{
	return ksyms_at(ks, ks->call_base + (long long)imm);
}

static bool live_resolve(void *priv, enum bg_dis_query q, const struct bg_dis_insn *d,
			 struct bg_dis_ref *ref)
{
	const struct live_prog *lp = priv;
	size_t i;

	switch (q) {
	case BG_Q_HELPER:
		ref->symbol = call_symbol(lp->ks, d->imm);
		ref->helper_id = bg_helper_id_from_symbol(ref->symbol);
		return true;
	case BG_Q_KFUNC:
		ref->symbol = call_symbol(lp->ks, d->imm);
		return ref->symbol != NULL;
	case BG_Q_LD64:
		if (d->src != BPF_PSEUDO_MAP_FD && d->src != BPF_PSEUDO_MAP_VALUE)
			return false;
		for (i = 0; i < lp->nmaps; i++) {
			if (lp->maps[i].id == (__u32)d->imm) {
				ref->name = lp->maps[i].name;
				ref->is_map = true;
				return true;
			}
		}
		return false;
	case BG_Q_FUNC_AT:
		if (!lp->fn_at || d->idx >= lp->n || !lp->fn_at[d->idx])
			return false;
		ref->name = lp->fn_at[d->idx];
		return true;
	case BG_Q_CALL:
		return false;
	}
	return false;
}

static void live_free(struct live_prog *lp)
{
	free(lp->insns);
	free(lp->fn_at);
	btf__free(lp->btf);
	memset(lp, 0, sizeof(*lp));
}

/* Function names from the program's BTF func_info: where each starts. */
static void live_funcs(struct live_prog *lp, int fd)
{
	struct bpf_prog_info info = {0};
	struct bpf_func_info *fi = NULL;
	__u32 len = sizeof(info), i, cnt = lp->info.nr_func_info;

	if (!cnt || !lp->info.btf_id || lp->info.func_info_rec_size != sizeof(*fi))
		return;
	fi = calloc(cnt, sizeof(*fi));
	lp->fn_at = calloc(lp->n ? lp->n : 1, sizeof(*lp->fn_at));
	if (!fi || !lp->fn_at)
		goto cleanup;
	info.nr_func_info = cnt;
	info.func_info_rec_size = sizeof(*fi);
	info.func_info = (__u64)(unsigned long)fi;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto cleanup;
	lp->btf = btf__load_from_kernel_by_id(lp->info.btf_id);
	if (!lp->btf)
		goto cleanup;
	for (i = 0; i < cnt && i < info.nr_func_info; i++) {
		const struct btf_type *t = btf__type_by_id(lp->btf, fi[i].type_id);

		if (t && fi[i].insn_off < lp->n)
			lp->fn_at[fi[i].insn_off] = btf__name_by_offset(lp->btf, t->name_off);
	}
cleanup:
	free(fi);
}

/* Read a program's info, xlated code and map descriptions. */
static int live_load(struct live_prog *lp, __u32 id, const struct ksyms *ks)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info), map_ids[MAX_MAPS], i;
	int fd, err;

	memset(lp, 0, sizeof(*lp));
	lp->ks = ks;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &lp->info, &len);
	if (err) {
		err = -errno;
		goto cleanup;
	}
	lp->n = lp->info.xlated_prog_len / sizeof(struct bpf_insn);
	lp->insns = calloc(lp->n ? lp->n : 1, sizeof(struct bpf_insn));
	if (!lp->insns) {
		err = -ENOMEM;
		goto cleanup;
	}
	info.xlated_prog_len = lp->n * sizeof(struct bpf_insn);
	info.xlated_prog_insns = (__u64)(unsigned long)lp->insns;
	info.nr_map_ids = lp->info.nr_map_ids < MAX_MAPS ? lp->info.nr_map_ids : MAX_MAPS;
	info.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err) {
		err = -errno;
		goto cleanup;
	}
	/* A program without xlated code for us (e.g. kptr/bpf_dump restrictions). */
	lp->n = info.xlated_prog_len / sizeof(struct bpf_insn) < lp->n
			? info.xlated_prog_len / sizeof(struct bpf_insn)
			: lp->n;
	for (i = 0; i < info.nr_map_ids && i < MAX_MAPS; i++) {
		struct bpf_map_info mi = {0};
		__u32 mlen = sizeof(mi);
		struct map_desc *m = &lp->maps[lp->nmaps];
		int mfd = bpf_map_get_fd_by_id(map_ids[i]);

		if (mfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(mfd, &mi, &mlen)) {
			m->id = mi.id;
			m->type = mi.type;
			m->flags = mi.map_flags;
			m->value_size = mi.value_size;
			m->max_entries = mi.max_entries;
			snprintf(m->name, sizeof(m->name), "%s", mi.name);
			lp->nmaps++;
		}
		close(mfd);
	}
	live_funcs(lp, fd);
	err = 0;
cleanup:
	close(fd);
	if (err)
		live_free(lp);
	return err;
}

/* Which processes hold a program: fds of programs and links in /proc. */
static int scan_holders(struct inspect_cmd *c)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *f;
	char path[300], link[64], buf[1024];
	int self = getpid(), pid, err = 0;

	if (!proc)
		return -errno;
	while ((p = readdir(proc))) {
		pid = atoi(p->d_name);
		if (pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			ssize_t l;
			char *s;
			int ffd;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = 0;
			if (strcmp(link, "anon_inode:bpf-prog") &&
			    strcmp(link, "anon_inode:bpf_link"))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, f->d_name);
			ffd = open(path, O_RDONLY | O_CLOEXEC);
			if (ffd < 0)
				continue;
			l = read(ffd, buf, sizeof(buf) - 1);
			close(ffd);
			if (l <= 0)
				continue;
			buf[l] = 0;
			s = strstr(buf, "prog_id:");
			if (!s)
				continue;
			if (c->nholders % 256 == 0) {
				struct holder *t =
					realloc(c->holders, (c->nholders + 256) * sizeof(*t));

				if (!t) {
					err = -ENOMEM;
					closedir(fds);
					goto cleanup;
				}
				c->holders = t;
			}
			c->holders[c->nholders].prog_id = (__u32)strtoul(s + 8, NULL, 10);
			c->holders[c->nholders].pid = pid;
			c->nholders++;
		}
		closedir(fds);
	}
cleanup:
	closedir(proc);
	return err;
}

static void find_loaders(const struct inspect_cmd *c, struct live_prog *lp)
{
	char path[64];
	size_t i, k;
	ssize_t l;

	for (i = 0; i < c->nholders && lp->nloaders < MAX_LOADERS; i++) {
		struct loader *ld;

		if (c->holders[i].prog_id != lp->info.id)
			continue;
		for (k = 0; k < lp->nloaders; k++)
			if (lp->loaders[k].pid == c->holders[i].pid)
				break;
		if (k < lp->nloaders)
			continue;
		ld = &lp->loaders[lp->nloaders++];
		ld->pid = c->holders[i].pid;
		snprintf(path, sizeof(path), "/proc/%d/comm", ld->pid);
		if (bg_read_file(path, ld->comm, sizeof(ld->comm)))
			ld->comm[0] = 0;
		snprintf(path, sizeof(path), "/proc/%d/exe", ld->pid);
		l = readlink(path, ld->exe, sizeof(ld->exe) - 1);
		ld->exe[l > 0 ? l : 0] = 0;
	}
}

/* Unresolved helper calls, keyed by the kernel symbol they land on (helpers
 * newer than our uapi header, or symbols hidden by kptr_restrict). */
struct other_call {
	const char *sym;
	unsigned int count;
};

static size_t other_calls(const struct live_prog *lp, struct other_call *oc, size_t max)
{
	struct bg_dis_insn d;
	size_t i, k, n = 0;
	const char *sym;
	int s;

	for (i = 0; i < lp->n; i += (size_t)s) {
		s = bg_dis_decode(lp->insns, lp->n, i, &d);
		if (s < 0)
			break;
		if (d.kind != BG_DIS_CALL_HELPER)
			continue;
		sym = call_symbol(lp->ks, d.imm);
		if (bg_helper_id_from_symbol(sym) >= 0)
			continue;
		if (!sym)
			sym = "?";
		for (k = 0; k < n && strcmp(oc[k].sym, sym); k++)
			;
		if (k == n) {
			if (n == max)
				continue;
			oc[n].sym = sym;
			oc[n++].count = 0;
		}
		oc[k].count++;
	}
	return n;
}

static void fmt_time(__u64 boot_ns, char *buf, size_t len)
{
	struct timespec rt, bt;
	time_t t;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	t = rt.tv_sec - (bt.tv_sec - (time_t)(boot_ns / 1000000000ULL));
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *prog_type(__u32 t)
{
	const char *s = libbpf_bpf_prog_type_str(t);

	return s ? s : "unknown";
}

static void tag_hex(const struct bpf_prog_info *info, char *buf)
{
	int i;

	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(buf + 2 * i, "%02x", info->tag[i]);
}

static void list_json(struct bg_json *j, const struct live_prog *lp)
{
	struct bg_dis_prog p = {lp->insns, lp->n, live_resolve, (void *)lp, true};
	struct bg_helper_hist h;
	struct other_call oc[32];
	char buf[64];
	size_t i, n;

	bg_dis_helper_hist(&p, &h);
	bg_json_obj(j);
	bg_json_ku64(j, "id", lp->info.id);
	bg_json_kstr(j, "type", prog_type(lp->info.type));
	bg_json_kstr(j, "name", lp->info.name);
	tag_hex(&lp->info, buf);
	bg_json_kstr(j, "tag", buf);
	fmt_time(lp->info.load_time, buf, sizeof(buf));
	bg_json_kstr(j, "loaded_at", buf);
	bg_json_ku64(j, "uid", lp->info.created_by_uid);
	bg_json_ku64(j, "xlated_insns", lp->n);
	bg_json_karr(j, "map_ids");
	for (i = 0; i < lp->nmaps; i++)
		bg_json_u64(j, lp->maps[i].id);
	bg_json_arr_end(j);
	bg_json_karr(j, "loaders");
	for (i = 0; i < lp->nloaders; i++) {
		bg_json_obj(j);
		bg_json_ku64(j, "pid", lp->loaders[i].pid);
		bg_json_kstr(j, "comm", lp->loaders[i].comm);
		bg_json_kstr(j, "exe", lp->loaders[i].exe);
		bg_json_obj_end(j);
	}
	bg_json_arr_end(j);
	bg_json_kobj(j, "helpers");
	for (i = 0; i < BG_HIST_MAX; i++)
		if (h.counts[i] && bg_helper_name((int)i)) {
			bg_json_key(j, bg_helper_name((int)i));
			bg_json_u64(j, h.counts[i]);
		}
	bg_json_obj_end(j);
	/* Calls we could not map to a helper id, by the kernel symbol hit. */
	bg_json_karr(j, "other_calls");
	n = other_calls(lp, oc, sizeof(oc) / sizeof(oc[0]));
	for (i = 0; i < n; i++) {
		bg_json_obj(j);
		bg_json_kstr(j, "symbol", oc[i].sym);
		bg_json_ku64(j, "count", oc[i].count);
		bg_json_obj_end(j);
	}
	bg_json_arr_end(j);
	bg_json_ku64(j, "helper_calls", h.total);
	bg_json_ku64(j, "kfunc_calls", h.kfuncs);
	bg_json_ku64(j, "func_calls", h.func_calls);
	bg_json_obj_end(j);
}

static void list_text(struct bg_buf *o, const struct live_prog *lp)
{
	struct bg_dis_prog p = {lp->insns, lp->n, live_resolve, (void *)lp, true};
	struct bg_helper_hist h;
	struct other_call oc[32];
	char buf[64];
	size_t i, n;
	bool first = true;

	bg_dis_helper_hist(&p, &h);
	tag_hex(&lp->info, buf);
	bg_buf_printf(o, "%u: %s  name %s  tag %s\n", lp->info.id, prog_type(lp->info.type),
		      lp->info.name[0] ? lp->info.name : "-", buf);
	fmt_time(lp->info.load_time, buf, sizeof(buf));
	bg_buf_printf(o, "\tloaded %s  uid %u  xlated %zu insns  maps", buf,
		      lp->info.created_by_uid, lp->n);
	for (i = 0; i < lp->nmaps; i++)
		bg_buf_printf(o, "%s%u", i ? "," : " ", lp->maps[i].id);
	if (!lp->nmaps)
		bg_buf_puts(o, " -");
	bg_buf_puts(o, "\n\tloaders");
	for (i = 0; i < lp->nloaders; i++) {
		bg_buf_printf(o, "%s pid %d ", i ? "," : "", lp->loaders[i].pid);
		bg_text_escape(o, lp->loaders[i].comm, strlen(lp->loaders[i].comm));
		bg_buf_puts(o, " ");
		bg_text_escape(o, lp->loaders[i].exe, strlen(lp->loaders[i].exe));
	}
	if (!lp->nloaders)
		bg_buf_puts(o, " unknown (no process holds it)");
	bg_buf_printf(o, "\n\thelpers (%u calls)", h.total);
	for (i = 0; i < BG_HIST_MAX; i++) {
		if (!h.counts[i] || !bg_helper_name((int)i))
			continue;
		bg_buf_printf(o, "%s %s %u", first ? ":" : ",", bg_helper_name((int)i),
			      h.counts[i]);
		first = false;
	}
	n = other_calls(lp, oc, sizeof(oc) / sizeof(oc[0]));
	for (i = 0; i < n; i++) {
		bg_buf_printf(o, "%s %s %u", first ? ":" : ",", oc[i].sym, oc[i].count);
		first = false;
	}
	if (h.kfuncs || h.func_calls)
		bg_buf_printf(o, "; kfunc calls %u, bpf-to-bpf calls %u", h.kfuncs, h.func_calls);
	bg_buf_putc(o, '\n');
}

/* Where extracted strings go: text lines or JSON objects. */
struct str_out {
	struct bg_buf *b;
	struct bg_json *j;
	const char *source; /* "stack" or a section / map name */
	const char *where;  /* program or section the stack string is in */
	unsigned int count;
};

static void put_string(void *priv, const char *s, size_t len, size_t where)
{
	struct str_out *so = priv;
	bool stack = !strcmp(so->source, "stack");

	so->count++;
	if (so->j) {
		bg_json_obj(so->j);
		bg_json_kstr(so->j, "source", so->source);
		if (stack && so->where)
			bg_json_kstr(so->j, "in", so->where);
		bg_json_ku64(so->j, stack ? "insn" : "offset", where);
		bg_json_key(so->j, "value");
		bg_json_strn(so->j, s, len);
		bg_json_obj_end(so->j);
		return;
	}
	if (stack)
		bg_buf_printf(so->b, "  stack, %s insn %zu: \"", so->where ? so->where : "", where);
	else
		bg_buf_printf(so->b, "  %s+%zu: \"", so->source, where);
	bg_json_escape(so->b, s, len, false);
	bg_buf_puts(so->b, "\"\n");
}

/* Strings in the program's read-only data: frozen single-entry arrays
 * (.rodata and friends, created by libbpf with BPF_F_RDONLY_PROG). */
static void live_map_strings(const struct live_prog *lp, struct str_out *so)
{
	size_t i;

	for (i = 0; i < lp->nmaps; i++) {
		const struct map_desc *m = &lp->maps[i];
		__u32 key = 0;
		void *val;
		int fd;

		if (m->type != BPF_MAP_TYPE_ARRAY || m->max_entries != 1 ||
		    m->value_size > MAX_RODATA ||
		    !((m->flags & BPF_F_RDONLY_PROG) || strstr(m->name, ".rodata") ||
		      strstr(m->name, ".data")))
			continue;
		fd = bpf_map_get_fd_by_id(m->id);
		if (fd < 0)
			continue;
		val = calloc(1, m->value_size ? m->value_size : 1);
		if (val && !bpf_map_lookup_elem(fd, &key, val)) {
			so->source = m->name;
			bg_data_strings(val, m->value_size, MIN_STR, put_string, so);
		}
		free(val);
		close(fd);
	}
}

static int dump_live(struct inspect_cmd *c, __u32 id)
{
	struct live_prog lp;
	struct bg_dis_prog p;
	struct str_out so = {0};
	struct bg_json j;
	char tag[2 * BPF_TAG_SIZE + 1];
	size_t i;
	int err;

	err = ksyms_load(&c->ks);
	if (err)
		pr_warn("cannot read /proc/kallsyms: %s; helper calls stay unnamed\n",
			strerror(-err));
	err = live_load(&lp, id, &c->ks);
	if (err) {
		pr_err("program %u: %s\n", id, strerror(-err));
		return err;
	}
	p = (struct bg_dis_prog){lp.insns, lp.n, live_resolve, &lp, true};
	tag_hex(&lp.info, tag);
	so.b = &c->out;
	so.where = lp.info.name;
	if (c->json) {
		bg_json_init(&j, &c->out);
		so.j = &j;
		bg_json_obj(&j);
		bg_json_ku64(&j, "id", lp.info.id);
		bg_json_kstr(&j, "type", prog_type(lp.info.type));
		bg_json_kstr(&j, "name", lp.info.name);
		bg_json_kstr(&j, "tag", tag);
		bg_json_karr(&j, "maps");
		for (i = 0; i < lp.nmaps; i++) {
			const char *t = libbpf_bpf_map_type_str(lp.maps[i].type);

			bg_json_obj(&j);
			bg_json_ku64(&j, "id", lp.maps[i].id);
			bg_json_kstr(&j, "name", lp.maps[i].name);
			bg_json_kstr(&j, "type", t ? t : "unknown");
			bg_json_obj_end(&j);
		}
		bg_json_arr_end(&j);
		bg_json_key(&j, "insns");
		err = bg_dis_json(&p, &j);
		bg_json_karr(&j, "strings");
		live_map_strings(&lp, &so);
		so.source = "stack";
		bg_dis_stack_strings(lp.insns, lp.n, MIN_STR, put_string, &so);
		bg_json_arr_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(&c->out, '\n');
	} else {
		bg_buf_printf(&c->out, "prog %u %s name %s tag %s, %zu insns\n", lp.info.id,
			      prog_type(lp.info.type), lp.info.name, tag, lp.n);
		for (i = 0; i < lp.nmaps; i++) {
			const char *t = libbpf_bpf_map_type_str(lp.maps[i].type);

			bg_buf_printf(&c->out, "map %u %s (%s)\n", lp.maps[i].id, lp.maps[i].name,
				      t ? t : "unknown");
		}
		err = bg_dis_text(&p, &c->out);
		bg_buf_puts(&c->out, "strings:\n");
		live_map_strings(&lp, &so);
		so.source = "stack";
		bg_dis_stack_strings(lp.insns, lp.n, MIN_STR, put_string, &so);
		if (!so.count)
			bg_buf_puts(&c->out, "  (none)\n");
	}
	if (err == -EINVAL)
		pr_warn("program %u: some instructions did not decode (printed as invalid)\n", id);
	live_free(&lp);
	return err == -ENOMEM ? err : 0;
}

/* One code section of an object, with what its relocations say. */
struct obj_sec {
	struct bg_elf *e;
	size_t sec;
	struct bg_elf_rel *rels;
	size_t nrels;
	const char **fn_at;
	size_t n;
	char scratch[256];
};

static const struct bg_elf_rel *find_rel(const struct obj_sec *os, size_t idx)
{
	uint64_t off = (uint64_t)idx * sizeof(struct bpf_insn);
	size_t lo = 0, hi = os->nrels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (os->rels[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < os->nrels && os->rels[lo].off == off ? &os->rels[lo] : NULL;
}

/* The name of the function at byte offset off of section sec. */
static const char *func_in(const struct bg_elf *e, size_t sec, uint64_t off)
{
	size_t i;

	for (i = 0; i < e->nsyms; i++)
		if (e->syms[i].type == STT_FUNC && e->syms[i].shndx == sec &&
		    e->syms[i].value == off)
			return e->syms[i].name;
	return NULL;
}

static bool is_maps_sec(const char *name)
{
	return !strcmp(name, ".maps") || !strcmp(name, "maps") || !strncmp(name, "maps/", 5);
}

/* A printable NUL-terminated string at off in a data section, if any. */
static const char *data_str(struct obj_sec *os, const struct bg_elf_sec *s, long long off)
{
	size_t i;

	if (!s->data || off < 0 || (uint64_t)off >= s->size)
		return NULL;
	for (i = 0; i + 1 < sizeof(os->scratch) && (uint64_t)off + i < s->size; i++) {
		uint8_t ch = s->data[off + i];

		if (!ch)
			break;
		if (ch < 0x20 || ch >= 0x7f)
			return NULL;
		os->scratch[i] = (char)ch;
	}
	if (i < 2 || (uint64_t)off + i >= s->size || s->data[off + i])
		return NULL;
	os->scratch[i] = 0;
	return os->scratch;
}

static bool obj_resolve(void *priv, enum bg_dis_query q, const struct bg_dis_insn *d,
			struct bg_dis_ref *ref)
{
	struct obj_sec *os = priv;
	const struct bg_elf_rel *r;
	const struct bg_elf_sym *sym;
	const struct bg_elf_sec *s;

	if (q == BG_Q_FUNC_AT) {
		ref->name = d->idx < os->n ? os->fn_at[d->idx] : NULL;
		return ref->name != NULL;
	}
	if (q == BG_Q_HELPER)
		return false; /* imm is the helper id */
	r = find_rel(os, d->idx);
	if (!r)
		return false;
	sym = &os->e->syms[r->sym];
	s = sym->shndx < os->e->nsecs ? &os->e->secs[sym->shndx] : NULL;
	switch (q) {
	case BG_Q_KFUNC:
		ref->name = sym->name;
		return *sym->name != 0;
	case BG_Q_CALL:
		if (sym->type == STT_SECTION && s) {
			uint64_t off = sym->value + ((int64_t)d->imm + 1) * 8;

			ref->name = func_in(os->e, sym->shndx, off);
			if (!ref->name) {
				snprintf(os->scratch, sizeof(os->scratch), "%s+%llu", s->name,
					 (unsigned long long)off);
				ref->name = os->scratch;
			}
		} else {
			ref->name = sym->name;
		}
		return true;
	case BG_Q_LD64:
		if (d->src)
			return false;
		if (sym->shndx == SHN_UNDEF || !s) {
			ref->name = sym->name;
			ref->is_extern = true;
			return true;
		}
		if (is_maps_sec(s->name)) {
			ref->name = sym->name;
			ref->is_map = true;
			return true;
		}
		if (bg_elf_is_code(os->e, sym->shndx)) {
			uint64_t off = sym->type == STT_SECTION ? sym->value + (uint32_t)d->imm
								: sym->value;

			ref->name = func_in(os->e, sym->shndx, off);
			ref->is_func = true;
			if (!ref->name)
				ref->name = sym->name;
			return true;
		}
		ref->name = s->name;
		ref->addend = (long long)(sym->type == STT_SECTION ? 0 : sym->value) + d->imm;
		if (strncmp(s->name, ".rodata", 7) == 0 || strncmp(s->name, ".data", 5) == 0)
			ref->str = data_str(os, s, ref->addend);
		return true;
	case BG_Q_HELPER:
	case BG_Q_FUNC_AT:
		break;
	}
	return false;
}

static int obj_sec_open(struct obj_sec *os, struct bg_elf *e, size_t sec)
{
	const struct bg_elf_sec *s = &e->secs[sec];
	size_t i;
	int err;

	memset(os, 0, sizeof(*os));
	os->e = e;
	os->sec = sec;
	if (s->size % sizeof(struct bpf_insn)) {
		snprintf(e->err, sizeof(e->err), "section %s: size %llu is not a multiple of 8",
			 s->name, (unsigned long long)s->size);
		return -EINVAL;
	}
	os->n = s->size / sizeof(struct bpf_insn);
	err = bg_elf_relocs(e, sec, &os->rels, &os->nrels);
	if (err)
		return err;
	os->fn_at = calloc(os->n ? os->n : 1, sizeof(*os->fn_at));
	if (!os->fn_at)
		return -ENOMEM;
	for (i = 0; i < e->nsyms; i++) {
		const struct bg_elf_sym *sym = &e->syms[i];

		if (sym->type == STT_FUNC && sym->shndx == sec && sym->value % 8 == 0 &&
		    sym->value / 8 < os->n)
			os->fn_at[sym->value / 8] = sym->name;
	}
	return 0;
}

static void obj_sec_close(struct obj_sec *os)
{
	free(os->rels);
	free(os->fn_at);
}

/* Section data is not 8-byte aligned in memory necessarily: copy it. */
static struct bpf_insn *sec_insns(const struct bg_elf_sec *s, size_t n)
{
	struct bpf_insn *insns = calloc(n ? n : 1, sizeof(*insns));

	if (insns && n)
		memcpy(insns, s->data, n * sizeof(*insns));
	return insns;
}

static int dump_section(struct inspect_cmd *c, struct bg_elf *e, size_t sec, struct bg_json *j,
			struct str_out *so)
{
	struct obj_sec os;
	struct bg_dis_prog p;
	struct bpf_insn *insns = NULL;
	int err;

	err = obj_sec_open(&os, e, sec);
	if (err)
		goto cleanup;
	insns = sec_insns(&e->secs[sec], os.n);
	if (!insns) {
		err = -ENOMEM;
		goto cleanup;
	}
	p = (struct bg_dis_prog){insns, os.n, obj_resolve, &os, false};
	if (j) {
		bg_json_obj(j);
		bg_json_kstr(j, "name", e->secs[sec].name);
		bg_json_ku64(j, "insns_count", os.n);
		bg_json_key(j, "insns");
		err = bg_dis_json(&p, j);
		bg_json_obj_end(j);
	} else {
		bg_buf_printf(&c->out, "section %s: %zu insns\n", e->secs[sec].name, os.n);
		err = bg_dis_text(&p, &c->out);
	}
	if (err == -EINVAL)
		snprintf(e->err, sizeof(e->err), "section %s: some instructions are invalid",
			 e->secs[sec].name);
	(void)so;
cleanup:
	free(insns);
	obj_sec_close(&os);
	return err;
}

static void obj_strings(struct bg_elf *e, long only, struct str_out *so)
{
	struct bpf_insn *insns;
	size_t i;

	for (i = 1; i < e->nsecs; i++) {
		const struct bg_elf_sec *s = &e->secs[i];

		if (s->type != SHT_PROGBITS || !s->data || (s->flags & SHF_EXECINSTR) ||
		    (strncmp(s->name, ".rodata", 7) && strncmp(s->name, ".data", 5)))
			continue;
		so->source = s->name;
		bg_data_strings(s->data, s->size, MIN_STR, put_string, so);
	}
	for (i = 1; i < e->nsecs; i++) {
		size_t n = e->secs[i].size / sizeof(struct bpf_insn);

		if (!bg_elf_is_code(e, i) || (only >= 0 && (size_t)only != i))
			continue;
		insns = sec_insns(&e->secs[i], n);
		if (!insns)
			continue;
		so->source = "stack";
		so->where = e->secs[i].name;
		bg_dis_stack_strings(insns, n, MIN_STR, put_string, so);
		free(insns);
	}
}

static int dump_file(struct inspect_cmd *c)
{
	struct bg_elf e;
	struct bg_json j;
	struct str_out so = {0};
	long only = -1;
	size_t i, ncode = 0;
	int err, serr = 0;

	err = bg_elf_open_file(&e, c->file);
	if (err)
		goto cleanup;
	if (c->section) {
		only = bg_elf_find_sec(&e, c->section);
		if (only < 0 || !bg_elf_is_code(&e, (size_t)only)) {
			struct bg_buf names;

			bg_buf_init(&names);
			for (i = 1; i < e.nsecs; i++)
				if (bg_elf_is_code(&e, i))
					bg_buf_printf(&names, "%s%s", names.len ? ", " : "",
						      e.secs[i].name);
			bg_buf_putc(&names, 0);
			snprintf(e.err, sizeof(e.err),
				 "no code section '%s' (sections with code: %s)", c->section,
				 names.p ? names.p : "none");
			bg_buf_free(&names);
			err = -ENOENT;
			goto cleanup;
		}
	}
	for (i = 1; i < e.nsecs; i++)
		ncode += bg_elf_is_code(&e, i);
	if (!ncode) {
		snprintf(e.err, sizeof(e.err), "no code sections");
		err = -EINVAL;
		goto cleanup;
	}
	so.b = &c->out;
	if (c->json) {
		bg_json_init(&j, &c->out);
		so.j = &j;
		bg_json_obj(&j);
		bg_json_kstr(&j, "file", c->file);
		bg_json_karr(&j, "maps");
		for (i = 0; i < e.nsyms; i++) {
			const struct bg_elf_sym *s = &e.syms[i];

			if (s->shndx < e.nsecs && is_maps_sec(e.secs[s->shndx].name) &&
			    s->type == STT_OBJECT)
				bg_json_str(&j, s->name);
		}
		bg_json_arr_end(&j);
		bg_json_karr(&j, "sections");
	} else {
		bg_buf_printf(&c->out, "object %s\n", c->file);
	}
	for (i = 1; i < e.nsecs; i++) {
		if (!bg_elf_is_code(&e, i) || (only >= 0 && (size_t)only != i))
			continue;
		err = dump_section(c, &e, i, c->json ? &j : NULL, &so);
		if (err == -EINVAL) {
			/* Keep going: show the other sections, report at the end. */
			pr_err("%s: %s\n", c->file, e.err);
			serr = err;
			err = 0;
		}
		if (err)
			goto cleanup;
	}
	if (c->json) {
		bg_json_arr_end(&j);
		bg_json_karr(&j, "strings");
		obj_strings(&e, only, &so);
		bg_json_arr_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(&c->out, '\n');
	} else {
		bg_buf_puts(&c->out, "strings:\n");
		obj_strings(&e, only, &so);
		if (!so.count)
			bg_buf_puts(&c->out, "  (none)\n");
	}
	err = serr;
	e.err[0] = 0;
cleanup:
	if (err && e.err[0]) {
		pr_err("%s: %s\n", c->file, e.err);
		if (c->json) {
			c->out.len = 0;
			bg_json_init(&j, &c->out);
			bg_json_obj(&j);
			bg_json_kstr(&j, "error", e.err);
			bg_json_kstr(&j, "file", c->file);
			bg_json_obj_end(&j);
			bg_buf_putc(&c->out, '\n');
		}
	}
	bg_elf_close(&e);
	return err;
}

static int list(struct inspect_cmd *c)
{
	struct live_prog lp;
	struct bg_json j;
	__u32 id = 0;
	int err;

	err = ksyms_load(&c->ks);
	if (err)
		pr_warn("cannot read /proc/kallsyms: %s; helper calls stay unnamed\n",
			strerror(-err));
	err = scan_holders(c);
	if (err)
		pr_warn("cannot scan /proc for loaders: %s\n", strerror(-err));
	if (c->json) {
		bg_json_init(&j, &c->out);
		bg_json_arr(&j);
	}
	for (;;) {
		if (bpf_prog_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			err = -errno;
			pr_err("listing programs: %s\n", strerror(errno));
			return err;
		}
		err = live_load(&lp, id, &c->ks);
		if (err == -ENOENT)
			continue; /* unloaded while we looked */
		if (err) {
			pr_warn("program %u: %s\n", id, strerror(-err));
			continue;
		}
		find_loaders(c, &lp);
		if (c->json)
			list_json(&j, &lp);
		else
			list_text(&c->out, &lp);
		live_free(&lp);
	}
	if (c->json) {
		bg_json_arr_end(&j);
		bg_buf_putc(&c->out, '\n');
	}
	return 0;
}

static const struct bg_opt bpf_opts[] = {
	{"json", 'j', NULL, "print JSON instead of text"},
	{"file", 'f', "OBJ", "dump: disassemble a BPF object file instead of a loaded program"},
	{"section", 's', "S", "dump --file: only this section"},
	{0},
};

const struct bg_cmd_help bpf_help = {
	.usage = "bpfguard bpf list [--json]\n"
		 "       bpfguard bpf dump ID [--json]\n"
		 "       bpfguard bpf dump --file OBJ.o [--section S] [--json]\n"
		 "       bpfguard bpf watch [--patterns FILE] ... (bpfguard bpf watch --help)",
	.summary = "inspect and disassemble BPF programs",
	.opts = bpf_opts,
	.more = "list shows every loaded program: id, type, name, tag, load time, uid, maps, the\n"
		"processes holding it and the helpers its code calls. dump disassembles a loaded\n"
		"program (its xlated code) or the code sections of an object file, with jump\n"
		"labels, helper, kfunc and map names, and the strings the program carries.",
};

static int json_error(struct inspect_cmd *c, int err, const char *what)
{
	struct bg_json j;

	if (!c->json)
		return err;
	c->out.len = 0;
	bg_json_init(&j, &c->out);
	bg_json_obj(&j);
	bg_json_kstr(&j, "error", what);
	bg_json_obj_end(&j);
	bg_buf_putc(&c->out, '\n');
	return err;
}

int cmd_bpf(int argc, char **argv)
{
	struct inspect_cmd c = {0};
	const char *sub, *pos[2];
	int npos = 0;
	char *end;
	unsigned long id = 0;
	int opt, err;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			bg_cli_print_help(&bpf_help);
			return 0;
		}
		return bg_cli_usage_error(&bpf_help, "expected 'list', 'dump' or 'watch'");
	}
	sub = argv[1];
	argc--;
	argv++;
	if (!strcmp(sub, "watch"))
		return bg_bpf_watch(argc, argv); /* src/bpfload.c */
	optind = 1;
	/* Options may follow the ID ("dump 12 --json"): the option table
	 * stops at the first operand, so collect operands and go on. */
	while (optind < argc) {
		opt = bg_getopt(argc, argv, &bpf_help);
		if (opt == -1) {
			if (optind < argc) {
				if (npos == 2)
					return bg_cli_usage_error(&bpf_help, "too many arguments");
				pos[npos++] = argv[optind++];
			}
			continue;
		}
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'f':
			c.file = optarg;
			break;
		case 's':
			c.section = optarg;
			break;
		default:
			return bg_cli_default(opt, &bpf_help);
		}
	}
	if (!strcmp(sub, "list")) {
		if (npos || c.file || c.section)
			return bg_cli_usage_error(&bpf_help, "list takes only --json");
	} else if (!strcmp(sub, "dump")) {
		if (c.section && !c.file)
			return bg_cli_usage_error(&bpf_help, "--section needs --file");
		if (c.file && npos)
			return bg_cli_usage_error(&bpf_help, "dump --file takes no ID");
		if (!c.file) {
			if (npos != 1)
				return bg_cli_usage_error(&bpf_help, "dump needs one program ID");
			errno = 0;
			id = strtoul(pos[0], &end, 10);
			if (errno || *end || !*pos[0] || id > UINT32_MAX)
				return bg_cli_usage_error(&bpf_help, "bad program ID '%s'", pos[0]);
		}
	} else {
		return bg_cli_usage_error(&bpf_help, "unknown subcommand '%s'", sub);
	}
	bg_buf_init(&c.out);
	if (!strcmp(sub, "list")) {
		err = list(&c);
		if (err)
			json_error(&c, err, strerror(-err));
	} else if (c.file) {
		err = dump_file(&c);
	} else {
		err = dump_live(&c, (__u32)id);
		if (err)
			json_error(&c, err, strerror(-err));
	}
	if (c.out.oom) {
		pr_err("out of memory\n");
		err = -ENOMEM;
	}
	fwrite(c.out.p ? c.out.p : "", 1, c.out.len, stdout);
	bg_buf_free(&c.out);
	ksyms_free(&c.ks);
	free(c.holders);
	return err ? 1 : 0;
}
