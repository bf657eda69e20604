#!/bin/bash
# guards.taint, action redirect: a tainted curl's connection to a refused
# destination reaches the sinkhole the rule names (a listener this test
# runs), rewritten in cgroup connect4; a tainted socat's datagram reaches
# the UDP sinkhole (sendmsg4). The event names the original destination
# and the sinkhole. Without the taint (a bystander), nothing is rewritten.
# A rule with duration lifts the taint once it has run out.
# vm: also
# vm-files: /usr/bin/curl /usr/bin/socat tests/integration/taint_lib.sh
# asan: yes
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/taint_lib.sh"
P=$((40000 + $$ % 10000)) SINK=$((P + 1)) U=$((P + 2))

D=$TMP/bgtt-data
mkdir -p "$D"
echo topsecret-r >"$D/secret"
echo topsecret-t >"$D/timed"
echo public >"$D/public"

taint_agent_up <<YAML
      - name: bgtt-sinkhole
        paths: [$D/secret]
        action: redirect
        redirect: ["127.0.0.1:$SINK"]
      - name: bgtt-timed
        paths: [$D/timed]
        duration: 2s
YAML

http_servers $P $SINK
# One sinkhole address and port: TCP and UDP listeners both.
udp_receivers $U $SINK
arrived() { grep -q "$1" "$2" 2>/dev/null; }

# A bystander: its request reaches the port it asked for.
curl -s --max-time 60 --data-binary "@$D/public" "http://127.0.0.1:$P/" >/dev/null ||
	fail "bystander curl failed"
arrived public "$TMP/http.$P" || fail "bystander's request did not reach $P"
! arrived public "$TMP/http.$SINK" || fail "a bystander was redirected"
echo "ok - without the taint nothing is rewritten"

# The tainted curl asks for $P and lands in the sinkhole.
res=$(curl -s --max-time 60 --data-binary "@$D/secret" "http://127.0.0.1:$P/") ||
	fail "tainted curl failed: the redirect should let it complete"
[ "$res" = ok ] || fail "tainted curl got '$res'"
arrived topsecret-r "$TMP/http.$SINK" || fail "the sinkhole did not get the request"
! arrived topsecret-r "$TMP/http.$P" || fail "the secret reached the destination"
wait_for 50 grep -q '"action":"redirect"' "$OUT" || fail "no redirect event"
l=$(grep '"action":"redirect"' "$OUT" | head -1)
for f in "\"destination\":{\"address\":\"127.0.0.1\",\"port\":$P}" \
	"\"redirect\":{\"address\":\"127.0.0.1\",\"port\":$SINK}" '"mechanism":"cgroup"' \
	"\"file\":\"$D/secret\"" '"name":"bgtt-sinkhole"'; do
	grep -qF -- "$f" <<<"$l" || fail "redirect event lacks $f: $l"
done
echo "ok - tainted curl reaches the sinkhole, the event names both"

# UDP: sendto rewritten by sendmsg4, to the same sinkhole.
socat -u "FILE:$D/secret" UDP4-SENDTO:127.0.0.1:$U || fail "tainted socat sendto failed"
wait_for 50 arrived topsecret-r "$TMP/udp.$SINK" || fail "the datagram did not reach the sinkhole"
! arrived topsecret-r "$TMP/udp.$U" || fail "the datagram reached its destination"
wait_for 50 grep -q "\"port\":$U" "$OUT" || fail "no event for the datagram"
echo "ok - tainted datagram lands in the sinkhole"

# A 2-second taint: refused at once, allowed once it has run out.
bash -c "read -r l <'$D/timed'; curl -s --max-time 60 -o /dev/null http://127.0.0.1:$P/ && exit 9
	for i in \$(seq 1 100); do
		curl -s --max-time 60 -o /dev/null http://127.0.0.1:$P/ && exit 0
		sleep 0.1
	done; exit 8"
rc=$?
[ $rc = 0 ] || fail "timed taint: exit $rc (9: not refused at first, 8: never lifted)"
echo "ok - a taint with duration 2s refuses, then lifts"
