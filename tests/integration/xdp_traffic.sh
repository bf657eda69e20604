#!/bin/bash
# The XDP filter against real TCP and UDP traffic (socat) over a veth pair,
# IPv4 and IPv6, from allowed and disallowed sources to allowed and
# disallowed ports, plus VLAN and QinQ tagged frames from a packet socket
# (this kernel has no 802.1Q devices to terminate tagged traffic). The
# counters must equal the packets sent: for socket traffic, as counted by
# an nftables counter on the sender's output hook. Then rules change live
# (remove, allow, deny) and the program must not be reattached, and
# detaching restores the traffic.
# asan: yes
. "$(dirname "$0")/xdp_lib.sh"
need_cmd socat
need_cmd nft
need_cmd bpftool

ina ip addr add 10.77.0.1/24 dev "$IFA"
ina ip addr add 10.77.0.9/24 dev "$IFA"
inb ip addr add 10.77.0.2/24 dev "$IFB"
ina ip addr add fd77::1/64 dev "$IFA" nodad
ina ip addr add fd77::9/64 dev "$IFA" nodad
inb ip addr add fd77::2/64 dev "$IFB" nodad
# Static neighbours: no packet waits in (or is dropped from) a neighbour
# queue, so every packet the sender's output hook counts is transmitted.
MAC_A=$(mac_of ina "$IFA")
ina ip neigh replace 10.77.0.2 lladdr "$MAC_B" dev "$IFA"
ina ip neigh replace fd77::2 lladdr "$MAC_B" dev "$IFA"
for a in 10.77.0.1 10.77.0.9 fd77::1 fd77::9; do inb ip neigh replace $a lladdr "$MAC_A" dev "$IFB"; done

