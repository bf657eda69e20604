#!/bin/bash
# The rest of issue 14's entry operations through profile -> run, with real
# programs: ln, ln -s, mkfifo, truncate -s, mv of a directory (within a
# directory and into another), truncate(2), renameat2(RENAME_EXCHANGE) and
# bind of a unix socket (bg_fileops), and python3's os.link, os.symlink,
# os.truncate and socket.bind where python3 is installed (not in the VM).
# Profiled on one input, run on it and on a 50-times larger one: same output
# as without bpfguard, no event. Then each operation once out of policy (in
# a directory never touched): refused, with an event naming the path and
# the operation. Natively Landlock enforces the files (the event comes from
# the EACCES at the call's return), in the VM BPF LSM (which also refuses
# another name in a granted directory: Landlock cannot name one entry).
# ia32 (int $0x80) calls are recorded too, where the kernel has the entry.
# vm: also
# asan: yes
# vm-files: $BUILD/tests/helpers/bg_fileops $BUILD/tests/helpers/ia32_call
. "$(dirname "$0")/../lib.sh"
need_root
for c in ln mkfifo truncate mv cmp; do need_cmd $c; done
BPFGUARD=$(realpath "$BPFGUARD")
FO=$(realpath "$BUILD/tests/helpers/bg_fileops")
[ -x "$FO" ] || skip "needs $BUILD/tests/helpers/bg_fileops (make tests)"
W=$TMP/bgfo
mkdir -p "$W/D" "$W/E" "$W/F/sub"
echo keep >"$W/F/keep"
cd "$W" || fail "cd $W"
# Debian's python3 (a shim earlier in PATH, such as pyenv's, is a bash
# script: its own opens would be part of the run).
PY=
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# The program: N lines into D/data, then every operation on names in D and E.
cat >"$TMP/ops.sh" <<SH
n=\$1
i=0
while [ \$i -lt "\$n" ]; do
	echo "line \$i" >>D/data
	i=\$((i + 1))
done
ln D/data D/hard
ln -s data D/soft
mkfifo D/fifo
truncate -s 4 D/data
"$FO" truncate D/hard 3
"$FO" exchange D/hard D/soft
mkdir D/dir1
mv D/dir1 D/dir2
mv D/dir2 E/dir3
rmdir E/dir3
"$FO" bind D/sock
if [ -n "$PY" ]; then
	$PY -c 'import os, socket
os.link("D/data", "E/pylink")
os.symlink("../D/data", "E/pysym")
os.truncate("E/pylink", 2)
s = socket.socket(socket.AF_UNIX)
s.bind("E/pysock")
s.close()
for n in ("E/pylink", "E/pysym", "E/pysock"):
    os.unlink(n)'
fi
ls -l D/soft | cut -c1
wc -c <D/data
rm D/data D/hard D/soft D/fifo D/sock
echo done \$n
SH

for n in 1 50; do
	/bin/sh "$TMP/ops.sh" $n >"$TMP/bare$n.out" 2>&1 || fail "bare run $n: $(cat "$TMP/bare$n.out")"
	[ -z "$(find D E -mindepth 1)" ] || fail "bare run left $(find D E -mindepth 1)"
done
"$BPFGUARD" profile -o "$TMP/p.yaml" -- /bin/sh "$TMP/ops.sh" 1 >"$TMP/prof.out" 2>&1 ||
	fail "profile: $(cat "$TMP/prof.out")"
for want in "$W/D/data: read, write, create, truncate, remove, link-from" \
	"$W/D/hard: truncate, remove, rename-from, rename-to, link-to" \
	"$W/D/soft: remove, rename-from, rename-to, symlink" \
	"$W/D/fifo: remove, make-fifo" "$W/D/sock: remove, make-socket" \
	"$W/D/dir1/: rename-from, mkdir" "$W/D/dir2/: rename-from, rename-to" \
	"$W/E/dir3/: rename-to, rmdir"; do
	grep -qxF -- "- $want" "$TMP/p.yaml" || fail "policy lacks '$want': $(grep "$W" "$TMP/p.yaml")"
