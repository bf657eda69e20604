// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * run's built-in check without a trap per call: a uprobe on the handler of
 * each built-in function the policy does not allow, and on no other, so
 * an allowed built-in runs untouched and a disallowed one is killed at its
 * first instruction, before its body runs (bpf/php.bpf.c, on_builtin).
 * The handlers come from the function tables of the PHP binary and of the
 * shared extensions (src/sandbox/php_modules.c). One uprobe_multi link per file
 * where the kernel has them (6.6+), else one uprobe per handler.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/php.h>

#include "core/log.h"
#include "core/probe.h"
#include "sandbox/php_builtins.h"
#include "sandbox/php_engine.h"
#include "policy/policy.h"
#include "php.skel.h"

/* BPF_LINK_CREATE's uprobe_multi attributes (6.6+ uapi), which the
 * installed linux/bpf.h predates. */
struct link_uprobe_multi {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, mflags, pid, pad;
};

/* cookies: each offset's handler index (profile), or NULL. */
static int link_multi(int prog_fd, const char *path, const uint64_t *offs, const uint64_t *cookies,
		      uint32_t n)
{
	struct link_uprobe_multi a = {
		.prog_fd = prog_fd,
		.attach_type = BG_ATTACH_UPROBE_MULTI,
		.path = (uint64_t)(uintptr_t)path,
		.offsets = (uint64_t)(uintptr_t)offs,
		.cookies = (uint64_t)(uintptr_t)cookies,
		.cnt = n,
	};

	return syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
}

bool bg_php_uprobe_multi(void)
{
	/* r0 = 0; exit */
	struct bpf_insn insns[2] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K},
				    {.code = BPF_JMP | BPF_EXIT}};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BG_ATTACH_UPROBE_MULTI);
	uint64_t off = 0;
	int fd, lfd, err;

	if (bg_probe_masked("uprobe_multi"))
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &o);
	if (fd < 0)
		return false;
	/* "/" is no regular file: a kernel with uprobe_multi says EBADF,
	 * one without it EINVAL (an unknown attach type). */
	lfd = link_multi(fd, "/", &off, NULL, 1);
	err = errno;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	return lfd < 0 && err == EBADF;
}

struct trap_set {
	const struct bg_policy_php *pol;
	char **paths;
	size_t n_paths;
	struct trap {
		size_t path;
		uint64_t off;
		char *name;
	} * t;
	size_t n, cap;
};

static bool allowed(const struct bg_policy_php *pp, const char *name)
{
	size_t i;

	for (i = 0; pp && i < pp->n_fns; i++)
		if (!strcmp(pp->fns[i].name, name))
			return true;
	return false;
}

static int collect(void *ctx, const char *path, const char *name, uint64_t off)
{
	struct trap_set *ts = ctx;
	size_t p;

	if (allowed(ts->pol, name))
		return 0;
	for (p = 0; p < ts->n_paths && strcmp(ts->paths[p], path); p++)
		;
	if (p == ts->n_paths) {
		char **np = realloc(ts->paths, (p + 1) * sizeof(*np));

		if (!np)
			return -ENOMEM;
		ts->paths = np;
		if (!(np[p] = strdup(path)))
			return -ENOMEM;
		ts->n_paths++;
	}
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? 2 * ts->cap : 1024;
		void *nt = realloc(ts->t, cap * sizeof(*ts->t));

		if (!nt)
			return -ENOMEM;
		ts->t = nt;
		ts->cap = cap;
	}
	ts->t[ts->n].path = p;
	ts->t[ts->n].off = off;
	if (!(ts->t[ts->n++].name = strdup(name)))
		return -ENOMEM;
	return 0;
}

