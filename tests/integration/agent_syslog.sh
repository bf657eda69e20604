#!/bin/bash
# events.output: syslog to a real rsyslogd (Debian's) receiving RFC 5424
# over TCP on loopback (octet-counted framing), its fields written by a
# template to a file and checked one by one against the JSON event. The
# agent starts while the collector is away: it says so, keeps running,
# keeps what fits in its buffer, counts the rest as dropped, and once
# rsyslogd is up delivers what it kept and a message with the drop count.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
need_cmd rsyslogd
OUT=$TMP/syslog.out

# A free loopback port for the collector.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat > "$TMP/agent.yaml" <<YAML
events:
  output: syslog
  syslog:
    address: tcp:127.0.0.1:$port
    facility: local3
    buffer: 64KiB
  ancestry: 2
guards:
  exec: { enabled: true }
  bpf_load: { enabled: false }
YAML
"$BPFGUARD" agent --config "$TMP/agent.yaml" 2>"$TMP/agent.err" >"$TMP/agent.out" &
agent=$!
at_exit "kill $agent 2>/dev/null"
# Nothing listens yet: the agent says so and goes on.
wait_for 150 grep -q "syslog: cannot send to tcp:127.0.0.1:$port: Connection refused" "$TMP/agent.err" ||
	{ cat "$TMP/agent.err"; fail "no message about the unreachable collector"; }
# Its start line is queued for the collector, not on stdout: wait until
# its programs are attached (bpf_link descriptors in /proc/PID/fd).
wait_for 150 sh -c "ls -l /proc/$agent/fd 2>/dev/null | grep -q 'anon_inode:bpf_link'" ||
	fail "the agent attached nothing"
/bin/true bgfl-early &
early=$!
wait $early
# A burst past the 64 KiB buffer: these are dropped and counted.
for i in $(seq 200); do /bin/true bgfl-burst; done
wait_for 100 grep -q "new events are dropped and counted" "$TMP/agent.err" ||
	{ cat "$TMP/agent.err"; fail "no message when the buffer filled"; }
kill -0 $agent || fail "the agent died while the collector was away"

mkdir -p "$TMP/rs"
cat > "$TMP/rs/rsyslog.conf" <<CONF
global(workDirectory="$TMP/rs" maxMessageSize="64k")
module(load="imtcp")
template(name="bgfl" type="string"
  string="%pri%|%protocol-version%|%timestamp:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%msg%\n")
ruleset(name="bgfl") { action(type="omfile" file="$OUT" template="bgfl") }
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="bgfl")
CONF
rsyslogd -n -f "$TMP/rs/rsyslog.conf" -i "$TMP/rs/pid" >"$TMP/rs/out" 2>&1 &
rs=$!
at_exit "kill $rs 2>/dev/null"
wait_for 100 listening "$port" || { cat "$TMP/rs/out"; fail "rsyslogd does not listen"; }
# Reconnected (within the backoff) and drained: the drop count comes last.
wait_for 400 grep -q '"dropped"' "$OUT" 2>/dev/null ||
	{ cat "$TMP/agent.err" "$TMP/rs/out"; fail "no drop count delivered"; }
/bin/true bgfl-late &
late=$!
wait $late
wait_for 100 grep -q '"/bin/true","bgfl-late"' "$OUT" || fail "no event after the collector came back"
kill -0 $agent || fail "the agent died"
kill -TERM $agent
wait $agent || fail "agent exited with $?"

python3 - "$OUT" "$(hostname)" "$agent" $early $late <<'PY' || fail "syslog fields wrong"
import json, sys
out, host, agent, early, late = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
msgs = []
for line in open(out):
    pri, ver, ts, h, app, procid, msgid, msg = line.rstrip("\n").split("|", 7)
    msgs.append((int(pri), ver, ts, h, app, procid, msgid, json.loads(msg)))
types = {}
for pri, ver, ts, h, app, procid, msgid, e in msgs:
    assert ver == "1" and h == host and app == "bpfguard" and procid == str(agent), (ver, h, app, procid)
    assert msgid == e["bpfguard"]["type"], (msgid, e["bpfguard"])
    sev = 4 if e["event"]["kind"] == "alert" or msgid == "syslog" else 6
    assert pri == 19 * 8 + sev, (pri, e["event"])  # local3
    # the message's time is the event's, to the microsecond
    assert ts[:26] == e["@timestamp"][:26], (ts, e["@timestamp"])
    types[msgid] = types.get(msgid, 0) + 1
def execs(pid):
    return [e for *_, e in msgs if e["event"]["action"] == "exec" and e["process"]["pid"] == pid]
for pid, arg in ((early, "bgfl-early"), (late, "bgfl-late")):
    ex = execs(pid)
    assert len(ex) == 1 and ex[0]["process"]["args"] == ["/bin/true", arg], (pid, ex)
    assert len(ex[0]["bpfguard"]["ancestry"]) == 2, ex[0]["bpfguard"]
start = [e for *_, e in msgs if e["event"].get("action") == "agent-start"]
assert len(start) == 1, "agent-start line not delivered"
dropped = [e for *_, e in msgs if e["bpfguard"]["type"] == "syslog"]
assert len(dropped) >= 1 and dropped[0]["bpfguard"]["dropped"] > 0, dropped
burst = sum(1 for *_, e in msgs if e["event"]["action"] == "exec" and e["process"]["args"][1:] == ["bgfl-burst"])
assert burst < 200, burst  # some were dropped...
assert dropped[0]["bpfguard"]["dropped"] >= 200 - burst, (burst, dropped)  # ...and counted
print("ok:", len(msgs), "messages", types, "dropped", sum(d["bpfguard"]["dropped"] for d in dropped))
PY
grep -q "events dropped in all" "$TMP/agent.err" || fail "no final drop figure on stderr"
