#!/bin/bash
# profile, then run under the policy with each action: a call outside the
# syscall allowlist fails with EPERM before it runs (deny), kills the
# process (kill: seccomp, before the call; kill-user: from bpfguard), or is
# only reported (alert). The ia32 entry: sandbox_ia32.sh.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
mkdir -p "$TMP/d" && touch "$TMP/d/f1"

"$BPFGUARD" profile -o "$TMP/ls.yaml" -- ls "$TMP/d" >/dev/null 2>"$TMP/prof.err" ||
	{ cat "$TMP/prof.err"; fail "profile failed"; }

# Open flags the kernel clears after the open (O_CREAT, O_TRUNC) are
# recorded from the call's arguments: c and t in the files section.
"$BPFGUARD" profile -o "$TMP/ct.yaml" -- sh -c ": > $TMP/created; : > $TMP/created" >/dev/null 2>&1 ||
	fail "profile of a creating shell failed"
grep -q "$TMP/created: .*c" "$TMP/ct.yaml" && grep -q "$TMP/created: .*t" "$TMP/ct.yaml" ||
	fail "creation/truncation not recorded: $(grep created "$TMP/ct.yaml")"
echo "ok - profile records c and t"
sed -n '/^syscalls:/,/^  ia32:/p' "$TMP/ls.yaml" | grep -q getdents64 || fail "getdents64 not recorded"
grep -q "^ *- /usr/bin/ls$" "$TMP/ls.yaml" || fail "ls not recorded as executable"

# In the profile: runs, same output, no event.
out=$("$BPFGUARD" run --policy "$TMP/ls.yaml" --json -- ls "$TMP/d" 2>"$TMP/ev") || fail "in-profile run failed: $(cat "$TMP/ev")"
[ "$out" = f1 ] || fail "in-profile output differs: $out"
[ ! -s "$TMP/ev" ] || fail "events for an in-profile run: $(cat "$TMP/ev")"

# ls -l needs lgetxattr/statx variants ls never made while profiled.
"$BPFGUARD" run --policy "$TMP/ls.yaml" --json -- ls -l "$TMP/d" >/dev/null 2>"$TMP/deny.ev"
grep -q 'Operation not permitted' "$TMP/deny.ev" || fail "deny: no EPERM seen by ls"
python3 - "$TMP/deny.ev" <<'PY' || fail "deny events wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
# ls -l also reads files its profile never opened: Landlock's run_file events.
ev = [e for e in ev if e["bpfguard"]["type"] == "syscall"]
assert ev, "no events"
e = ev[0]
assert e["event"]["outcome"] == "failure" and e["bpfguard"]["action"] == "deny"
assert e["bpfguard"]["mechanism"] == "seccomp" and e["rule"]["name"] == "policy.syscalls"
assert e["process"]["executable"] == "/usr/bin/ls" and e["syscall"]["abi"] == "x86_64"
print("deny:", sorted({x["syscall"]["name"] for x in ev}))
PY

"$BPFGUARD" run --policy "$TMP/ls.yaml" --action kill -- ls -l "$TMP/d" >/dev/null 2>&1; rc=$?
[ $rc -eq 159 ] || fail "kill: exit $rc, expected 159 (SIGSYS)"

"$BPFGUARD" run --policy "$TMP/ls.yaml" --action kill-user --json -- ls -l "$TMP/d" >/dev/null 2>"$TMP/ku.ev"; rc=$?
[ $rc -eq 137 ] || fail "kill-user: exit $rc, expected 137 (SIGKILL)"
grep -q '"mechanism":"user"' "$TMP/ku.ev" || fail "kill-user: no event"

out=$("$BPFGUARD" run --policy "$TMP/ls.yaml" --action alert --json -- ls -l "$TMP/d" 2>"$TMP/al.ev") || fail "alert: ls failed"
grep -q ' f1$' <<<"$out" || fail "alert: ls -l output missing"
grep -q '"outcome":"success".*"action":"alert"' "$TMP/al.ev" || fail "alert: no event"

echo "ok"
