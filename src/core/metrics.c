// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Prometheus metrics and a health endpoint for the agent, served by
 * libmicrohttpd (a kept, fuzzed HTTP/1.1 server: request parsing, timeouts
 * and connection limits are its job, not ours).
 *
 * Threads: the agent's thread counts (bg_metrics_event, one writer, relaxed
 * atomics: no lock on the event path) and records its guards and reloads
 * under `lock`; MHD's one internal thread renders a scrape from those
 * counters, the kernel's drop counters (a map lookup) and the ring
 * buffer's positions (atomic loads of the mapped pages).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <microhttpd.h>

#include <bpfguard/events.h>

#include "core/buf.h"
#include "core/guard.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/sys.h"
#include "events/format.h"
#include "events/ring.h"
#include "policy/yaml.h"

/* A scrape or health check that takes longer is a stalled client: MHD
 * closes it, so a half-sent request holds a slot for this long at most. */
#define CONN_TIMEOUT_S 5
/* Connections served at once; more are refused at accept. Enough for a
 * Prometheus, a health checker and a person with curl. */
#define CONN_LIMIT 32
/* /healthz fails when the event loop has not turned for this long (it
 * turns at least every 250 ms, src/guards/agent.c). */
#define STALL_S 5.0

/* ---- config ---- */

static const char *const metrics_keys[] = {"listen", "allow_remote", NULL};

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* HOST:PORT, HOST an IPv4 address, [IPv6] or localhost; why: the error. */
static int parse_listen(const char *s, struct bg_metrics_cfg *c, const char **why)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;
	char *end;
	unsigned long port;

	colon = strrchr(s, ':');
	if (!colon || colon == s) {
		*why = "expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464";
		return -EINVAL;
	}
	hl = colon - s;
	if (*h == '[') {
		if (hl < 3 || s[hl - 1] != ']') {
			*why = "an IPv6 address is written in brackets: [::1]:9464";
			return -EINVAL;
		}
		h++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		*why = "host too long";
		return -EINVAL;
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port == 0 || port > 65535 || colon[1] == '-' ||
	    colon[1] == '+') {
		*why = "the port must be a number from 1 to 65535";
		return -EINVAL;
	}
	memset(&c->addr, 0, sizeof(c->addr));
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (h != s) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&c->addr;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) {
			*why = "not an IPv6 address";
			return -EINVAL;
		}
		c->addr_len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&c->addr;

		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
			*why = "not an IPv4 address (a host name other than localhost is not "
			       "resolved; IPv6 goes in brackets)";
			return -EINVAL;
		}
		c->addr_len = sizeof(*a4);
	}
	return 0;
}

int bg_metrics_parse(struct bg_yaml *y, yaml_node_t *n, struct bg_metrics_cfg *c)
{
	yaml_node_t *l, *r;
	const char *s, *why = NULL;
	int err;

	err = bg_yaml_check_map(y, n, "metrics", metrics_keys);
	if (err)
		return err;
	if ((r = bg_yaml_get(y, n, "allow_remote"))) {
		err = bg_yaml_bool(y, r, "metrics.allow_remote", &c->allow_remote);
		if (err)
			return err;
	}
	l = bg_yaml_get(y, n, "listen");
	if (!l)
		return r ? bg_yaml_error(y, n, "metrics: listen is missing (e.g. 127.0.0.1:9464)")
			 : 0;
	err = bg_yaml_str(y, l, "metrics.listen", &s);
	if (err)
		return err;
	if (strlen(s) >= sizeof(c->listen))
		return bg_yaml_error(y, l, "metrics.listen: too long");
	if (parse_listen(s, c, &why))
		return bg_yaml_error(y, l, "metrics.listen '%s': %s", s, why);
	/* The endpoint has no authentication and names every rule: it stays on
	 * this host unless the operator says otherwise. */
	if (!is_loopback(&c->addr) && !c->allow_remote)
		return bg_yaml_error(y, l,
				     "metrics.listen '%s' is not a loopback address: metrics have "
				     "no authentication; set metrics.allow_remote: true to serve "
				     "them beyond this host",
				     s);
	strcpy(c->listen, s);
	c->on = true;
	return 0;
}

/* ---- counting (the consumer's thread) ---- */