done
if [ -n "$PY" ]; then
	for want in "$W/E/pylink: truncate, remove, link-to" "$W/E/pysym: remove, symlink" \
		"$W/E/pysock: remove, make-socket"; do
		grep -qxF -- "- $want" "$TMP/p.yaml" || fail "policy lacks '$want': $(grep "$W" "$TMP/p.yaml")"
	done
fi

# enforce: the policy on both inputs, then out of policy; RUN_OPTS for run.
enforce() {
	for n in 1 50; do
		rm -f "$TMP/same$n.ev" # run appends to --output
		"$BPFGUARD" run $RUN_OPTS --policy "$TMP/p.yaml" --action deny --json --output "$TMP/same$n.ev" \
			-- /bin/sh "$TMP/ops.sh" $n >"$TMP/run$n.out" 2>"$TMP/run$n.err"
		rc=$?
		[ $rc = 0 ] || fail "run on input $n: rc $rc: $(cat "$TMP/run$n.out" "$TMP/run$n.err")"
		cmp -s "$TMP/bare$n.out" "$TMP/run$n.out" ||
			fail "input $n: output differs: $(cat "$TMP/run$n.out") vs $(cat "$TMP/bare$n.out")"
		[ ! -s "$TMP/same$n.ev" ] || fail "events on input $n: $(cat "$TMP/same$n.ev")"
		[ -z "$(find D E -mindepth 1)" ] || fail "input $n left $(find D E -mindepth 1)"
	done
	case "$(cat "$TMP/run1.err")" in
	*"files: lsm"*) M=lsm ;;
	*"files: landlock"*) M=landlock ;;
	*) fail "no mechanism line: $(cat "$TMP/run1.err")" ;;
	esac
	echo "mechanism for files: $M; same output, no event, on inputs 1 and 50"
	# Landlock handles TRUNCATE from ABI 3 (6.2): before, truncation is free.
	TR=yes
	[ $M = landlock ] && [ "${ABI:-0}" -lt 3 ] && TR=no

	# Out of policy, in F (never touched while profiled): refused, nothing made
	# or changed, one event naming the path under F and the operation.
	refused() { # NAME OPERATION EXISTS-AFTER CMD...
		local name=$1 op=$2 gone=$3
		shift 3
		run_policy "$TMP/p.yaml" "$TMP/$name.ev" "$@"
		[ $rc != 0 ] || fail "$name: not refused: $out"
		[ ! -e "$gone" ] && [ ! -L "$gone" ] || fail "$name: $gone was made: $out"
		grep -q "\"path\":\"[^\"]*F/[^\"]*\",\"operation\":\"$op\"" "$TMP/$name.ev" ||
			fail "$name: no $op event naming F/: $(cat "$TMP/$name.ev") ($out)"
		echo "refused: $name ($(grep -o '"file":{[^}]*}' "$TMP/$name.ev" | head -1))"
	}
	refused link link F/l2 ln F/keep F/l2
	refused symlink symlink F/s2 ln -s keep F/s2
	refused mkfifo mknod F/p2 mkfifo F/p2
	refused bind mknod F/sock "$FO" bind F/sock
	refused mvdir rename F/sub2 mv F/sub F/sub2
	if [ $TR = yes ]; then
		refused truncate truncate F/none "$FO" truncate F/keep 0
		[ "$(cat F/keep)" = keep ] || fail "F/keep was truncated"
	else
		echo "not refused: truncate (Landlock ABI $ABI has no TRUNCATE right)"
	fi
	[ -d F/sub ] || fail "F/sub moved"
	if [ -n "$PY" ]; then
		refused pylink link F/pl $PY -c 'import os; os.link("F/keep", "F/pl")'
		refused pysym symlink F/ps $PY -c 'import os; os.symlink("keep", "F/ps")'
		refused pybind mknod F/psock $PY -c 'import socket; socket.socket(socket.AF_UNIX).bind("F/psock")'
	fi

	# Another name in a granted directory: BPF LSM checks the name; Landlock
	# grants MAKE_SYM on D/ to every name (docs/guarantees.md).
	run_policy "$TMP/p.yaml" "$TMP/other.ev" ln -s x D/other
	if [ $M = lsm ]; then
		[ $rc != 0 ] && [ ! -L D/other ] || fail "lsm: symlink D/other not refused: $out"
		grep -q "\"path\":\"$W/D/other\",\"operation\":\"symlink\",\"access\":\"symlink\"" \
			"$TMP/other.ev" || fail "lsm: no symlink event: $(cat "$TMP/other.ev")"
		echo "refused: another name in D/ (lsm)"
	else
		[ $rc = 0 ] && [ -L D/other ] || fail "landlock: symlink D/other refused: $out"
		rm D/other
		echo "allowed: another name in D/ (landlock grants the directory)"
	fi

}
ABI=$("$BPFGUARD" probe 2>/dev/null | sed -n 's/^ *landlock *yes *ABI \([0-9]*\).*/\1/p')
RUN_OPTS= enforce
# In the VM BPF LSM enforced: Landlock there too (ABI 2 on 6.1).
if [ $M = lsm ]; then
	RUN_OPTS=--no-lsm enforce
