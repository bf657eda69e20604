#!/bin/bash
# Executable hashes: events carry the SHA-256 of the process's executable
# (sha256sum's), computed off the event path (the first event of a new
# file says hash_pending), cached by (device, inode, ctime): a program
# rewritten in place (same inode, new ctime) gets its new hash. A file the
# agent cannot read gives a clear message and a hash_error, and the agent
# goes on. Also the limits guard's exe+sha256 match, checked at load.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
need_cmd sha256sum
need_cmd setpriv
OUT=$TMP/events.json
PROG=$TMP/bgfl-prog

cat > "$TMP/agent.yaml" <<'YAML'
events:
  format: json
  ancestry: 0
guards:
  exec: { enabled: true }
  bpf_load: { enabled: false }
YAML
# The agent without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH: root, yet unable
# to read a file its owner keeps to itself, as on a host where a FUSE or
# NFS file refuses root.
setpriv --bounding-set -dac_override,-dac_read_search --inh-caps -all \
	"$BPFGUARD" agent --config "$TMP/agent.yaml" --output "$OUT" 2>"$TMP/agent.err" &
agent=$!
at_exit "kill $agent 2>/dev/null"
wait_for 150 grep -q '"agent-start"' "$OUT" 2>/dev/null || { cat "$TMP/agent.err"; fail "agent did not start"; }

# events_of PID MIN: wait until the exit event of PID is in.
exited() { grep -q "\"action\":\"exit\".*\"pid\":$1," "$OUT"; }

cp /bin/sleep "$PROG"
"$PROG" 0.3 &
p1=$!
wait $p1
want1=$(sha256sum "$PROG" | cut -d' ' -f1)
ino=$(stat -c %i "$PROG")
wait_for 50 exited $p1 || fail "no exit event of the first program"
# Rewritten in place: same inode, new content and ctime.
cat /bin/true > "$PROG"
[ "$(stat -c %i "$PROG")" = "$ino" ] || fail "the rewrite changed the inode"
"$PROG" 0.3 &
p2=$!
wait $p2
want2=$(sha256sum "$PROG" | cut -d' ' -f1)
wait_for 50 exited $p2 || fail "no exit event of the rewritten program"
# It exits at once: its exit event may come before the hash. Its next runs
# find the hash cached.
run_again() { "$PROG"; grep -q "\"sha256\":\"$want2\"" "$OUT"; }
wait_for 50 run_again || fail "the rewritten program never got its new hash"
# Unreadable to the agent: mode 0711, owned by nobody (root still runs it).
cp /bin/sleep "$TMP/bgfl-secret"
chown 65534 "$TMP/bgfl-secret"
chmod 0711 "$TMP/bgfl-secret"
chmod 0755 "$TMP"
"$TMP/bgfl-secret" 0.3 &
p3=$!
wait $p3
wait_for 50 exited $p3 || fail "no exit event of the unreadable program"
# Still running and hashing after the failure.
/bin/true bgfl-after &
p4=$!
wait $p4
wait_for 50 exited $p4 || fail "the agent stopped reporting after the unreadable file"
kill -0 $agent || fail "the agent died"
kill -TERM $agent
wait $agent || fail "agent exited with $?"
grep -q "executable hash: cannot read $TMP/bgfl-secret: Permission denied" "$TMP/agent.err" ||
	{ cat "$TMP/agent.err"; fail "no clear message for the unreadable file"; }

python3 - "$OUT" $p1 $p2 $p3 "$want1" "$want2" <<'PY' || fail "hash fields wrong"
import json, sys
out, p1, p2, p3, w1, w2 = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5], sys.argv[6]
ev = [json.loads(l) for l in open(out)]
def of(pid): return [e for e in ev if "process" in e and e["process"]["pid"] == pid]
def hashes(es): return {e["process"].get("hash", {}).get("sha256") for e in es} - {None}
for pid, want in ((p1, w1), (p2, w2)):
    es = of(pid)
    exe = [e for e in es if e["event"]["action"] == "exec"]
    ex = [e for e in es if e["event"]["action"] == "exit"]
    assert exe and ex, (pid, [e["event"]["action"] for e in es])
    # a file never seen before: its exec event is the one that queues it
    assert exe[0]["bpfguard"].get("hash_pending") is True, exe[0]["bpfguard"]
    assert "hash" not in exe[0]["process"], exe[0]["process"]
    assert hashes(es) <= {want}, (pid, hashes(es), want)
# p1 sleeps: its exit comes long after the hash
assert of(p1)[-1]["process"]["hash"]["sha256"] == w1, of(p1)[-1]["process"]
# every event of the program after the rewrite has the new hash or none
prog = of(p2)[0]["process"]["executable"]
after = [e for e in ev if "process" in e and e["process"]["executable"] == prog
         and e["process"]["pid"] not in (p1,)]
assert hashes(after) == {w2}, hashes(after)
assert w1 != w2
es = of(p3)
ex = [e for e in es if e["event"]["action"] == "exit"][0]
assert "hash" not in ex["process"], ex["process"]
err = ex["bpfguard"]["hash_error"]
assert "cannot read" in err and "Permission denied" in err, err
print("ok:", w1[:12], w2[:12], err)
PY

# exe + sha256 in a limits rule: the build at the path must be that one.
sh256=$(sha256sum /bin/sleep | cut -d' ' -f1)
bad=$(printf '0%.0s' $(seq 64))
for h in "$sh256" "$bad"; do
	cat > "$TMP/lim.yaml" <<YAML
guards:
  limits:
    rules:
      - name: sleepers
        match: { exe: /bin/sleep, sha256: $h }
        max_children: 5
YAML
	"$BPFGUARD" agent --config "$TMP/lim.yaml" --check > "$TMP/check.out" 2>&1
	echo "rc=$?" >> "$TMP/check.out"
	if [ "$h" = "$sh256" ]; then
		grep -q "rc=0" "$TMP/check.out" || { cat "$TMP/check.out"; fail "the right sha256 refused"; }
	else
		grep -q "lim.yaml:5:[0-9]*: rule 'sleepers': /bin/sleep has sha256 $sh256, not the $bad" \
			"$TMP/check.out" || { cat "$TMP/check.out"; fail "a wrong sha256 not refused clearly"; }
	fi
done