static inline void add(uint64_t *p, uint64_t v)
{
	/* One writer: a relaxed load and store, no locked instruction. */
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static const char *rule_of(const struct bg_fmt *f, const struct bg_event_hdr *h)
{
	const struct bg_event_desc *d =
		h->type < bg_event_descs_len ? bg_event_descs[h->type] : NULL;
	const char *n = NULL;

	if (d && d->rule_name)
		n = d->rule_name(h);
	else if (h->rule_id && f->rule_name)
		n = f->rule_name(f->rule_ctx, h->rule_id);
	return n ? n : "";
}

static uint32_t slot_hash(const struct bg_event_hdr *h, uint32_t gen)
{
	uint64_t k = ((uint64_t)h->type << 48) ^ ((uint64_t)h->action << 40) ^
		     ((uint64_t)h->mechanism << 32) ^ ((uint64_t)h->outcome << 56) ^ h->rule_id ^
		     ((uint64_t)gen << 20);

	k *= 0x9e3779b97f4a7c15ULL;
	return (uint32_t)(k >> 40);
}

void bg_metrics_event(struct bg_metrics *m, const struct bg_fmt *f, const void *data, size_t size)
{
	const struct bg_event_hdr *h = data;
	/* Adopted rings name their ids with another agent's names. */
	uint32_t gen = f->rule_ctx == m->rule_ctx ? m->gen : UINT32_MAX;
	uint32_t i, k;

	if (size < sizeof(*h))
		return;
	k = slot_hash(h, gen);
	for (i = 0; i < 32; i++) {
		struct bg_metrics_slot *s = &m->slots[(k + i) % BG_METRICS_SLOTS];

		if (!s->used) {
			s->rule_id = h->rule_id;
			s->gen = gen;
			s->type = h->type;
			s->action = h->action;
			s->mechanism = h->mechanism;
			s->outcome = h->outcome;
			snprintf(s->rule, sizeof(s->rule), "%s", rule_of(f, h));
			__atomic_store_n(&s->used, 1, __ATOMIC_RELEASE);
		} else if (s->rule_id != h->rule_id || s->gen != gen || s->type != h->type ||
			   s->action != h->action || s->mechanism != h->mechanism ||
			   s->outcome != h->outcome) {
			continue;
		}
		add(&s->count, 1);
		if (h->suppressed)
			add(&s->suppressed, h->suppressed);
		return;
	}
	add(&m->overflow, 1);
}

/*
 * After a reload, ids are named by the new rule set. Slots whose id keeps
 * its name move to the new generation; the others stay with the old name
 * (their counts are history) and the id gets a new slot when it is seen.
 */
void bg_metrics_reload(struct bg_metrics *m, bool ok, const struct bg_fmt *f)
{
	uint32_t next = m->gen + 1 == UINT32_MAX ? 0 : m->gen + 1;
	struct timespec t;
	size_t i;

	for (i = 0; i < BG_METRICS_SLOTS; i++) {
		struct bg_metrics_slot *s = &m->slots[i];
		struct bg_event_hdr h = {.type = s->type, .rule_id = s->rule_id};

		if (!s->used || s->gen != m->gen)
			continue;
		if (!strncmp(rule_of(f, &h), s->rule, sizeof(s->rule) - 1))
			s->gen = next;
	}
	m->gen = next;
	clock_gettime(CLOCK_REALTIME, &t);
	pthread_mutex_lock(&m->lock);
	if (ok)
		m->reloads_ok++;
	else
		m->reloads_failed++;
	m->last_reload_ok = ok;
	m->last_reload_time = t.tv_sec + t.tv_nsec / 1e9;
	pthread_mutex_unlock(&m->lock);
}

void bg_metrics_beat(struct bg_metrics *m, bool ready)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	__atomic_store_n(&m->heartbeat_ns, (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&m->ready, ready, __ATOMIC_RELAXED);
}

/* ---- which guard attached what ---- */

static int prog_type(__u32 id)
{
	struct bpf_prog_info pi;
	__u32 len = sizeof(pi);
	int fd = bpf_prog_get_fd_by_id(id), t = -1;

	memset(&pi, 0, sizeof(pi));
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &pi, &len))
		t = pi.type;
	if (fd >= 0)
		close(fd);
	return t;
}

