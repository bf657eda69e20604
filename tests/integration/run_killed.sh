#!/bin/bash
# kill -9 of `run`: the command itself dies with it (PR_SET_PDEATHSIG),
# what it forked stays in <cgroup2>/bpfguard/run.PID, no longer held to
# the policy; the next run finds that cgroup stale (its owner is gone),
# kills what is inside, removes it and says so. A live run's cgroup is left
# alone.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
mnt=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[ -n "$mnt" ] || skip "no cgroup v2 mount"

printf 'version: 1\n' >"$TMP/v1.yaml"
# Our own parent: runs of other tests on this host clean stale cgroups under
# <cgroup2>/bpfguard as they start, and would take ours before we look.
top=$mnt/bpfguard-test.$$
mkdir "$top" || fail "cannot create $top"
clean_top() {
	local c
	for c in "$top"/run.*; do [ -d "$c" ] && echo 1 >"$c/cgroup.kill"; done 2>/dev/null
	wait_for 100 sh -c "rmdir $top/run.* 2>/dev/null; rmdir $top 2>/dev/null" ||
		echo "warning: $top left behind" >&2
}
at_exit clean_top
run=("$BPFGUARD" run --cgroup-parent "$top")

# A live run that must survive the cleaning.
"${run[@]}" --policy "$TMP/v1.yaml" -- sleep 300 2>/dev/null &
live=$!
at_exit "kill $live 2>/dev/null; wait $live 2>/dev/null"
wait_for 300 test -d "$top/run.$live" || fail "live run's cgroup not created"

"${run[@]}" --policy "$TMP/v1.yaml" -- sh -c "sleep 300 & echo \$! >$TMP/bg.pid; exec sleep 301" \
	2>/dev/null &
victim=$!
cg=$top/run.$victim
wait_for 300 test -s "$TMP/bg.pid" || fail "the command did not start"
bg=$(cat "$TMP/bg.pid")
at_exit "kill -9 $bg 2>/dev/null"
grep -qx "$bg" "$cg/cgroup.procs" || fail "background sleep not in $cg"
fg=$(grep -vx "$bg" "$cg/cgroup.procs" | head -1)
kill -9 "$victim"
wait "$victim" 2>/dev/null
# The command itself (the foreground sleep) dies with run.
[ -z "$fg" ] || wait_for 100 sh -c "! kill -0 $fg 2>/dev/null || grep -q '^State:.*Z' /proc/$fg/status" ||
	fail "the command outlived run ($fg)"
[ -d "$cg" ] || fail "$cg is already gone: nothing to clean"
kill -0 "$bg" 2>/dev/null || fail "the background process is gone already"
echo "ok - kill -9: the command died, its background child is left in $cg"

"${run[@]}" --policy "$TMP/v1.yaml" -- true 2>"$TMP/err" || fail "next run failed: $(cat "$TMP/err")"
[ ! -d "$cg" ] || fail "next run left the stale $cg"
grep -q "removed $cg, left by bpfguard $victim (gone): killed [0-9]* process" "$TMP/err" ||
	fail "no message: $(cat "$TMP/err")"
wait_for 100 sh -c "! kill -0 $bg 2>/dev/null || grep -q '^State:.*Z' /proc/$bg/status" ||
	fail "the left process still runs"
[ -d "$top/run.$live" ] && kill -0 "$live" || fail "the live run was cleaned"
echo "ok - next run removed the stale cgroup and killed what was inside; the live run is untouched"

"$BPFGUARD" run --cgroup-parent /tmp --policy "$TMP/v1.yaml" -- true 2>"$TMP/err" &&
	fail "--cgroup-parent /tmp was taken"
grep -q "cgroup-parent /tmp: not a cgroup v2 directory" "$TMP/err" || fail "unclear error: $(cat "$TMP/err")"
echo "ok - --cgroup-parent outside cgroup v2 is refused, with the reason"
