#!/bin/bash
# The agent's metrics endpoint (metrics.listen): `promtool check metrics`
# accepts /metrics; a real Prometheus (Debian's package) started here with a
# generated config scrapes it on loopback, and its API returns for a rule's
# counter exactly the events this test caused (and the agent wrote); /healthz
# answers; half-sent requests, garbage and a hundred stalled connections
# neither stop the agent's events nor keep /metrics down past the
# connection timeout; a malformed or taken address stops the start with a
# clear message.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd curl
need_cmd promtool
need_cmd prometheus
need_cmd python3

# free_port BASE: a port from BASE on that nothing listens on.
free_port() {
	local p=$1
	while listening "$p"; do p=$((p + 1)); done
	echo "$p"
}
MP=$(free_port $((19400 + $$ % 200)))
PP=$(free_port $((MP + 1)))
echo secret >"$TMP/secret"
OUT=$TMP/ev.json
cat >"$TMP/agent.yaml" <<YAML
events: { format: json }
metrics:
  listen: 127.0.0.1:$MP
guards:
  exec: { enabled: false }
  bpf_load: { enabled: false }
  files:
    rules:
      - name: bgpk-secret
        paths: [$TMP/secret]
        read: [/usr/bin/true]
YAML

# Bad addresses: refused before anything loads, at the key's line and column.
sed "s/127.0.0.1:$MP/127.0.0.1:99999/" "$TMP/agent.yaml" >"$TMP/bad.yaml"
out=$("$BPFGUARD" agent --config "$TMP/bad.yaml" --output "$TMP/bad.json" 2>&1) && fail "port 99999 accepted"
grep -q "bad.yaml:3:11: metrics.listen '127.0.0.1:99999': the port must be" <<<"$out" || fail "bad port: $out"
sed "s/127.0.0.1:$MP/192.0.2.1:$MP/" "$TMP/agent.yaml" >"$TMP/bad.yaml"
out=$("$BPFGUARD" agent --config "$TMP/bad.yaml" --output "$TMP/bad.json" 2>&1) && fail "remote address accepted"
grep -q "bad.yaml:3:11: .*is not a loopback address" <<<"$out" || fail "remote: $out"

agent_up "$TMP/agent.yaml"
M=http://127.0.0.1:$MP

# A second agent on the same port fails at once, saying why.
out=$(timeout 60 "$BPFGUARD" agent --config "$TMP/agent.yaml" --output "$TMP/two.json" 2>&1) &&
	fail "second agent on a taken port started"
grep -q "metrics.listen 127.0.0.1:$MP: Address already in use" <<<"$out" || fail "taken port: $out"

wait_for 100 curl -sf "$M/healthz" -o "$TMP/health" || fail "/healthz: $(curl -s "$M/healthz")"
grep -q '^ok' "$TMP/health" || fail "health: $(cat "$TMP/health")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$M/nope")" = 404 ] || fail "unknown path not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$M/metrics")" = 405 ] || fail "POST not 405"

# seen N: the agent wrote at least N events of the rule (wait_for evaluates
# its command at every try, so the count is a function).
seen() { [ "$(grep -c '"bgpk-secret"' "$OUT")" -ge "$1" ]; }
N=7
for _ in $(seq $N); do cat "$TMP/secret" >/dev/null; done
wait_for 100 seen $N || fail "events: $(cat "$OUT")"

curl -sf "$M/metrics" -o "$TMP/metrics" || fail "GET /metrics"
promtool check metrics <"$TMP/metrics" >"$TMP/promtool" 2>&1 || fail "promtool: $(cat "$TMP/promtool")"
grep -q "^bpfguard_events_total{guard=\"files\",type=\"file\",rule=\"bgpk-secret\",action=\"alert\",mechanism=\"[a-z]*\",outcome=\"[a-z]*\"} $N\$" \
	"$TMP/metrics" || fail "no counter of $N for bgpk-secret: $(grep events_total "$TMP/metrics")"