static const char *link_mechanism(const struct bpf_link_info *li)
{
	switch (li->type) {
	case BPF_LINK_TYPE_TRACING:
		switch (li->tracing.attach_type) {
		case BPF_LSM_MAC:
			return "lsm";
		case BPF_TRACE_RAW_TP:
			return "tp_btf";
		case BPF_TRACE_FENTRY:
		case BPF_TRACE_FEXIT:
			return "fentry";
		default:
			return "tracing";
		}
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		/* tp_btf programs attach through raw tracepoint links. */
		return prog_type(li->prog_id) == BPF_PROG_TYPE_TRACING ? "tp_btf" : "raw_tp";
	case BPF_LINK_TYPE_CGROUP:
		return "cgroup";
	case BPF_LINK_TYPE_XDP:
		return "xdp";
	case BPF_LINK_TYPE_PERF_EVENT:
		return "perf_event";
	case BPF_LINK_TYPE_KPROBE_MULTI:
		return "kprobe";
	case BPF_LINK_TYPE_NETNS:
		return "netns";
	default:
		return "other";
	}
}

/*
 * Walk our descriptors for BPF links: those not seen before were attached
 * by guard `owner` (called right after it started or updated); those gone
 * were detached. Runs on the agent's thread at start, reload and stop, not
 * per scrape (the files guard holds one O_PATH descriptor per protected
 * path: thousands; those are skipped by their flags, without a readlink).
 */
static void links_walk(struct bg_metrics *m, int owner)
{
	struct bg_metrics_link now[BG_METRICS_LINKS];
	char p[64], target[32];
	struct dirent *d;
	int n = 0, i, j;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((d = readdir(dir)) && n < BG_METRICS_LINKS) {
		struct bpf_link_info li;
		__u32 len = sizeof(li);
		int fd = atoi(d->d_name), fl;
		ssize_t r;

		if (d->d_name[0] < '0' || d->d_name[0] > '9' || fd == dirfd(dir))
			continue;
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || (fl & O_PATH))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		r = readlink(p, target, sizeof(target) - 1);
		if (r < 0)
			continue;
		target[r] = 0;
		if (strcmp(target, "anon_inode:bpf_link"))
			continue;
		memset(&li, 0, sizeof(li));
		if (bpf_obj_get_info_by_fd(fd, &li, &len))
			continue;
		now[n].id = li.id;
		now[n].mechanism = link_mechanism(&li);
		now[n].guard = owner;
		for (j = 0; j < m->nlinks; j++)
			if (m->links[j].id == li.id)
				now[n].guard = m->links[j].guard;
		/* Two descriptors on one link (a dup) count once. */
		for (i = 0; i < n && now[i].id != li.id; i++)
			;
		n += i == n;
	}
	closedir(dir);
	pthread_mutex_lock(&m->lock);
	memcpy(m->links, now, n * sizeof(now[0]));
	m->nlinks = n;
	pthread_mutex_unlock(&m->lock);
}

void bg_metrics_guard(struct bg_metrics *m, int i, bool on)
{
	if (i < 0 || i >= BG_METRICS_GUARDS)
		return;
	pthread_mutex_lock(&m->lock);
	m->guard_on[i] = on;
	pthread_mutex_unlock(&m->lock);
	links_walk(m, on ? i : -1);
}

/* ---- rendering (the server's thread) ---- */

static void label(struct bg_buf *b, const char *key, const char *v, bool first)
{
	if (!first)
		bg_buf_putc(b, ',');
	bg_buf_puts(b, key);
	bg_buf_puts(b, "=\"");
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			bg_buf_putc(b, '\\');
		if (*v == '\n')
			bg_buf_puts(b, "\\n");
		else
			bg_buf_putc(b, *v);
	}
	bg_buf_putc(b, '"');
}

