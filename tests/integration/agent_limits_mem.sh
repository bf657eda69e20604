#!/bin/bash
# guards.limits max_memory: a python3 that allocates in a loop (a renamed
# copy of python3, matched by inode) is killed by SIGKILL when one request
# or its address space would exceed the limit; the same allocation by the
# real python3 (not a target) completes. The limit event carries the rule,
# the kind, the sizes and mechanism tracepoint.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
OUT=$TMP/events.json
PY3=$(python3 -c "import os, sys; print(os.path.realpath(sys.executable))")
cp "$PY3" "$TMP/hog"

limits_config >"$TMP/agent.yaml" <<YAML
      - name: hog-memory
        match: { exe: $TMP/hog }
        action: kill
        max_memory: 200MiB
YAML
agent_up "$TMP/agent.yaml" 100

HOG='
import sys
a = []
for i in range(400):
    a.append(bytearray(1 << 20))   # 1 MiB each, touched: a real allocation
    print(i + 1, flush=True)
print("done", flush=True)
'
"$TMP/hog" -c "$HOG" > "$TMP/hog.out" 2>&1
rc=$?
[ $rc -eq 137 ] || fail "the hog was not killed by SIGKILL (exit $rc, last line $(tail -1 "$TMP/hog.out"))"
mib=$(grep -E '^[0-9]+$' "$TMP/hog.out" | tail -1)
echo "threshold 200 MiB (max_memory); hog killed after ${mib:-0} MiB allocated"
[ "${mib:-0}" -ge 100 ] && [ "${mib:-0}" -le 200 ] || fail "killed after ${mib:-0} MiB, expected 100..200"

# The genuine python3 is not the target: the same loop completes.
"$PY3" -c "$HOG" > "$TMP/py.out" 2>&1 || fail "python3 (not a target) failed: $?"
grep -q '^done$' "$TMP/py.out" || fail "python3 did not finish"

wait_for 50 grep -q '"limit-reached"' "$OUT" || fail "no limit event"
python3 - "$OUT" "$TMP/hog" <<'PY' || fail "event fields wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
lim = [e for e in ev if e["event"]["action"] == "limit-reached"]
assert len(lim) >= 1, lim
e = lim[0]
b = e["bpfguard"]
assert e["rule"]["name"] == "hog-memory", e["rule"]
assert e["process"]["executable"] == sys.argv[2], e["process"]["executable"]
assert b["action"] == "kill" and b["mechanism"] == "tracepoint", b
assert e["event"]["outcome"] == "failure"
assert b["limit"]["kind"] in ("memory-total", "memory-request"), b["limit"]
assert b["limit"]["limit"] == 200 << 20
assert b["limit"]["value"] > 200 << 20, b["limit"]
assert b["limit"]["syscall"] in (9, 12, 25), b["limit"]
print("event: %s, address space at the kill %.1f MiB (request %d bytes) of the %d MiB threshold"
      % (b["limit"]["kind"], b["limit"]["value"] / 2**20, b["limit"]["request"], b["limit"]["limit"] >> 20))
PY
