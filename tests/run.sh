#!/bin/bash
# bpfguard's test runner: unit tests (cmocka, plus the ASan/UBSan build),
# root integration tests against the real kernel, and the tests this kernel
# cannot run (BPF LSM, fentry, kprobes) in the second-kernel VM. The VM
# and the ASan twins run beside the native tests; every test line carries
# its duration. Ends with one line: "N passed, N failed, N skipped"; exits
# non-zero on a failure. See docs/testing.md.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-}
ONLY=${ONLY:-}          # run only tests whose name matches this regex
VM_CONCURRENT=${VM_CONCURRENT:-1} # 1: the VM runs beside the native tests
pass=0 failn=0 skipn=0
skips=() failures=() vm_queue=() durs=()
start=$(date +%s)

# Wall-clock time in tenths of a second (no fork: bash's EPOCHREALTIME).
now_ds() { local t=${EPOCHREALTIME//[.,]/}; REPLY=$((t / 100000)); }
fmt_ds() { REPLY="$(($1 / 10)).$(($1 % 10))"; }

# ASan reports leaks from libbpf/libelf internals we do not own; keep the
# leak checker but do not fail on it, fail on every other report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

selected() { [ -z "$ONLY" ] || [[ "$1" =~ $ONLY ]]; }

record() { # name status reason [tenths of a second]
	local d=""
	if [ -n "${4:-}" ]; then
		fmt_ds "$4"; d=" [$REPLY s]"
		durs+=("$4 $1")
	fi
	case "$2" in
	pass) pass=$((pass + 1)); printf '  ok    %s%s\n' "$1" "$d" ;;
	skip) skipn=$((skipn + 1)); skips+=("$1: $3"); printf '  skip  %s (%s)%s\n' "$1" "$3" "$d" ;;
	*) failn=$((failn + 1)); failures+=("$1"); printf '  FAIL  %s %s%s\n' "$1" "$3" "$d" ;;
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

# Each test under a generous limit: the machine may be loaded, and a
# test waits for what it needs by observing it, so a slow run costs time,
# never a false failure.
INTEG_TIMEOUT=${INTEG_TIMEOUT:-600}
# exec_integ PATH BINARY OUTFILE CWD: run one test; sets R_RC, R_T (tenths).
exec_integ() {
	local abs t0
	abs=$(realpath "$1")
	now_ds; t0=$REPLY
	(cd "$4" && BPFGUARD=$2 BUILD=$PWD_BUILD SRC=$SRC timeout "$INTEG_TIMEOUT" "$abs") >"$3" 2>&1
	R_RC=$?
	now_ds; R_T=$((REPLY - t0))
}
report_integ() { # label rc tenths outfile
	local reason
	case $2 in
	0) record "$1" pass "" "$3" ;;
	77) reason=$(grep '^SKIP: ' "$4" | tail -1); record "$1" skip "${reason#SKIP: }" "$3" ;;
	124) record "$1" fail "(timeout after ${INTEG_TIMEOUT}s)" "$3"; sed 's/^/      /' "$4" | tail -40 ;;
	*) record "$1" fail "(exit $2)" "$3"; sed 's/^/      /' "$4" | tail -40 ;;
	esac
}
run_integ() { # path label binary
	exec_integ "$1" "$3" "$TMPDIR_RUN/out" "$TMPDIR_RUN/native"
	report_integ "$2" "$R_RC" "$R_T" "$TMPDIR_RUN/out"
}

