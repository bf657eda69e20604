#!/bin/bash
# bench/refusals: what `bpfguard run` with Landlock enforcing files costs an
# open+close loop of another process (a bystander) now that run watches the
# return of the file calls for Landlock's EACCES (bpf/refusals.bpf.c:
# syscalls:sys_exit_open*, execve*, unlink*, mkdir*, rmdir; the program
# compares the return value first and leaves). Prints ns per iteration, best
# of ROUNDS, interleaved: bare, and while a run holds `sleep`.
#   bench/refusals/bystander.sh            (after make tests; root)
. "$(dirname "$0")/../../tests/lib.sh"
need_root
B=$BUILD/bench/syscalls/bench_syscalls
N=${N:-100000}
ROUNDS=${ROUNDS:-8}
[ -x "$B" ] || fail "no $B (make tests)"
"$BPFGUARD" profile -o "$TMP/p.yaml" -- /bin/sleep 0.1 >/dev/null 2>&1 || fail "profile"
grep -q '^files:' "$TMP/p.yaml" || fail "no files section"
best() { sort -n | head -1; }
for r in $(seq "$ROUNDS"); do
	"$B" --loop openclose "$N" >>"$TMP/bare"
	: >"$TMP/by.err"
	"$BPFGUARD" run --policy "$TMP/p.yaml" --output "$TMP/by.ev" -- /bin/sleep 60 2>"$TMP/by.err" &
	by=$!
	wait_for 300 grep -q enforcing "$TMP/by.err" || fail "run did not start: $(cat "$TMP/by.err")"
	"$B" --loop openclose "$N" >>"$TMP/bystander"
	kill "$by" 2>/dev/null
	wait "$by" 2>/dev/null
done
b=$(best <"$TMP/bare")
y=$(best <"$TMP/bystander")
echo "open+close, ns per iteration, best of $ROUNDS x $N (load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "bare      $b"
echo "bystander $y  ratio $(awk -v a="$y" -v b="$b" 'BEGIN { printf "%.3f", a / b }')"
