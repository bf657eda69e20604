#!/bin/bash
# docs/events.md is the schema: every field it calls always present (the
# common fields table, the per-type table, the metric and state table) must
# be in every real event of that type. The lists are read from the document
# itself, so the doc and this test cannot drift apart. Events come from the
# agent (exec, exit, bpf_load, file, file_modify, limit, netban, net_drop,
# taint_set, taint_egress, stats, agent), `run` (syscall, network) and `monitor` (policy_exec,
# policy_file, syscall, network); each kind must be seen at least once.
# file_modify, run_file, run_exec (BPF LSM only) and the PHP types are not
# produced on a kernel without BPF LSM; file_modify is checked where seen.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
need_cmd nsenter
need_cmd unshare
need_cmd socat
DOC=$SRC/docs/events.md
[ -f "$DOC" ] || fail "no $DOC"
for h in bpf_loader bg_forker bg_net; do
	[ -x "$BUILD/tests/helpers/$h" ] || fail "no $BUILD/tests/helpers/$h (make tests)"
done
H=$BUILD/tests/helpers
PORT=$((21000 + $$ % 9000))

# ---- the agent: most types at once -----------------------------------------
veth_pair es 10.79.0

D=/dev/shm/bg-schema.$$ # tmpfs: inode and device as the kernel sees them
mkdir -p "$D"
at_exit "rm -rf $D"
echo secret >"$D/secret"
echo classified >"$D/classified"
cp "$H/bg_forker" "$TMP/forker"
cp "$H/bg_net" "$TMP/netc"

cat >"$TMP/agent.yaml" <<YAML
mode: alert
events: { format: json }
guards:
  exec: { enabled: true }
  bpf_load:
    enabled: true
    report: all
    rules:
      - name: schema-load
        prog_name: "bgschm*"
  files:
    rules:
      - name: schema-secret
        paths: [$D/secret]
        read: [/usr/bin/true]
        write: [/usr/bin/true]
  limits:
    rules:
      - name: schema-children
        match: { exe: $TMP/forker }
        max_children: 1
      - name: schema-netban
        match: { exe: $TMP/netc }
        network: { ban: [connect] }
  taint:
    rules:
      - name: schema-taint
        paths: [$D/classified]
network:
  interfaces: [$IFB]
  default: drop
  sample_drops: 10
YAML
OUT=$TMP/agent.json
"$BPFGUARD" agent --config "$TMP/agent.yaml" --check >/dev/null || fail "config refused"
# In B's network namespace for the XDP interface (tracing is host-wide); a
# private mount namespace keeps its pins off the host's bpffs.
nsenter --net="/run/netns/$NB" unshare -m --propagation private \
	"$BPFGUARD" agent --config "$TMP/agent.yaml" --output "$OUT" 2>"$TMP/agent.err" &
agent=$!
at_exit "kill $agent 2>/dev/null; wait $agent 2>/dev/null"
wait_for 600 grep -q '"agent-start"' "$OUT" 2>/dev/null || {
	cat "$TMP/agent.err"
	fail "agent did not start"
}
ev() { wait_for 300 grep -q "$1" "$OUT" || fail "no event matching $1"; }

/bin/echo bgschema-exec >/dev/null
ev '"args":\["/bin/echo","bgschema-exec"\]'
"$H/bpf_loader" bgschm1 5 1 >/dev/null || fail "bpf_loader"
"$H/bpf_loader" bgplain1 7 2 >/dev/null || fail "bpf_loader"
ev '"name":"bgschm1"'
ev '"name":"bgplain1"'
cat "$D/secret" >/dev/null # cat is not an allowed reader: a file event (alert)
ev '"type":"file",'
chmod 600 "$D/secret" # file_modify where BPF LSM is (path_chmod); nothing natively
"$TMP/forker" 3 >/dev/null
ev '"type":"limit",'
"$H/bg_net" serve tcp 127.0.0.1 "$PORT" >"$TMP/srv.out" 2>&1 &
srv=$!
wait_for 50 grep -q ready "$TMP/srv.out" || fail "server did not start"
"$TMP/netc" ping tcp 127.0.0.1 "$PORT" >/dev/null
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
ev '"type":"netban",'
# A process that read a classified file connects (alert: it goes on).
bash -c "read -r l <'$D/classified'; exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
ev '"type":"taint_set",'
ev '"type":"taint_egress",'
# TCP to B, which no allow rule admits: a net_drop.
ip netns exec "$NA" timeout 2 bash -c 'exec 3<>/dev/tcp/10.79.0.2/5000' 2>/dev/null
ev '"type":"net_drop",'
kill -TERM "$agent"
wait "$agent" || fail "agent exited with $?: $(cat "$TMP/agent.err")"
grep -q '"events-final"' "$OUT" || fail "no final stats line"

