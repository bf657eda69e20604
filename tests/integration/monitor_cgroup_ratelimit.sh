#!/bin/bash
# bpfguard monitor --cgroup on an empty cgroup; a python3 worker started
# outside it is moved in afterwards (cgroup_attach_task), and is then held
# to the policy: 100000 umask calls outside the syscall list in a tight
# loop, then one more after the rate-limit window, give a handful of alert
# events whose suppressed counts add up, with the events, to every call.
# A burst with no event after it: monitor says the waiting count at exit.
# asan: yes
. "$(dirname "$0")/monitor_lib.sh"
need_cmd python3
[ -x "$PY" ] || skip "cannot find the python3 interpreter"
N=100000
cat >"$TMP/w.py" <<'PY'
import os, sys, time
mode, go, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
time.sleep(0.05)
while not os.path.exists(go):
    time.sleep(0.05)
if mode in ("loop", "burst"):
    for i in range(n):
        os.umask(0o22)
if mode == "loop":
    time.sleep(1.2)
    os.umask(0o22)
print("done", flush=True)
PY
# The worker sleeps once before it looks for the go file, so the profile
# (made with the go file there) holds its sleeps: a sleep outside it would
# be one more call in the umask rule's count.
touch "$TMP/go.p"
"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$PY" "$TMP/w.py" none "$TMP/go.p" 0 >/dev/null 2>"$TMP/prof.err" ||
	fail "profile: $(cat "$TMP/prof.err")"
only syscalls <"$TMP/p.yaml" >"$TMP/sys.yaml"
grep -q umask "$TMP/sys.yaml" && fail "umask in the profile"
make_cgroup move

"$PY" "$TMP/w.py" loop "$TMP/go" $N >"$TMP/out" 2>&1 & w=$!
wait_exe $w "$PY"
start_monitor "$TMP/ev" --policy "$TMP/sys.yaml" --cgroup "$CG"
grep -q '^bpfguard: monitoring 0 processes' "$TMP/ev.err" || fail "the cgroup was not empty: $(cat "$TMP/ev.err")"
echo $w >"$CG/cgroup.procs" || fail "cannot move the worker into $CG"
touch "$TMP/go"
wait $w || fail "worker failed: $(cat "$TMP/out")"
stop_monitor "$TMP/ev"
python3 - "$TMP/ev" $((N + 1)) <<'PY' || fail "rate limit: $(tail -3 "$TMP/ev")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
sc = [e for e in ev if e["bpfguard"]["type"] == "syscall"]
assert sc, "no event: the moved process was not monitored"
assert all(e["syscall"]["name"] == "umask" and e["rule"]["name"] == "policy.syscalls"
           and e["bpfguard"]["mechanism"] == "tracepoint" for e in sc), sc[:2]
total = len(sc) + sum(e["bpfguard"].get("suppressed", 0) for e in sc)
# Windows open at least 1 s apart, each with at most 10 events (the loop
# may span several windows on a loaded machine).
from datetime import datetime
ts = sorted(datetime.fromisoformat(e["@timestamp"][:26]).timestamp() for e in sc)
windows = int(ts[-1] - ts[0]) + 1
assert 1 < len(sc) <= 10 * windows, f"{len(sc)} events in {windows} windows for {sys.argv[2]} calls"
assert total == int(sys.argv[2]), f"events + suppressed = {total}, calls {sys.argv[2]}"
stats = [e for e in ev if e["bpfguard"]["type"] == "stats"]
assert stats and stats[-1]["bpfguard"]["drops"] == 0, "drops"
print(f"{len(sc)} events, {total - len(sc)} suppressed")
PY

# A burst with no event after it: the count still waiting is said at exit.
"$PY" "$TMP/w.py" burst "$TMP/go2" 1000 >"$TMP/out2" 2>&1 & w=$!
wait_exe $w "$PY"
echo $w >"$CG/cgroup.procs" || fail "cannot move the second worker"
start_monitor "$TMP/ev2" --policy "$TMP/sys.yaml" --cgroup "$CG"
touch "$TMP/go2"
wait $w || fail "second worker failed: $(cat "$TMP/out2")"
stop_monitor "$TMP/ev2"
n=$(grep -c '"name":"umask"' "$TMP/ev2")
grep -q "pid $w: $((1000 - n)) more policy.syscalls events suppressed" "$TMP/ev2.err" ||
	fail "burst: $n events, and no count of the rest at exit: $(cat "$TMP/ev2.err")"
echo ok
