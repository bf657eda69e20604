#!/bin/bash
# The agent reports exec and exit of real processes with context read in
# the kernel, writes valid JSON lines, reopens its output on SIGHUP (log
# rotation) and prints a final drops figure on SIGTERM.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
OUT=$TMP/events.json

cat > "$TMP/agent.yaml" <<'YAML'
mode: alert
events:
  ring_buffer_size: 1MiB
  format: json
guards:
  exec:
    enabled: true
YAML
"$BPFGUARD" agent --config "$TMP/agent.yaml" --output "$OUT" 2>"$TMP/agent.err" &
agent=$!
at_exit "kill $agent 2>/dev/null"
wait_for 100 grep -q '"agent-start"' "$OUT" 2>/dev/null || { cat "$TMP/agent.err"; fail "agent did not start"; }

# A process whose exec, args, parent and exit code we know.
marker="bgmark$$"
/bin/sh -c "exit 3" "$marker" &
child=$!
wait $child
wait_for 50 grep -q "$marker" "$OUT" || fail "no event for the marker process"

# Rotate: move the file away, SIGHUP, and the next events go to a new file.
mv "$OUT" "$OUT.1"
kill -HUP $agent
wait_for 50 test -s "$OUT" || fail "output not reopened after SIGHUP"
/bin/true "rotated$$"
wait_for 50 grep -q "rotated$$" "$OUT" || fail "no event in the reopened file"
kill -TERM $agent
wait $agent || fail "agent exited with $?"
grep -q "events received, 0 drops" "$TMP/agent.err" || { cat "$TMP/agent.err"; fail "no drops summary on stderr"; }

python3 - "$OUT.1" "$OUT" "$child" "$$" "$marker" "$(readlink -f /bin/sh)" <<'PY' || fail "event fields wrong"
import json, sys
old, new, child, parent, marker, sh = sys.argv[1:]
lines = [json.loads(l) for f in (old, new) for l in open(f)]  # every line is JSON
exe = [e for e in lines if e["event"]["action"] == "exec" and e["process"]["args"][-1:] == [marker]]
assert len(exe) == 1, f"{len(exe)} exec events for the marker"
e = exe[0]
assert e["process"]["pid"] == int(child), e["process"]["pid"]
assert e["process"]["parent"]["pid"] == int(parent), e["process"]["parent"]
assert e["process"]["executable"] == sh, (e["process"]["executable"], sh)
assert e["process"]["args"] == ["/bin/sh", "-c", "exit 3", marker], e["process"]["args"]
assert e["user"]["id"] == "0" and e["event"]["outcome"] == "success"
assert e["bpfguard"]["mechanism"] == "tracepoint" and e["@timestamp"].endswith("Z")
ex = [x for x in lines if x["event"]["action"] == "exit" and x["process"]["pid"] == int(child)]
assert len(ex) == 1 and ex[0]["bpfguard"]["exit_code"] == 3, ex
assert ex[0]["process"]["entity_id"] == e["process"]["entity_id"]
final = [x for x in lines if x["event"]["action"] == "events-final"]
assert len(final) == 1 and final[0]["bpfguard"]["drops"] == 0, final
assert final[0]["bpfguard"]["received"] >= 3
print("ok:", e["process"]["executable"], e["process"]["args"])
PY
