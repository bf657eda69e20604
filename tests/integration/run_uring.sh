#!/bin/bash
# io_uring under `bpfguard run`: an IORING_OP_OPENAT runs in the kernel's
# io_uring context, so the syscall allowlist (seccomp) never sees it, and
# `profile` (syscall tracepoints) does not record it; the file list still
# holds it, since file_open is checked for io_uring too: Landlock refuses it
# natively (EACCES, no event), BPF LSM in the VM (EPERM, run_file event).
# vm-files: $BUILD/tests/helpers/uring_open
# vm: also
. "$(dirname "$0")/../lib.sh"
need_root
U=$BUILD/tests/helpers/uring_open
D=$TMP/d
mkdir -p "$D"
echo ok-data >"$D/ok"
echo secret-data >"$D/secret"
out=$("$U" "$D/ok")
[ "$out" = "open: 0 ok-data" ] || skip "io_uring unavailable here: $out"

"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$U" "$D/ok" >/dev/null 2>&1 || fail "profile"
grep -q "^ *- $D/ok:" "$TMP/p.yaml" && fail "profile recorded the io_uring open (it cannot see it)"
# The open the profile could not see, added by hand.
sed -i "/^files:/a\\- $D/ok: r" "$TMP/p.yaml"
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" --json --output "$TMP/e1" -- "$U" "$D/ok" 2>&1)
[[ $out == *"open: 0 ok-data"* ]] && [ ! -s "$TMP/e1" ] || fail "in-policy io_uring open: $out $(cat "$TMP/e1")"
M=landlock
[[ $out == *"files: lsm"* ]] && M=lsm
[ $M = lsm ] || [ -z "$BG_IN_VM" ] || fail "the VM kernel has BPF LSM: $out"

# Same syscalls, another file: seccomp passes it, the file list refuses it.
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" --json --output "$TMP/e2" -- "$U" "$D/secret" 2>&1)
if [ $M = lsm ]; then
	[[ $out == *"open: -1"* ]] || fail "lsm: the io_uring open was not refused with EPERM: $out"
	grep -F "\"path\":\"$D/secret\",\"operation\":\"open\"" "$TMP/e2" | grep -q '"mechanism":"lsm"' ||
		fail "lsm: no event: $(cat "$TMP/e2")"
else
	[[ $out == *"open: -13"* ]] && [ ! -s "$TMP/e2" ] || fail "landlock: not refused with EACCES: $out"
fi

# The syscall allowlist alone does not see the operation: the open succeeds.
sed '/^executables:/,$d' "$TMP/p.yaml" >"$TMP/sys.yaml"
out=$("$BPFGUARD" run --policy "$TMP/sys.yaml" --json --output "$TMP/e3" -- "$U" "$D/secret" 2>&1)
[[ $out == *"open: 0 secret-data"* ]] && [ ! -s "$TMP/e3" ] ||
	fail "expected seccomp not to see the io_uring open: $out $(cat "$TMP/e3")"
echo "mechanism $M: io_uring open refused by the file list, invisible to seccomp"
