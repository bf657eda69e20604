/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * In-kernel rate limiting of events per (process, rule), so that a denied
 * call in a tight loop cannot flood the ring buffer. Each (tgid, start
 * time, rule) gets a window of bg_rl_window_ns in which at most bg_rl_burst
 * events are emitted; the rest are counted, and the next event emitted for
 * the same key carries that count in hdr.suppressed. Nothing is lost: the
 * events emitted plus the sum of their suppressed counts is the number of
 * calls, as long as a last event follows (the count waits for it).
 *
 * Use (bg_rl_event() below does all of it for a record with the common
 * header):
 *	__u32 sup;
 *	struct bg_rl_state *rl;
 *
 *	if (!bg_rl_check(rule_id, &rl, &sup))
 *		return verdict;                  (suppressed, counted)
 *	e = bg_reserve(sizeof(*e));
 *	if (!e) {
 *		bg_rl_unsend(rl, sup);           (the count is not lost)
 *		return verdict;
 *	}
 *	e->hdr.suppressed = sup;
 *
 * Include after lib/common.bpf.h. The settings are rodata, written by user
 * space between open and load (skel->rodata->bg_rl_burst); a burst of 0
 * turns the limit off.
 */
#ifndef BG_RATELIMIT_BPF_H
#define BG_RATELIMIT_BPF_H

#ifndef BG_RL_ENTRIES
#define BG_RL_ENTRIES 16384 /* (process, rule) pairs tracked; LRU beyond */
#endif

const volatile __u64 bg_rl_window_ns = 1000000000ULL; /* 1 s */
const volatile __u32 bg_rl_burst = 10;		      /* events per window */

struct bg_rl_key {
	__u32 tgid;
	__u32 rule_id;
	__u64 start_ns; /* thread group leader's start: pids are reused */
};

struct bg_rl_state {
	__u64 window_start;
	__u64 count;	  /* events emitted in this window */
	__u64 suppressed; /* not yet reported */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BG_RL_ENTRIES);
	__type(key, struct bg_rl_key);
	__type(value, struct bg_rl_state);
} bg_ratelimit SEC(".maps");

/*
 * true: emit an event, carrying *suppressed; false: this one is counted as
 * suppressed. The updates are atomic adds (BPF ISA v1 has no exchange):
 * the count handed out is subtracted, not zeroed, so a concurrent thread's
 * increment in between is kept for the next event. The window reset may
 * race; that changes how many events pass in a window, never the sum.
 */
static __always_inline bool bg_rl_check(__u32 rule_id, struct bg_rl_state **state,
					__u32 *suppressed)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_rl_key key = {};
	struct bg_rl_state *st, init = {};
	__u64 now, s;

	*state = NULL;
	*suppressed = 0;
	if (!bg_rl_burst)
		return true;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.rule_id = rule_id;
	key.start_ns = task->group_leader->start_boottime;
	now = bpf_ktime_get_boot_ns();
	st = bpf_map_lookup_elem(&bg_ratelimit, &key);
	if (!st) {
		init.window_start = now;
		bpf_map_update_elem(&bg_ratelimit, &key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&bg_ratelimit, &key);
		if (!st)
			return true; /* fail open: never hide an event */
	}
	if (now - st->window_start > bg_rl_window_ns) {
		st->window_start = now;
		st->count = 0;
	}
	if (st->count >= bg_rl_burst) {
		__sync_fetch_and_add(&st->suppressed, 1);
		return false;
	}
	__sync_fetch_and_add(&st->count, 1);
	s = st->suppressed;
	if (s > 0xffffffffULL)
		s = 0xffffffffULL; /* the rest waits for the next event */
	if (s)
		__sync_fetch_and_add(&st->suppressed, -s);
	*state = st;
	*suppressed = (__u32)s;
	return true;
}

/* The event could not be emitted (ring buffer full): its own call and the
 * count it carried go back to the key, for the next event to report. */
static __always_inline void bg_rl_unsend(struct bg_rl_state *state, __u32 suppressed)
{
	if (state)
		__sync_fetch_and_add(&state->suppressed, (__u64)suppressed + 1);
}

/*
 * The use above in one call: bg_event() behind the limit, with the count
 * in hdr.suppressed. NULL: suppressed (counted), or the ring buffer is
 * full (the count goes back).
 */
static __always_inline void *bg_rl_event(__u16 type, __u16 size, __u8 action, __u8 mechanism,
					 __u8 outcome, __u32 rule_id)
{
	struct bg_event_hdr *h;
	struct bg_rl_state *rl;
	__u32 sup;

	if (!bg_rl_check(rule_id, &rl, &sup))
		return NULL;
	h = bg_event(type, size, action, mechanism, outcome, rule_id);
	if (!h) {
		bg_rl_unsend(rl, sup);
		return NULL;
	}
	h->suppressed = sup;
	return h;
}

#endif /* BG_RATELIMIT_BPF_H */
