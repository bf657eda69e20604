// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpfguard/events.h>

#include "events/format.h"
#include "events/json.h"

static const char *const action_names[] = {
	[BG_ACT_NONE] = "none", [BG_ACT_ALERT] = "alert",	  [BG_ACT_DENY] = "deny",
	[BG_ACT_KILL] = "kill", [BG_ACT_KILL_USER] = "kill-user", [BG_ACT_REDIRECT] = "redirect",
};
static const char *const mech_names[] = {
	[BG_MECH_NONE] = "none",	 [BG_MECH_LSM] = "lsm",
	[BG_MECH_CGROUP] = "cgroup",	 [BG_MECH_SECCOMP] = "seccomp",
	[BG_MECH_LANDLOCK] = "landlock", [BG_MECH_TRACEPOINT] = "tracepoint",
	[BG_MECH_USER] = "user",	 [BG_MECH_XDP] = "xdp",
	[BG_MECH_UPROBE] = "uprobe",
};
static const char *const outcome_names[] = {
	[BG_OUT_UNKNOWN] = "unknown",
	[BG_OUT_SUCCESS] = "success",
	[BG_OUT_FAILURE] = "failure",
};

#define NAME(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) && tab[i] ? tab[i] : "unknown")

const char *bg_action_name(unsigned int a)
{
	return NAME(action_names, a);
}

const char *bg_mechanism_name(unsigned int m)
{
	return NAME(mech_names, m);
}

const char *bg_outcome_name(unsigned int o)
{
	return NAME(outcome_names, o);
}

static const struct bg_event_desc *desc_of(unsigned int t)
{
	return t < bg_event_descs_len ? bg_event_descs[t] : NULL;
}

const char *bg_event_type_name(unsigned int t)
{
	const struct bg_event_desc *d = desc_of(t);

	return d ? d->name : "unknown";
}

static void ecs_render(struct bg_fmt *f);

void bg_fmt_init(struct bg_fmt *f, bool json, bool color)
{
	struct timespec rt, bt;

	memset(f, 0, sizeof(*f));
	f->json = json;
	f->color = color && !json;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	f->boot_to_real_ns = (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
	f->ts[0].sec = f->ts[1].sec = INT64_MIN;
	ecs_render(f);
}

static void put_digits(char *p, unsigned long v, int width)
{
	while (width--) {
		p[width] = '0' + v % 10;
		v /= 10;
	}
}

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * civil_from_days): no locale, no time zone, no libc call per event. */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void make_prefix(struct bg_fmt *f, unsigned slot, int64_t sec)
{
	int64_t days = sec / 86400, rem = sec % 86400, y;
	char *p = f->ts[slot].prefix;
	unsigned m, d;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	if (f->json) {
		civil(days, &y, &m, &d);
		if (y < 0 || y > 9999)
			y = 0;
		put_digits(p, y, 4);
		p[4] = '-';
		put_digits(p + 5, m, 2);
		p[7] = '-';
		put_digits(p + 8, d, 2);
		p[10] = 'T';
		p += 11;
	}
	put_digits(p, rem / 3600, 2);
	p[2] = ':';
	put_digits(p + 3, rem / 60 % 60, 2);
	p[5] = ':';
	put_digits(p + 6, rem % 60, 2);
	p[8] = '.';
	f->ts[slot].len = (f->json ? 11 : 0) + 9;
	f->ts[slot].sec = sec;
}

void bg_fmt_timestamp(struct bg_fmt *f, struct bg_buf *out, uint64_t boot_ns)
{
	int64_t real = (int64_t)boot_ns + f->boot_to_real_ns;
	int64_t sec = real / 1000000000LL, ns = real % 1000000000LL;
	unsigned slot;
	char frac[10];

	if (ns < 0) {
		ns += 1000000000LL;
		sec--;
	}
	if (f->ts[0].sec == sec) {
		slot = 0;
	} else if (f->ts[1].sec == sec) {
		slot = 1;
	} else {
		slot = f->ts_next;
		f->ts_next ^= 1;
		make_prefix(f, slot, sec);
	}
	bg_buf_put(out, f->ts[slot].prefix, f->ts[slot].len);
	if (f->json) {
		put_digits(frac, ns, 9);
		frac[9] = 'Z';
		bg_buf_put(out, frac, 10);
	} else {
		put_digits(frac, ns / 1000, 6);
		bg_buf_put(out, frac, 6);
	}
}

