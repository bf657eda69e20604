#!/bin/bash
# bpfguard's test runner: unit tests (cmocka, plus the ASan/UBSan build),
# root integration tests against the real kernel, and the tests this kernel
# cannot run (BPF LSM, fentry, kprobes) in the second-kernel VM. Ends with
# one line: "N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-}
ONLY=${ONLY:-}          # run only tests whose name matches this regex
pass=0 failn=0 skipn=0
skips=() failures=() vm_queue=()
start=$(date +%s)

# ASan reports leaks from libbpf/libelf internals we do not own; keep the
# leak checker but do not fail on it, fail on every other report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

selected() { [ -z "$ONLY" ] || [[ "$1" =~ $ONLY ]]; }

record() { # name status reason
	case "$2" in
	pass) pass=$((pass + 1)); printf '  ok    %s\n' "$1" ;;
	skip) skipn=$((skipn + 1)); skips+=("$1: $3"); printf '  skip  %s (%s)\n' "$1" "$3" ;;
	*) failn=$((failn + 1)); failures+=("$1"); printf '  FAIL  %s %s\n' "$1" "$3" ;;
	esac
}

run_unit() { # binary label
	local out rc p f
	out=$("$1" 2>&1); rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p)); failn=$((failn + f))
	printf '  %-5s %s (%d passed, %d failed)\n' "$([ "$f" -eq 0 ] && echo ok || echo FAIL)" "$2" "$p" "$f"
	if [ "$f" -ne 0 ]; then failures+=("$2"); sed 's/^/      /' <<<"$out"; fi
}

echo "== unit tests"
for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] && selected "$(basename "$t")" && run_unit "$t" "$(basename "$t")"
done
if [ -n "$ASAN_BUILD" ] && [ -d "$ASAN_BUILD/tests/unit" ]; then
	echo "== unit tests, ASan/UBSan build"
	for t in "$ASAN_BUILD"/tests/unit/test_*; do
		[ -x "$t" ] && selected "$(basename "$t")" && run_unit "$t" "asan/$(basename "$t")"
	done
fi

# What the kernel here allows, to route tests that declare needs.
probe_json=$("$BUILD/bpfguard" probe --json 2>/dev/null)
have() { # feature
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["features"][sys.argv[2]]["available"] else 1)' "$probe_json" "$1" 2>/dev/null
}
reason_for() {
	case "$1" in
	lsm) echo "BPF LSM refused by this kernel" ;;
	fentry) echo "fentry refused by this kernel" ;;
	kprobe) echo "kprobes unavailable in this kernel" ;;
	*) echo "$1 unavailable in this kernel" ;;
	esac
}
needs_of() { # test file -> source to read the header from
	local src=$1
	case "$src" in
	*.sh) ;;
	*) src=tests/integration/$(basename "$1").c ;;
	esac
	[ -f "$src" ] && sed -n '1,20{s/^.*needs: *\([a-z_ ]*\).*$/\1/p}' "$src" | head -1
}

run_integ() { # path label binary
	local out rc reason
	local abs; abs=$(realpath "$1")
	out=$(cd "$TMPDIR_RUN" && BPFGUARD=$3 BUILD=$PWD_BUILD SRC=$SRC timeout 300 "$abs" 2>&1); rc=$?
	case $rc in
	0) record "$2" pass ;;
	77) reason=$(grep '^SKIP: ' <<<"$out" | tail -1); record "$2" skip "${reason#SKIP: }" ;;
	*) record "$2" fail "(exit $rc)"; sed 's/^/      /' <<<"$out" | tail -40 ;;
	esac
}

echo "== integration tests (root, this kernel)"
PWD_BUILD=$(cd "$BUILD" && pwd)
SRC=$PWD
TMPDIR_RUN=$(mktemp -d); trap 'rm -rf "$TMPDIR_RUN"' EXIT
tests=()
for t in tests/integration/*.sh "$BUILD"/tests/integration/*; do
	[ -f "$t" ] && [ -x "$t" ] && tests+=("$t")
done
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	selected "$name" || continue
	missing=""
	for n in $(needs_of "$t"); do have "$n" || missing=$n; done
	if [ -n "$missing" ]; then
		echo "  vm    $name (natively: $(reason_for "$missing"); runs in the VM)"
		vm_queue+=("$t")
		continue
	fi
	run_integ "$t" "$name" "$PWD_BUILD/bpfguard"
	# "vm: also": BPF that must pass the second kernel's verifier too.
	# (a C test declares it in its source, in a comment line " * vm: also").
	vmsrc=$t; [[ "$t" == *.sh ]] || vmsrc=tests/integration/$(basename "$t").c
	grep -qE '^(#| \*) vm: also' "$vmsrc" 2>/dev/null && vm_queue+=("$t")
	# Tests marked "asan: yes" run again against the ASan/UBSan binary.
	if [ -n "$ASAN_BUILD" ] && [ -x "$ASAN_BUILD/bpfguard" ] && [[ "$t" == *.sh ]] &&
		grep -q '^# asan: yes' "$t"; then
		run_integ "$t" "asan/$name" "$(cd "$ASAN_BUILD" && pwd)/bpfguard"
	fi
done

if [ ${#vm_queue[@]} -gt 0 ]; then
	echo "== VM tests (second kernel, qemu TCG)"
	if [ ! -x tests/vm/vm.sh ]; then
		for t in "${vm_queue[@]}"; do record "$(basename "$t" .sh)" skip "VM rig missing"; done
	else
		vm_out=$(BUILD=$BUILD tests/vm/vm.sh run "${vm_queue[@]}" 2>&1); vm_rc=$?
		grep -v '^VMRESULT ' <<<"$vm_out" | sed 's/^/      /' | tail -60
		seen=0
		while read -r _ name status reason; do
			seen=$((seen + 1))
			name=${name%.sh}
			case "$status" in
			PASS) record "vm/$name" pass ;;
			SKIP) record "vm/$name" skip "$reason" ;;
			*) record "vm/$name" fail "$reason" ;;
			esac
		done < <(grep '^VMRESULT ' <<<"$vm_out")
		if [ "$vm_rc" -ge 2 ] || [ "$seen" -eq 0 ]; then
			record "vm" fail "(the VM did not complete: exit $vm_rc)"
		fi
	fi
fi

echo
echo "duration: $(( $(date +%s) - start )) s"
for s in "${skips[@]}"; do echo "skipped: $s"; done
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
