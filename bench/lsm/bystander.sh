#!/bin/bash
# bench/lsm: what `bpfguard run` under BPF LSM costs an open+close loop,
# for the sandboxed process (file_open walks the path and looks it up) and
# for a bystander (the hooks leave after a cgroup id compare). Needs a
# kernel that loads BPF LSM programs: run it in the VM rig,
#   VM_VERBOSE=1 tests/vm/vm.sh run bench/lsm/bystander.sh
# (qemu TCG: absolute times are emulated, the ratios are what to read).
# Prints ns per iteration, best of ROUNDS, interleaved.
# vm-files: $BUILD/bench/syscalls/bench_syscalls
# needs: lsm
. "$(dirname "$0")/../../tests/lib.sh"
B=$BUILD/bench/syscalls/bench_syscalls
N=${N:-20000}
ROUNDS=${ROUNDS:-5}
"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$B" --loop openclose 10 >/dev/null 2>&1 || fail "profile"
# Files and network only: syscalls stay out, so only the LSM hooks differ.
sed -n '/^version:/p; /^files:/,$p' "$TMP/p.yaml" >"$TMP/files.yaml"
"$BPFGUARD" run --policy "$TMP/files.yaml" --output "$TMP/ev" -- "$B" --loop openclose 10 \
	2>"$TMP/err" >/dev/null || fail "run: $(cat "$TMP/err")"
grep -q "files: lsm" "$TMP/err" || fail "files not under LSM: $(cat "$TMP/err")"
[ ! -s "$TMP/ev" ] || fail "events for the profiled loop: $(head -2 "$TMP/ev")"
best() { sort -n | head -1; }
for r in $(seq "$ROUNDS"); do
	"$B" --loop openclose "$N" >>"$TMP/bare"
	"$BPFGUARD" run --policy "$TMP/files.yaml" -- "$B" --loop openclose "$N" 2>/dev/null >>"$TMP/sandboxed"
	# Measured once the hooks are attached and the loader is idle (under
	# TCG loading takes long enough to steal the loop's CPU otherwise).
	"$BPFGUARD" run --policy "$TMP/files.yaml" --output "$TMP/by.ev" -- /bin/sleep 30 2>"$TMP/by.err" &
	by=$!
	wait_for 100 grep -q enforcing "$TMP/by.err" || fail "bystander: run did not start"
	sleep 0.3
	"$B" --loop openclose "$N" >>"$TMP/bystander"
	kill $by
	wait $by 2>/dev/null
done
bare=$(best <"$TMP/bare")
for k in bare sandboxed bystander; do
	v=$(best <"$TMP/$k")
	awk -v k="$k" -v v="$v" -v b="$bare" 'BEGIN { printf "  %-10s %9.1f ns  %5.2fx\n", k, v, v / b }'
done
