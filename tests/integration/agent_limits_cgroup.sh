#!/bin/bash
# guards.limits on a cgroup v2 target: every process in the cgroup, whatever
# its executable, is held to the rule's memory and children limits. dd with
# a 96 MiB buffer under max_memory 32MiB is killed; the forker may keep 2
# live children: its 3rd fork fails with EAGAIN (lsm/task_alloc, the VM) or
# it is killed at that fork's sys_enter (no BPF LSM). The same commands
# outside the cgroup are untouched.
# vm: also
# vm-files: $BUILD/tests/helpers/bg_forker
. "$(dirname "$0")/../lib.sh"
need_root
need_helper FORKER bg_forker
test_cgroup bg-limits
OUT=$TMP/events.json
probe_lsm
DD=$(command -v dd)

limits_config >"$TMP/agent.yaml" <<YAML
      - name: cg-small
        match: { cgroup: $CG }
        action: deny
        max_memory: 32MiB
        max_children: 2
YAML
agent_up "$TMP/agent.yaml"

( in_cg "$DD" if=/dev/zero of=/dev/null bs=96M count=1 2>/dev/null ); rc=$?
echo "dd in the cgroup: exit $rc"
[ $rc = 137 ] || fail "dd in the cgroup was not killed (exit $rc)"
"$DD" if=/dev/zero of=/dev/null bs=96M count=1 2>/dev/null || fail "dd outside the cgroup failed: $?"

res=$(in_cg "$FORKER" 5); rc=$?
echo "forker in the cgroup: exit $rc '$res' (lsm=$lsm)"
if [ $lsm = 1 ]; then
	[ $rc = 0 ] && [ "$res" = "forked 2 errno 11" ] || fail "expected 'forked 2 errno 11', got exit $rc '$res'"
else
	[ $rc = 137 ] || fail "the forker was not killed at its 3rd fork (exit $rc '$res')"
fi
res=$("$FORKER" 5) || fail "the forker outside the cgroup failed"
[ "$res" = "forked 5 errno 0" ] || fail "the forker outside the cgroup got '$res'"

wait_for 50 grep -q '"kind":"children"' "$OUT" || fail "no children event"
grep '"limit-reached"' "$OUT"
[ "$(grep -c '"limit-reached"' "$OUT")" = 2 ] || fail "expected 2 limit events"
grep '"kind":"memory-request"' "$OUT" | grep -qF '"action":"kill","mechanism":"tracepoint"' ||
	fail "no memory kill event (deny falls back to kill for memory)"
grep '"kind":"children"' "$OUT" | grep -F "$deny_ev" | grep -qF '"limit":2,"value":2' ||
	fail "no children event with $deny_ev"
