#!/bin/bash
# Ancestry: every process in an event carries its ancestors (pid, start,
# executable) from the agent's process table, up to events.ancestry, with
# the truncation said. A chain sh -> sh -> sleep started before the agent
# (resolved from /proc) and one started after it (from exec events), and
# a second agent with a bound high enough to reach pid 1.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
OUT=$TMP/events.json
SH=$(readlink -f /bin/sh)

config() {
	cat > "$TMP/agent.yaml" <<YAML
events:
  format: json
  ancestry: $1
guards:
  exec: { enabled: true }
  bpf_load: { enabled: false }
YAML
}

start_agent() {
	: > "$OUT"
	"$BPFGUARD" agent --config "$TMP/agent.yaml" --output "$OUT" 2>"$TMP/agent.err" &
	agent=$!
	at_exit "kill $agent 2>/dev/null"
	wait_for 150 grep -q '"agent-start"' "$OUT" 2>/dev/null ||
		{ cat "$TMP/agent.err"; fail "agent did not start"; }
}

# chain NAME: sh (outer) -> sh (inner) -> sleep; pids in $TMP/NAME.{outer,inner,sleep}.
# The inner shell waits for its sleep, so it forks it rather than exec'ing it.
chain() {
	rm -f "$TMP/$1".*
	"$SH" -c 'echo $$ > "$1.outer"; "$0" -c "echo \$\$ > $1.inner; sleep 60 & echo \$! > $1.sleep; wait" ; true' \
		"$SH" "$TMP/$1" &
	wait_for 50 test -s "$TMP/$1.sleep" || fail "chain $1 did not start"
}

config 3
chain pre # before the agent: its processes come from /proc
start_agent
chain post # after: from exec events
kill "$(cat "$TMP/pre.sleep")" "$(cat "$TMP/post.sleep")"
pre_sleep=$(cat "$TMP/pre.sleep") post_sleep=$(cat "$TMP/post.sleep")
wait_for 100 python3 - "$OUT" "$pre_sleep" "$post_sleep" <<'PY' || fail "no exit events of both sleeps"
import json, sys
pids = {int(p) for p in sys.argv[2:]}
seen = {e["process"]["pid"] for e in map(json.loads, open(sys.argv[1]))
        if e["event"]["action"] == "exit" and "process" in e}
sys.exit(0 if pids <= seen else 1)
PY

check() { # check OUT BOUND
python3 - "$1" "$2" "$TMP" "$$" "$SH" <<'PY'
import json, sys
out, bound, tmp, me, sh = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
ev = [json.loads(l) for l in open(out)]
def pid(n): return int(open(f"{tmp}/{n}").read())
for name in ("pre", "post"):
    sleep, inner, outer = pid(name + ".sleep"), pid(name + ".inner"), pid(name + ".outer")
    mine = [e for e in ev if "process" in e and e["process"]["pid"] == sleep]
    kinds = {e["event"]["action"] for e in mine}
    want = {"exit"} if name == "pre" else {"exec", "exit"}
    assert want <= kinds, (name, kinds)
    for e in mine:
        a = e["bpfguard"]["ancestry"]
        got = [x["pid"] for x in a]
        full = [inner, outer, me]
        assert got[:3] == full[:len(got)], (name, e["event"]["action"], got, full)
        if bound <= 3:
            assert len(a) == bound and e["bpfguard"].get("ancestry_truncated") is True, (name, a)
        else:
            # up to pid 1, nothing cut
            assert a[-1]["pid"] == 1 and "ancestry_truncated" not in e["bpfguard"], a
            assert len(a) <= bound
        assert "ancestry_unresolved" not in e["bpfguard"], e["bpfguard"]
        assert a[0]["executable"] == sh and a[1]["executable"] == sh, a
        # the parent the kernel reported is the first ancestor, same entity
        assert a[0]["entity_id"] == e["process"]["parent"]["entity_id"], (a[0], e["process"]["parent"])
        for x in a:
            assert x["entity_id"].startswith(f'{x["pid"]}-') and x["start"].endswith("Z"), x
print("ok: bound", bound)
PY
}
check "$OUT" 3 || fail "ancestry wrong with bound 3"
kill -TERM $agent
wait $agent || fail "agent exited with $?"

# A bound past the chain's length: up to pid 1, not truncated.
config 32
chain pre
start_agent
chain post
kill "$(cat "$TMP/pre.sleep")" "$(cat "$TMP/post.sleep")"
pre_sleep=$(cat "$TMP/pre.sleep") post_sleep=$(cat "$TMP/post.sleep")
wait_for 100 grep -q "\"exit\".*\"pid\":$pre_sleep," "$OUT" || fail "no exit of the first chain"
wait_for 100 grep -q "\"exit\".*\"pid\":$post_sleep," "$OUT" || fail "no exit of the second chain"
kill -TERM $agent
wait $agent || fail "agent exited with $?"
check "$OUT" 32 || fail "ancestry wrong with bound 32"
