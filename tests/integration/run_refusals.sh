#!/bin/bash
# run: a policy from one run holds on a larger input, and a seccomp kill
# names the syscall.
# - Families (docs/policy.md): python3 building a list and a bytearray,
#   profiled with 10 items, makes mremap and madvise only with 200,000; run
#   with the large input under kill and deny: same output, exit 0, no event.
#   Before families it was killed (159) at mremap.
# - PHP: grow() profiled on 10 items, run on 300,000 under kill: the
#   memory family is granted to every PHP function.
# - Under --action kill, SECCOMP_RET_KILL_PROCESS: one event (syscall chmod,
#   mechanism seccomp, action kill) and stderr names the call; before, stderr
#   said only "a syscall outside POLICY" and there was no event. The same
#   for an x32 call and, where int 0x80 works (not on the CI kernel), ia32.
# - Files refused by Landlock (--no-lsm, so Landlock enforces the files on
#   both kernels): each refusal is one run_file event, mechanism landlock,
#   naming the path and the access; before, EACCES and nothing else.
# vm-files: $BUILD/tests/helpers/kill_victim $BUILD/tests/helpers/ia32_call
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
export LC_ALL=C

PY=/usr/bin/python3
if [ -x "$PY" ]; then
	cat >"$TMP/grow.py" <<'PY'
import sys
n = int(sys.argv[1])
items = []
for i in range(n):
    items.append(i)
buf = bytearray()
for i in range(n):
    buf += b"x" * 64
print(len(items), len(buf), sum(items))
PY
	"$BPFGUARD" profile -o "$TMP/grow.yaml" -- "$PY" "$TMP/grow.py" 10 >/dev/null 2>"$TMP/perr" ||
		fail "profile failed: $(cat "$TMP/perr")"
	# The point of the test: the small run did not make the calls the large one does.
	grep -q 'mremap' "$TMP/grow.yaml" && echo "# note: the small input made mremap too"
	"$PY" "$TMP/grow.py" 200000 >"$TMP/bare.out" || fail "python3 failed bare"
	for action in kill deny; do
		"$BPFGUARD" run --policy "$TMP/grow.yaml" --action $action --json -- \
			"$PY" "$TMP/grow.py" 200000 >"$TMP/run.out" 2>"$TMP/err"
		rc=$?
		[ $rc = 0 ] || fail "$action: large input exit $rc: $(tail -3 "$TMP/err")"
		cmp -s "$TMP/bare.out" "$TMP/run.out" || fail "$action: output differs"
		! grep -q '"type":"syscall"' "$TMP/err" || fail "$action: events: $(cat "$TMP/err")"
	done
	echo "ok - python3 profiled on 10 items runs 200,000 under kill and deny (memory family)"
else
	echo "# no $PY: families checked by tests/unit/test_families only"
fi

# PHP: a function that grows an array makes mmap (and the allocator's
# prctl naming the chunk) only on a large input; per-function sets get the
# family (docs/policy.md). Before, killed in grow() at mmap (137).
PHP=$(command -v php8.2 || command -v php) && PHP=$(readlink -f "$PHP")
if [ -n "$PHP" ] && grep -qa function__entry "$PHP"; then
	cat >"$TMP/g.php" <<'PHPSRC'
<?php
function grow($n) { $a = []; for ($i = 0; $i < $n; $i++) $a[] = str_repeat("x", 40) . $i; return $a; }
$a = grow((int)$argv[1]);
echo count($a), " ", strlen(implode(",", $a)), "\n";
PHPSRC
	"$BPFGUARD" profile -o "$TMP/g.yaml" -- "$PHP" "$TMP/g.php" 10 >/dev/null 2>"$TMP/perr" ||
		fail "profile of php failed: $(cat "$TMP/perr")"
	grep -q '^    "grow": \[' "$TMP/g.yaml" || fail "grow not recorded: $(cat "$TMP/g.yaml")"
	"$PHP" "$TMP/g.php" 300000 >"$TMP/bare.out" || fail "php failed bare"
	"$BPFGUARD" run --policy "$TMP/g.yaml" --action kill --json -- "$PHP" "$TMP/g.php" 300000 \
		>"$TMP/run.out" 2>"$TMP/err"
	rc=$?
	[ $rc = 0 ] || fail "php large input: exit $rc: $(grep -v events-final "$TMP/err" | tail -3)"
	cmp -s "$TMP/bare.out" "$TMP/run.out" || fail "php: output differs"
	! grep -q '"kind":"alert"' "$TMP/err" || fail "php: events: $(cat "$TMP/err")"
	echo "ok - php grow() profiled on 10 items runs 300,000 under kill (memory family per function)"
else
	echo "# no PHP with USDT probes: PHP families checked by tests/unit/test_families only"
fi

H=$BUILD/tests/helpers/kill_victim
[ -x "$H" ] || fail "no $H (make tests)"
mkdir "$TMP/d" && touch "$TMP/d/go" "$TMP/d/mode" || fail "setup"
"$BPFGUARD" profile -o "$TMP/kv.yaml" -- "$H" none "$TMP/d/go" "$TMP/d" 0 >/dev/null 2>&1 ||
	fail "profile of kill_victim failed"
