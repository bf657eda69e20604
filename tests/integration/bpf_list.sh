#!/bin/bash
# `bpfguard bpf list --json` on loaders written by others (bpftrace, bcc's
# syscount): id, type, name, tag, uid, map ids and load time must equal
# what bpftool reports; the loader's pid, comm and exe must be found; the
# helper and kfunc call counts must equal the calls in bpftool's xlated
# dump, and the helpers the bpftrace program is known to call must be named.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd bpftool
need_cmd python3
need_cmd bpftrace

cat > "$TMP/t.bt" <<'BT'
tracepoint:syscalls:sys_enter_execve { printf("exec by %s pid %d\n", comm, pid); }
tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }
BT
bpftrace "$TMP/t.bt" >"$TMP/bt.out" 2>&1 &
bt=$!
at_exit "kill $bt 2>/dev/null; wait $bt 2>/dev/null"
have_progs() { [ "$(grep -c '^[0-9]*: tracepoint' <(bpftool prog list 2>/dev/null))" -ge 2 ] &&
	grep -q Attaching "$TMP/bt.out"; }
wait_for 600 have_progs || fail "bpftrace did not load its programs: $(tail -3 "$TMP/bt.out")"

"$BPFGUARD" bpf list --json > "$TMP/list.json" || fail "bpf list --json failed"
"$BPFGUARD" bpf list > "$TMP/list.txt" || fail "bpf list failed"
bpftool -j prog list > "$TMP/bpftool.json" || fail "bpftool prog list failed"
for id in $(python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(open(sys.argv[1]))))' "$TMP/bpftool.json"); do
	bpftool prog dump xlated id "$id" > "$TMP/$id.xl" 2>/dev/null
done

python3 - "$TMP" "$bt" <<'PY'
import json, os, re, sys
d, btpid = sys.argv[1], int(sys.argv[2])
ours = {p["id"]: p for p in json.load(open(os.path.join(d, "list.json")))}
theirs = json.load(open(os.path.join(d, "bpftool.json")))
bad, checked, bt_progs = [], 0, 0
for t in theirs:
    o = ours.get(t["id"])
    if o is None:
        continue   # loaded after our listing
    checked += 1
    for k in ("type", "name", "tag", "uid", "map_ids"):
        tv = t.get(k, [] if k == "map_ids" else "")
        if o[k if k != "uid" else "uid"] != tv:
            bad.append("prog %d: %s ours %r bpftool %r" % (t["id"], k, o[k], tv))
    # bpftool prints loaded_at as epoch seconds computed the same way.
    import calendar, time
    ot = calendar.timegm(time.strptime(o["loaded_at"], "%Y-%m-%dT%H:%M:%SZ"))
    if abs(ot - t["loaded_at"]) > 2:
        bad.append("prog %d: loaded_at %d vs %d" % (t["id"], ot, t["loaded_at"]))
    calls = 0
    p = os.path.join(d, "%d.xl" % t["id"])
    if os.path.exists(p):
        calls = sum(1 for l in open(p) if re.search(r"\) call (?!pc)\S+#-?\d+$", l))
    ncalls = o["helper_calls"] + o["kfunc_calls"]
    if os.path.exists(p) and ncalls != calls:
        bad.append("prog %d: %d helper+kfunc calls, bpftool's dump has %d" % (t["id"], ncalls, calls))
    if any(l["pid"] == btpid for l in o["loaders"]):
        bt_progs += 1
        ld = [l for l in o["loaders"] if l["pid"] == btpid][0]
        if ld["comm"] != "bpftrace" or not ld["exe"].endswith("/bpftrace"):
            bad.append("prog %d: loader %r is not bpftrace" % (t["id"], ld))
        h = o["helpers"]
        print("bpftrace prog %d %s: helpers %r" % (t["id"], t["name"], h))
        if t["name"].startswith("sys_enter_execv") or "execve" in t["name"]:
            for need in ("get_current_comm", "get_current_pid_tgid"):
                if not h.get(need):
                    bad.append("prog %d (%s): helper %s not counted: %r" % (t["id"], t["name"], need, h))
            if not (h.get("perf_event_output") or h.get("ringbuf_output")):
                bad.append("prog %d: printf's output helper not counted: %r" % (t["id"], h))
        if "openat" in t["name"] and not h.get("map_lookup_elem") and not h.get("map_update_elem"):
            bad.append("prog %d (%s): count() map helpers not counted: %r" % (t["id"], t["name"], h))
print("checked %d programs, %d held by bpftrace pid %d" % (checked, bt_progs, btpid))
for b in bad:
    print("MISMATCH:", b)
if bad or bt_progs < 2:
    sys.exit(1)
PY
grep -q "pid $bt bpftrace /usr/bin/bpftrace" "$TMP/list.txt" || fail "text listing lacks the bpftrace loader"
