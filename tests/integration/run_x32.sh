#!/bin/bash
# run: an x32 call (the x86_64 number with bit 30 set) from a 64-bit
# process is never in a policy, even when its number is (getpid here), and
# like any out-of-policy call it is an event: deny answers EPERM and
# reports it (abi x32, its name), alert reports it and lets the kernel
# answer (ENOSYS where x32 is off), kill kills. seccomp sees the call
# whether the kernel has x32 or not: the filter runs before the ABI check.
# asan: yes
# vm: also
# vm-files: $BUILD/tests/helpers/ia32_call
. "$(dirname "$0")/../lib.sh"
need_root
H=$BUILD/tests/helpers/ia32_call
[ -x "$H" ] || skip "no $H (make tests)"

plain=$("$H" x32)
echo "# unsandboxed: $plain"
"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$H" native >/dev/null 2>&1 || fail "profile failed"
grep -q 'getpid' "$TMP/p.yaml" || fail "getpid not profiled"

"$BPFGUARD" run --policy "$TMP/p.yaml" --json -- "$H" x32 >"$TMP/out" 2>"$TMP/ev"
rc=$?
[ $rc = 0 ] || fail "deny: exit $rc: $(cat "$TMP/ev")"
if grep -q 'ENOSYS' "$TMP/out" && ! grep -q '"abi":"x32"' "$TMP/ev"; then
	skip "the x32 call did not reach the seccomp filter ($(cat "$TMP/out"))"
fi
grep -q 'x32 getpid -> -1 (EPERM)' "$TMP/out" || fail "deny: the x32 call was not refused: $(cat "$TMP/out")"
grep -q '"outcome":"failure".*"syscall":{"name":"getpid","nr":1073741863,"abi":"x32"}.*"action":"deny"' \
	"$TMP/ev" || fail "deny: no x32 event: $(cat "$TMP/ev")"
[ "$(grep -c '"type":"syscall"' "$TMP/ev")" = 1 ] || fail "deny: events beyond the x32 call: $(cat "$TMP/ev")"
echo "ok - deny: x32 getpid refused with EPERM and one event"

"$BPFGUARD" run --policy "$TMP/p.yaml" --action alert --json -- "$H" x32 >"$TMP/out" 2>"$TMP/ev" ||
	fail "alert: exit $?"
grep -q '"outcome":"success".*"abi":"x32".*"action":"alert"' "$TMP/ev" || fail "alert: no event: $(cat "$TMP/ev")"
out=$(sed 's/(pid [0-9]*)//' "$TMP/out")
[ "$out" = "$(sed 's/(pid [0-9]*)//' <<<"$plain")" ] || [ "${plain#*-> -1}" = "$plain" ] ||
	fail "alert: the kernel's answer changed: '$(cat "$TMP/out")' vs '$plain'"
echo "ok - alert: reported, the kernel answered ($(cat "$TMP/out"))"

"$BPFGUARD" run --policy "$TMP/p.yaml" --action kill -- "$H" x32 >/dev/null 2>&1
rc=$?
[ $rc = 159 ] || fail "kill: exit $rc, expected 159 (SIGSYS)"
echo "ok - kill: killed at the x32 call"