echo "== integration tests (root, this kernel)"
integ_start=$(date +%s)
PWD_BUILD=$(cd "$BUILD" && pwd)
SRC=$PWD
TMPDIR_RUN=$(mktemp -d); trap 'rm -rf "$TMPDIR_RUN"' EXIT
mkdir "$TMPDIR_RUN/native" "$TMPDIR_RUN/asan"
tests=() native=() twins=()
for t in tests/integration/*.sh "$BUILD"/tests/integration/*; do
	[ -f "$t" ] && [ -x "$t" ] && tests+=("$t")
done
# First the routing: what runs here, what in the VM (which may then start
# while the native tests run).
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
	native+=("$t")
	# Tests marked "asan: yes" run again against the ASan/UBSan binary.
	if [ -n "$ASAN_BUILD" ] && [ -x "$ASAN_BUILD/bpfguard" ] && [[ "$t" == *.sh ]] &&
		grep -q '^# asan: yes' "$t"; then
		twins+=("$t")
	fi
	# "vm: also": BPF that must pass the second kernel's verifier too.
	# (a C test declares it in its source, in a comment line " * vm: also").
	vmsrc=$t; [[ "$t" == *.sh ]] || vmsrc=tests/integration/$(basename "$t").c
	grep -qE '^(#| \*) vm: also' "$vmsrc" 2>/dev/null && vm_queue+=("$t")
done

# The VM: one qemu (TCG, one vCPU) for the whole queue. Beside the native
# tests it uses the second core while they mostly wait, which takes its
# whole duration off the run; VM_CONCURRENT=0 runs it after them.
vm_pid="" vm_start=""
vm_launch() {
	vm_start=$(date +%s)
	{
		BUILD=$BUILD tests/vm/vm.sh run "${vm_queue[@]}" >"$TMPDIR_RUN/vm.out" 2>&1
		echo $? >"$TMPDIR_RUN/vm.rc"
		date +%s >"$TMPDIR_RUN/vm.end"
	} &
	vm_pid=$!
}
if [ ${#vm_queue[@]} -gt 0 ] && [ -x tests/vm/vm.sh ] && [ "$VM_CONCURRENT" = 1 ]; then
	echo "  (the VM runs ${#vm_queue[@]} tests in the background; results below)"
	vm_launch
fi

# The ASan/UBSan twins: a second stream beside the native one
# (ASAN_CONCURRENT=0: each right after its native run). Tests already hold
# with other test runs on the host (unique names, their own processes
# only), and a twin mostly waits as its native run does.
ASAN_CONCURRENT=${ASAN_CONCURRENT:-1}
asan_bin=""
[ -n "$ASAN_BUILD" ] && asan_bin="$(cd "$ASAN_BUILD" 2>/dev/null && pwd)/bpfguard"
# For tests that run both builds themselves (bpf_dump_agree).
[ -x "$asan_bin" ] && export BG_ASAN_BPFGUARD=$asan_bin
asan_pid=""
if [ ${#twins[@]} -gt 0 ] && [ "$ASAN_CONCURRENT" = 1 ]; then
	echo "  (${#twins[@]} ASan/UBSan twins run beside these; results below)"
	(
		i=0
		for t in "${twins[@]}"; do
			i=$((i + 1))
			exec_integ "$t" "$asan_bin" "$TMPDIR_RUN/asan.$i.out" "$TMPDIR_RUN/asan"
			echo "$R_RC $R_T asan/$(basename "$t" .sh) $TMPDIR_RUN/asan.$i.out" >>"$TMPDIR_RUN/asan.results"
		done
	) &
	asan_pid=$!
fi

for t in "${native[@]}"; do
	name=$(basename "$t" .sh)
	run_integ "$t" "$name" "$PWD_BUILD/bpfguard"
	if [ -z "$asan_pid" ] && [[ " ${twins[*]} " == *" $t "* ]]; then
		run_integ "$t" "asan/$name" "$asan_bin"
	fi
done
if [ -n "$asan_pid" ]; then
	wait "$asan_pid"
	echo "== integration tests, ASan/UBSan build (beside the native ones)"
	while read -r rc ds label out; do
		report_integ "$label" "$rc" "$ds" "$out"
	done <"$TMPDIR_RUN/asan.results"
	# A twin without a result (the stream died) is a failure by name.
	for t in "${twins[@]}"; do
		grep -q " asan/$(basename "$t" .sh) " "$TMPDIR_RUN/asan.results" 2>/dev/null ||
			record "asan/$(basename "$t" .sh)" fail "(no result)"
	done
fi
integ_secs=$(($(date +%s) - integ_start))

vm_secs=""
if [ ${#vm_queue[@]} -gt 0 ]; then
	echo "== VM tests (second kernel, qemu TCG)"
	if [ ! -x tests/vm/vm.sh ]; then
		for t in "${vm_queue[@]}"; do record "vm/$(basename "$t" .sh)" skip "VM rig missing"; done
	else
		[ -n "$vm_pid" ] || vm_launch
		wait "$vm_pid"
		vm_rc=$(cat "$TMPDIR_RUN/vm.rc" 2>/dev/null || echo 2)
		vm_secs=$(($(cat "$TMPDIR_RUN/vm.end" 2>/dev/null || date +%s) - vm_start))
		vm_out=$(cat "$TMPDIR_RUN/vm.out")
		grep -v -e '^VMRESULT ' -e '^VMTIME ' <<<"$vm_out" | sed 's/^/      /' | tail -60
		declare -A vm_time=() vm_seen=()
		while read -r _ name secs; do
			vm_time[$name]=$((10#${secs/./}))
		done < <(grep '^VMTIME ' <<<"$vm_out")
		while read -r _ name status reason; do
			vm_seen[$name]=1
			label=vm/${name%.sh}
			case "$status" in
			PASS) record "$label" pass "" "${vm_time[$name]:-}" ;;
			SKIP) record "$label" skip "$reason" "${vm_time[$name]:-}" ;;
			*) record "$label" fail "$reason" "${vm_time[$name]:-}" ;;
			esac
		done < <(grep '^VMRESULT ' <<<"$vm_out")
		# A test the rig gave no result for is a failure by name, not lost.
		for t in "${vm_queue[@]}"; do
			[ -n "${vm_seen[$(basename "$t")]:-}" ] ||
				record "vm/$(basename "$t" .sh)" fail "not run (the VM rig failed: exit $vm_rc)"
		done
		if [ "$vm_rc" -ge 2 ]; then
			record "vm" fail "(the VM did not complete: exit $vm_rc)"
		fi
	fi
fi

echo
echo "duration: $(( $(date +%s) - start )) s (integration ${integ_secs} s${vm_secs:+, VM ${vm_secs} s$([ "$VM_CONCURRENT" = 1 ] && echo ", beside the integration tests")})"
if [ ${#durs[@]} -gt 0 ]; then
	printf 'slowest:'
	while read -r ds name; do fmt_ds "$ds"; printf ' %s %s s,' "$name" "$REPLY"; done \
		< <(printf '%s\n' "${durs[@]}" | sort -rn | head -8) | sed 's/,$//'
	echo
fi
for s in "${skips[@]}"; do echo "skipped: $s"; done
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