static int cmp_trap(const void *a, const void *b)
{
	const struct trap *x = a, *y = b;

	if (x->path != y->path)
		return x->path < y->path ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* profile: handler k is at off in path (ph->handlers[k]). */
static int add_handler(struct bg_php *ph, const char *path, uint64_t off)
{
	struct bg_php_handler *h = realloc(ph->handlers, (ph->n_handlers + 1) * sizeof(*h));

	if (!h)
		return -ENOMEM;
	ph->handlers = h;
	h[ph->n_handlers].off = off;
	h[ph->n_handlers].done = false;
	if (!(h[ph->n_handlers].path = strdup(path)))
		return -ENOMEM;
	ph->n_handlers++;
	return 0;
}

/* Name nm belongs to handler k. */
static int add_name(struct bg_php *ph, size_t k, const char *nm)
{
	struct bg_php_trap_name *n = realloc(ph->trap_names, (ph->n_names + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	ph->trap_names = n;
	n[ph->n_names].link = k;
	if (!(n[ph->n_names].name = strdup(nm)))
		return -ENOMEM;
	ph->n_names++;
	return 0;
}

static int add_link(struct bg_php *ph, int fd)
{
	int *nf = realloc(ph->trap_fds, (ph->n_traps + 1) * sizeof(*nf));

	if (!nf)
		return -ENOMEM;
	ph->trap_fds = nf;
	nf[ph->n_traps++] = fd;
	return 0;
}

/* Without uprobe_multi, as asked: one uprobe per handler. */
static int attach_singles(struct bg_php *ph, const char *path, const uint64_t *offs, uint32_t n)
{
	struct bpf_link **nl = realloc(ph->trap_links, (ph->n_links + n) * sizeof(*nl));
	uint32_t k;
	int err;

	if (!nl)
		return -ENOMEM;
	ph->trap_links = nl;
	for (k = 0; k < n; k++) {
		nl[ph->n_links] = bpf_program__attach_uprobe(ph->skel->progs.php_int_entry, false,
							     -1, path, offs[k]);
		if (!nl[ph->n_links]) {
			err = -errno;
			pr_err("php: cannot attach a uprobe to %s+0x%llx: %s\n", path,
			       (unsigned long long)offs[k], strerror(-err));
			return err;
		}
		ph->n_links++;
	}
	return 0;
}

int bg_php_trap_builtins(struct bg_php *ph, const struct bg_policy_php *pp)
{
	struct bpf_program *multi = ph->skel->progs.php_int_multi;
	struct trap_set ts = {.pol = pp};
	size_t i, j, files = 0, uniq = 0;
	struct timespec t0, t1;
	uint64_t *offs = NULL;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = bg_php_builtins(&ph->layout, ph->bin, collect, &ts);
	if (!err) {
		qsort(ts.t, ts.n, sizeof(*ts.t), cmp_trap);
		offs = calloc(ts.n + 1, sizeof(*offs));
		if (!offs)
			err = -ENOMEM;
	}
	/* One file at a time: its distinct handlers (aliases share one). */
	for (i = 0; !err && i < ts.n; i = j) {
		const char *path = ts.paths[ts.t[i].path];
		uint32_t n = 0;

		for (j = i; j < ts.n && ts.t[j].path == ts.t[i].path; j++) {
			if (!n || offs[n - 1] != ts.t[j].off)
				offs[n++] = ts.t[j].off;
			/* profile: each handler's names, to detach it once
			 * all of them are recorded. */
			if (!pp && !err)
				err = add_name(ph, n - 1 + uniq, ts.t[j].name);
		}
		for (uint32_t k = 0; !pp && !err && k < n; k++)
			err = add_handler(ph, ts.paths[ts.t[i].path], offs[k]);
		uniq += n;
		files++;
		if (!pp)
			continue; /* profile: relink() attaches them, with cookies */
		if (ph->multi) {
			int fd = link_multi(bpf_program__fd(multi), path, offs, NULL, n);

			err = fd < 0 ? -errno : add_link(ph, fd);
			if (fd < 0)
				pr_err("php: cannot attach uprobe_multi to %u built-ins of %s: "
				       "%s\n",
				       n, path, strerror(-err));
		} else {
			err = attach_singles(ph, path, offs, n);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!err)
		pr_info("php: %zu built-in handlers %s trapped in %zu files (%s) in %.1f ms\n",
			uniq, pp ? "outside the policy" : "(until first called)", files,
			ph->multi ? "uprobe_multi" : "single uprobes",
			(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	ph->trap_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	ph->n_trapped = uniq;
	for (i = 0; i < ts.n; i++)
		free(ts.t[i].name);
	for (i = 0; i < ts.n_paths; i++)
		free(ts.paths[i]);
	free(ts.paths);
	free(ts.t);
	free(offs);
	return err;
}

void bg_php_untrap_builtins(struct bg_php *ph)
{
	size_t i;

	if (ph->detacher_on) {
		ph->detacher_stop = true;
		pthread_join(ph->detacher, NULL);
		ph->detacher_on = false;
	}
	for (i = 0; i < ph->n_traps; i++)
		if (ph->trap_fds[i] >= 0)
			close(ph->trap_fds[i]);
	if (ph->n_links) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < ph->n_links; i++)
			bpf_link__destroy(ph->trap_links[i]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		pr_info("php: %zu single uprobes detached in %.1f s\n", ph->n_links,
			(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	free(ph->trap_links);
	ph->trap_links = NULL;
	ph->n_links = 0;
	for (i = 0; i < ph->n_names; i++)
		free(ph->trap_names[i].name);
	for (i = 0; i < ph->n_handlers; i++)
		free(ph->handlers[i].path);
	free(ph->handlers);
	ph->handlers = NULL;
	ph->n_handlers = 0;
	free(ph->trap_names);
	ph->trap_names = NULL;
	ph->n_names = 0;
	free(ph->trap_fds);
	ph->trap_fds = NULL;
	ph->n_traps = 0;
}

struct closing {
	int *fds;
	size_t n;
};

static void *closer(void *arg)
{
	struct closing *c = arg;
	size_t i;

	for (i = 0; i < c->n; i++)
		close(c->fds[i]);
	free(c->fds);
	free(c);
	return NULL;
}

/* profile: the uprobe_multi links again, on the handlers not yet known
 * (one link per file), then the old ones closed. */
static int relink(struct bg_php *ph)
{
	int prog = bpf_program__fd(ph->skel->progs.php_int_multi), *fds = NULL, err = 0;
	uint64_t *offs = calloc(ph->n_handlers + 1, sizeof(*offs));
	uint64_t *cookies = calloc(ph->n_handlers + 1, sizeof(*cookies));
	size_t i, j, n_fds = 0;

	for (i = 0; offs && cookies && !err && i < ph->n_handlers; i = j) {
		uint32_t n = 0;
		int fd, *nf;

		for (j = i;
		     j < ph->n_handlers && !strcmp(ph->handlers[j].path, ph->handlers[i].path); j++)
			if (!ph->handlers[j].done) {
				cookies[n] = j;
				offs[n++] = ph->handlers[j].off;
			}
		if (!n)
			continue;
		fd = link_multi(prog, ph->handlers[i].path, offs, cookies, n);
		nf = fd >= 0 ? realloc(fds, (n_fds + 1) * sizeof(*fds)) : NULL;
		if (!nf) {
			err = fd < 0 ? -errno : -ENOMEM;
			if (fd >= 0)
				close(fd);
			break;
		}
		fds = nf;
		fds[n_fds++] = fd;
	}
	free(cookies);
	if (!offs || !cookies || err) {
		for (i = 0; i < n_fds; i++)
			close(fds[i]);
		free(fds);
		free(offs);
		return err ? err : -ENOMEM;
	}
	/* Closing a uprobe_multi link waits for a grace period (about 0.8 s
	 * here) after its breakpoints are gone: done by a thread of its own,
	 * so that the detacher goes on every 50 ms. */
	if (ph->n_traps) {
		struct closing *c = malloc(sizeof(*c));
		pthread_t t;

		if (c) {
			c->fds = ph->trap_fds;
			c->n = ph->n_traps;
			ph->trap_fds = NULL;
		}
		if (!c || pthread_create(&t, NULL, closer, c)) {
			for (i = 0; i < (c ? c->n : ph->n_traps); i++)
				close(c ? c->fds[i] : ph->trap_fds[i]);
			if (c)
				free(c->fds);
			free(c);
		} else {
			pthread_detach(t);
		}
	}
	free(ph->trap_fds);
	ph->trap_fds = fds;
	ph->n_traps = n_fds;
	free(offs);
	return 0;
}

/* profile: every 50 ms, the handlers the kernel saw called (php_hseen,
 * by the link's cookie) are left out of new links, so that a built-in costs a trap only until
 * it is known (uprobe_multi links are replaced as a whole: one attach,
 * where detaching uprobes one by one costs tens of ms each). */
static void *detacher(void *arg)
{
	struct bg_php *ph = arg;
	int hseen = bpf_map__fd(ph->skel->maps.php_hseen);
	struct timespec ts = {0, 50 * 1000 * 1000};
	uint32_t k;
	size_t newly;
	uint8_t v;

	while (!ph->detacher_stop) {
		nanosleep(&ts, NULL);
		for (k = 0, newly = 0; k < ph->n_handlers; k++) {
			if (!ph->handlers[k].done && !bpf_map_lookup_elem(hseen, &k, &v) && v) {
				ph->handlers[k].done = true;
				newly++;
			}
		}
		if (newly && !relink(ph))
			ph->n_detached += newly;
	}
	return NULL;
}

/* profile: a built-in handler that was called allows all its names (the
 * same code: join for implode, sizeof for count), whose calls are no
 * longer seen once the handler is detached. */
int bg_php_builtin_aliases(const struct bg_php *ph, struct bg_policy *pol)
{
	int hseen = bpf_map__fd(ph->skel->maps.php_hseen), err = 0;
	uint32_t k;
	uint8_t v;
	size_t i;

	for (i = 0; !err && i < ph->n_names; i++) {
		k = ph->trap_names[i].link;
		if (!bpf_map_lookup_elem(hseen, &k, &v) && v)
			err = bg_policy_php_add_fn(pol, ph->trap_names[i].name, NULL);
	}
	return err;
}

int bg_php_trap_all_builtins(struct bg_php *ph)
{
	int err = bg_php_trap_builtins(ph, NULL);

	if (!err && ph->n_handlers > BG_PHP_HANDLERS_MAX)
		err = -E2BIG;
	if (!err)
		err = relink(ph);
	if (!err) {
		err = -pthread_create(&ph->detacher, NULL, detacher, ph);
		ph->detacher_on = !err;
	}
	return err;
}
