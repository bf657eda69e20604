#!/bin/bash
# Rate limiting under BPF LSM (the VM): 20000 refused connects in a tight
# loop, then one after the window, through lsm/socket_connect: a handful of
# network events (mechanism lsm) whose suppressed counts add up, with the
# events themselves, to the calls the kernel refused; no drops. The same
# check for the cgroup hooks is sandbox_ratelimit.sh.
# needs: lsm
# vm-files: $BUILD/tests/helpers/deny_loop
. "$(dirname "$0")/../lib.sh"
need_root
N=20000
printf 'version: 1\nnetwork:\n  connect:\n    - "127.0.0.1:9"\n  sendto: []\n  bind: []\n' >"$TMP/p.yaml"
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" --json --output "$TMP/ev" -- \
	"$BUILD/tests/helpers/deny_loop" 127.0.0.1 7 $N 2>"$TMP/err") || fail "run failed: $out $(cat "$TMP/err")"
grep -q "network: lsm" "$TMP/err" || fail "network not under LSM: $(cat "$TMP/err")"
[ "$out" = "calls $((N + 1)) eperm $((N + 1))" ] || fail "not every connect was refused: $out"
# No python in the VM: count with awk.
read -r events total lsm drops < <(awk '
	/"type":"network"/ {
		n++; s = 0
		if (match($0, /"suppressed":[0-9]+/)) s = substr($0, RSTART + 13, RLENGTH - 13)
		t += 1 + s
		if (/"mechanism":"lsm"/ && /"name":"policy.network"/) l++
	}
	/"type":"stats"/ { if (match($0, /"drops":[0-9]+/)) d = substr($0, RSTART + 8, RLENGTH - 8) }
	END { print n + 0, t + 0, l + 0, (d == "" ? "none" : d) }' "$TMP/ev")
echo "$events events, $((total - events)) suppressed, drops $drops"
[ "$events" -gt 1 ] && [ "$events" -le 40 ] || fail "$events events for $((N + 1)) calls"
[ "$total" = $((N + 1)) ] || fail "events + suppressed = $total, calls $((N + 1))"
[ "$lsm" = "$events" ] || fail "events without mechanism lsm or the rule name"
[ "$drops" = 0 ] || fail "drops: $drops"
echo ok
