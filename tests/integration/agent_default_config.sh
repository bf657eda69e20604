#!/bin/bash
# The shipped config/default.yaml: it loads here, runs in alert mode, and a
# program not on the shadow-readers list that reads /etc/shadow is
# reported (rule, action alert, outcome success: the read went through),
# while a listed program (passwd -S reads /etc/shadow) is not. The fork-bomb
# watch (guards.limits, alert) is on with only its fork/exit tracepoints
# attached: no host-wide sys_enter hook.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd passwd
. "$(dirname "$0")/files_lib.sh"

grep -q '^mode: alert' "$SRC/config/default.yaml" || fail "default config is not in alert mode"
agent_start "$SRC/config/default.yaml"
expect_allowed "an unlisted program reads /etc/shadow (alert only)" "$OTHER" r /etc/shadow
expect_event "shadow read" '"name":"shadow-readers"' '"action":"alert"' '"outcome":"success"' \
	"\"executable\":\"$OTHER\"" '"path":"/etc/shadow"' '"operation":"open","access":"read"'
passwd -S root >/dev/null || fail "passwd -S failed"
# A second unlisted read after passwd's: once its event is out, an event
# for passwd (ahead of it in the ring buffer) would be too.
expect_allowed "an unlisted program reads /etc/shadow again" "$OTHER" r /etc/shadow
other_twice() { [ "$(grep '"name":"shadow-readers"' "$AGENT_OUT" | grep -cF "\"executable\":\"$OTHER\"")" -ge 2 ]; }
wait_for 50 other_twice || fail "no event for the second unlisted read"
if grep '"name":"shadow-readers"' "$AGENT_OUT" | grep -q '"executable":"/usr/bin/passwd"'; then
	fail "passwd is listed but was reported"
fi
echo "ok - passwd (listed) reads /etc/shadow without an event"
# Which limits programs are attached: the programs of the links bpftool
# sees, among those this agent loaded (other agents may run on the host).
if command -v bpftool >/dev/null; then
	"$BPFGUARD" bpf list --json >"$TMP/progs.json" || fail "bpf list failed"
	attached=$(bpftool -j link show 2>/dev/null | python3 -c '
import json, sys
ids = {l.get("prog_id") for l in json.load(sys.stdin)}
progs = json.load(open(sys.argv[1]))
mine = [p for p in progs if any(l.get("pid") == int(sys.argv[2]) for l in p.get("loaders", []))]
print(" ".join(sorted(p.get("name", "") for p in mine if p["id"] in ids and p.get("name", "").startswith("lim_"))))' \
		"$TMP/progs.json" "$AGENT_PID")
	echo "limits programs attached: $attached"
	grep -qw lim_fork <<<"$attached" || fail "the fork-bomb watch is not attached"
	grep -qw lim_sys_enter <<<"$attached" && fail "sys_enter attached for alert-only fork rules"
	echo "ok - fork-bomb watch attached without sys_enter"
fi
agent_stop
