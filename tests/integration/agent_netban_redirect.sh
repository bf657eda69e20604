#!/bin/bash
# guards.limits action redirect (issue 17): a cgroup rule bans connect and
# send, and the cgroup connect4/6 and sendmsg4/6 hooks rewrite a banned
# destination to the rule's sinkhole instead of refusing it. A listener the
# test runs on loopback is the sinkhole: a TCP connect (IPv4, IPv6) and a
# UDP send to a port where nothing listens reach it, and the events name
# the original destination and the sinkhole. Outside the cgroup nothing is
# rewritten (the same connect is refused by the kernel); an allowed peer
# is reached where it is; a rule with action deny still gives EPERM. curl
# to the banned port gets the sinkhole's answer where curl and socat exist
# (both kernels).
# vm: also
# vm-files: $BUILD/tests/helpers/bg_net /usr/bin/curl /usr/bin/socat
. "$(dirname "$0")/../lib.sh"
need_root
need_helper NET bg_net
test_cgroup bgnet-redirect
OUT=$TMP/events.json
OK=$((20000 + $$ % 10000)) BAD=$((OK + 1)) SINK=$((OK + 2)) UBAD=$((OK + 3))

limits_config >"$TMP/agent.yaml" <<YAML
      - name: cg-sinkhole
        match: { cgroup: $CG }
        action: redirect
        network:
          ban: [connect, send]
          allow: ["127.0.0.1:$OK"]
          redirect: ["127.0.0.1:$SINK", "[::1]:$SINK"]
YAML

# The config refuses what it cannot do, at the line that asks for it.
sed 's/match: { cgroup: .* }/match: { comm: bgnet-x }/' "$TMP/agent.yaml" >"$TMP/bad.yaml"
"$BPFGUARD" agent --config "$TMP/bad.yaml" --check 2>"$TMP/bad.err" && fail "redirect on a comm target accepted"
grep -q 'bad.yaml:[0-9]*:[0-9]*: .*action redirect needs a cgroup target' "$TMP/bad.err" ||
	fail "no FILE:LINE:COL error for redirect on a comm target: $(cat "$TMP/bad.err")"

agent_up "$TMP/agent.yaml"

# sink PROTO ADDR: the sinkhole, one ping answered; its output is its log.
sink() {
	start_server "$TMP/sink.out" "$NET" serve "$1" "$2" $SINK
	sinkpid=$srv
}

# Without the rule (outside the cgroup) nothing is rewritten: refused.
is "$("$NET" ping tcp 127.0.0.1 $BAD 2)" "connect errno 111" "TCP connect 127.0.0.1:$BAD outside the cgroup"
for a in 127.0.0.1 ::1; do
	sink tcp $a
	is "$(in_cg "$NET" ping tcp $a $BAD)" ok "TCP connect $a:$BAD in the cgroup (redirected)"
	wait $sinkpid
	is "$(tail -1 "$TMP/sink.out")" ok "the sinkhole $a:$SINK served it"
done
sink udp ::1
is "$(in_cg "$NET" ping udp ::1 $UBAD)" ok "UDP send [::1]:$UBAD in the cgroup (redirected)"
wait $sinkpid
is "$(tail -1 "$TMP/sink.out")" ok "the UDP sinkhole served it"
# An allowed peer is reached where it is.
start_server "$TMP/ok.out" "$NET" serve tcp 127.0.0.1 $OK
okpid=$srv
is "$(in_cg "$NET" ping tcp 127.0.0.1 $OK)" ok "allowed peer 127.0.0.1:$OK"
wait $okpid
is "$(tail -1 "$TMP/ok.out")" ok "the allowed server itself served it"

# curl, a real client, where it exists: the sinkhole (socat, which logs the
# connection it accepts) answers for the banned port.
if command -v curl >/dev/null && command -v socat >/dev/null; then
	http_responder "$TMP/answer" sinkhole
	socat -d -d TCP-LISTEN:$SINK,bind=127.0.0.1,reuseaddr EXEC:"$TMP/answer" >"$TMP/socat.log" 2>&1 &
	socatpid=$!
	wait_for 50 grep -q 'listening on' "$TMP/socat.log" || fail "socat did not listen: $(cat "$TMP/socat.log")"
	# (a generous limit: TCG on a loaded host; curl's own error kept)
	body=$(in_cg curl -sS --max-time 120 "http://127.0.0.1:$BAD/" 2>"$TMP/curl.err") ||
		echo "curl: exit $?: $(cat "$TMP/curl.err"); sinkhole log: $(cat "$TMP/socat.log")"
	is "$body" sinkhole "curl http://127.0.0.1:$BAD/ in the cgroup"
	wait_for 50 grep -q 'accepting connection from' "$TMP/socat.log" || fail "the sinkhole logged no connection"
	grep 'accepting connection from' "$TMP/socat.log"
	kill $socatpid 2>/dev/null; wait $socatpid 2>/dev/null
	curl -s --max-time 5 "http://127.0.0.1:$BAD/" && fail "curl outside the cgroup reached something"
	echo "ok - curl outside the cgroup: refused (nothing rewritten)"
fi

check() {
	local l
	l=$(grep '"network-banned"' "$OUT" | grep -F "$1" | grep -F "$2" |
		grep -F '"action":"redirect","mechanism":"cgroup"' | grep -F '"name":"cg-sinkhole"')
	[ -n "$l" ] || { grep '"network-banned"' "$OUT"; fail "no redirect event with $1 $2"; }
	echo "event: $1 $2"
}
wait_for 50 grep -q '"redirected_to"' "$OUT" || fail "no redirect event"
check '"destination":{"address":"127.0.0.1","port":'$BAD'}' '"redirected_to":{"address":"127.0.0.1","port":'$SINK'}'
check '"destination":{"address":"::1","port":'$BAD'}' '"redirected_to":{"address":"::1","port":'$SINK'}'
check '"destination":{"address":"::1","port":'$UBAD'}' '"transport":"udp"'
grep '"network-banned"' "$OUT" | grep -F '"port":'$OK'}' && fail "an event for the allowed peer"
echo "ok - events name the original destination and the sinkhole"
