// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The agent's process table and what it adds to events (enrich.h).
 *
 * Table: one entry per thread group, keyed by pid and checked against the
 * start time (pids are reused). Fed by every record with a process (a
 * process seen for the first time, a reparenting), exec (new executable)
 * and exit (forgotten two seconds later: a child's record reserved just
 * before its parent exited may still name it). Seeded from /proc at start,
 * so a process started before the agent is resolved; an ancestor missing
 * from the table (it forked before the agent started, or forked without
 * exec since) is read from /proc/PID/stat when first needed.
 *
 * Start times: the kernel's are CLOCK_BOOTTIME nanoseconds; /proc gives
 * clock ticks of the same clock (start_boottime), so an entry learned from
 * /proc has its start rounded down to a tick until a record of its own
 * brings the exact value. Two starts match when they fall in one tick.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpfguard/events.h>

#include "events/container.h"
#include "events/enrich.h"
#include "events/format.h"
#include "events/json.h"
#include "core/log.h"

#define DEAD_KEEP_NS	 (2ULL * 1000000000ULL)
#define SWEEP_EVERY_NS	 (1ULL * 1000000000ULL)
#define TABLE_CHECK_LIVE 32768 /* entries past which the sweep asks the kernel */

struct proc {
	uint32_t pid, ppid;
	uint64_t start_ns, parent_start_ns; /* parent_start_ns 0: not known */
	bool exact;			    /* start_ns from the kernel, not /proc ticks */
	bool parent_exact;		    /* parent_start_ns from the kernel */
	bool key_tried, have_key, cont_read;
	struct bg_hash_key key;
	struct bg_container cont;
	uint64_t dead_ns; /* exit seen at this time; 0: alive */
	char *exe;
	/* This entry as an element of "ancestry", rendered once: four of them
	 * per event would otherwise cost more than the rest of the line. */
	char *frag;
	size_t frag_len;
	bool sha_known; /* sha: the hash of key, copied from the hasher */
	unsigned char sha[32];
	struct proc *next;
};

struct bg_enrich {
	struct bg_fmt_enrich hook; /* what the formatter calls */
	struct bg_enrich_config c;
	struct proc **tab;
	size_t nbuckets, n;
	uint64_t tick_ns;
	uint64_t last_sweep;
	struct bg_hasher *hasher;
	/* the record being formatted */
	struct proc *cur;
	const struct bg_proc *cur_p;
	struct proc *anc[BG_ANCESTRY_MAX];
	unsigned int n_anc;
	bool truncated, unresolved;
	enum bg_hash_state hst;
	unsigned char sha[32];
	char reason[512];
};

static size_t bucket_of(size_t nbuckets, uint32_t pid)
{
	return (pid * 2654435761u) & (nbuckets - 1);
}

static struct proc *find(struct bg_enrich *e, uint32_t pid)
{
	struct proc *p;

	for (p = e->tab[bucket_of(e->nbuckets, pid)]; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* The start time changed (from /proc's tick to the kernel's nanosecond). */
static void set_start(struct proc *p, uint64_t start_ns)
{
	if (p->start_ns == start_ns && p->exact)
		return;
	p->start_ns = start_ns;
	p->exact = true;
	free(p->frag);
	p->frag = NULL;
}

static void proc_free(struct proc *p)
{
	free(p->frag);
	free(p->exe);
	free(p);
}

static void unlink_proc(struct bg_enrich *e, struct proc *victim)
{
	struct proc **pp = &e->tab[bucket_of(e->nbuckets, victim->pid)];

	while (*pp && *pp != victim)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = victim->next;
		e->n--;
	}
}

static void grow(struct bg_enrich *e)
{
	size_t nb = e->nbuckets * 2, i;
	struct proc **t = calloc(nb, sizeof(*t));

	if (!t)
		return; /* longer chains, still correct */
	for (i = 0; i < e->nbuckets; i++) {
		while (e->tab[i]) {
			struct proc *p = e->tab[i];

			e->tab[i] = p->next;
			p->next = t[bucket_of(nb, p->pid)];
			t[bucket_of(nb, p->pid)] = p;
		}
	}
	free(e->tab);
	e->tab = t;
	e->nbuckets = nb;
}

/* A new entry for pid, replacing an older one of the same pid. */
static struct proc *insert(struct bg_enrich *e, uint32_t pid, const char *exe)
{
	struct proc *p = find(e, pid);
	size_t b;

