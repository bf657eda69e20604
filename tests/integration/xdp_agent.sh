#!/bin/bash
# The agent's network: section: validated whole (errors as FILE:LINE:COL),
# attached at start, dropped packets sampled as net_drop events (rate
# limited, with the VLAN id and the suppressed count), detached at exit.
# asan: yes
. "$(dirname "$0")/xdp_lib.sh"
need_cmd unshare

bad() { # expected-location yaml...
	printf '%s\n' "${@:2}" >"$TMP/bad.yaml"
	out=$("$BPFGUARD" agent --config "$TMP/bad.yaml" --check 2>&1) && fail "accepted: ${*:2}"
	grep -q "bad.yaml:$1" <<<"$out" || fail "error without location $1: $out"
}
bad "3:21: " "network:" "  interfaces: [eth0]" "  allow: {sources: [10.0.0.1/8]}"
bad "2:3: " "network:" "  default: drop"
bad "2:22: " "network:" "  interfaces: [eth0, eth0]"
bad "3:21: " "network:" "  interfaces: [eth0]" "  allow: {tcp: [22, 20-30]}"
bad "3:3: " "network:" "  interfaces: [eth0]" "  fragmnets: drop"
bad "3:14: " "network:" "  interfaces: [eth0]" "  malformed: source"
"$BPFGUARD" agent --config "$SRC/config/default.yaml" --check >/dev/null || fail "default.yaml refused"
echo "ok: bad network sections refused with FILE:LINE:COL"

cat >"$TMP/agent.yaml" <<YAML
events:
  format: json
guards:
  exec:
    enabled: false
network:
  interfaces: [$IFB]
  default: drop
  allow:
    sources: [10.77.0.0/29]
    udp: [5001]
  deny:
    sources: [10.77.0.5/32]
  sample_drops: 3
YAML
# A private mount namespace: a bpffs the agent mounts stays with it.
nsenter --net="/run/netns/$NB" unshare -m --propagation private \
	"$BPFGUARD" agent --config "$TMP/agent.yaml" --output "$TMP/ev.json" 2>"$TMP/agent.err" &
agent=$!
at_exit "kill $agent 2>/dev/null"
wait_for 100 grep -q '"agent-start"' "$TMP/ev.json" 2>/dev/null || { cat "$TMP/agent.err"; fail "agent did not start"; }
inb ip -d link show dev "$IFB" | grep -q 'prog/xdp' || fail "agent did not attach XDP"
apid=$(pgrep -P $agent || echo $agent)
astats() { nsenter -t "$apid" -m -n "$BPFGUARD" net stats -i "$IFB" --json; }

rawsend 40 udp4 1 10.77.0.9 10.77.0.2 5001 || fail "send"
sleep 1.1 # the next second's sampling budget, for the denied ones
rawsend 4 udp4 0 10.77.0.5 10.77.0.2 5001 || fail "send"
drops_now() { drops=$(astats | python3 -c 'import json,sys; r=json.load(sys.stdin)["filters"][0]["reasons"]; print(r["no-source"]["drop"], r["denied"]["drop"])'); }
dropped_all() { drops_now; set -- $drops; [ "${1:-0}" -ge 40 ] && [ "${2:-0}" -ge 4 ]; }
wait_for 30 dropped_all
drops_now
[ "$drops" = "40 4" ] || fail "counters: $drops (want 40 no-source, 4 denied)"
kill -TERM $agent
wait $agent || fail "agent exited with $?"
inb ip -d link show dev "$IFB" | grep -q 'prog/xdp' && fail "XDP still attached after the agent stopped"

python3 - "$TMP/ev.json" <<'PY' || fail "events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
drops = [e for e in ev if e.get("bpfguard", {}).get("type") == "net_drop"]
ns = [e for e in drops if e["bpfguard"]["net"]["reason"] == "no-source"]
assert ns, "no net_drop event for the 40 frames from 10.77.0.9"
# 3 per second per CPU: 40 frames in well under a second give at most 3 per CPU.
assert len(ns) <= 3 * 2 * 2, "rate limit not applied: %d events" % len(ns)
e = ns[0]
assert e["source"]["ip"] == "10.77.0.9" and e["destination"]["port"] == 5001, e
assert e["network"]["vlan"]["id"] == "10" and e["network"]["transport"] == "udp", e
assert e["bpfguard"]["mechanism"] == "xdp" and e["event"]["outcome"] == "failure", e
assert e["rule"]["name"] == "network.default", e
den = [e for e in drops if e["bpfguard"]["net"]["reason"] == "denied"]
assert den, "no net_drop event for the 4 frames from the denied 10.77.0.5"
assert den[0]["rule"]["name"] == "network.deny.sources" and den[0]["rule"]["id"] > 0, den[0]
print("ok: %d net_drop events for 40 dropped frames, first: %s" % (len(ns), json.dumps(e)))
PY
echo "ok: agent attached on start and detached at exit"
