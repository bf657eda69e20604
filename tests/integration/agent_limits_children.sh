#!/bin/bash
# guards.limits max_children: a renamed copy of the forker (matched by
# inode) may keep 3 live children. With BPF LSM (the VM) the 4th fork fails
# with EAGAIN from lsm/task_alloc and the process lives on; without it
# (deny falls back to kill) the process is killed at the 4th fork's
# sys_enter and no 4th child exists. The original binary, not a target,
# forks 6. A comm rule set by prctl-able names is not involved: exe only.
# vm: also
# vm-files: $BUILD/tests/helpers/bg_forker
. "$(dirname "$0")/../lib.sh"
need_root
need_helper FORKER bg_forker
OUT=$TMP/events.json
cp "$FORKER" "$TMP/forker"
probe_lsm

limits_config >"$TMP/agent.yaml" <<YAML
      - name: three-children
        match: { exe: $TMP/forker }
        action: deny
        max_children: 3
YAML
agent_up "$TMP/agent.yaml"

# Counted by a v1 pids cgroup where there is one: the forker and its live
# children at the peak (4: the 4th fork never made a child).
PIDS_MNT=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2; exit }' /proc/mounts)
PCG=
if [ -n "$PIDS_MNT" ] && mkdir "$PIDS_MNT/bg-children.$$" 2>/dev/null; then
	PCG=$PIDS_MNT/bg-children.$$
	at_exit "rmdir $PCG"
fi
if [ -n "$PCG" ] && [ -e "$PCG/pids.peak" ]; then
	res=$(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$1" 6' "$PCG" "$TMP/forker"); rc=$?
	peak=$(cat "$PCG/pids.peak")
	echo "processes at the peak: $peak (the forker and its children)"
	[ "$peak" = 4 ] || fail "peak $peak processes: expected the forker and 3 children"
else
	res=$("$TMP/forker" 6); rc=$?
fi
echo "target: exit $rc, '$res' (lsm=$lsm)"
if [ $lsm = 1 ]; then
	[ $rc = 0 ] || fail "the target died (exit $rc): deny must not kill"
	[ "$res" = "forked 3 errno 11" ] || fail "expected 'forked 3 errno 11' (EAGAIN), got '$res'"
else
	[ $rc = 137 ] || fail "the target was not killed at its 4th fork (exit $rc, '$res')"
fi
res=$("$FORKER" 6) || fail "the original forker failed"
[ "$res" = "forked 6 errno 0" ] || fail "the original forker (not a target) got '$res'"

wait_for 50 grep -q '"limit-reached"' "$OUT" || fail "no limit event"
line=$(grep '"limit-reached"' "$OUT" | head -1)
echo "$line"
for f in "$deny_ev" '"name":"three-children"' '"kind":"children"' '"limit":3,"value":3' \
	"\"executable\":\"$TMP/forker\""; do
	grep -qF "$f" <<<"$line" || fail "event lacks $f"
done
[ "$(grep -c '"limit-reached"' "$OUT")" = 1 ] || fail "expected one limit event"
