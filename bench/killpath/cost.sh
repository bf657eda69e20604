#!/bin/bash
# bench/killpath: what the agent's files guard costs a getppid loop (a
# syscall that opens nothing, so only the per-syscall hooks count), in
# interleaved rounds, ns per call, best of ROUNDS:
#   bare       no agent
#   sys_exit   the kill path as on 6.13+: the tp_btf/sys_exit check, the
#              descriptor-table sharers killed from it
#   +sys_enter the kill path of older kernels (kill_task masked): the same
#              plus the tp_btf/sys_enter that kills condemned sharers,
#              which leaves on one global read while nothing is condemned
#   make tests && bench/killpath/cost.sh
# vm-files: $BUILD/bench/syscalls/bench_syscalls
. "$(dirname "$0")/../../tests/lib.sh"
need_root
B=$BUILD/bench/syscalls/bench_syscalls
[ -x "$B" ] || skip "no $B (make tests)"
N=${N:-1000000}
ROUNDS=${ROUNDS:-5}
"$BPFGUARD" probe --json 2>/dev/null | grep -q '"lsm":{"available":true' &&
	skip "BPF LSM loads here: the files guard does not use the kill path"
echo secret >"$TMP/secret"
cat >"$TMP/agent.yaml" <<YAML
mode: kill
guards:
  exec:
    enabled: false
  files:
    rules:
      - name: cost
        paths: [$TMP/secret]
        read: [/bin/sh]
YAML
OUT=$TMP/agent.json
run_with() { # MASK FILE
	: >"$OUT"
	BPFGUARD_PROBE_MASK=$1 agent_up "$TMP/agent.yaml"
	"$B" --loop getppid "$N" >>"$2"
	kill "$agent" && wait "$agent" 2>/dev/null
}
for r in $(seq "$ROUNDS"); do
	"$B" --loop getppid "$N" >>"$TMP/bare"
	run_with "" "$TMP/exit"
	run_with kill_task "$TMP/enter"
done
best() { sort -n "$1" | head -1; }
b=$(best "$TMP/bare")
for k in bare exit enter; do
	v=$(best "$TMP/$k")
	printf '%-10s %7.1f ns/call  +%5.1f ns  (rounds: %s)\n' \
		"$(case $k in bare) echo bare ;; exit) echo sys_exit ;; enter) echo +sys_enter ;; esac)" \
		"$v" "$(awk -v v="$v" -v b="$b" 'BEGIN { print v - b }')" "$(tr '\n' ' ' <"$TMP/$k")"
done
