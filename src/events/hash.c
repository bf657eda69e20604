// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Executable hashes (hash.h). SHA-256 comes from Nettle, the implementation
 * Debian keeps patched, not one of our own: libmicrohttpd's GnuTLS loads
 * it anyway, where OpenSSL's libcrypto cost 3.4 MB of the idle agent's
 * RSS (its relocations and init; bench/agent). One worker
 * thread hashes; the consumer only looks up a table under a mutex, so an
 * event never waits for a file to be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "events/hash.h"
#include "core/log.h"

/* Files hashed and remembered; past it the finished ones are forgotten
 * (they are hashed again when next seen). */
#define HASH_CACHE_MAX 8192
/* Jobs waiting; past it a new file is not queued (its events say pending
 * and a later event queues it). */
#define HASH_QUEUE_MAX 1024

struct entry {
	struct bg_hash_key k;
	enum bg_hash_state st;
	unsigned char sha[32];
	char *reason;
	/* the job, while pending */
	pid_t pid;
	char *path;
	struct entry *next;	/* hash chain */
	struct entry *job_next; /* queue */
};

struct bg_hasher {
	pthread_mutex_t mu;
	pthread_cond_t cv, idle_cv;
	pthread_t thread;
	bool stop, busy;
	struct entry **tab;
	size_t nbuckets, n;
	struct entry *q_head, *q_tail;
	size_t q_len;
	bg_hash_done_fn done;
	void *done_ctx;
};

static size_t bucket(const struct bg_hasher *h, const struct bg_hash_key *k)
{
	uint64_t x = k->dev * 0x9e3779b97f4a7c15ULL ^ k->ino * 0xc2b2ae3d27d4eb4fULL ^
		     (uint64_t)k->ctime_s * 31 ^ k->ctime_ns;

	x ^= x >> 29;
	return x & (h->nbuckets - 1);
}

static bool key_eq(const struct bg_hash_key *a, const struct bg_hash_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->ctime_s == b->ctime_s &&
	       a->ctime_ns == b->ctime_ns;
}

static void entry_free(struct entry *e)
{
	free(e->reason);
	free(e->path);
	free(e);
}

/* Forget every finished entry (the cache is full). Caller holds mu. */
static void forget_done(struct bg_hasher *h)
{
	size_t i;

	for (i = 0; i < h->nbuckets; i++) {
		struct entry **pp = &h->tab[i];

		while (*pp) {
			struct entry *e = *pp;

			if (e->st == BG_HASH_PENDING) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			entry_free(e);
			h->n--;
		}
	}
}

int bg_sha256_file(int fd, unsigned char *sha)
{
	static __thread unsigned char buf[1 << 16];
	struct sha256_ctx md;
	ssize_t n;

	sha256_init(&md);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		sha256_update(&md, (size_t)n, buf);
	}
	sha256_digest(&md, SHA256_DIGEST_SIZE, sha);
	return 0;
}

void bg_sha256_hex(const unsigned char *sha, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[sha[i] >> 4];
		hex[2 * i + 1] = digits[sha[i] & 15];
	}
	hex[64] = 0;
}

bool bg_sha256_parse(const char *s, unsigned char *sha)
{
	int i;

	if (strlen(s) != 64)
		return false;
	for (i = 0; i < 64; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (v < 0)
			return false;
		if (i & 1)
			sha[i / 2] |= v;
		else
			sha[i / 2] = v << 4;
	}
	return true;
}

static void key_of(const struct stat *st, struct bg_hash_key *k)
{
	memset(k, 0, sizeof(*k));
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->ctime_s = st->st_ctim.tv_sec;
	k->ctime_ns = st->st_ctim.tv_nsec;
}

/* Open the file of key k: the process's own executable while it lives
 * (right even when the path now names another file), else the path. */
