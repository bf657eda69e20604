#!/bin/bash
# The BPF load guard natively (tp_btf sys_enter), against loaders written by
# others: Debian's bpftrace and bcc (exitsnoop-bpfcc).
#  1. watch: each load is reported with the loader's pid and executable, the
#     program's name, type, license, and a helper histogram that agrees
#     with `bpfguard bpf list` (the kernel's xlated copy) for every helper
#     the verifier does not inline or rewrite.
#  2. kill: a pattern naming the program kills the loader at the syscall
#     (exit status 137), the event says kill/tracepoint with the rule, and
#     the program is not left loaded (bpftool prog show).
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd bpftool
need_cmd bpftrace
need_cmd python3

BT='tracepoint:syscalls:sys_enter_openat { @[comm] = count(); printf("%s\n", comm); }'

watch() { # out-file [watch options]: start the guard, wait until it attached
	local out=$1; shift
	: >"$out.err"
	"$BPFGUARD" bpf watch --json "$@" >"$out" 2>"$out.err" &
	WATCH=$!
	at_exit "kill $WATCH 2>/dev/null"
	wait_for 100 grep -q 'watching BPF loads' "$out.err" || fail "watch did not start: $(cat "$out.err")"
}

stop_watch() {
	kill -INT "$WATCH" 2>/dev/null
	wait "$WATCH" || fail "watch exited with $?: $(cat "$1.err")"
}

# ---- 0. malformed patterns: refused with FILE:LINE:COL, nothing started ----
printf 'rules:\n  - name: x\n    helpers: ["bpf_probe_write_usr >= 1"]\n' >"$TMP/bad.yaml"
out=$("$BPFGUARD" bpf watch --patterns "$TMP/bad.yaml" --duration 1 2>&1) && fail "bad patterns accepted"
grep -q "bad.yaml:3:15: helpers: unknown helper 'bpf_probe_write_usr'" <<<"$out" || fail "error: $out"
printf 'guards:\n  bpf_load:\n    patterns: bad.yaml\n' >"$TMP/agent-bad.yaml"
out=$("$BPFGUARD" agent --config "$TMP/agent-bad.yaml" --check 2>&1) && fail "agent --check accepted bad patterns"
grep -q "agent-bad.yaml:3:15: patterns: .*bad.yaml:3:15: helpers: unknown helper" <<<"$out" ||
	fail "agent error: $out"

# ---- 1. metadata and helper counts -----------------------------------------
watch "$TMP/w.json"
bpftrace -e "$BT" >"$TMP/bt.out" 2>&1 &
btpid=$!
at_exit "kill $btpid 2>/dev/null"
wait_for 300 sh -c "bpftool prog show | grep -q 'name sys_enter_opena'" || fail "bpftrace did not load"

bcc=no
if command -v exitsnoop-bpfcc >/dev/null; then
	(bcc_run exitsnoop-bpfcc) >"$TMP/bcc.out" 2>&1 &
	bccpid=$!
	at_exit "kill $bccpid 2>/dev/null"
	# exitsnoop prints its header once its program is attached.
	bcc_up() { grep -q PCOMM "$TMP/bcc.out" || ! kill -0 $bccpid 2>/dev/null; }
	if wait_for 400 bcc_up && grep -q PCOMM "$TMP/bcc.out"; then
		bcc=yes
	else
		echo "note: exitsnoop-bpfcc did not load: $(tail -3 "$TMP/bcc.out")"
	fi
fi
"$BPFGUARD" bpf list --json >"$TMP/list.json" || fail "bpf list failed"
sleep 0.5
stop_watch "$TMP/w.json"

python3 - "$TMP/w.json" "$TMP/list.json" "$btpid" "${bccpid:-0}" "$bcc" <<'PY' || fail "watch and list disagree"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if '"bpf_load"' in l]
progs = json.load(open(sys.argv[2]))
btpid, bccpid, want_bcc = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "yes"
# Helpers the 6.x verifier inlines or turns into other calls: only "<=".
inlined = {"map_lookup_elem", "map_update_elem", "map_delete_elem", "get_smp_processor_id",
           "loop", "jiffies64", "get_current_task", "get_current_task_btf", "get_func_ip",
           "get_func_arg", "get_func_ret", "get_func_arg_cnt", "perf_event_read_value",
           "ktime_get_ns", "get_current_pid_tgid", "get_current_uid_gid"}
checked = 0
for pid, exe_part in ((btpid, "bpftrace"), (bccpid, "python3")):
    if pid == btpid or want_bcc:
        mine = [p for p in progs if any(l["pid"] == pid for l in p["loaders"])]
        if not mine:
            sys.exit("no loaded program of pid %d in bpf list" % pid)
        for p in mine:
            evs = [e for e in events if e["process"]["pid"] == pid
                   and e["bpfguard"]["prog"]["name"] == p["name"]
                   and e["bpfguard"]["prog"]["type"] == p["type"]]
            if not evs:
                sys.exit("prog %s (%s) of pid %d: no bpf_load event" % (p["name"], p["type"], pid))
            e = evs[-1]
            b = e["bpfguard"]
            if exe_part not in e["process"]["executable"]:
                sys.exit("loader executable %s, expected %s" % (e["process"]["executable"], exe_part))
            if b["prog"]["insns_scanned"] != b["prog"]["insn_cnt"]:
                sys.exit("scanned %d of %d" % (b["prog"]["insns_scanned"], b["prog"]["insn_cnt"]))
            if b["prog"]["license"] != "GPL":
                sys.exit("license %r" % b["prog"]["license"])
            ours, theirs = b["helpers"], p["helpers"]
            for h in set(ours) | set(theirs):
                o, t = ours.get(h, 0), theirs.get(h, 0)
                if h in inlined:
                    ok = t <= o
                else:
                    ok = t == o
                if not ok:
                    sys.exit("prog %s helper %s: watch %d, xlated %d" % (p["name"], h, o, t))
            print("pid %d prog %-16s %-10s insns %4d helpers %s" %
                  (pid, p["name"], p["type"], b["prog"]["insn_cnt"], json.dumps(ours, sort_keys=True)))
            checked += 1
