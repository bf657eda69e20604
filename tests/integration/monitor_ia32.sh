#!/bin/bash
# bpfguard monitor --exe: a 64-bit program started after the monitor is
# picked up at exec by its executable's identity; its int 0x80 getpid is
# checked against the ia32 list of a policy profiled from native calls
# only, never the x86_64 one: alert reports it (abi ia32), kill kills it.
# Every monitor program is loaded (the policy has all sections), so this
# also proves bpf/monitor.bpf.c passes the verifier of both kernels.
# vm: also
# vm-files: $BUILD/tests/helpers/ia32_call
# asan: yes
. "$(dirname "$0")/monitor_lib.sh"
IA32=$BUILD/tests/helpers/ia32_call
[ -x "$IA32" ] || skip "no $IA32 (make tests)"
cp "$IA32" "$TMP/ia32_call" && IA32=$TMP/ia32_call # an inode of our own for --exe
"$IA32" int80 >/dev/null 2>&1 || skip "int 0x80 does not work on this kernel"
"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$IA32" native >/dev/null 2>"$TMP/prof.err" ||
	fail "profile: $(cat "$TMP/prof.err")"
grep -q '^  ia32: \[\]' "$TMP/p.yaml" || fail "ia32 list not empty after a native-only profile"
for s in syscalls executables files network; do
	grep -q "^$s:" "$TMP/p.yaml" || fail "no $s section: not every program would load"
done

start_monitor "$TMP/ev" --policy "$TMP/p.yaml" --exe "$IA32"
"$IA32" int80 >"$TMP/out" 2>&1 || fail "alert: int80 failed: $(cat "$TMP/out")"
"$IA32" native >/dev/null 2>&1 || fail "alert: native run failed"
stop_monitor "$TMP/ev"
grep '"syscall":{"name":"getpid","nr":20,"abi":"ia32"}' "$TMP/ev" >"$TMP/ia" ||
	fail "no ia32 getpid event: $(cat "$TMP/ev")"
grep -q '"outcome":"success".*"rule":{"id":1,"name":"policy.syscalls"}' "$TMP/ia" || fail "alert: event fields: $(cat "$TMP/ia")"
grep -q '"action":"alert","mechanism":"tracepoint"' "$TMP/ia" || fail "alert: action/mechanism: $(cat "$TMP/ia")"
[ "$(grep -c '"type":"syscall"' "$TMP/ev")" = 1 ] || fail "alert: events beyond the ia32 call: $(cat "$TMP/ev")"

start_monitor "$TMP/evk" --policy "$TMP/p.yaml" --action kill --exe "$IA32"
"$IA32" int80 >"$TMP/out" 2>&1
rc=$?
stop_monitor "$TMP/evk"
[ $rc = 137 ] || fail "kill: exit $rc, expected 137 (SIGKILL): $(cat "$TMP/out")"
grep -q '"outcome":"failure".*"abi":"ia32".*"action":"kill"' "$TMP/evk" || fail "kill: no event: $(cat "$TMP/evk")"
"$IA32" native >/dev/null 2>&1 || fail "native run failed once the monitor stopped"
echo ok