void bg_fmt_now(struct bg_fmt *f, struct bg_buf *out)
{
	struct timespec bt;

	clock_gettime(CLOCK_BOOTTIME, &bt);
	bg_fmt_timestamp(f, out, bt.tv_sec * 1000000000ULL + bt.tv_nsec);
}

void bg_text_escape(struct bg_buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i;

	for (i = 0; i < n && s[i]; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			bg_buf_putc(b, s[i]);
		} else {
			char e[4] = {'\\', 'x', hex[s[i] >> 4], hex[s[i] & 15]};

			bg_buf_put(b, e, 4);
		}
	}
}

/* Bounded copy length of a fixed-size, maybe unterminated kernel string. */
size_t bg_kstrlen(const char *s, size_t max)
{
	const char *z = memchr(s, 0, max);

	return z ? (size_t)(z - s) : max;
}

/*
 * The hot path: every event's fixed keys are written as literal fragments
 * (length known at compile time) rather than key by key through the
 * streaming writer's separator state: half the consumer's CPU per event
 * went to that bookkeeping. The output is the same bytes; type-specific
 * parts (d->json, d->json_bg) still use the writer, handed a state that
 * says "inside an object, after a member".
 */
#define LIT(b, s) bg_buf_put(b, s, sizeof(s) - 1)

/* A JSON string value of a fixed-size kernel string (escaped). */
static void put_kstr(struct bg_buf *b, const char *s, size_t max)
{
	bg_buf_putc(b, '"');
	bg_json_escape(b, s, bg_kstrlen(s, max), true);
	bg_buf_putc(b, '"');
}

static void put_str(struct bg_buf *b, const char *s)
{
	put_kstr(b, s, strlen(s));
}

/* The entity id names a process across pid reuse: pid and start time. */
void bg_fmt_entity(struct bg_buf *b, uint32_t pid, uint64_t start_ns)
{
	bg_buf_putc(b, '"');
	bg_buf_u64(b, pid);
	bg_buf_putc(b, '-');
	bg_buf_u64(b, start_ns);
	bg_buf_putc(b, '"');
}

static void put_time(struct bg_fmt *f, struct bg_buf *b, uint64_t boot_ns)
{
	bg_buf_putc(b, '"');
	bg_fmt_timestamp(f, b, boot_ns);
	bg_buf_putc(b, '"');
}

void bg_fmt_json_time(struct bg_fmt *f, struct bg_json *j, const char *key, uint64_t boot_ns)
{
	bg_json_key(j, key);
	bg_json_qbegin(j);
	bg_fmt_timestamp(f, j->b, boot_ns);
	bg_json_qend(j);
}

/* argv as the kernel keeps it: NUL-separated strings. */
static void put_args(struct bg_buf *b, const char *args, size_t len)
{
	size_t i = 0;

	LIT(b, ",\"args\":[");
	while (i < len) {
		size_t l = bg_kstrlen(args + i, len - i);

		if (i)
			bg_buf_putc(b, ',');
		bg_buf_putc(b, '"');
		bg_json_escape(b, args + i, l, true);
		bg_buf_putc(b, '"');
		i += l + 1;
	}
	bg_buf_putc(b, ']');
}

/* process.*, user.*, group.*: the acting process, as read in the kernel. */
static void put_proc(struct bg_fmt *f, struct bg_buf *b, const struct bg_proc *p,
		     const struct bg_event_hdr *h)
{
	LIT(b, ",\"process\":{\"pid\":");
	bg_buf_u64(b, p->pid);
	LIT(b, ",\"entity_id\":");
	bg_fmt_entity(b, p->pid, p->start_ns);
	LIT(b, ",\"name\":");
	put_kstr(b, p->comm, sizeof(p->comm));
	LIT(b, ",\"executable\":");
	put_kstr(b, p->exe, sizeof(p->exe));
	if (f->enrich)
		f->enrich->json_process(f->enrich->ctx, b);
	if (h->type == BG_EV_EXEC) { /* ECS puts argv inside process */
		const struct bg_exec_event *e = (const void *)h;

		put_args(b, e->args, e->args_len < BG_ARGS_MAX ? e->args_len : BG_ARGS_MAX);
		LIT(b, ",\"args_count\":");
		bg_buf_u64(b, e->argc);
	}
	LIT(b, ",\"start\":");
	put_time(f, b, p->start_ns);
	LIT(b, ",\"thread\":{\"id\":");
	bg_buf_u64(b, p->tid);
	LIT(b, "},\"parent\":{\"pid\":");
	bg_buf_u64(b, p->ppid);
	LIT(b, ",\"entity_id\":");
	bg_fmt_entity(b, p->ppid, p->parent_start_ns);
	LIT(b, "}},\"user\":{\"id\":\"");
	bg_buf_u64(b, p->uid);
	LIT(b, "\",\"effective\":{\"id\":\"");
	bg_buf_u64(b, p->euid);
	LIT(b, "\"}},\"group\":{\"id\":\"");
	bg_buf_u64(b, p->gid);
	LIT(b, "\"}");
}