	if (p) {
		unlink_proc(e, p);
		if (e->cur == p)
			e->cur = NULL;
		proc_free(p);
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->exe = strdup(exe ? exe : "");
	if (!p->exe) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	if (e->n >= e->nbuckets)
		grow(e);
	b = bucket_of(e->nbuckets, pid);
	p->next = e->tab[b];
	e->tab[b] = p;
	e->n++;
	return p;
}

static bool same_start(const struct bg_enrich *e, const struct proc *p, uint64_t start_ns)
{
	if (!start_ns)
		return true; /* not known: the live process of that pid */
	if (p->exact)
		return p->start_ns == start_ns;
	return start_ns / e->tick_ns * e->tick_ns == p->start_ns;
}

/* pid's ppid and start (rounded to a tick) from /proc/PID/stat. */
static int read_stat(uint32_t pid, uint32_t *ppid, uint64_t *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	unsigned int pp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	/* comm is in parentheses and may hold anything, ')' included. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1,
			 " %*c %u %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
			 "%*d %llu",
			 &pp, &start) != 2)
		return -EIO;
	*ppid = pp;
	*ticks = start;
	return 0;
}

/* Learn pid from /proc; start_ns (0: any) must be its start. */
static struct proc *from_proc(struct bg_enrich *e, uint32_t pid, uint64_t start_ns)
{
	char path[64], exe[BG_PATH_MAX];
	uint64_t ticks = 0;
	uint32_t ppid = 0;
	struct proc *p;
	ssize_t n;

	if (read_stat(pid, &ppid, &ticks))
		return NULL;
	if (start_ns && start_ns / e->tick_ns != ticks)
		return NULL; /* the pid was reused: ours is gone */
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	p = insert(e, pid, exe);
	if (!p)
		return NULL;
	p->ppid = ppid;
	p->start_ns = ticks * e->tick_ns;
	if (start_ns) {
		p->start_ns = start_ns;
		p->exact = true;
	}
	return p;
}

static void seed(struct bg_enrich *e)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t i;

	if (!d) {
		pr_warn("cannot read /proc (%s): ancestors of processes started before the agent "
			"are resolved when first seen\n",
			strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || !pid || pid > UINT32_MAX)
			continue;
		from_proc(e, pid, 0);
	}
	closedir(d);
	/* Parents' start times, now that every process is in. */
	for (i = 0; i < e->nbuckets; i++) {
		struct proc *p, *pp;

		for (p = e->tab[i]; p; p = p->next)
			if (p->ppid && (pp = find(e, p->ppid)))
				p->parent_start_ns = pp->start_ns;
	}
}

static void sweep(struct bg_enrich *e, uint64_t now)
{
	size_t i;

	for (i = 0; i < e->nbuckets; i++) {
		struct proc **pp = &e->tab[i];

		while (*pp) {
			struct proc *p = *pp;

			/* Without exit records (guards.exec off) a large table is
			 * checked against the live pids instead. */
			bool gone = p->dead_ns ? p->dead_ns + DEAD_KEEP_NS < now
					       : e->n > TABLE_CHECK_LIVE && kill(p->pid, 0) &&
							 errno == ESRCH;

			if (gone && p != e->cur) {
				*pp = p->next;
				e->n--;
				proc_free(p);
			} else {
				pp = &p->next;
			}
		}
	}
	e->last_sweep = now;
}

static void enrich_event(void *ctx, const struct bg_event_hdr *h, const struct bg_proc *k);
static void enrich_json_process(void *ctx, struct bg_buf *b);
static void enrich_json_top(void *ctx, struct bg_buf *b);
static void enrich_json_bg(void *ctx, struct bg_fmt *f, struct bg_buf *b);
static void enrich_text(void *ctx, struct bg_buf *b);

int bg_enrich_start(struct bg_enrich **out, const struct bg_enrich_config *c, bg_hash_done_fn done,
		    void *done_ctx)
{
	struct bg_enrich *e = calloc(1, sizeof(*e));
	long hz = sysconf(_SC_CLK_TCK);
	int err;

	*out = NULL;
	if (!e)
		return -ENOMEM;
	e->c = *c;
	if (e->c.ancestry > BG_ANCESTRY_MAX)
		e->c.ancestry = BG_ANCESTRY_MAX;
	e->tick_ns = 1000000000ULL / (hz > 0 ? hz : 100);
	e->nbuckets = 1024;
	e->tab = calloc(e->nbuckets, sizeof(*e->tab));
	if (!e->tab) {
		free(e);
		return -ENOMEM;
	}
	if (c->hashes) {
		err = bg_hasher_start(&e->hasher, done, done_ctx);
		if (err) {
			bg_enrich_stop(e);
			return err;
		}
	}
	if (c->ancestry)
		seed(e);
	e->hook = (struct bg_fmt_enrich){.ctx = e,
					 .event = enrich_event,
					 .json_process = enrich_json_process,
					 .json_top = enrich_json_top,
					 .json_bg = enrich_json_bg,
					 .text = enrich_text};
	*out = e;
	return 0;
}

void bg_enrich_stop(struct bg_enrich *e)
{
	size_t i;

	if (!e)
		return;
	bg_hasher_stop(e->hasher);
	for (i = 0; i < e->nbuckets; i++) {
		while (e->tab[i]) {
			struct proc *p = e->tab[i];

			e->tab[i] = p->next;
			proc_free(p);
		}
	}
	free(e->tab);
	free(e);
}

bool bg_enrich_hashes_idle(struct bg_enrich *e, int ms)
{
	return !e->hasher || bg_hasher_idle(e->hasher, ms);
}

/* The identity of the process's executable, once per process (and per
 * exec): the file it runs, through /proc/PID/exe while it lives, else the
 * path the kernel gave. */
static void identify(struct proc *p)
{
	char path[64];
	struct stat st;

	p->key_tried = true;
	snprintf(path, sizeof(path), "/proc/%u/exe", p->pid);
	if (stat(path, &st) && (!p->exe[0] || stat(p->exe, &st)))
		return;
	memset(&p->key, 0, sizeof(p->key));
	p->key.dev = st.st_dev;
	p->key.ino = st.st_ino;
	p->key.ctime_s = st.st_ctim.tv_sec;
	p->key.ctime_ns = st.st_ctim.tv_nsec;
	p->have_key = true;
}

static void container_of(struct bg_enrich *e, struct proc *p)
{
	struct proc *parent;

	p->cont_read = true;
	if (bg_container_of_pid(p->pid, &p->cont))
		return;
	/* Gone already: its cgroup was its parent's unless it moved. */
	parent = find(e, p->ppid);
	if (parent && parent != p && parent->cont_read)
		p->cont = parent->cont;
}

/* The process of the record, as the table knows it after the record. */
static struct proc *track(struct bg_enrich *e, const struct bg_event_hdr *h,
			  const struct bg_proc *k)
{
	char exe[BG_PATH_MAX];
	struct proc *p = find(e, k->pid);

	if (!p || !same_start(e, p, k->start_ns) || h->type == BG_EV_EXEC) {
		bool keep = p && same_start(e, p, k->start_ns);
		struct bg_container cont;
		bool cont_read = keep && p->cont_read;

		if (cont_read)
			cont = p->cont;
		memcpy(exe, k->exe, sizeof(exe));
		exe[sizeof(exe) - 1] = 0;
		p = insert(e, k->pid, exe);
		if (!p)
			return NULL;
		if (cont_read) { /* exec keeps the cgroup */
			p->cont = cont;
			p->cont_read = true;
		}
	}
	set_start(p, k->start_ns);
	p->ppid = k->ppid;
	p->parent_start_ns = k->parent_start_ns;
	p->parent_exact = true;
	if (h->type == BG_EV_EXIT)
		p->dead_ns = h->ktime_ns;
	return p;
}

static void ancestry(struct bg_enrich *e, struct proc *p)
{
	uint32_t pid = p->ppid;
	uint64_t start = p->parent_start_ns;
	bool exact = p->parent_exact;

	e->n_anc = 0;
	e->truncated = e->unresolved = false;
	while (pid) {
		struct proc *a;

		if (pid == p->pid) { /* a loop: never from the kernel, but cheap to refuse */
			e->unresolved = true;
			return;
		}
		if (e->n_anc == e->c.ancestry) {
			e->truncated = true;
			return;
		}
		a = find(e, pid);
		if (!a || !same_start(e, a, start))
			a = from_proc(e, pid, start);
		if (!a) {
			e->unresolved = true;
			return;
		}
		if (exact && !a->exact && start) /* the kernel's start: exact */
			set_start(a, start);
		e->anc[e->n_anc++] = a;
		pid = a->ppid;
		start = a->parent_start_ns;
		exact = a->parent_exact;
	}
}

static void enrich_event(void *ctx, const struct bg_event_hdr *h, const struct bg_proc *k)
{
	struct bg_enrich *e = ctx;
	struct proc *p;

	e->cur = NULL;
	e->cur_p = k;
	e->n_anc = 0;
	e->truncated = e->unresolved = false;
	e->hst = BG_HASH_NONE;
	if (!k->pid)
		return; /* a packet in softirq: no process */
	if (h->ktime_ns > e->last_sweep + SWEEP_EVERY_NS)
		sweep(e, h->ktime_ns);
	p = track(e, h, k);
	if (!p)
		return;
	e->cur = p;
	if (e->c.hashes) {
		if (!p->key_tried)
			identify(p);
		if (p->sha_known) { /* no lock once known: the key is fixed until exec */
			e->hst = BG_HASH_DONE;
			memcpy(e->sha, p->sha, 32);
		} else if (p->have_key) {
			e->hst = bg_hasher_get(e->hasher, &p->key, p->dead_ns ? 0 : p->pid, p->exe,
					       e->sha, e->reason, sizeof(e->reason));
			if (e->hst == BG_HASH_DONE) {
				memcpy(p->sha, e->sha, 32);
				p->sha_known = true;
			}
		}
	}
	if (e->c.containers && !p->cont_read)
		container_of(e, p);
	if (e->c.ancestry)
		ancestry(e, p);
}

#define LIT(b, s) bg_buf_put(b, s, sizeof(s) - 1)

static void enrich_json_process(void *ctx, struct bg_buf *b)
{
	struct bg_enrich *e = ctx;
	char hex[65];

	if (e->hst != BG_HASH_DONE)
		return;
	bg_sha256_hex(e->sha, hex);
	LIT(b, ",\"hash\":{\"sha256\":\"");
	bg_buf_put(b, hex, 64);
	LIT(b, "\"}");
}

static void enrich_json_top(void *ctx, struct bg_buf *b)
{
	struct bg_enrich *e = ctx;
	const struct bg_container *c = e->cur ? &e->cur->cont : NULL;

	if (!c || c->runtime == BG_RT_NONE)
		return;
	LIT(b, ",\"container\":{\"id\":\"");
	bg_json_escape(b, c->id, strlen(c->id), true);
	LIT(b, "\",\"runtime\":\"");
	bg_buf_puts(b, bg_runtime_name(c->runtime));
	LIT(b, "\"}");
}

/* {"pid":..,"entity_id":..,"start":..,"executable":..}, kept in a->frag. */
static void render(struct proc *a, struct bg_fmt *f)
{
	struct bg_buf b;

	if (a->frag)
		return;
	bg_buf_init(&b);
	LIT(&b, "{\"pid\":");
	bg_buf_u64(&b, a->pid);
	LIT(&b, ",\"entity_id\":");
	bg_fmt_entity(&b, a->pid, a->start_ns);
	LIT(&b, ",\"start\":\"");
	bg_fmt_timestamp(f, &b, a->start_ns);
	LIT(&b, "\",\"executable\":\"");
	bg_json_escape(&b, a->exe, strlen(a->exe), true);
	LIT(&b, "\"}");
	if (b.oom) {
		bg_buf_free(&b);
		return;
	}
	a->frag = b.p;
	a->frag_len = b.len;
}

static void enrich_json_bg(void *ctx, struct bg_fmt *f, struct bg_buf *b)
{
	struct bg_enrich *e = ctx;
	unsigned int i;

	if (!e->cur)
		return;
	if (e->c.ancestry) {
		LIT(b, ",\"ancestry\":[");
		for (i = 0; i < e->n_anc; i++) {
			render(e->anc[i], f);
			if (e->anc[i]->frag)
				bg_buf_put(b, e->anc[i]->frag, e->anc[i]->frag_len);
			if (i + 1 < e->n_anc)
				bg_buf_putc(b, ',');
		}
		bg_buf_putc(b, ']');
		if (e->truncated)
			LIT(b, ",\"ancestry_truncated\":true");
		if (e->unresolved)
			LIT(b, ",\"ancestry_unresolved\":true");
	}
	if (!e->c.hashes)
		return;
	if (e->hst == BG_HASH_PENDING) {
		LIT(b, ",\"hash_pending\":true");
	} else if (e->hst == BG_HASH_NONE) {
		LIT(b, ",\"hash_error\":\"the executable could not be identified (the process "
		       "and its path are gone)\"");
	} else if (e->hst == BG_HASH_ERROR) {
		LIT(b, ",\"hash_error\":\"");
		bg_json_escape(b, e->reason, strlen(e->reason), true);
		bg_buf_putc(b, '"');
	}
}

static void enrich_text(void *ctx, struct bg_buf *b)
{
	struct bg_enrich *e = ctx;
	unsigned int i;
	char hex[65];

	if (!e->cur)
		return;
	if (e->hst == BG_HASH_DONE) {
		bg_sha256_hex(e->sha, hex);
		bg_buf_printf(b, " sha256=%.12s", hex);
	} else if (e->hst == BG_HASH_ERROR) {
		bg_buf_puts(b, " sha256=?");
	}
	if (e->cur->cont.runtime != BG_RT_NONE) {
		bg_buf_printf(b, " ctr=%s:", bg_runtime_name(e->cur->cont.runtime));
		bg_text_escape(b, e->cur->cont.id, 12);
	}
	if (!e->n_anc && !e->truncated)
		return;
	bg_buf_puts(b, " <");
	for (i = 0; i < e->n_anc; i++) {
		const char *exe = e->anc[i]->exe, *base = strrchr(exe, '/');

		bg_buf_putc(b, i ? '<' : ' ');
		bg_text_escape(b, base ? base + 1 : exe, 64);
		bg_buf_printf(b, "(%u)", e->anc[i]->pid);
	}
	if (e->truncated)
		bg_buf_puts(b, "<...");
}

const struct bg_fmt_enrich *bg_enrich_hook(const struct bg_enrich *e)
{
	return e ? &e->hook : NULL;
}