# Syscalls only: the kill is seccomp's, whatever enforces files on this kernel.
{ echo "version: 1"; sed -n '/^syscalls:/,/^$/p' "$TMP/kv.yaml"; } >"$TMP/sys.yaml"
! grep -q chmod "$TMP/sys.yaml" || fail "chmod in the profile of 'none'"
"$BPFGUARD" run --policy "$TMP/sys.yaml" --action kill --json -- \
	"$H" chmod "$TMP/d/go" "$TMP/d" 0 >/dev/null 2>"$TMP/err"
rc=$?
[ $rc = 159 ] || fail "chmod under kill: exit $rc, expected 159: $(cat "$TMP/err")"
grep -q "killed by seccomp (SIGSYS): syscall chmod (x86_64 #90) is not in $TMP/sys.yaml" \
	"$TMP/err" || fail "stderr does not name chmod: $(grep -v '^{' "$TMP/err")"
ev=$(grep '"type":"syscall"' "$TMP/err")
[ "$(echo "$ev" | grep -c .)" = 1 ] || fail "expected one syscall event: $ev"
for want in '"syscall":{"name":"chmod","nr":90,"abi":"x86_64"}' '"action":"kill"' \
	'"mechanism":"seccomp"' '"name":"policy.syscalls"' '"outcome":"failure"'; do
	echo "$ev" | grep -qF "$want" || fail "event lacks $want: $ev"
done
[ "$(stat -c %a "$TMP/d/mode")" = 644 ] || fail "chmod happened: $(stat -c %a "$TMP/d/mode")"
echo "ok - seccomp kill: event and stderr name chmod; the mode is unchanged"

# Other ABIs: the siginfo carries the architecture and the number as called.
IA=$BUILD/tests/helpers/ia32_call
"$BPFGUARD" profile -o "$TMP/ia.yaml" -- "$IA" native >/dev/null 2>&1 || fail "profile ia32_call"
{ echo "version: 1"; sed -n '/^syscalls:/,/^$/p' "$TMP/ia.yaml"; } >"$TMP/ias.yaml"
abi_kill() { # MODE ABI NR-AS-CALLED NR-SHOWN
	"$BPFGUARD" run --policy "$TMP/ias.yaml" --action kill --json -- "$IA" "$1" >/dev/null \
		2>"$TMP/err"
	rc=$?
	[ $rc = 159 ] || fail "$2 getpid under kill: exit $rc: $(cat "$TMP/err")"
	grep -q "syscall getpid ($2 #$4) is not in" "$TMP/err" ||
		fail "$2: stderr does not name getpid: $(grep -v '^{' "$TMP/err")"
	grep -qF "\"syscall\":{\"name\":\"getpid\",\"nr\":$3,\"abi\":\"$2\"}" "$TMP/err" ||
		fail "$2: no event naming getpid: $(cat "$TMP/err")"
}
abi_kill x32 x32 1073741863 39
echo "ok - seccomp kill of an x32 call names it (getpid, abi x32)"
if "$IA" int80 >/dev/null 2>&1; then
	abi_kill int80 ia32 20 20
	echo "ok - seccomp kill of an ia32 call names it (getpid, abi ia32)"
else
	echo "# int 0x80 does not work on this kernel: ia32 not checked here"
fi

mkdir "$TMP/w" && echo ok >"$TMP/w/ok" && echo secret >"$TMP/secret" || fail "setup"
"$BPFGUARD" profile -o "$TMP/sh.yaml" -- /bin/sh -c "cat $TMP/w/ok" >/dev/null 2>"$TMP/perr" ||
	fail "profile of sh failed: $(cat "$TMP/perr")"
# Files only: the run does more than the profile (busybox sh forks for it).
sed -i '/^syscalls:/,/^$/d' "$TMP/sh.yaml"
"$BPFGUARD" run --policy "$TMP/sh.yaml" --no-lsm --json -- /bin/sh -c \
	"cat $TMP/w/ok; cat $TMP/secret; echo x >$TMP/w/new; exit 0" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] || fail "run exit $rc: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = ok ] || fail "stdout: $(cat "$TMP/out")"
if grep -q '"mechanism":"lsm"' "$TMP/err"; then
	fail "--no-lsm, yet an LSM event: $(cat "$TMP/err")"
fi
if ! grep -q 'Permission denied' "$TMP/err"; then
	grep -q 'landlock' "$TMP/err" || skip "Landlock does not enforce the files here"
fi
ev=$(grep '"type":"run_file"' "$TMP/err")
want_ev() {
	echo "$ev" | grep -F "\"path\":\"$1\"" | grep -F "\"operation\":\"$2\",\"access\":\"$3\"" |
		grep -F '"mechanism":"landlock"' | grep -qF '"outcome":"failure"' ||
		fail "no Landlock event for $2 $3 $1: $(cat "$TMP/err")"
}
want_ev "$TMP/secret" open r
want_ev "$TMP/w/new" open wc
[ "$(echo "$ev" | grep -c .)" = 2 ] || fail "expected two run_file events: $ev"
[ ! -e "$TMP/w/new" ] || fail "$TMP/w/new was created"
echo "ok - Landlock refusals are events: open r of a file, open wc of a new one"
