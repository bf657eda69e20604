#!/bin/bash
# Entry operations through profile -> run (issue 14, items 1 and 2):
# unlink, rename, mkdir and rmdir are recorded by name, so the same run and
# a run on another input pass under the policy with no event; an unlink
# outside it is refused. A file created while profiled and absent at run
# time (nginx's pid file) gives no read of other files below its directory.
# Natively the files section is enforced by Landlock; in the VM by BPF LSM.
# vm: also
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd mv
BPFGUARD=$(realpath "$BPFGUARD")
W=$TMP/work # the working directory of the profiled shell
mkdir -p "$W/D" "$W/E" "$W/outside" # outside: beside www, below the pid's directory
echo secret-data >"$W/outside/secret"
echo keep >"$W/E/keep"
cd "$W" || fail "cd $W"

# The script: create, remove, rename, mkdir and rmdir in D, relative to the
# working directory (unlinkat(AT_FDCWD, "D/x") and kin), then read $1 lines.
cat >"$TMP/ops.sh" <<'SH'
n=$1
i=0
while [ $i -lt "$n" ]; do
	echo "line $i" >D/x
	i=$((i + 1))
done
rm D/x
echo y >D/y
mv D/y D/z
mkdir D/s
rmdir D/s
rm ./D/../D/z
echo done $n
SH

"$BPFGUARD" profile -o "$TMP/p.yaml" -- /bin/sh "$TMP/ops.sh" 1 >"$TMP/prof.out" 2>&1 ||
	fail "profile: $(cat "$TMP/prof.out")"
for want in "$W/D/x: write, create, truncate, remove" "$W/D/y: write, create, truncate, rename-from" \
	"$W/D/z: remove, rename-to" "$W/D/s/: mkdir, rmdir"; do
	grep -qxF -- "- $want" "$TMP/p.yaml" || fail "policy lacks '$want': $(grep "$W" "$TMP/p.yaml")"
done

# The same input and a larger one: no refusal, no event, same output as
# without bpfguard.
for n in 1 40; do
	run_policy "$TMP/p.yaml" "$TMP/same$n.ev" /bin/sh "$TMP/ops.sh" $n
	[ $rc = 0 ] && [[ $out == *"done $n" ]] || fail "run on input $n: rc $rc: $out"
	[ ! -s "$TMP/same$n.ev" ] || fail "events on input $n: $(cat "$TMP/same$n.ev")"
	[ -z "$(ls -A D)" ] || fail "input $n left $(ls -A D)"
done
case "$out" in
*"files: lsm"*) M=lsm ;;
*"files: landlock"*) M=landlock ;;
*) fail "no mechanism line: $out" ;;
esac
echo "mechanism for files: $M"

# Out of policy: an unlink in a directory the profile never touched.
run_policy "$TMP/p.yaml" "$TMP/rm.ev" /bin/sh -c 'rm E/keep'
[ $rc != 0 ] && [ -e E/keep ] || fail "unlink of E/keep not refused: rc $rc: $out"
if [ $M = lsm ]; then
	grep -q "\"path\":\"$W/E/keep\",\"operation\":\"unlink\",\"access\":\"remove\"" "$TMP/rm.ev" ||
		fail "no unlink event: $(cat "$TMP/rm.ev")"
fi

# No grant wider than recorded (nginx's case): a pid file written, never
# read, removed at the end, so absent when run starts, in the directory
# that also holds www/ (served) and outside/ (never read while profiled):
# outside/secret stays unreadable whether the pid file is there or not.
mkdir www
echo served >www/index
cat >"$TMP/pid.sh" <<'SH'
echo $$ >run.pid
cat www/index
rm run.pid
SH
"$BPFGUARD" profile -o "$TMP/p.yaml" -- /bin/sh "$TMP/pid.sh" >"$TMP/prof2.out" 2>&1 ||
	fail "profile pid: $(cat "$TMP/prof2.out")"
grep -qxF -- "- $W/run.pid: write, create, truncate, remove" "$TMP/p.yaml" ||
	fail "pid file entry: $(grep "$W" "$TMP/p.yaml")"
for present in no yes; do
	[ $present = yes ] && echo 1 >run.pid
	run_policy "$TMP/p.yaml" "$TMP/pid-$present.ev" /bin/sh -c ". $TMP/pid.sh; cat outside/secret"
	[[ $out == *served* ]] || fail "pid file $present: the profiled part failed: $out"
	[[ $out != *secret-data* ]] || fail "pid file $present: outside/secret read: $out"
	[[ $out == *cat:*outside/secret* ]] || fail "pid file $present: cat not refused the file: $out"
	[ ! -e run.pid ] || fail "pid file $present: run.pid left"
done

# A pid file opened for reading and writing (O_RDWR|O_CREAT) and absent at
# start: under Landlock its read is granted through the directory (a name
# that does not exist has no inode to hold a rule), so every other file
# opened there is checked by name at open's exit and the opener killed;
# under LSM the open is refused by name. Either way outside/secret is not
# read and the refusal is an event naming it.
cat >"$TMP/pid2.sh" <<'SH'
exec 3<>run.pid
echo $$ >&3
cat www/index
exec 3>&-
rm run.pid
SH
"$BPFGUARD" profile -o "$TMP/p.yaml" -- /bin/sh "$TMP/pid2.sh" >"$TMP/prof3.out" 2>&1 ||
	fail "profile pid2: $(cat "$TMP/prof3.out")"
grep -qxF -- "- $W/run.pid: read, write, create, remove" "$TMP/p.yaml" ||
	fail "pid2 file entry: $(grep "$W" "$TMP/p.yaml")"
run_policy "$TMP/p.yaml" "$TMP/pid2.ev" /bin/sh -c ". $TMP/pid2.sh; cat outside/secret; echo after"
[[ $out == *served* && $out == *after* ]] || fail "pid2: the profiled part failed: $out"
[[ $out != *secret-data* ]] || fail "pid2: outside/secret read: $out"
[ ! -e run.pid ] || fail "pid2: run.pid left"
wait_for 10 grep -q "\"path\":\"$W/outside/secret\",\"operation\":\"open\"" "$TMP/pid2.ev" ||
	fail "pid2: no event for outside/secret: $(cat "$TMP/pid2.ev")"
if [ $M = landlock ]; then
	[[ $out == *"kill at open's exit"* ]] || fail "pid2: no widening line: $out"
	grep -q '"action":"kill","mechanism":"tracepoint"' "$TMP/pid2.ev" ||
		fail "pid2: not killed at open's exit: $(cat "$TMP/pid2.ev")"
fi
echo "ok: entry operations by name ($M)"
