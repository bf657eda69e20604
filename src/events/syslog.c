// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The syslog output (syslog.h). Messages wait in one queue, already framed
 * ("LEN SP MESSAGE", the TCP framing; a datagram is the MESSAGE alone), and
 * leave as fast as the collector takes them, without ever blocking the
 * consumer: a collector that is slow or away fills the queue, not the ring
 * buffer. When the queue would pass its bound the new message is dropped
 * and counted; the count is said on stderr when it starts and in a message
 * of its own once the collector is back, so nothing is lost silently.
 * Reconnection: exponential backoff from 250 ms to 30 s, tried from the
 * consumer's loop (it flushes at least every 250 ms).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "events/syslog.h"
#include "core/log.h"

#define BACKOFF_MIN 0.25
#define BACKOFF_MAX 30.0

struct bg_syslog {
	struct bg_syslog_config c;
	char *address;
	bool tcp;
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;
	bool connecting, up, down_said;
	double next_try, backoff;
	struct bg_buf q;
	size_t off;	/* first unsent frame */
	size_t partial; /* bytes of that frame already sent (TCP) */
	uint64_t dropped, dropped_said, sent;
	char host[256];
	char procid[16];
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int bg_syslog_facility(const char *name)
{
	static const struct {
		const char *n;
		int v;
	} tab[] = {{"kern", 0},	   {"user", 1},	   {"mail", 2},	     {"daemon", 3},
		   {"auth", 4},	   {"syslog", 5},  {"authpriv", 10}, {"local0", 16},
		   {"local1", 17}, {"local2", 18}, {"local3", 19},   {"local4", 20},
		   {"local5", 21}, {"local6", 22}, {"local7", 23}};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(name, tab[i].n))
			return tab[i].v;
	return -1;
}

/* Parse addr into s (or only check it when s is NULL). */
static const char *parse_address(const char *addr, struct sockaddr_storage *sa, socklen_t *len,
				 bool *tcp)
{
	struct sockaddr_storage tmp;
	char host[64];
	const char *port, *h;
	unsigned long p;
	char *end;
	size_t hl;

	if (!sa)
		sa = &tmp;
	memset(sa, 0, sizeof(*sa));
	if (!strncmp(addr, "unix:", 5) || addr[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)sa;
		const char *path = addr[0] == '/' ? addr : addr + 5;

		if (path[0] != '/' || strlen(path) >= sizeof(un->sun_path))
			return "a unix socket path must be absolute and shorter than 108 bytes";
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, path);
		if (len)
			*len = sizeof(*un);
		if (tcp)
			*tcp = false;
		return NULL;
	}
	if (strncmp(addr, "tcp:", 4))
		return "expected /dev/log, unix:PATH or tcp:ADDRESS:PORT";
	h = addr + 4;
	if (*h == '[') {
		end = strchr(h, ']');
		if (!end || end[1] != ':')
			return "an IPv6 address is written tcp:[ADDR]:PORT";
		hl = end - h - 1;
		h++;
		port = end + 2;
	} else {
		port = strrchr(h, ':');
		if (!port)
			return "tcp:ADDRESS:PORT needs a port";
		hl = port - h;
		port++;
	}
	if (!hl || hl >= sizeof(host))
		return "the collector's address is empty or too long";
	memcpy(host, h, hl);
	host[hl] = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || !p || p > 65535)
		return "the port must be a number from 1 to 65535";
	/* An address, never a name: the agent must not wait on DNS. */
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)sa)->sin_addr) == 1) {
		((struct sockaddr_in *)sa)->sin_family = AF_INET;
		((struct sockaddr_in *)sa)->sin_port = htons(p);
		if (len)
			*len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)sa)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)sa)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)sa)->sin6_port = htons(p);
		if (len)
			*len = sizeof(struct sockaddr_in6);
	} else {
		return "the collector must be an IPv4 or IPv6 address, not a name (no DNS lookup "
		       "on the event path)";
	}
	if (tcp)
		*tcp = true;
	return NULL;
}

const char *bg_syslog_check_address(const char *addr)
{
	return parse_address(addr, NULL, NULL, NULL);
}

static void disconnect(struct bg_syslog *s, int err)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->partial = 0; /* a frame cut in the middle is sent again whole */
	if (!s->down_said)
		pr_warn("syslog: cannot send to %s: %s; events are kept (up to %llu bytes) and "
			"sent when it is back\n",
			s->address, strerror(err), s->c.buffer);
	s->down_said = true;
	s->up = s->connecting = false;
	s->next_try = now_s() + s->backoff;
	s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : s->backoff * 2;
}

static void connected(struct bg_syslog *s)
{
	s->up = true;
	s->connecting = false;
	if (s->down_said)
		pr_info("syslog: connected to %s\n", s->address);
	s->down_said = false;
	s->backoff = BACKOFF_MIN;
}