/* A writer positioned inside an object, after a member: the next key gets
 * its comma. */
static void json_inside(struct bg_json *j, struct bg_buf *b)
{
	bg_json_init(j, b);
	j->depth = 1;
	j->first[1] = false;
}

/* Render every type's constant "event" object prefix once, at init. */
static void ecs_render(struct bg_fmt *f)
{
	unsigned t, a;

	for (t = 1; t < bg_event_descs_len; t++) {
		const struct bg_event_desc *d = bg_event_descs[t];

		for (a = 0; d && a < 2; a++) {
			int n = snprintf(f->ecs[t][a], sizeof(f->ecs[t][a]),
					 "{\"kind\":\"%s\",\"category\":[\"%s\"],\"type\":[\"%s\"],"
					 "\"action\":\"%s\",\"module\":\"bpfguard\",\"outcome\":\"",
					 a ? "alert" : "event", d->category, d->ecs_type,
					 d->action);

			f->ecs_len[t][a] = n < 0 ? 0 : strnlen(f->ecs[t][a], sizeof(f->ecs[t][a]));
		}
	}
}

static const char *rule_name(struct bg_fmt *f, const struct bg_event_desc *d,
			     const struct bg_event_hdr *h)
{
	uint32_t id = h->rule_id;
	const char *n = d->rule_name   ? d->rule_name(h)
			: f->rule_name ? f->rule_name(f->rule_ctx, id)
				       : NULL;

	return n ? n : "";
}

static void json_event(struct bg_fmt *f, struct bg_buf *out, const struct bg_event_hdr *h,
		       const struct bg_event_desc *d)
{
	const struct bg_proc *p = d->has_proc ? (const struct bg_proc *)(h + 1) : NULL;
	const char *ecs = f->ecs[h->type][h->rule_id != 0];
	struct bg_json j;

	LIT(out, "{\"@timestamp\":");
	put_time(f, out, h->ktime_ns);
	LIT(out, ",\"event\":");
	bg_buf_put(out, ecs, f->ecs_len[h->type][h->rule_id != 0]);
	bg_buf_puts(out, bg_outcome_name(h->outcome));
	LIT(out, "\"}");
	if (h->rule_id) {
		LIT(out, ",\"rule\":{\"id\":");
		bg_buf_u64(out, h->rule_id);
		LIT(out, ",\"name\":");
		put_str(out, rule_name(f, d, h));
		bg_buf_putc(out, '}');
	}
	if (p)
		put_proc(f, out, p, h);
	if (p && f->enrich)
		f->enrich->json_top(f->enrich->ctx, out);
	json_inside(&j, out);
	if (d->json)
		d->json(f, &j, h);
	LIT(out, ",\"bpfguard\":{\"type\":");
	put_str(out, d->name);
	LIT(out, ",\"action\":\"");
	bg_buf_puts(out, bg_action_name(h->action));
	LIT(out, "\",\"mechanism\":\"");
	bg_buf_puts(out, bg_mechanism_name(h->mechanism));
	bg_buf_putc(out, '"');
	if (p) {
		LIT(out, ",\"cgroup_id\":");
		bg_buf_u64(out, p->cgroup_id);
		if (f->enrich)
			f->enrich->json_bg(f->enrich->ctx, f, out);
	}
	if (h->suppressed) {
		LIT(out, ",\"suppressed\":");
		bg_buf_u64(out, h->suppressed);
	}
	if (h->flags & BG_F_EXE_TRUNCATED)
		LIT(out, ",\"executable_truncated\":true");
	if (h->flags & BG_F_ARGS_TRUNCATED)
		LIT(out, ",\"args_truncated\":true");
	if (d->json_bg) {
		json_inside(&j, out);
		d->json_bg(f, &j, h);
	}
	LIT(out, "}}\n");
}

