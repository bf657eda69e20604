#!/bin/bash
# `bpf watch` says "watching" only once its programs are attached, and it
# gets there without running the whole capability probe first: a BPF load
# made the moment the line appears (read from a pipe, no sleep) is always
# reported. Prints the time from start to "watching" of each round.
# vm: also
# vm-files: $BUILD/tests/helpers/bpf_loader
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
LOADER=${BUILD}/tests/helpers/bpf_loader
[ -x "$LOADER" ] || LOADER=/build/tests/helpers/bpf_loader
[ -x "$LOADER" ] || fail "no bpf_loader (make tests)"
ROUNDS=${ROUNDS:-5}

ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

times=()
for i in $(seq "$ROUNDS"); do
	out=$TMP/w$i.json
	name=bgrdy$$x$i
	name=${name:0:15} # the kernel keeps 15 bytes of a program's name
	t0=$(ms)
	exec {fd}< <(exec "$BPFGUARD" bpf watch --json 2>&1 >"$out")
	wpid=$!
	at_exit "kill $wpid 2>/dev/null"
	ready=
	while IFS= read -r -t 120 -u "$fd" line; do
		case $line in
		*"watching BPF loads"*) ready=$(ms); break ;;
		*) echo "watch: $line" ;;
		esac
	done
	[ -n "$ready" ] || fail "round $i: watch never said it was watching"
	# Right now, while watch may still be busy with anything after attach.
	"$LOADER" "$name" 5 1 >/dev/null || fail "round $i: bpf_loader failed"
	wait_for 300 grep -q "\"name\":\"$name\"" "$out" ||
		fail "round $i: the load of $name made after \"watching\" was not reported"
	grep "\"name\":\"$name\"" "$out" | grep -q '"ktime_get_ns":1' ||
		fail "round $i: event without its helper count: $(grep "$name" "$out")"
	kill -INT "$wpid"
	wait "$wpid" 2>/dev/null
	exec {fd}<&-
	times+=("$((ready - t0))")
	echo "round $i: watching after $((ready - t0)) ms; $name reported"
done
echo "start to \"watching\" (ms): ${times[*]}"
