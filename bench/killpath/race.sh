#!/bin/bash
# bench/killpath: how often does a task sharing the opener's descriptor
# table read a protected file while the opener is killed at its open's
# return (the kill path, no BPF LSM)? tests/helpers/bg_fdshare runs TRIES
# tries per row: an opener and a sibling that spins pread(2) of the
# descriptor the open returns into a page the reporter shares. A try
# "leaked" when any byte reached that page; "returned" counts preads that
# got back to user space with data before the kill.
#   sibling thread  the race between fd_install and the sys_exit hook
#   sibling clone   a clone(CLONE_FILES) process, killed by the same hook
#                   where the kernel has the kfuncs, else at its next syscall
# Rows: the agent (guards.files, kill) and monitor (files, kill), the file
# on the filesystem of $TMP, a ramfs and a tmpfs. Natively:
#   make tests && bench/killpath/race.sh
# In the 6.1 VM (the agent's kill path with lsm masked; one CPU, or VM_SMP=2):
#   VM_TEST_TIMEOUT=1200 VM_TIMEOUT=1300 VM_VERBOSE=1 VM_TEST_ENV=TRIES=500 \
#     tests/vm/vm.sh run bench/killpath/race.sh
# vm-files: $BUILD/tests/helpers/bg_fdshare
. "$(dirname "$0")/../../tests/lib.sh"
need_root
H=$BUILD/tests/helpers/bg_fdshare
[ -x "$H" ] || skip "no $H (make tests)"
TRIES=${TRIES:-2000}
mkdir -p "$TMP/bin"
cp "$H" "$TMP/bin/racer"
SHM=/dev/shm/bg-race.$$
mkdir -p "$SHM" "$TMP/ram" && at_exit "rm -rf $SHM"
# A ramfs too: page-cache reads like ext4, where $TMP is a tmpfs (the VM).
mount -t ramfs bg-race "$TMP/ram" || fail "mount ramfs"
at_exit "umount -l $TMP/ram"
FILES=("$TMP/secret" "$TMP/ram/secret" "$SHM/secret")
for f in "${FILES[@]}"; do echo "racesecret-$$" >"$f"; done
MASK=
"$BPFGUARD" probe --json 2>/dev/null | grep -q '"lsm":{"available":true' && MASK=lsm
KILL_TASK=no
"$BPFGUARD" probe --json 2>/dev/null | grep -q '"kill_task":{"available":true' && KILL_TASK=yes

field() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$2"; }

# report LABEL FILE MODE HELPER_LINE
report() {
	local leaked
	leaked=$(field leaked "$4")
	[ "$(field opener_killed "$4")" = "$TRIES" ] || fail "$1: not every opener was killed: $4"
	printf '%-8s %-10s %-6s %6d tries  leaked %5d (%s)  returned %6d  %6d ms\n' "$1" \
		"$(stat -f -c %T "$(dirname "$2")")" "$3" "$TRIES" "$leaked" \
		"$(awk -v l="$leaked" -v t="$TRIES" 'BEGIN { printf "%.2f%%", 100 * l / t }')" \
		"$(field reads "$4")" "$(field ms "$4")"
}

echo "kernel $(uname -r), $(nproc) CPU(s), kill_task kfuncs: $KILL_TASK"
cat >"$TMP/agent.yaml" <<YAML
mode: alert
guards:
  exec:
    enabled: false
  files:
    rules:
      - name: race
        paths: [${FILES[0]}, ${FILES[1]}, ${FILES[2]}]
        read: [/bin/sh]
        action: kill
YAML
OUT=$TMP/agent.json
BPFGUARD_PROBE_MASK=$MASK agent_up "$TMP/agent.yaml"
for f in "${FILES[@]}"; do
	for m in thread clone; do
		report agent "$f" $m "$("$TMP/bin/racer" -n "$TRIES" $m "$f")"
	done
done
kill "$agent" && wait "$agent" 2>/dev/null

printf 'version: 1\nfiles: []\n' >"$TMP/files.yaml"
for f in "${FILES[@]}"; do
	for m in thread clone; do
		rm -f "$TMP/go" "$TMP/mon.err"
		"$TMP/bin/racer" -g "$TMP/go" -n "$TRIES" $m "$f" >"$TMP/mon.out" 2>&1 &
		w=$!
		"$BPFGUARD" monitor --policy "$TMP/files.yaml" --action kill --pid $w \
			--output /dev/null 2>"$TMP/mon.err" &
		mon=$!
		wait_for 600 grep -qs '^bpfguard: monitoring' "$TMP/mon.err" ||
			fail "monitor did not start: $(cat "$TMP/mon.err")"
		touch "$TMP/go"
		wait $w
		kill -INT $mon && wait $mon 2>/dev/null
		report monitor "$f" $m "$(cat "$TMP/mon.out")"
	done
done