ina nft -f - <<'NFT' || skip "nftables not usable here"
table inet bgcnt {
	counter sent { }
	chain out {
		type filter hook output priority 0; policy accept;
		meta l4proto { tcp, udp } ip daddr 10.77.0.2 counter name "sent"
		meta l4proto { tcp, udp } ip6 daddr fd77::2 counter name "sent"
	}
}
NFT
sent() { ina nft list counter inet bgcnt sent | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

# nsenter execs socat: $! is socat itself, so the exit hook stops it.
nsenter --net="/run/netns/$NB" socat -u TCP6-LISTEN:5000,ipv6only=0,reuseaddr,fork \
	OPEN:"$TMP/tcp.out",creat,append </dev/null >/dev/null 2>&1 &
at_exit "kill $! 2>/dev/null"
nsenter --net="/run/netns/$NB" socat -u UDP6-RECV:5001,ipv6only=0 \
	OPEN:"$TMP/udp.out",creat,append </dev/null >/dev/null 2>&1 &
at_exit "kill $! 2>/dev/null"
touch "$TMP/tcp.out" "$TMP/udp.out"
wait_for 50 sh -c "nsenter --net=/run/netns/$NB ss -ltn | grep -q ':5000 '" || fail "no TCP server"

net attach "$IFB" -p "$PIN" --default drop || fail "attach failed"
net allow -p "$PIN" 10.77.0.0/29 fd77::/125 tcp:5000 udp:5001 >/dev/null || fail "allow failed"
net status -p "$PIN" | grep -q "attached, ifindex .* native mode" || fail "not attached in native mode: $(net status -p "$PIN")"
ids0=$(net status -p "$PIN" --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["filters"][0]; print(f["prog_id"], f["link_id"])')

L4='sum(r[k]["pass"] + r[k]["drop"] for k in ("allowed", "denied", "no-source", "no-port"))'

# flow LABEL REASON VERDICT CMD...: CMD's TCP/UDP packets, counted by the
# sender's nftables counter, must all land in REASON/VERDICT and nowhere else.
flow() {
	local label=$1 what="$2/$3" key="r['$2']['$3']" s0 x0 t0 s1 x1 t1
	shift 3
	s0=$(sent)
	read -r x0 t0 < <(stats_get "($key, $L4)")
	"$@"
	# The receiver's NAPI (and TCP's teardown) may lag the sender: wait
	# until the counters agree, then check them.
	counted() {
		s1=$(sent)
		read -r x1 t1 < <(stats_get "($key, $L4)")
		[ $((s1 - s0)) -gt 0 ] && [ $((x1 - x0)) -eq $((s1 - s0)) ] && [ $((t1 - t0)) -eq $((s1 - s0)) ]
	}
	wait_for 30 counted
	[ $((s1 - s0)) -gt 0 ] || fail "$label: nothing was sent"
	[ $((x1 - x0)) -eq $((s1 - s0)) ] ||
		fail "$label: $key grew by $((x1 - x0)), $((s1 - s0)) packets were sent"
	[ $((t1 - t0)) -eq $((s1 - s0)) ] ||
		fail "$label: TCP/UDP counters grew by $((t1 - t0)), $((s1 - s0)) packets were sent"
	echo "ok: $label: $((s1 - s0)) packets, all $what"
}

sock() { [ "${1#*:}" != "$1" ] && echo "[$1]" || echo "$1"; }
udp_send() { # SRC DST PORT N
	local i v=""
	[ "${1#*:}" != "$1" ] && v=6
	for i in $(seq "$4"); do
		echo "u$i" | ina socat -u - "UDP$v-SENDTO:$(sock "$2"):$3,bind=$(sock "$1")" || return 1
	done
}
tcp_ok() { # SRC DST
	local v=""
	[ "${1#*:}" != "$1" ] && v=6
	echo "hello-$1" | ina timeout 10 socat -u - "TCP$v:$(sock "$2"):5000,bind=$(sock "$1")" ||
		fail "TCP from $1 to $2:5000 failed"
	wait_for 30 grep -q "hello-$1" "$TMP/tcp.out" || fail "TCP data from $1 did not arrive"
}
tcp_blocked() { # SRC DST PORT
	local v=""
	[ "${1#*:}" != "$1" ] && v=6
	if ina timeout 5 socat -u /dev/null "TCP$v:$(sock "$2"):$3,bind=$(sock "$1"),connect-timeout=1" 2>/dev/null; then
		fail "TCP from $1 to $2:$3 connected"
	fi
}
udp_lines() { wc -l <"$TMP/udp.out"; }
udp_ok() { # SRC DST N
	local before; before=$(udp_lines)
	udp_send "$1" "$2" 5001 "$3"
	wait_for 30 sh -c "[ \$(wc -l < $TMP/udp.out) -eq $((before + $3)) ]" ||
		fail "UDP from $1: $(( $(udp_lines) - before )) of $3 datagrams arrived"
}
udp_blocked() { # SRC DST PORT N
	local before; before=$(udp_lines)
	udp_send "$1" "$2" "$3" "$4"
	sleep 0.2
	[ "$(udp_lines)" -eq "$before" ] || fail "UDP from $1 to port $3 arrived"
}

for v in 4 6; do
	if [ $v = 4 ]; then ok=10.77.0.1 bad=10.77.0.9 dst=10.77.0.2; else ok=fd77::1 bad=fd77::9 dst=fd77::2; fi
	flow "ipv$v tcp allowed" allowed pass tcp_ok $ok $dst
	flow "ipv$v tcp to a port not allowed" no-port drop tcp_blocked $ok $dst 5002
	flow "ipv$v tcp from a source not allowed" no-source drop tcp_blocked $bad $dst 5000
	flow "ipv$v udp allowed" allowed pass udp_ok $ok $dst 10
	flow "ipv$v udp to a port not allowed" no-port drop udp_blocked $ok $dst 5003 10
	flow "ipv$v udp from a source not allowed" no-source drop udp_blocked $bad $dst 5001 10
done

# Tagged frames: exactly N sent by the packet socket.
tagged() { # LABEL REASON VERDICT N KIND ARGS...
	local label=$1 what="$2/$3" key="r['$2']['$3']" n=$4 x0 x1
	shift 4
	x0=$(stats_get "$key")
	rawsend "$n" "$@" || fail "$label: raw send failed"
	tagged_counted() { x1=$(stats_get "$key"); [ $((x1 - x0)) -ge "$n" ]; }
	wait_for 30 tagged_counted
	[ $((x1 - x0)) -eq "$n" ] || fail "$label: $key grew by $((x1 - x0)), $n frames sent"
	echo "ok: $label: $n frames, all $what"
}
for tags in 1 2; do
	t=$([ $tags = 1 ] && echo 802.1Q || echo QinQ)
	tagged "$t udp4 allowed" allowed pass 7 udp4 $tags 10.77.0.1 10.77.0.2 5001
	tagged "$t tcp4 to a port not allowed" no-port drop 7 tcp4 $tags 10.77.0.1 10.77.0.2 5009
	tagged "$t udp4 from a source not allowed" no-source drop 7 udp4 $tags 10.77.0.9 10.77.0.2 5001
	tagged "$t tcp6 allowed" allowed pass 7 tcp6 $tags fd77::1 fd77::2 5000
	tagged "$t udp6 from a source not allowed" no-source drop 7 udp6 $tags fd77::9 fd77::2 5001
done

# Live changes, through the pinned maps.
net remove -p "$PIN" udp:5001 >/dev/null || fail "remove udp:5001"
flow "after remove udp:5001" no-port drop udp_blocked 10.77.0.1 10.77.0.2 5001 5
net allow -p "$PIN" udp:5001 >/dev/null || fail "allow udp:5001"
flow "after allow udp:5001 again" allowed pass udp_ok 10.77.0.1 10.77.0.2 5
net deny -p "$PIN" 10.77.0.1/32 >/dev/null || fail "deny 10.77.0.1"
flow "after deny 10.77.0.1/32 (wins over the allow)" denied drop udp_blocked 10.77.0.1 10.77.0.2 5001 6
hits=$(net stats -p "$PIN" --json | python3 -c '
import json, sys
print([r["packets"] for r in json.load(sys.stdin)["filters"][0]["rules"] if r["rule"] == "10.77.0.1/32"][0])')
[ "$hits" -eq 6 ] || fail "deny rule counter is $hits, 6 datagrams were sent"
net remove -p "$PIN" 10.77.0.1/32 >/dev/null || fail "remove the deny"
flow "after removing the deny" allowed pass udp_ok 10.77.0.1 10.77.0.2 3
net deny -p "$PIN" fd77::1/128 >/dev/null || fail "deny fd77::1"
flow "after deny fd77::1/128" denied drop udp_blocked fd77::1 fd77::2 5001 4
net remove -p "$PIN" fd77::1/128 >/dev/null || fail "remove the IPv6 deny"
flow "after removing the IPv6 deny" allowed pass udp_ok fd77::1 fd77::2 3
# A prefix shorter than /16: the IPv4 prefilter marks every /16 it overlaps
# (10.64-10.127: words 82 and 83 of src16), and forgets them on removal but
# for 10.77, which 10.77.0.0/29 still needs.
# The /24 prefilter (src24, one u64 word per 64 /24s): 10.64.0.0/10 covers
# words 10496-10751; 10.77.0.0/29 sets bit 0 of word 10548 (10.77.0.x).
src24() { bpftool -j map lookup pinned "$PIN/src24" key $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) 0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["formatted"]["value"])'; }
[ "$(src24 10548) $(src24 10496)" = "1 0" ] || fail "src24 before allow /10: $(src24 10548) $(src24 10496)"
src16() { bpftool -j map lookup pinned "$PIN/src16" key "$1" 0 0 0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["formatted"]["value"]["allow"])'; }
net allow -p "$PIN" 10.64.0.0/10 >/dev/null || fail "allow 10.64.0.0/10"
[ "$(src16 82) $(src16 83)" = "4294967295 4294967295" ] || fail "prefilter after allow /10: $(src16 82) $(src16 83)"
[ "$(src24 10496) $(src24 10751) $(src24 10752)" = "18446744073709551615 18446744073709551615 0" ] ||
	fail "src24 after allow /10: $(src24 10496) $(src24 10751) $(src24 10752)"
flow "after allow 10.64.0.0/10" allowed pass udp_ok 10.77.0.9 10.77.0.2 3
net remove -p "$PIN" 10.64.0.0/10 >/dev/null || fail "remove 10.64.0.0/10"
[ "$(src16 82) $(src16 83)" = "$((1 << 13)) 0" ] || fail "prefilter after remove /10: $(src16 82) $(src16 83)"
[ "$(src24 10548) $(src24 10496) $(src24 10751)" = "1 0 0" ] ||
	fail "src24 after remove /10: $(src24 10548) $(src24 10496) $(src24 10751)"
flow "after removing 10.64.0.0/10" no-source drop udp_blocked 10.77.0.9 10.77.0.2 5001 3
ids1=$(net status -p "$PIN" --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["filters"][0]; print(f["prog_id"], f["link_id"])')
[ "$ids0" = "$ids1" ] || fail "program or link changed: $ids0 -> $ids1"
echo "ok: rules changed live, program and link unchanged ($ids1)"

# Rollback: detach, and what was dropped gets through.
net detach -p "$PIN" >/dev/null || fail "detach failed"
[ -e "$PIN" ] && fail "pins left behind: $(ls "$PIN")"
inb ip -d link show dev "$IFB" | grep -q 'prog/xdp' && fail "XDP still attached after detach"
tcp_ok 10.77.0.9 10.77.0.2
echo "ok: detached; traffic from 10.77.0.9 flows again"
