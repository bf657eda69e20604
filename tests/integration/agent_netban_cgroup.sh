#!/bin/bash
# guards.limits network ban on a cgroup v2 target, enforced by cgroup
# sock_addr hooks (connect4/6, sendmsg4/6) and cgroup_skb (packets in and
# out): processes in the cgroup get EPERM for a banned TCP connect (IPv4)
# and UDP send (IPv6), talk to the allowed peer, and receive nothing from
# a banned one (the datagram is dropped; the event has no process). The
# same commands outside the cgroup are untouched. python3 is the peer.
# vm: also
# vm-files: $BUILD/tests/helpers/bg_net
. "$(dirname "$0")/../lib.sh"
need_root
need_helper NET bg_net
test_cgroup bg-netban
OUT=$TMP/events.json
OK=$((20000 + $$ % 10000)) BAD=$((OK + 1)) RCV=$((OK + 2))

limits_config >"$TMP/agent.yaml" <<YAML
      - name: cg-offline
        match: { cgroup: $CG }
        action: deny
        network:
          ban: [connect, send, receive]
          allow: ["127.0.0.1:$OK", "[::1]:$OK"]
YAML
agent_up "$TMP/agent.yaml"

# serve PROTO ADDR PORT: a peer in the background ($srv).
serve() { start_server "$TMP/srv.out" "$NET" serve "$@"; }

for a in 127.0.0.1 ::1; do
	serve tcp $a $OK
	is "$(in_cg "$NET" ping tcp $a $OK)" ok "allowed peer $a:$OK"
	wait $srv
done
serve tcp 127.0.0.1 $BAD
is "$(in_cg "$NET" ping tcp 127.0.0.1 $BAD)" "connect errno 1" "TCP connect 127.0.0.1:$BAD"
is "$("$NET" ping tcp 127.0.0.1 $BAD)" ok "the same outside the cgroup"
wait $srv
serve udp ::1 $BAD
is "$(in_cg "$NET" ping udp ::1 $BAD)" "send errno 1" "UDP send [::1]:$BAD"
is "$("$NET" ping udp ::1 $BAD)" ok "the same outside the cgroup"
wait $srv
# Receive: a UDP server in the cgroup; the datagram from a banned peer
# (python3 outside, from an ephemeral port) is dropped before the socket.
# The drop's event says it happened; the server has then read nothing.
start_server "$TMP/tsrv.out" in_cg "$NET" serve udp 127.0.0.1 $RCV
tsrv=$srv
if command -v python3 > /dev/null; then
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"ping", ("127.0.0.1", int(sys.argv[1])))' $RCV
else
	"$NET" ping udp 127.0.0.1 $RCV 1 > /dev/null # no answer comes
fi
wait_for 50 grep -q '"op":"receive"' "$OUT" || fail "no receive event"
kill $tsrv 2>/dev/null; wait $tsrv 2>/dev/null
is "$(tail -1 "$TMP/tsrv.out")" ready "UDP receive in the cgroup from a banned peer (the server's last line)"
grep '"network-banned"' "$OUT"
check() {
	local l
	l=$(grep '"network-banned"' "$OUT" | grep -F "$1" | grep -F "$2" |
		grep -F '"action":"deny","mechanism":"cgroup"' | grep -F '"name":"cg-offline"')
	[ -n "$l" ] || fail "no netban event with $1 $2"
}
check '"destination":{"address":"127.0.0.1","port":'$BAD'}' '"op":"connect"'
check '"destination":{"address":"::1","port":'$BAD'}' '"transport":"udp"},'
check '"source":{"address":"127.0.0.1"' '"op":"receive"'
