#!/bin/bash
# Malformed and truncated frames from a packet socket through a veth pair:
# the XDP filter must count every one as malformed (and drop it, the
# default), stay attached, and keep passing well-formed allowed traffic.
# asan: yes
. "$(dirname "$0")/xdp_lib.sh"

net attach "$IFB" -p "$PIN" >/dev/null || fail "attach failed"
net allow -p "$PIN" 10.77.0.0/24 fd77::/64 udp:5001 >/dev/null || fail "allow failed"
ids0=$(net status -p "$PIN" --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["filters"][0]; print(f["prog_id"], f["link_id"])')

n=0
for kind in short-vlan three-tags short-ip4 ihl4 totlen-past-end short-tcp tcp-doff short-ip6 \
	ext-loop ext-past-end; do
	rawsend 5 "$kind" || fail "cannot send $kind frames"
	n=$((n + 5))
done
rawsend 9 udp4 0 10.77.0.1 10.77.0.2 5001 || fail "cannot send good frames"
rawsend 4 udp6 2 fd77::1 fd77::2 5001 || fail "cannot send good frames"
all_counted() {
	mal=$(stats_get 'r["malformed"]["drop"]') good=$(stats_get 'r["allowed"]["pass"]')
	[ "$mal" -ge "$n" ] && [ "$good" -ge 13 ]
}
wait_for 30 all_counted
malpass=$(stats_get 'r["malformed"]["pass"]')
[ "$mal" -eq "$n" ] || fail "malformed drop counter is $mal, $n malformed frames were sent"
[ "$malpass" -eq 0 ] || fail "$malpass malformed frames passed"
[ "$good" -eq 13 ] || fail "allowed counter is $good, 13 good frames were sent after the bad ones"
ids1=$(net status -p "$PIN" --json | python3 -c 'import json,sys; f=json.load(sys.stdin)["filters"][0]; print(f["attached"], f["prog_id"], f["link_id"])')
[ "$ids1" = "True $ids0" ] || fail "filter changed or detached: $ids0 -> $ids1"
echo "ok: $n malformed frames counted and dropped, 13 good frames passed, filter still attached"

# The configured action applies: with malformed: pass they are passed and
# counted; this time in generic (skb) mode, the fallback for drivers
# without native XDP.
net detach -p "$PIN" >/dev/null || fail "detach"
net attach "$IFB" -p "$PIN" --malformed pass --mode generic >/dev/null || fail "attach --malformed pass --mode generic"
net status -p "$PIN" | grep -q "attached, ifindex .* generic mode" || fail "not in generic mode: $(net status -p "$PIN")"
rawsend 6 ihl4 || fail "send"
malpass_counted() { [ "$(stats_get 'r["malformed"]["pass"]')" -ge 6 ]; }
wait_for 30 malpass_counted
[ "$(stats_get 'r["malformed"]["pass"]')" -eq 6 ] || fail "malformed: pass not applied"
echo "ok: malformed: pass applied and counted, in generic mode"

# mode auto on a device without native XDP (a bridge): falls back to
# generic, and says so.
BR=xbr$$
inb ip link add "$BR" type bridge && inb ip link set "$BR" up || fail "cannot create a bridge"
out=$(net attach "$BR" -p "$TMP/bpffs/$BR") || fail "auto attach on a bridge failed"
grep -q "attached in generic mode" <<<"$out" || fail "fallback not reported: $out"
net status -p "$TMP/bpffs/$BR" | grep -q "attached, ifindex .* generic mode" || fail "status: $(net status -p "$TMP/bpffs/$BR")"
net detach -p "$TMP/bpffs/$BR" >/dev/null || fail "detach from the bridge"
echo "ok: auto mode on a bridge fell back to generic and reported it"