/* Start or finish a connection; true when up. */
static bool ensure(struct bg_syslog *s)
{
	if (s->up)
		return true;
	if (s->connecting) {
		struct pollfd p = {.fd = s->fd, .events = POLLOUT};
		int err = 0;
		socklen_t l = sizeof(err);

		if (poll(&p, 1, 0) <= 0)
			return false;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l) || err) {
			disconnect(s, err ? err : errno);
			return false;
		}
		connected(s);
		return true;
	}
	if (now_s() < s->next_try)
		return false;
	s->fd = socket(s->sa.ss_family,
		       (s->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		disconnect(s, errno);
		return false;
	}
	if (connect(s->fd, (struct sockaddr *)&s->sa, s->salen)) {
		if (errno == EINPROGRESS) {
			s->connecting = true;
			return ensure(s);
		}
		disconnect(s, errno);
		return false;
	}
	connected(s);
	return true;
}

/* The frame at off: its header length and message length. */
static bool frame_at(const struct bg_syslog *s, size_t off, size_t *hdr, size_t *msg)
{
	char *sp = memchr(s->q.p + off, ' ', s->q.len - off);

	if (!sp)
		return false;
	*hdr = sp - (s->q.p + off) + 1;
	*msg = strtoul(s->q.p + off, NULL, 10);
	return true;
}

static void pump(struct bg_syslog *s)
{
	size_t hdr, msg;

	while (s->off < s->q.len && ensure(s) && frame_at(s, s->off, &hdr, &msg)) {
		ssize_t n;

		if (s->tcp) {
			n = send(s->fd, s->q.p + s->off + s->partial, hdr + msg - s->partial,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		} else {
			n = send(s->fd, s->q.p + s->off + hdr, msg, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n >= 0)
				n = hdr + msg; /* a datagram goes whole */
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == EMSGSIZE) { /* never fits: drop, counted */
				s->dropped++;
				s->off += hdr + msg;
				continue;
			}
			disconnect(s, errno);
			break;
		}
		s->partial += n;
		if (s->partial == hdr + msg) {
			s->off += hdr + msg;
			s->partial = 0;
			s->sent++;
		}
	}
	if (s->off == s->q.len) {
		s->q.len = s->off = 0;
	} else if (s->off > s->q.len / 2 && !s->partial) {
		memmove(s->q.p, s->q.p + s->off, s->q.len - s->off);
		s->q.len -= s->off;
		s->off = 0;
	}
}

int bg_syslog_open(struct bg_syslog **out, const struct bg_syslog_config *c)
{
	struct bg_syslog *s = calloc(1, sizeof(*s));
	const char *why;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->c = *c;
	s->c.address = NULL;
	s->address = strdup(c->address ? c->address : "/dev/log");
	if (!s->address) {
		free(s);
		return -ENOMEM;
	}
	if (!s->c.buffer)
		s->c.buffer = BG_SYSLOG_BUFFER_DEFAULT;
	why = parse_address(s->address, &s->sa, &s->salen, &s->tcp);
	if (why) {
		pr_err("syslog: %s: %s\n", s->address, why);
		free(s->address);
		free(s);
		return -EINVAL;
	}
	s->fd = -1;
	s->backoff = BACKOFF_MIN;
	bg_buf_init(&s->q);
	if (gethostname(s->host, sizeof(s->host) - 1) || !s->host[0])
		strcpy(s->host, "-");
	s->host[strcspn(s->host, " ")] = 0;
	snprintf(s->procid, sizeof(s->procid), "%d", (int)getpid());
	ensure(s); /* a collector away at start is retried, not fatal */
	*out = s;
	return 0;
}

/* The string value after pattern in line (n bytes), up to its quote. */
static const char *field(const char *line, size_t n, const char *pat, size_t *vlen)
{
	size_t pl = strlen(pat);
	const char *p = memmem(line, n, pat, pl), *q;

	if (!p)
		return NULL;
	p += pl;
	q = memchr(p, '"', line + n - p);
	if (!q)
		return NULL;
	*vlen = q - p;
	return p;
}

/*
 * The header of one line's message. Searching the line for our own keys is
 * safe: inside a JSON string every quote is escaped, so `"bpfguard":{"type":"`
 * can only be the key itself.
 */