#define C_RESET "\033[0m"
#define C_DIM	"\033[2m"
#define C_BOLD	"\033[1m"

static void text_event(struct bg_fmt *f, struct bg_buf *out, const struct bg_event_hdr *h,
		       const struct bg_event_desc *d)
{
	const struct bg_proc *p = d->has_proc ? (const struct bg_proc *)(h + 1) : NULL;

	if (f->color)
		bg_buf_puts(out, C_DIM);
	bg_fmt_timestamp(f, out, h->ktime_ns);
	if (f->color)
		bg_buf_puts(out, C_RESET);
	bg_buf_putc(out, ' ');
	if (h->rule_id) {
		if (f->color)
			bg_buf_puts(out, "\033[31m" C_BOLD);
		bg_buf_printf(out, "%s/%s %s ", bg_action_name(h->action),
			      bg_mechanism_name(h->mechanism), bg_outcome_name(h->outcome));
		bg_text_escape(out, rule_name(f, d, h), 128);
		if (f->color)
			bg_buf_puts(out, C_RESET);
		bg_buf_putc(out, ' ');
	}
	if (f->color && d->color)
		bg_buf_puts(out, d->color);
	bg_buf_printf(out, "%-5s", d->name);
	if (f->color)
		bg_buf_puts(out, C_RESET);
	if (p) {
		bg_buf_printf(out, " %u ppid=%u uid=%u ", p->pid, p->ppid, p->uid);
		if (f->color)
			bg_buf_puts(out, C_BOLD);
		bg_text_escape(out, p->exe[0] ? p->exe : p->comm,
			       p->exe[0] ? sizeof(p->exe) : sizeof(p->comm));
		if (f->color)
			bg_buf_puts(out, C_RESET);
	}
	if (d->text)
		d->text(f, out, h);
	if (p && f->enrich)
		f->enrich->text(f->enrich->ctx, out);
	if (h->suppressed)
		bg_buf_printf(out, " (+%u suppressed)", h->suppressed);
	bg_buf_putc(out, '\n');
}

int bg_fmt_event(struct bg_fmt *f, struct bg_buf *out, const void *data, size_t size)
{
	const struct bg_event_hdr *h = data;

	const struct bg_event_desc *d = size >= sizeof(*h) ? desc_of(h->type) : NULL;

	if (!d || size < d->size || h->size > size) {
		f->malformed++;
		return -EINVAL;
	}
	if (f->enrich && d->has_proc)
		f->enrich->event(f->enrich->ctx, h, (const struct bg_proc *)(h + 1));
	if (f->json)
		json_event(f, out, h, d);
	else
		text_event(f, out, h, d);
	return 0;
}

void bg_fmt_stats(struct bg_fmt *f, struct bg_buf *out, const struct bg_ev_stats *st, bool final)
{
	if (f->json) {
		struct bg_json j;

		bg_json_init(&j, out);
		bg_json_obj(&j);
		bg_json_key(&j, "@timestamp");
		bg_json_qbegin(&j);
		bg_fmt_now(f, out);
		bg_json_qend(&j);
		bg_json_kobj(&j, "event");
		bg_json_kstr(&j, "kind", "metric");
		bg_json_kstr(&j, "action", final ? "events-final" : "events-dropped");
		bg_json_kstr(&j, "module", "bpfguard");
		bg_json_obj_end(&j);
		bg_json_kobj(&j, "bpfguard");
		bg_json_kstr(&j, "type", "stats");
		bg_json_ku64(&j, "emitted", st->emitted);
		bg_json_ku64(&j, "received", st->received);
		bg_json_ku64(&j, "drops", st->dropped);
		bg_json_ku64(&j, "path_errors", st->path_errors);
		bg_json_ku64(&j, "malformed", f->malformed);
		bg_json_obj_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(out, '\n');
		return;
	}
	if (f->color)
		bg_buf_puts(out, st->dropped ? "\033[33m" : C_DIM);
	bg_fmt_now(f, out);
	bg_buf_printf(out, " %s events: %llu emitted, %llu received, %llu drops",
		      final ? "final" : "stats", (unsigned long long)st->emitted,
		      (unsigned long long)st->received, (unsigned long long)st->dropped);
	if (f->color)
		bg_buf_puts(out, C_RESET);
	bg_buf_putc(out, '\n');
}