# bpftrace's program, and bcc's when exitsnoop came up (on a loaded machine
# its compile may take longer than the wait: then bpftrace's alone).
if checked < (2 if want_bcc else 1):
    sys.exit("only %d programs compared" % checked)
PY
kill "$btpid" 2>/dev/null
[ -n "${bccpid:-}" ] && kill "$bccpid" 2>/dev/null
wait 2>/dev/null

# ---- 2. kill ---------------------------------------------------------------
cat >"$TMP/p.yaml" <<'EOF'
rules:
  - name: no-openat-tracing
    action: kill
    types: [tracepoint]
    prog_name: "sys_enter_opena*"
  - name: no-exitsnoop
    action: kill
    types: [tracepoint]
    prog_name: "*sched_pr*" # bcc: sched__sched_process_exit
    helpers: ["bpf_perf_event_output"]
EOF
watch "$TMP/k.json" --patterns "$TMP/p.yaml" --matches
before=$(bpftool prog show | grep -c 'name sys_enter_opena')
# timeout: a loader the guard misses must not hang the test (it would exit 124).
timeout 60 bpftrace -e "$BT" >"$TMP/bt2.out" 2>&1
rc=$?
[ "$rc" = 137 ] || fail "bpftrace exit status $rc, expected 137 (SIGKILL): $(tail -3 "$TMP/bt2.out")"
after=$(bpftool prog show | grep -c 'name sys_enter_opena')
[ "$after" = "$before" ] || fail "a sys_enter_opena program is still loaded after the kill"

bccrc=skipped
if [ "$bcc" = yes ]; then
	nb=$(bpftool prog show | grep -c 'name tracepoint__sched__sched_process_exit')
	(bcc_run timeout 60 exitsnoop-bpfcc) >"$TMP/bcc2.out" 2>&1
	bccrc=$?
	[ "$bccrc" = 137 ] || fail "exitsnoop-bpfcc exit status $bccrc, expected 137: $(tail -3 "$TMP/bcc2.out")"
	na=$(bpftool prog show | grep -c 'name tracepoint__sched__sched_process_exit')
	[ "$na" = "$nb" ] || fail "exitsnoop's program is still loaded after the kill"
fi
sleep 0.3
stop_watch "$TMP/k.json"
python3 - "$TMP/k.json" "$bcc" <<'PY' || fail "kill events wrong"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if '"bpf_load"' in l]
for exe, rule in (("bpftrace", "no-openat-tracing"), ("python3", "no-exitsnoop")):
    if exe == "python3" and sys.argv[2] != "yes":
        continue
    mine = [e for e in evs if exe in e["process"]["executable"]]
    if not mine:
        sys.exit("no event for %s" % exe)
    pid = mine[-1]["process"]["pid"]
    b = mine[-1]["bpfguard"]
    if b["action"] != "kill" or b["mechanism"] != "tracepoint" or b.get("rule_name") != rule \
            or mine[-1]["rule"]["id"] < 1:
        sys.exit("event %s" % json.dumps(mine[-1]))
    print("pid %d killed: rule %s, prog %s" % (pid, rule, b["prog"]["name"]))
PY

# ---- 3. the agent's default config alerts on a shipped pattern -------------
# A socket filter calling bpf_probe_write_user: the verifier refuses it, but
# the attempt is seen at syscall entry and matches writes-user-memory.
LOADER=$BUILD/tests/helpers/bpf_loader
[ -x "$LOADER" ] || fail "no $LOADER (make tests)"
"$BPFGUARD" agent --config "$SRC/config/default.yaml" --json --duration 30 >"$TMP/a.json" 2>"$TMP/a.err" &
agent=$!
at_exit "kill $agent 2>/dev/null"
wait_for 150 grep -q '"agent-start"' "$TMP/a.json" || fail "agent did not start: $(cat "$TMP/a.err")"
"$LOADER" bgwriter 36 1 >/dev/null && fail "the verifier accepted probe_write_user in a socket filter"
wait_for 50 grep -q '"name":"bgwriter"' "$TMP/a.json" || fail "no event for bgwriter"
kill -INT $agent
wait $agent
grep '"name":"bgwriter"' "$TMP/a.json" |
	grep -q '"action":"alert".*"probe_write_user":1.*"rule_name":"writes-user-memory"' ||
	fail "agent event: $(grep bgwriter "$TMP/a.json")"
grep '"name":"bgwriter"' "$TMP/a.json" | grep -q '"rule":{"id":1,"name":"writes-user-memory"}' || fail "no rule object"
echo "bpftrace killed (137), exitsnoop-bpfcc: $bccrc; agent alerted on bgwriter"
