#!/bin/bash
# In-kernel rate limiting (bpf/lib/ratelimit.bpf.h): 100000 denied connects
# in a tight loop, then one more after the window, give a handful of events
# whose suppressed counts add up, with the events themselves, to the calls
# the kernel refused; no event is dropped.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
N=100000
printf 'version: 1\nnetwork:\n  connect:\n    - "127.0.0.1:9"\n  sendto: []\n  bind: []\n' >"$TMP/p.yaml"
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" --json --output "$TMP/ev" -- \
	"$BUILD/tests/helpers/deny_loop" 127.0.0.1 7 $N) || fail "run failed: $out"
[ "$out" = "calls $((N + 1)) eperm $((N + 1))" ] || fail "not every connect was refused: $out"
python3 - "$TMP/ev" $((N + 1)) <<'PY' || fail "rate limit: $(tail -3 "$TMP/ev")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
net = [e for e in ev if e["bpfguard"]["type"] == "network"]
stats = [e for e in ev if e["bpfguard"]["type"] == "stats"]
total = len(net) + sum(e["bpfguard"].get("suppressed", 0) for e in net)
assert 1 < len(net) <= 40, f"{len(net)} events for {sys.argv[2]} calls"
assert total == int(sys.argv[2]), f"events + suppressed = {total}, calls {sys.argv[2]}"
assert net[-1]["bpfguard"].get("suppressed", 0) > 0, "the last event carries no count"
assert stats and stats[-1]["bpfguard"]["drops"] == 0, "drops"
assert all(e["bpfguard"]["mechanism"] == "cgroup" and e["rule"]["name"] == "policy.network" for e in net)
print(f"{len(net)} events, {total - len(net)} suppressed")
PY
echo ok