static int open_exact(const struct bg_hash_key *k, pid_t pid, const char *path, char *why,
		      size_t whylen)
{
	const char *tried[2];
	char proc[32];
	int i, n = 0, fd, err = 0;

	if (pid > 0) {
		snprintf(proc, sizeof(proc), "/proc/%d/exe", (int)pid);
		tried[n++] = proc;
	}
	if (path && path[0] == '/')
		tried[n++] = path;
	for (i = 0; i < n; i++) {
		struct bg_hash_key got;
		struct stat st;

		fd = open(tried[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			err = S_ISREG(st.st_mode) ? errno : EINVAL;
			close(fd);
			continue;
		}
		key_of(&st, &got);
		if (key_eq(&got, k))
			return fd;
		close(fd);
		err = ESTALE;
	}
	if (err == ESTALE)
		snprintf(why, whylen, "%s was replaced or changed before it could be hashed",
			 path ? path : "the executable");
	else
		snprintf(why, whylen, "cannot read %s: %s", path ? path : "the executable",
			 strerror(err ? err : ENOENT));
	return -1;
}

static void hash_job(struct bg_hasher *h, struct entry *e)
{
	char why[512] = "";
	unsigned char sha[32];
	struct bg_hash_key after;
	struct stat st;
	int fd, err;

	fd = open_exact(&e->k, e->pid, e->path, why, sizeof(why));
	if (fd >= 0) {
		err = bg_sha256_file(fd, sha);
		if (err)
			snprintf(why, sizeof(why), "cannot read %s: %s", e->path, strerror(-err));
		else if (fstat(fd, &st) || (key_of(&st, &after), !key_eq(&after, &e->k)))
			snprintf(why, sizeof(why), "%s changed while it was being hashed", e->path);
		close(fd);
	}
	if (why[0])
		pr_warn("executable hash: %s\n", why);
	else if (h->done)
		h->done(h->done_ctx, &e->k, sha);
	pthread_mutex_lock(&h->mu);
	if (why[0]) {
		e->reason = strdup(why);
		e->st = BG_HASH_ERROR;
	} else {
		memcpy(e->sha, sha, 32);
		e->st = BG_HASH_DONE;
	}
	free(e->path);
	e->path = NULL;
	pthread_mutex_unlock(&h->mu);
}

static void *worker(void *arg)
{
	struct bg_hasher *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		struct entry *e;

		while (!h->stop && !h->q_head) {
			h->busy = false;
			pthread_cond_broadcast(&h->idle_cv);
			pthread_cond_wait(&h->cv, &h->mu);
		}
		if (h->stop)
			break;
		h->busy = true;
		e = h->q_head;
		h->q_head = e->job_next;
		if (!h->q_head)
			h->q_tail = NULL;
		h->q_len--;
		pthread_mutex_unlock(&h->mu);
		hash_job(h, e);
		pthread_mutex_lock(&h->mu);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

int bg_hasher_start(struct bg_hasher **out, bg_hash_done_fn done, void *ctx)
{
	struct bg_hasher *h = calloc(1, sizeof(*h));
	int err;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->nbuckets = 4096;
	h->tab = calloc(h->nbuckets, sizeof(*h->tab));
	if (!h->tab) {
		free(h);
		return -ENOMEM;
	}
	h->done = done;
	h->done_ctx = ctx;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	pthread_cond_init(&h->idle_cv, NULL);
	err = pthread_create(&h->thread, NULL, worker, h);
	if (err) {
		pr_err("cannot start the hashing thread: %s\n", strerror(err));
		free(h->tab);
		free(h);
		return -err;
	}
	*out = h;
	return 0;
}

enum bg_hash_state bg_hasher_get(struct bg_hasher *h, const struct bg_hash_key *k, pid_t pid,
				 const char *path, unsigned char *sha, char *reason,
				 size_t reason_len)
{
	enum bg_hash_state st = BG_HASH_PENDING;
	struct entry *e;
	size_t b;

	pthread_mutex_lock(&h->mu);
	b = bucket(h, k);
	for (e = h->tab[b]; e && !key_eq(&e->k, k); e = e->next)
		;
	if (e) {
		st = e->st;
		if (st == BG_HASH_DONE)
			memcpy(sha, e->sha, 32);
		else if (st == BG_HASH_ERROR)
			snprintf(reason, reason_len, "%s", e->reason ? e->reason : "unknown");
		goto out;
	}
	if (h->q_len >= HASH_QUEUE_MAX)
		goto out;
	if (h->n >= HASH_CACHE_MAX)
		forget_done(h);
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	e->k = *k;
	e->st = BG_HASH_PENDING;
	e->pid = pid;
	e->path = path ? strdup(path) : NULL;
	e->next = h->tab[b];
	h->tab[b] = e;
	h->n++;
	if (h->q_tail)
		h->q_tail->job_next = e;
	else
		h->q_head = e;
	h->q_tail = e;
	h->q_len++;
	pthread_cond_signal(&h->cv);
out:
	pthread_mutex_unlock(&h->mu);
	return st;
}

bool bg_hasher_idle(struct bg_hasher *h, int ms)
{
	struct timespec until;
	bool idle;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->mu);
	while ((h->q_head || h->busy) &&
	       pthread_cond_timedwait(&h->idle_cv, &h->mu, &until) != ETIMEDOUT)
		;
	idle = !h->q_head && !h->busy;
	pthread_mutex_unlock(&h->mu);
	return idle;
}

void bg_hasher_stop(struct bg_hasher *h)
{
	size_t i;

	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	for (i = 0; i < h->nbuckets; i++) {
		while (h->tab[i]) {
			struct entry *e = h->tab[i];

			h->tab[i] = e->next;
			entry_free(e);
		}
	}
	free(h->tab);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	pthread_cond_destroy(&h->idle_cv);
	free(h);
}
