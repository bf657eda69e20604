#!/bin/bash
# The BPF load guard with BPF LSM (the VM's 6.1 kernel): lsm/bpf sees every
# BPF_PROG_LOAD once the kernel copied attr, and a deny rule fails the call
# with EPERM before the verifier runs; the loader lives on. A kill rule
# also kills it. lsm/bpf_prog re-checks the kernel's own copy of the
# instructions at the end of the load: instructions lsm/bpf could not read
# (a file mapping never touched) are still counted there and denied. Loaders: our own raw-syscall bpf_loader and, when it is
# in the VM, Debian's bpftrace.
# needs: lsm
# vm-files: $BUILD/tests/helpers/bpf_loader /usr/bin/bpftrace
. "$(dirname "$0")/../lib.sh"
need_root
LOADER=${BUILD}/tests/helpers/bpf_loader
[ -x "$LOADER" ] || LOADER=/build/tests/helpers/bpf_loader
[ -x "$LOADER" ] || fail "no bpf_loader (make tests)"

cat >"$TMP/p.yaml" <<'EOF'
rules:
  - name: deny-bgdeny
    action: deny
    prog_name: "bgdeny*"
  - name: deny-many-prandom
    action: deny
    helpers: ["bpf_get_prandom_u32 >= 3"]
  - name: deny-many-ktime
    action: deny
    helpers: ["bpf_ktime_get_ns >= 3"]
  - name: kill-bgkill
    action: kill
    prog_name: "bgkill*"
  - name: deny-openat-tracing
    action: deny
    types: [tracepoint]
    prog_name: "sys_enter_opena*"
EOF
: >"$TMP/w.err"
"$BPFGUARD" bpf watch --json --patterns "$TMP/p.yaml" >"$TMP/w.json" 2>"$TMP/w.err" &
watch=$!
at_exit "kill $watch 2>/dev/null"
wait_for 300 grep -q 'watching BPF loads' "$TMP/w.err" || fail "watch did not start: $(cat "$TMP/w.err")"
grep -q 'lsm/bpf' "$TMP/w.err" || fail "the guard did not use lsm/bpf: $(cat "$TMP/w.err")"

# A name rule: EPERM, the loader itself is fine.
"$LOADER" bgdeny_one 5 1 >"$TMP/l1.out"
rc=$?
[ "$rc" = 1 ] || fail "bgdeny_one: exit $rc ($(cat "$TMP/l1.out")), expected 1 (EPERM)"
# A helper-count rule: 2 calls pass, 3 are denied.
"$LOADER" bgok_two 7 2 >"$TMP/l2.out" || fail "bgok_two (2 prandom calls) refused: $(cat "$TMP/l2.out")"
"$LOADER" bgthree 7 3 >"$TMP/l3.out"
rc=$?
[ "$rc" = 1 ] || fail "bgthree (3 prandom calls): exit $rc ($(cat "$TMP/l3.out")), expected EPERM"
# 3 calls of ktime_get_ns from a file mapping the loader never touched: lsm/bpf
# cannot read them (non-faulting read), the re-check of the kernel's own
# copy at lsm/bpf_prog counts them and fails the load.
"$LOADER" bgmmap 5 3 0 mmap >"$TMP/l5.out"
rc=$?
[ "$rc" = 1 ] || fail "bgmmap (3 calls, unreadable at lsm/bpf): exit $rc ($(cat "$TMP/l5.out")), expected EPERM"
"$LOADER" bgmmap_ok 5 2 0 mmap >"$TMP/l6.out" || fail "bgmmap_ok (2 calls, mmap) refused"
# kill: SIGKILL and EPERM.
"$LOADER" bgkill_me 5 1 >"$TMP/l4.out"
rc=$?
[ "$rc" = 137 ] || fail "bgkill_me: exit $rc ($(cat "$TMP/l4.out")), expected 137"

bt=skipped
if command -v bpftrace >/dev/null && [ -r /sys/kernel/btf/vmlinux ]; then
	timeout 60 bpftrace -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }' \
		>"$TMP/bt.out" 2>&1
	rc=$?
	if grep -q 'Error loading program\|Operation not permitted' "$TMP/bt.out" && [ "$rc" != 0 ] &&
		[ "$rc" != 124 ]; then
		bt="denied (exit $rc)"
	else
		fail "bpftrace under deny: exit $rc: $(tail -5 "$TMP/bt.out")"
	fi
fi
sleep 0.5
kill -INT "$watch"
wait "$watch" || fail "watch exited with $?: $(cat "$TMP/w.err")"

ev() { grep '"bpf_load"' "$TMP/w.json" | grep "\"name\":\"$1\""; }
ev bgdeny_one | grep -q '"action":"deny","mechanism":"lsm".*"rule_name":"deny-bgdeny"' ||
	fail "no deny event for bgdeny_one: $(ev bgdeny_one)"
ev bgdeny_one | grep -q '"outcome":"failure"' || fail "deny event without outcome failure"
ev bgthree | grep -q '"get_prandom_u32":3.*"rule_name":"deny-many-prandom"' ||
	fail "no counted deny event for bgthree: $(ev bgthree)"
ev bgok_two | grep -q '"action":"none".*"get_prandom_u32":2' || fail "bgok_two event: $(ev bgok_two)"
ev bgmmap | grep '"stage":"lsm-bpf"' | grep -q '"read_error":true' ||
	fail "bgmmap was readable at lsm/bpf: $(ev bgmmap)"
ev bgmmap | grep '"stage":"kernel-copy"' |
	grep -q '"action":"deny","mechanism":"lsm".*"ktime_get_ns":3.*"rule_name":"deny-many-ktime"' ||
	fail "no kernel-copy deny for bgmmap: $(ev bgmmap)"
ev bgmmap_ok | grep -q '"stage":"kernel-copy"' && fail "bgmmap_ok reported at the kernel copy"
ev bgkill_me | grep -q '"action":"kill","mechanism":"lsm"' || fail "bgkill_me event: $(ev bgkill_me)"
if [ "$bt" != skipped ]; then
	ev sys_enter_opena | grep -q '"rule_name":"deny-openat-tracing"' ||
		fail "no deny event for bpftrace's program"
fi
echo "bgdeny_one EPERM, bgthree EPERM, bgmmap EPERM at the kernel copy, bgok_two loaded,"
echo "bgkill_me killed, bpftrace: $bt"