fi

# profile --append merges the words two runs recorded for one name.
"$BPFGUARD" profile -o "$TMP/a.yaml" -- /bin/sh -c 'ln -s x D/m; rm D/m' >"$TMP/a.out" 2>&1 &&
	"$BPFGUARD" profile --append -o "$TMP/a.yaml" -- \
		/bin/sh -c "mkfifo D/m; echo >D/n; $FO exchange D/m D/n; rm D/m D/n" \
		>>"$TMP/a.out" 2>&1 || fail "profile --append: $(cat "$TMP/a.out")"
grep -qxF -- "- $W/D/m: remove, rename-from, rename-to, symlink, make-fifo" "$TMP/a.yaml" ||
	fail "--append did not merge: $(grep "$W" "$TMP/a.yaml")"
echo "ok: profile --append merged the words"

# ia32: the same calls through int $0x80 are recorded and then allowed.
if ! "$BUILD/tests/helpers/ia32_call" int80 >/dev/null 2>&1; then
	echo "SKIP ia32 part: int \$0x80 does not work on this kernel"
	echo "ok: link, symlink, mknod, truncate, rename of directories, exchange, bind ($M)"
	exit 0
fi
cat >"$TMP/ia32.sh" <<SH
echo x >D/i
"$FO" --ia32 link D/i D/il && "$FO" --ia32 symlink i D/is && "$FO" --ia32 mkfifo D/if &&
	"$FO" --ia32 mksock D/iso && "$FO" --ia32 truncate D/il 0 && "$FO" --ia32 rename D/is D/is2 &&
	"$FO" --ia32 exchange D/il D/is2 && "$FO" --ia32 bind D/ib &&
	for f in D/i D/il D/is2 D/if D/iso D/ib; do "$FO" --ia32 unlink \$f || exit 1; done
SH
"$BPFGUARD" profile -o "$TMP/p.yaml" -- /bin/sh "$TMP/ia32.sh" >"$TMP/prof32.out" 2>&1 ||
	fail "profile ia32: $(cat "$TMP/prof32.out")"
for want in "$W/D/il: truncate, remove, rename-from, rename-to, link-to" \
	"$W/D/is: rename-from, symlink" "$W/D/if: remove, make-fifo" "$W/D/iso: remove, make-socket" \
	"$W/D/ib: remove, make-socket"; do
	grep -qxF -- "- $want" "$TMP/p.yaml" || fail "ia32 policy lacks '$want': $(grep "$W" "$TMP/p.yaml")"
done
run_policy "$TMP/p.yaml" "$TMP/ia32.ev" /bin/sh "$TMP/ia32.sh"
[ $rc = 0 ] && [ ! -s "$TMP/ia32.ev" ] || fail "ia32 run: rc $rc: $out $(cat "$TMP/ia32.ev")"
echo "ok: link, symlink, mknod, truncate, rename of directories, exchange, bind, ia32 too ($M)"
