#!/bin/bash
# The agent's exec guard loads on this kernel and reports a real exec and
# exit with the executable resolved in the kernel. Plain grep, no python,
# so it also runs in the second-kernel VM (its BPF must pass both verifiers).
# vm: also
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
OUT=$TMP/events.json
printf 'events:\n  format: json\n' > "$TMP/agent.yaml"

"$BPFGUARD" agent --config "$TMP/agent.yaml" --output "$OUT" 2>"$TMP/agent.err" &
agent=$!
at_exit "kill $agent 2>/dev/null"
wait_for 100 grep -q '"agent-start"' "$OUT" 2>/dev/null || { cat "$TMP/agent.err"; fail "agent did not start"; }
marker="bgexec$$"
sh -c 'exit 7' sh "$marker" &
child=$!
wait $child
exe=$(readlink -f "$(command -v sh)")
wait_for 50 grep -q "\"$marker\"" "$OUT" || fail "no exec event for the marker"
kill -TERM $agent
wait $agent || fail "agent exited with $?"

line=$(grep '"action":"exec"' "$OUT" | grep "\"$marker\"\]") || fail "exec line not found"
grep -q "\"pid\":$child," <<<"$line" || fail "wrong pid: $line"
grep -q "\"executable\":\"$exe\"" <<<"$line" || fail "executable is not $exe: $line"
grep -q "\"parent\":{\"pid\":$$," <<<"$line" || fail "wrong parent: $line"
grep '"action":"exit"' "$OUT" | grep "\"pid\":$child," | grep -q '"exit_code":7' ||
	fail "no exit event with code 7"
grep -q '"action":"events-final".*"drops":0' "$OUT" || fail "no final stats line with 0 drops"
echo "ok: exec of $exe by pid $child seen, exit code 7"
