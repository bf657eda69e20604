#!/bin/bash
# guards.limits max_descendants with bash, each action, on both kernels.
# Three renamed copies of bash run the same tree: 2 background subshells
# that each start 2 sleeps (6 live processes below the root, for 1 s) under
# max_descendants 3.
# - alert: everything runs; one event at the 4th live descendant.
# - deny: with BPF LSM (the VM) the forks over the limit fail with EAGAIN
#   (bash reports it and retries, for up to 15 s, once a sleep is gone) and
#   nobody is killed; without it deny falls back to kill. bash gives up a
#   retry when a signal interrupts its sleep between tries (a subshell's
#   own sleep exiting; seen in one VM run of CI): refused, not killed, and
#   accepted as such. Two subshells
#   leave a slot for a sleep whatever the order of the forks: with three,
#   a slow root could fork all three before any forked its sleeps, and the
#   subshells then waited for each other until bash gave up (exit 254).
# - kill: the process whose fork would make the 4th descendant dies at the
#   call and the tree is condemned: each member dies at its next fork. Which
#   one forks first is a race, so the test asks that one of them was killed
#   (the root by SIGKILL, or a subshell: bash reports "Killed").
# vm: also
. "$(dirname "$0")/../lib.sh"
need_root
OUT=$TMP/events.json
probe_lsm
for a in alert deny kill; do cp "$(command -v bash)" "$TMP/t$a"; done

for a in alert deny kill; do
	printf '      - name: tree-%s\n        match: { exe: %s }\n' $a "$TMP/t$a"
	printf '        action: %s\n        max_descendants: 3\n' $a
done | limits_config >"$TMP/agent.yaml"
agent_up "$TMP/agent.yaml"

# Leaves live 1 s: long enough that all 9 are alive together even on a
# loaded machine (with 0.3 s, a slow root let the first leaves exit first).
TREE='for i in 1 2; do ( sleep 1 & sleep 1 & wait ) & done; wait; echo done'
run() { # ACTION: the tree under that rule; sets rc and res
	res=$( ( exec "$TMP/t$1" -c "$TREE" ) 2>"$TMP/$1.err"); rc=$?
	echo "$1: exit $rc, '$res', stderr: $(head -c 300 "$TMP/$1.err" | tr '\n' ' ')"
}

# Killed: the root died, or bash said so for a subshell, or (bash does not
# always report a background job's signal) the kill event names the rule;
# the checks below then require it to be a kill of this tree.
killed() {
	[ $rc = 137 ] || grep -q Killed "$TMP/$1.err" ||
		wait_for 30 grep -q "\"name\":\"tree-$1\"" "$OUT" || { cat "$TMP/$1.err"; false; }
} # ACTION

run alert
[ $rc = 0 ] && [ "$res" = done ] || fail "alert stopped the tree"
run deny
if [ $lsm = 1 ]; then
	grep -q 'Resource temporarily unavailable' "$TMP/deny.err" || fail "no fork failed with EAGAIN"
	if [ $rc = 0 ] && [ "$res" = done ]; then
		echo "deny: the tree completed after its refused forks"
	elif grep -q 'fork: Interrupted system call' "$TMP/deny.err" && [ $rc != 137 ] &&
		! grep -q Killed "$TMP/deny.err"; then
		# bash sleeps between fork retries and gives up when a signal
		# interrupts the sleep: a subshell whose own sleep exits (SIGCHLD)
		# while it waits to retry stops there. Refused, not killed.
		echo "deny: bash gave up a fork retry on its child's SIGCHLD; nobody was killed"
	else
		fail "deny killed or broke the tree"
	fi
	! grep -F '"name":"tree-deny"' "$OUT" | grep -qF '"action":"kill"' ||
		fail "deny with LSM: a tree-deny event says kill"
else
	killed deny || fail "deny without LSM: nobody was killed"
fi
run kill
killed kill || fail "kill: nobody was killed"

wait_for 50 grep -q '"tree-kill"' "$OUT" || fail "no kill event"
grep '"limit-reached"' "$OUT"
l=$(grep -F '"name":"tree-alert"' "$OUT")
[ "$(wc -l <<<"$l")" = 1 ] || fail "expected one alert event"
for f in '"action":"alert"' '"kind":"descendants","limit":3,"value":4' "\"executable\":\"$TMP/talert\""; do
	grep -qF "$f" <<<"$l" || fail "alert event lacks $f"
done
# The live count at the refused fork: 3, or more when forks raced past the
# check (the count grows at sched_process_fork, after it).
grep -F '"name":"tree-deny"' "$OUT" | grep -F "$deny_ev" | grep -qE '"kind":"descendants","limit":3,"value":[3-9]' ||
	fail "no tree-deny descendants event with $deny_ev"
grep -F '"name":"tree-kill"' "$OUT" | grep -F '"action":"kill","mechanism":"tracepoint"' |
	grep -qE '"kind":"descendants","limit":3,"value":[3-9]' || fail "no tree-kill descendants event"
n=$(grep -F '"name":"tree-kill"' "$OUT" | grep -cF '"kind":"descendants"')
[ "$n" -ge 1 ] || fail "no descendants kill"
echo "kill events of tree-kill: $(grep -cF '"name":"tree-kill"' "$OUT") ($n descendants, the rest condemned-tree)"
