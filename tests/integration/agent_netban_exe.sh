#!/bin/bash
# guards.limits network ban on an executable (a renamed copy of bg_net,
# matched by inode), real TCP/UDP traffic on loopback, IPv4 and IPv6:
# connect, send and receive banned except the listed peers. With BPF LSM
# (the VM) the calls fail with EPERM and the process lives; without it the
# process is killed at the call's sys_enter. The original bg_net, not a
# target, talks to every port.
# vm: also
# vm-files: $BUILD/tests/helpers/bg_net
. "$(dirname "$0")/../lib.sh"
need_root
need_helper NET bg_net
OUT=$TMP/events.json
cp "$NET" "$TMP/netc"
probe_lsm
OK=$((20000 + $$ % 10000)) BAD=$((OK + 1)) RCV=$((OK + 2))

limits_config >"$TMP/agent.yaml" <<YAML
      - name: netc-offline
        match: { exe: $TMP/netc }
        action: deny
        network:
          ban: [connect, send, receive]
          allow: ["127.0.0.1:$OK", "[::1]:$OK"]
YAML
agent_up "$TMP/agent.yaml"

# serve PROTO ADDR PORT: a peer (the original binary) in the background ($srv).
serve() { start_server "$TMP/srv.out" "$NET" serve "$@"; }
# expect WHAT-LSM CMD...: the target's line with LSM, or death by SIGKILL without.
expect() {
	local want=$1 res rc
	shift
	res=$("$@" 2>&1); rc=$?
	echo "$* -> exit $rc '$res'"
	if [ $lsm = 1 ]; then
		[ $rc = 0 ] && [ "$res" = "$want" ] || fail "$*: expected '$want', got exit $rc '$res'"
	else
		[ $rc = 137 ] || fail "$*: expected SIGKILL, got exit $rc '$res'"
	fi
}

# Allowed peer, both families: the whole exchange works.
for a in 127.0.0.1 ::1; do
	serve tcp $a $OK
	res=$("$TMP/netc" ping tcp $a $OK); wait $srv
	[ "$res" = ok ] || fail "allowed peer $a:$OK: '$res'"
done
# Banned peers: TCP connect over IPv4, UDP send over IPv6.
serve tcp 127.0.0.1 $BAD
expect "connect errno 1" "$TMP/netc" ping tcp 127.0.0.1 $BAD
kill $srv 2>/dev/null; wait $srv 2>/dev/null
serve udp ::1 $BAD
expect "send errno 1" "$TMP/netc" ping udp ::1 $BAD
kill $srv 2>/dev/null; wait $srv 2>/dev/null
# Receive: the target serves UDP on IPv4; the sender is unknown until the
# datagram is read, so only an any-address entry would allow it.
start_server "$TMP/tsrv.out" "$TMP/netc" serve udp 127.0.0.1 $RCV
tsrv=$srv
"$NET" ping udp 127.0.0.1 $RCV 1 > /dev/null # no answer comes
wait $tsrv; rc=$?
echo "target UDP server -> exit $rc '$(tr '\n' ' ' < "$TMP/tsrv.out")'"
if [ $lsm = 1 ]; then
	grep -q "^recv errno 1$" "$TMP/tsrv.out" || fail "target recvfrom not denied"
else
	[ $rc = 137 ] || fail "target server not killed at recvfrom (exit $rc)"
fi
# The original binary is not a target.
serve udp ::1 $BAD
res=$("$NET" ping udp ::1 $BAD); wait $srv
[ "$res" = ok ] || fail "bystander got '$res'"

wait_for 50 grep -q '"network-banned"' "$OUT" || fail "no netban event"
grep '"network-banned"' "$OUT"
check() { # what: lines that must all appear in one event
	local l
	l=$(grep '"network-banned"' "$OUT" | grep -F "$1" | grep -F "$2" | grep -F "$deny_ev" |
		grep -F '"name":"netc-offline"' | grep -F "\"executable\":\"$TMP/netc\"")
	[ -n "$l" ] || fail "no netban event with $1 $2 $deny_ev"
}
check '"destination":{"address":"127.0.0.1","port":'$BAD'}' '"op":"connect"'
check '"destination":{"address":"::1","port":'$BAD'}' '"op":"send"'
check '"type":"ipv6","transport":"udp"' '"op":"send"'
check '"op":"receive","peer_known":false' '"transport":"udp"'
[ "$(grep -c '"network-banned"' "$OUT")" = 3 ] || fail "expected exactly 3 netban events"
