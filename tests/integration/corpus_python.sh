#!/bin/bash
# Corpus (issue 14): Debian's python3 with threads, a subprocess (a shell
# pipeline: sh, ls, grep) and a list large enough to grow the heap.
# Profiled with 2 threads on a small list, run with 8 threads on a list 4
# times larger under deny and under kill: same output as python3 without
# bpfguard, no event, exit 0. (The run found the /proc/self false positive:
# grep reads /proc/self/maps, which Landlock held on run's child's own
# /proc directory only; grep then fell back to mincore, outside the
# policy too.) Out of policy: the same program running a program it never
# ran (touch) is refused before exec, F not made, a run_file event names
# the program.
# Not in the VM: Python's standard library is tens of MB to copy, and the
# LSM path is covered by corpus_nginx and corpus_sqlite.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3 # Debian's, not a shim on PATH
[ -x $PY ] || skip "needs python3"
BPFGUARD=$(realpath "$BPFGUARD")
cat >"$TMP/w.py" <<'PY'
import subprocess, sys, threading, hashlib
n = int(sys.argv[1])
big = [i * i for i in range(n * 20000)]  # grows the heap
out = {}
def work(k):
    h = hashlib.sha256()
    for i in range(k * 1000, (k + 1) * 1000):
        h.update(str(big[i % len(big)]).encode())
    out[k] = h.hexdigest()[:16]
ts = [threading.Thread(target=work, args=(k,)) for k in range(n)]
for t in ts: t.start()
for t in ts: t.join()
r = subprocess.run("echo sub $((6 * 7)); ls / | grep -c . >/dev/null", shell=True,
                   capture_output=True, text=True, check=True)
print(r.stdout.strip(), len(big), sum(big) % 1000003)
for k in sorted(out): print(k, out[k])
if len(sys.argv) > 2:
    subprocess.run([sys.argv[2], sys.argv[3]])
PY
"$BPFGUARD" profile -o "$TMP/py.yaml" -- $PY "$TMP/w.py" 2 >"$TMP/prof.out" 2>&1 ||
	fail "profile: $(cat "$TMP/prof.out")"
grep -qx -- "- /proc/self/maps: r" "$TMP/py.yaml" || fail "grep's maps read not recorded"
$PY "$TMP/w.py" 8 >"$TMP/ref.out" 2>&1 || fail "reference: $(cat "$TMP/ref.out")"
[ "$(wc -l <"$TMP/ref.out")" = 9 ] || fail "reference: $(cat "$TMP/ref.out")"
for action in deny kill; do
	corpus_run "$TMP/py.yaml" $action "$TMP/ref.out" $PY "$TMP/w.py" 8
done

# Out of policy: a program it never ran.
: >"$TMP/ev"
"$BPFGUARD" run --policy "$TMP/py.yaml" --action deny --json --output "$TMP/ev" -- \
	$PY "$TMP/w.py" 8 /usr/bin/touch "$TMP/F" >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
[ $rc != 0 ] && [ ! -e "$TMP/F" ] || fail "touch not refused: rc $rc: $(cat "$TMP/run.err")"
grep -q '"file":{"path":"/usr/bin/touch","operation":"exec","access":"x"},"bpfguard":{"type":"run_file","action":"deny"' \
	"$TMP/ev" || fail "no event for touch: $(cat "$TMP/ev")"
echo "ok: python3 threads and subprocesses under deny and kill; an unprofiled exec refused"