grep -q '^bpfguard_guard_enabled{guard="files"} 1$' "$TMP/metrics" || fail "files guard not shown running"
grep -q '^bpfguard_guard_links{guard="files",mechanism="[a-z_]*"} [1-9]' "$TMP/metrics" ||
	fail "files guard's links not shown: $(grep links "$TMP/metrics")"
grep -q '^process_resident_memory_bytes [1-9]' "$TMP/metrics" || fail "no RSS"
grep -q '^bpfguard_events_dropped_total 0$' "$TMP/metrics" || fail "drops: $(grep dropped "$TMP/metrics")"

# A real Prometheus scrapes it every second; its API must return N.
cat >"$TMP/prom.yml" <<YAML
global: { scrape_interval: 1s, scrape_timeout: 1s }
scrape_configs:
  - job_name: bgpk
    static_configs: [{ targets: ["127.0.0.1:$MP"] }]
YAML
prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PP" >"$TMP/prom.log" 2>&1 &
prom=$!
at_exit "kill $prom 2>/dev/null; wait $prom 2>/dev/null"
Q=http://127.0.0.1:$PP/api/v1/query
query() { # PROMQL -> the first sample's value, or nothing
	curl -sf --get "$Q" --data-urlencode "query=$1" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null
}
scraped() { [ "$(query 'up{job="bgpk"}')" = 1 ]; }
wait_for 600 scraped || fail "Prometheus never scraped: $(tail -5 "$TMP/prom.log")"
v=$(query 'sum(bpfguard_events_total{rule="bgpk-secret"})')
[ "$v" = $N ] || fail "Prometheus has $v events of bgpk-secret, the test caused $N"
echo "Prometheus scraped bgpk-secret = $v"

# Hostile clients: a half-sent request that stalls, garbage, a hundred
# stalled connections held open.
python3 - "$MP" >"$TMP/flood.log" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s
held = []
s = conn(); s.sendall(b"GET /metr"); held.append(s)
s = conn(); s.sendall(b"\x00\xff\xfe garbage \r\n\r\n"); s.settimeout(5)
try: print("garbage answered:", s.recv(100)[:40])
except Exception as e: print("garbage:", e)
s = conn(); s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\nabc"); held.append(s)
s = conn(); s.sendall(b"GET /" + b"A" * 100000 + b" HTTP/1.1\r\n\r\n"); held.append(s)
for i in range(100):
    try:
        c = socket.socket(); c.setblocking(False)
        c.connect_ex(("127.0.0.1", port)); held.append(c)
    except Exception as e:
        print("connect", i, e)
print("holding", len(held), flush=True)
time.sleep(12)
PY
flood=$!
at_exit "kill $flood 2>/dev/null"
wait_for 100 grep -q holding "$TMP/flood.log" || fail "flood did not start: $(cat "$TMP/flood.log")"
# Events flow during the flood.
for _ in $(seq 3); do cat "$TMP/secret" >/dev/null; done
wait_for 100 seen $((N + 3)) || fail "events stopped during the flood"
# /metrics is back within the connection timeout (5 s) plus margin.
wait_for 300 curl -sf --max-time 5 "$M/metrics" -o "$TMP/metrics2" || fail "/metrics down during the flood"
grep -q "rule=\"bgpk-secret\".*} $((N + 3))\$" "$TMP/metrics2" || fail "counter after flood: $(grep bgpk "$TMP/metrics2")"
kill -0 "$agent" || fail "agent died"
kill "$flood" 2>/dev/null
wait_for 100 curl -sf --max-time 5 "$M/healthz" -o /dev/null || fail "/healthz after the flood"
grep -q "garbage answered: b'HTTP/1.1 400" "$TMP/flood.log" || echo "note: $(grep garbage "$TMP/flood.log")"
echo "metrics: promtool ok, Prometheus saw $N, hostile clients survived"