static void header(struct bg_syslog *s, struct bg_buf *h, const char *line, size_t n)
{
	size_t tl = 0, ml = 0, kl = 0, ol = 0;
	const char *ts = field(line, n, "{\"@timestamp\":\"", &tl);
	const char *type = field(line, n, "\"bpfguard\":{\"type\":\"", &ml);
	const char *kind = field(line, n, "\"event\":{\"kind\":\"", &kl);
	const char *outcome = field(line, n, "\"outcome\":\"", &ol);
	int sev = 6; /* informational */
	size_t i;

	if (kind && kl == 5 && !memcmp(kind, "alert", 5))
		sev = 4; /* warning: a rule matched */
	else if (outcome && ol == 7 && !memcmp(outcome, "failure", 7) && kind && kl == 5 &&
		 !memcmp(kind, "state", 5))
		sev = 3; /* error: a reload refused, adoption with losses */
	else if (type && ml == 6 && !memcmp(type, "syslog", 6))
		sev = 4;
	bg_buf_printf(h, "<%d>1 ", s->c.facility * 8 + sev);
	/* RFC 5424 allows six fraction digits: "YYYY-MM-DDTHH:MM:SS.ffffff" + Z */
	if (ts && tl == 30) {
		bg_buf_put(h, ts, 26);
		bg_buf_putc(h, 'Z');
	} else {
		bg_buf_putc(h, '-');
	}
	bg_buf_printf(h, " %s bpfguard %s ", s->host, s->procid);
	/* MSGID: 1 to 32 printable ASCII characters; ours are [a-z_]. */
	if (!type || !ml || ml > 32) {
		bg_buf_putc(h, '-');
	} else {
		for (i = 0; i < ml; i++)
			bg_buf_putc(h, type[i] > 32 && type[i] < 127 ? type[i] : '_');
	}
	bg_buf_puts(h, " - ");
}

/* Queue one message; false when it does not fit (dropped, counted). */
static bool queue(struct bg_syslog *s, struct bg_buf *h, const char *msg, size_t n)
{
	char len[24];
	int ll = snprintf(len, sizeof(len), "%zu ", h->len + n);

	if (s->q.len - s->off + ll + h->len + n > s->c.buffer) {
		if (!s->dropped++)
			pr_warn("syslog: %s unreachable and %llu bytes of events waiting: new "
				"events are dropped and counted until it is back\n",
				s->address, s->c.buffer);
		return false;
	}
	bg_buf_put(&s->q, len, ll);
	bg_buf_put(&s->q, h->p, h->len);
	bg_buf_put(&s->q, msg, n);
	return true;
}

/* Once the collector is back, the count of what was lost, as a message. */
static void say_dropped(struct bg_syslog *s, struct bg_buf *h)
{
	char line[512];
	struct timespec t;
	struct tm tm;
	int n;

	if (s->dropped == s->dropped_said || !s->up || s->off != s->q.len)
		return;
	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
		     "{\"@timestamp\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\",\"event\":{\"kind\":"
		     "\"metric\",\"action\":\"events-dropped\",\"module\":\"bpfguard\"},"
		     "\"message\":\"%llu events dropped: the syslog collector %s was unreachable "
		     "and the buffer full\",\"bpfguard\":{\"type\":\"syslog\",\"dropped\":%llu}}",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     t.tv_nsec, (unsigned long long)(s->dropped - s->dropped_said), s->address,
		     (unsigned long long)(s->dropped - s->dropped_said));
	if (n <= 0 || (size_t)n >= sizeof(line) || strchr(s->address, '"'))
		return;
	pr_warn("syslog: %s is back; %llu events were dropped while it was away\n", s->address,
		(unsigned long long)(s->dropped - s->dropped_said));
	h->len = 0;
	header(s, h, line, n);
	if (queue(s, h, line, n))
		s->dropped_said = s->dropped;
}

int bg_syslog_write(struct bg_syslog *s, struct bg_buf *b)
{
	struct bg_buf h;
	size_t i = 0;

	bg_buf_init(&h);
	say_dropped(s, &h);
	while (i < b->len) {
		char *nl = memchr(b->p + i, '\n', b->len - i);
		size_t n = (nl ? (size_t)(nl - b->p) : b->len) - i;

		if (n) {
			h.len = 0;
			header(s, &h, b->p + i, n);
			queue(s, &h, b->p + i, n);
		}
		i += n + 1;
	}
	b->len = 0;
	pump(s);
	say_dropped(s, &h);
	pump(s);
	bg_buf_free(&h);
	return s->q.oom ? -ENOMEM : 0;
}

uint64_t bg_syslog_dropped(const struct bg_syslog *s)
{
	return s->dropped;
}

void bg_syslog_close(struct bg_syslog *s, int ms)
{
	double until = now_s() + ms / 1000.0;

	if (!s)
		return;
	while (s->off < s->q.len && now_s() < until) {
		struct pollfd p = {.fd = s->fd, .events = POLLOUT};

		if (s->fd >= 0 && (s->up || s->connecting))
			poll(&p, 1, 50);
		else
			usleep(50000); /* waiting for the next reconnection try */
		pump(s);
	}
	if (s->off < s->q.len)
		pr_warn("syslog: %s: %zu bytes of events not sent at exit\n", s->address,
			s->q.len - s->off);
	if (s->dropped)
		pr_warn("syslog: %llu events dropped in all (collector unreachable, buffer "
			"full)\n",
			(unsigned long long)s->dropped);
	if (s->fd >= 0)
		close(s->fd);
	bg_buf_free(&s->q);
	free(s->address);
	free(s);
}