static void head(struct bg_buf *b, const char *name, const char *type, const char *help)
{
	bg_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void gauge(struct bg_buf *b, const char *name, const char *help, double v)
{
	head(b, name, "gauge", help);
	bg_buf_printf(b, "%s %.17g\n", name, v);
}

static void counter(struct bg_buf *b, const char *name, const char *help, uint64_t v)
{
	head(b, name, "counter", help);
	bg_buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

/* A guard's name in labels: its config key without "guards.". */
static const char *guard_key(int g)
{
	const char *k = bg_guards[g]->key;

	return strncmp(k, "guards.", 7) ? k : k + 7;
}

static const char *guard_name(const struct bg_metrics *m, unsigned int type)
{
	int g = type < sizeof(m->type_guard) ? m->type_guard[type] : -1;

	return g < 0 ? "" : guard_key(g);
}

static bool same_series(const struct bg_metrics_slot *a, const struct bg_metrics_slot *b)
{
	return a->type == b->type && a->action == b->action && a->mechanism == b->mechanism &&
	       a->outcome == b->outcome && !strcmp(a->rule, b->rule);
}

/* Series labels of a slot; slots of one label set (an id named alike in
 * two generations) are summed into the first. */
static void render_events(struct bg_metrics *m, struct bg_buf *b)
{
	static struct bg_metrics_slot snap[BG_METRICS_SLOTS]; /* server thread only */
	uint64_t sum, sup;
	int n = 0, i, j;
	bool any_sup = false;

	for (i = 0; i < BG_METRICS_SLOTS; i++) {
		struct bg_metrics_slot *s = &m->slots[i];

		if (!__atomic_load_n(&s->used, __ATOMIC_ACQUIRE))
			continue;
		snap[n] = *s; /* key and name are immutable once used */
		snap[n].count = __atomic_load_n(&s->count, __ATOMIC_RELAXED);
		snap[n].suppressed = __atomic_load_n(&s->suppressed, __ATOMIC_RELAXED);
		any_sup |= snap[n].suppressed != 0;
		n++;
	}
	head(b, "bpfguard_events_total", "counter",
	     "Events read from the ring buffer, by guard, event type, rule, action, mechanism "
	     "and outcome.");
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && !same_series(&snap[i], &snap[j]); j++)
			;
		if (j < i)
			continue;
		for (sum = 0, j = i; j < n; j++)
			if (same_series(&snap[i], &snap[j]))
				sum += snap[j].count;
		bg_buf_puts(b, "bpfguard_events_total{");
		label(b, "guard", guard_name(m, snap[i].type), true);
		label(b, "type", bg_event_type_name(snap[i].type), false);
		label(b, "rule", snap[i].rule, false);
		label(b, "action", bg_action_name(snap[i].action), false);
		label(b, "mechanism", bg_mechanism_name(snap[i].mechanism), false);
		label(b, "outcome", bg_outcome_name(snap[i].outcome), false);
		bg_buf_printf(b, "} %llu\n", (unsigned long long)sum);
	}
	head(b, "bpfguard_events_suppressed_total", "counter",
	     "Events the kernel's rate limits suppressed, as reported by the next event of the "
	     "same process and rule, by guard, type and rule.");
	for (i = 0; any_sup && i < n; i++) {
		for (j = 0; j < i &&
			    !(snap[i].type == snap[j].type && !strcmp(snap[i].rule, snap[j].rule));
		     j++)
			;
		if (j < i)
			continue;
		for (sup = 0, j = i; j < n; j++)
			if (snap[i].type == snap[j].type && !strcmp(snap[i].rule, snap[j].rule))
				sup += snap[j].suppressed;
		if (!sup)
			continue;
		bg_buf_puts(b, "bpfguard_events_suppressed_total{");
		label(b, "guard", guard_name(m, snap[i].type), true);
		label(b, "type", bg_event_type_name(snap[i].type), false);
		label(b, "rule", snap[i].rule, false);
		bg_buf_printf(b, "} %llu\n", (unsigned long long)sup);
	}
	counter(b, "bpfguard_events_unlabelled_total",
		"Events counted without labels: every series slot was taken.",
		__atomic_load_n(&m->overflow, __ATOMIC_RELAXED));
}

static void render_pipeline(struct bg_metrics *m, struct bg_buf *b)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sums[BG_STAT_MAX] = {0}, vals[1024];
	unsigned long cons, prod;
	uint32_t k;
	int i;

	for (k = 0; ncpu > 0 && ncpu <= 1024 && k < BG_STAT_MAX; k++)
		if (!bpf_map_lookup_elem(m->stats_fd, &k, vals))
			for (i = 0; i < ncpu; i++)
				sums[k] += vals[i];
	counter(b, "bpfguard_events_emitted_total",
		"Records the kernel programs committed to the ring buffer.", sums[BG_STAT_EMITTED]);
	counter(b, "bpfguard_events_dropped_total",
		"Records lost in the kernel because the ring buffer was full.",
		sums[BG_STAT_DROPPED]);
	counter(b, "bpfguard_events_path_errors_total",
		"Executable paths the kernel could not resolve.", sums[BG_STAT_PATH_ERR]);
	cons = __atomic_load_n(m->consumer_pos, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(m->producer_pos, __ATOMIC_ACQUIRE);
	gauge(b, "bpfguard_ring_buffer_size_bytes", "Size of the event ring buffer.",
	      (double)m->ring_size);
	gauge(b, "bpfguard_ring_buffer_used_bytes",
	      "Bytes written to the ring buffer and not yet read by the agent.",
	      prod > cons ? (double)(prod - cons) : 0);
}

