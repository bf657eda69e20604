#!/bin/bash
# bpfguard run on the ia32 entry: an ia32 call (int 0x80) from a 64-bit
# process is checked against the policy's ia32 list, never the native one.
# A policy profiled from native calls only has an empty ia32 list: the
# ia32 getpid fails with EPERM under deny (with an event naming the ia32
# call) and kills under kill. Kernels without ia32 emulation (int 0x80
# faults even unsandboxed) skip.
# vm: also
# vm-files: $BUILD/tests/helpers/ia32_call
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_helper IA32 ia32_call
"$IA32" int80 >/dev/null 2>&1 || skip "int 0x80 does not work on this kernel (no ia32 emulation)"

"$BPFGUARD" profile -o "$TMP/ia.yaml" -- "$IA32" native >/dev/null 2>"$TMP/prof.err" ||
	fail "profile ia32 helper: $(cat "$TMP/prof.err")"
grep -q '^  ia32: \[\]' "$TMP/ia.yaml" || fail "ia32 list not empty after a native-only profile"
"$BPFGUARD" run --policy "$TMP/ia.yaml" --json -- "$IA32" int80 >"$TMP/ia.out" 2>"$TMP/ia.ev"; rc=$?
[ $rc -ne 0 ] || fail "ia32 getpid was not stopped"
grep -q -- '-> -1 (' "$TMP/ia.out" || fail "ia32 call did not return -EPERM: $(cat "$TMP/ia.out")"
grep -q '"name":"getpid","nr":20,"abi":"ia32"' "$TMP/ia.ev" || fail "no ia32 event: $(cat "$TMP/ia.ev")"
"$BPFGUARD" run --policy "$TMP/ia.yaml" --action kill -- "$IA32" int80 >/dev/null 2>&1; rc=$?
[ $rc -eq 159 ] || fail "ia32 under kill: exit $rc"
echo "ok"
