// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A loaded program as list and dump see it: code, maps, BTF function names, the processes holding it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <bpf/libbpf.h>

#include "inspect/inspect.h"
#include "core/sys.h"
#include "core/log.h"

bool insp_live_resolve(void *priv, enum bg_dis_query q, const struct bg_dis_insn *d,
			 struct bg_dis_ref *ref)
{
	const struct live_prog *lp = priv;
	size_t i;

	switch (q) {
	case BG_Q_HELPER:
		ref->symbol = insp_call_symbol(lp->ks, d->imm);
		ref->helper_id = bg_helper_id_from_symbol(ref->symbol);
		return true;
	case BG_Q_KFUNC:
		ref->symbol = insp_call_symbol(lp->ks, d->imm);
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

void insp_live_free(struct live_prog *lp)
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
int insp_live_load(struct live_prog *lp, __u32 id, const struct ksyms *ks)
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
		insp_live_free(lp);
	return err;
}

/* Which processes hold a program: fds of programs and links in /proc. */
int insp_scan_holders(struct inspect_cmd *c)
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

void insp_find_loaders(const struct inspect_cmd *c, struct live_prog *lp)
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

size_t insp_other_calls(const struct live_prog *lp, struct other_call *oc, size_t max)
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
		sym = insp_call_symbol(lp->ks, d.imm);
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


const char *insp_prog_type(__u32 t)
{
	const char *s = libbpf_bpf_prog_type_str(t);

	return s ? s : "unknown";
}

void insp_tag_hex(const struct bpf_prog_info *info, char *buf)
{
	int i;

	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(buf + 2 * i, "%02x", info->tag[i]);
}