static void render_state(struct bg_metrics *m, struct bg_buf *b)
{
	int i, j, cnt;

	pthread_mutex_lock(&m->lock);
	head(b, "bpfguard_reloads_total", "counter", "Config reloads (SIGHUP), by outcome.");
	bg_buf_printf(b, "bpfguard_reloads_total{outcome=\"success\"} %llu\n",
		      (unsigned long long)m->reloads_ok);
	bg_buf_printf(b, "bpfguard_reloads_total{outcome=\"failure\"} %llu\n",
		      (unsigned long long)m->reloads_failed);
	gauge(b, "bpfguard_last_reload_failed",
	      "1 if the last reload failed (the rules before it stay), else 0.",
	      m->last_reload_ok == 0);
	gauge(b, "bpfguard_last_reload_timestamp_seconds",
	      "When the last reload ended (0: none since start).", m->last_reload_time);
	head(b, "bpfguard_guard_enabled", "gauge", "1 for each guard running, else 0.");
	for (i = 0; bg_guards[i] && i < BG_METRICS_GUARDS; i++) {
		bg_buf_puts(b, "bpfguard_guard_enabled{");
		label(b, "guard", guard_key(i), true);
		bg_buf_printf(b, "} %d\n", m->guard_on[i]);
	}
	head(b, "bpfguard_guard_links", "gauge",
	     "BPF links each guard holds attached, by the mechanism of the hook.");
	for (i = 0; i < m->nlinks; i++) {
		const struct bg_metrics_link *l = &m->links[i];

		if (l->guard < 0)
			continue;
		for (j = 0; j < i && (m->links[j].guard != l->guard ||
				      strcmp(m->links[j].mechanism, l->mechanism));
		     j++)
			;
		if (j < i)
			continue;
		for (cnt = 0, j = i; j < m->nlinks; j++)
			cnt += m->links[j].guard == l->guard &&
			       !strcmp(m->links[j].mechanism, l->mechanism);
		bg_buf_puts(b, "bpfguard_guard_links{");
		label(b, "guard", guard_key(l->guard), true);
		label(b, "mechanism", l->mechanism, false);
		bg_buf_printf(b, "} %d\n", cnt);
	}
	gauge(b, "process_start_time_seconds", "Start time of the agent since the epoch.",
	      m->start_time);
	pthread_mutex_unlock(&m->lock);
	gauge(b, "bpfguard_ready", "1 once every guard of the config is attached.",
	      __atomic_load_n(&m->ready, __ATOMIC_RELAXED));
}