# ---- run: syscall and network ------------------------------------------------
"$BPFGUARD" profile -o "$TMP/true.yaml" -- /bin/true >/dev/null 2>&1 || fail "profile /bin/true"
socat TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr,fork EXEC:true </dev/null >/dev/null 2>&1 &
at_exit "kill $! 2>/dev/null"
wait_for 50 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || fail "no TCP server"
"$BPFGUARD" run --policy "$TMP/true.yaml" --action alert --json --output "$TMP/run.json" -- \
	bash -c "umask 022; exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>"$TMP/run.err" ||
	fail "run failed: $(cat "$TMP/run.err")"

# ---- monitor: policy_exec, policy_file, syscall, network --------------------
SH=$TMP/sh
cp "$(readlink -f /bin/sh)" "$SH"
"$BPFGUARD" profile -o "$TMP/sh.yaml" -- "$SH" -c : >/dev/null 2>&1 || fail "profile sh"
"$BPFGUARD" monitor --policy "$TMP/sh.yaml" --exe "$SH" --json --output "$TMP/mon.json" \
	2>"$TMP/mon.err" &
mon=$!
at_exit "kill -INT $mon 2>/dev/null"
wait_for 600 grep -qs '^bpfguard: monitoring' "$TMP/mon.err" || fail "monitor did not start: $(cat "$TMP/mon.err")"
"$SH" -c "umask 022; cat /etc/hostname >/dev/null; exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
"$SH" -c "/bin/echo x >/dev/null; exec /bin/cat /etc/hostname" >/dev/null
wait_for 300 grep -q '"type":"policy_file"' "$TMP/mon.json" || fail "monitor: no policy_file event"
kill -INT "$mon"
wait "$mon" || fail "monitor exited with $?: $(cat "$TMP/mon.err")"

python3 - "$DOC" "$OUT" "$TMP/run.json" "$TMP/mon.json" <<'PY' || fail "events and docs/events.md disagree"
import json, re, sys

doc = open(sys.argv[1]).read()

def tables(text):
    """Every markdown table: (header cells, rows of cells)."""
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cur is None:
                cur = (cells, [])
                out.append(cur)
            elif not set("".join(cells)) <= set("-: |"):
                cur[1].append(cells)
        else:
            cur = None
    return out

def names(cell):
    """Backticked field names, a.{b,c} expanded; values like `yes` skipped."""
    out = []
    for n in re.findall(r"`([^`]+)`", cell):
        m = re.fullmatch(r"([\w.@]*)\{([\w,]+)\}", n)
        if m:
            out += [m.group(1) + x for x in m.group(2).split(",")]
        elif re.fullmatch(r"@?[\w]+(\.[\w]+)*", n):
            out.append(n)
    return out

common, types, lines = None, {}, {}
for head, rows in tables(doc):
    if head[:3] == ["field", "type", "present"]:
        common = [(names(r[0]), r[2]) for r in rows]
    elif head[:4] == ["type", "id", "process fields", "always present, besides the common fields"]:
        for r in rows:
            types[names(r[0])[0]] = (r[2] == "yes", names(r[3]))
    elif head[:3] == ["type", "line", "always present"]:
        for r in rows:
            lines[names(r[0])[0]] = names(r[2])
if not common or not types or not lines:
    sys.exit("docs/events.md: a schema table is missing (common %d, types %d, lines %d)"
             % (bool(common), len(types), len(lines)))

def has(ev, path):
    for k in path.split("."):
        if not isinstance(ev, dict) or k not in ev:
            return False
        ev = ev[k]
    return True

seen, bad = {}, []
for path in sys.argv[2:]:
    for n, line in enumerate(open(path), 1):
        if not line.startswith("{"):
            continue
        ev = json.loads(line)
        t = ev.get("bpfguard", {}).get("type")
        want = []
        if t in lines:
            want = lines[t]
        elif t in types:
            proc, own = types[t]
            for fields, present in common:
                if (present == "always" or (present == "with a process" and proc)
                        or (present == "alerts" and ev["event"]["kind"] == "alert")):
                    want += fields
            want += own
        else:
            bad.append("%s:%d: bpfguard.type %r is not in docs/events.md" % (path, n, t))
            continue
        seen[t] = seen.get(t, 0) + 1
        for f in want:
            if not has(ev, f):
                bad.append("%s:%d: %s event without %s: %s" % (path, n, t, f, line.strip()[:300]))
for b in bad[:20]:
    print(b)
print("checked: " + ", ".join("%s %d" % kv for kv in sorted(seen.items())))
expect = {"exec", "exit", "bpf_load", "file", "limit", "netban", "net_drop",
          "syscall", "network", "policy_exec", "policy_file", "stats", "agent",
          "taint_set", "taint_egress"}
missing = expect - set(seen)
if missing:
    sys.exit("no events of type %s" % ", ".join(sorted(missing)))
if bad:
    sys.exit("%d events miss documented fields" % len(bad))
PY