static void render_process(struct bg_buf *b)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long vsz = 0, rss = 0;
	struct rusage ru;
	char s[128];

	if (bg_read_file("/proc/self/statm", s, sizeof(s)) >= 0)
		sscanf(s, "%llu %llu", &vsz, &rss);
	gauge(b, "process_resident_memory_bytes", "Resident memory of the agent.",
	      (double)rss * page);
	gauge(b, "process_virtual_memory_bytes", "Virtual memory of the agent.",
	      (double)vsz * page);
	if (getrusage(RUSAGE_SELF, &ru))
		return;
	head(b, "process_cpu_seconds_total", "counter",
	     "User and system CPU time of the agent, in seconds.");
	bg_buf_printf(b, "process_cpu_seconds_total %.6f\n",
		      ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
			      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* /healthz: 200 while the guards are attached and the event loop turns. */
static int render_health(struct bg_metrics *m, struct bg_buf *b)
{
	double age = mono_s() - __atomic_load_n(&m->heartbeat_ns, __ATOMIC_RELAXED) / 1e9;
	bool ready = __atomic_load_n(&m->ready, __ATOMIC_RELAXED);
	int failed;

	pthread_mutex_lock(&m->lock);
	failed = m->last_reload_ok == 0;
	pthread_mutex_unlock(&m->lock);
	if (!ready) {
		bg_buf_puts(b, "starting: guards not attached yet\n");
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	if (age > STALL_S) {
		bg_buf_printf(b, "stalled: the event loop last ran %.1f s ago\n", age);
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	bg_buf_printf(b, "ok%s\n",
		      failed ? " (the last reload failed: the rules before it stay)" : "");
	return MHD_HTTP_OK;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, struct bg_buf *b,
			     const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (b->oom) {
		bg_buf_free(b);
		return MHD_NO; /* MHD closes the connection */
	}
	r = MHD_create_response_from_buffer_with_free_callback(b->len, b->p, free);
	if (!r) {
		bg_buf_free(b);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	struct bg_metrics *m = cls;
	struct bg_buf b;
	int status = MHD_HTTP_OK;

	(void)version;
	(void)upload;
	/* A body is never wanted: refuse before reading it. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		bg_buf_init(&b);
		bg_buf_puts(&b, "only GET and HEAD\n");
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, &b, "text/plain");
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	(void)req;
	bg_buf_init(&b);
	if (!strcmp(url, "/metrics")) {
		render_events(m, &b);
		render_pipeline(m, &b);
		render_state(m, &b);
		render_process(&b);
		return reply(c, status, &b, "text/plain; version=0.0.4; charset=utf-8");
	}
	if (!strcmp(url, "/healthz") || !strcmp(url, "/health")) {
		status = render_health(m, &b);
		return reply(c, status, &b, "text/plain");
	}
	bg_buf_puts(&b, "not found: /metrics and /healthz are served\n");
	return reply(c, MHD_HTTP_NOT_FOUND, &b, "text/plain");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pr_debug("metrics server: %s", msg);
}

int bg_metrics_open(struct bg_metrics *m, const struct bg_metrics_cfg *c)
{
	int one = 1, err;

	memset(m, 0, sizeof(*m));
	m->listen_fd = -1;
	m->stats_fd = -1;
	m->last_reload_ok = -1;
	memset(m->type_guard, -1, sizeof(m->type_guard));
	pthread_mutex_init(&m->lock, NULL);
	m->locked = true;
	m->listen_fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->listen_fd < 0)
		goto sys_error;
	setsockopt(m->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (c->addr.ss_family == AF_INET6)
		setsockopt(m->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(m->listen_fd, (const struct sockaddr *)&c->addr, c->addr_len) ||
	    listen(m->listen_fd, 64))
		goto sys_error;
	return 0;
sys_error:
	err = -errno;
	pr_err("metrics.listen %s: %s\n", c->listen, strerror(errno));
	bg_metrics_stop(m);
	return err;
}

int bg_metrics_start(struct bg_metrics *m, struct bg_events *ev, void *rule_ctx)
{
	sigset_t all, old;
	struct timespec t;
	size_t i, j;

	m->rule_ctx = rule_ctx;
	m->stats_fd = ev->stats_fd;
	m->consumer_pos = ev->rings[0].consumer_pos;
	m->producer_pos = ev->rings[0].producer_pos;
	m->ring_size = ev->ring_size;
	for (i = 0; bg_guards[i]; i++)
		for (j = 0; bg_guards[i]->events && bg_guards[i]->events[j]; j++)
			if (bg_guards[i]->events[j]->type < sizeof(m->type_guard))
				m->type_guard[bg_guards[i]->events[j]->type] = i;
	clock_gettime(CLOCK_REALTIME, &t);
	m->start_time = t.tv_sec + t.tv_nsec / 1e9;
	bg_metrics_beat(m, false);
	/* The server's thread inherits this mask: signals stay with the agent's
	 * thread, whose loop acts on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	m->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
		on_request, m, MHD_OPTION_LISTEN_SOCKET, m->listen_fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!m->daemon) {
		pr_err("cannot start the metrics server\n");
		return -EIO;
	}
	m->listen_fd = -1; /* MHD's now: closed by MHD_stop_daemon */
	ev->metrics = m;
	return 0;
}

void bg_metrics_stop(struct bg_metrics *m)
{
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	m->daemon = NULL;
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	m->listen_fd = -1;
	if (m->locked)
		pthread_mutex_destroy(&m->lock);
	m->locked = false;
}
