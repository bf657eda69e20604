#!/bin/bash
# `ip netns exec NS bpfguard net attach IF` must not say "attached" for a
# filter that is gone when it exits: ip netns exec gives the command its own
# mount namespace with a fresh /sys (no bpffs), where a bpffs mounted for the
# pins vanishes with the command, and the pinned link with it. Either the
# filter stays attached and drops what it should (a TCP connect: no allow
# rule admits it), or the command refuses, says what to run instead, and
# nothing is attached. Then the two ways that do last: nsenter --net, and
# --pin-dir on a bpffs that outlives the command.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd nsenter
need_cmd socat

veth_pair ne 10.78.0
# Whatever happens to the filter, never leave it behind.
at_exit "ip -n $NB link set dev $IFB xdp off 2>/dev/null"

# nsenter execs socat: $! is socat itself, so the exit hook stops it.
nsenter --net="/run/netns/$NB" socat TCP-LISTEN:5000,reuseaddr,fork EXEC:true \
	</dev/null >/dev/null 2>&1 &
at_exit "kill $! 2>/dev/null"
# A TCP connect from A to B; the filter (default drop, no allow rule) drops
# its SYN.
pings() { ip netns exec "$NA" timeout 3 bash -c 'exec 3<>/dev/tcp/10.78.0.2/5000' 2>/dev/null; }
xdp_on() { ip -n "$NB" link show dev "$IFB" | grep -q 'xdp'; }

wait_for 100 pings || fail "no TCP connection between the namespaces before any filter"

# ---- 1. ip netns exec ------------------------------------------------------
out=$(ip netns exec "$NB" "$BPFGUARD" net attach "$IFB" 2>&1)
rc=$?
echo "ip netns exec ... net attach: exit $rc: $out"
if [ "$rc" = 0 ]; then
	# It said attached: then it must be, after the command is gone.
	xdp_on || fail "attach said '$out' (exit 0) but no XDP program is attached to $IFB"
	pings && fail "attach said '$out' (exit 0) but the filter does not drop the connection"
	ip netns exec "$NB" "$BPFGUARD" net status | grep -q "$IFB" ||
		fail "net status from the same ip netns exec does not find the filter"
	ip netns exec "$NB" "$BPFGUARD" net detach "$IFB" || fail "detach from ip netns exec failed"
	wait_for 100 pings || fail "connection still dropped after detach"
else
	grep -q "nsenter --net=/run/netns/$NB bpfguard net attach $IFB" <<<"$out" ||
		fail "the refusal does not say what to run instead: $out"
	xdp_on && fail "refused (exit $rc) but an XDP program is attached to $IFB"
	pings || fail "refused, yet the connection is dropped"
fi

# ---- 2. what the refusal recommends: nsenter keeps the host's mounts --------
mkdir -p "$TMP/bpffs"
mount -t bpf bpf "$TMP/bpffs" || skip "cannot mount a bpffs"
at_exit "umount $TMP/bpffs"
nsenter --net="/run/netns/$NB" "$BPFGUARD" net attach "$IFB" -p "$TMP/bpffs/n" ||
	fail "attach through nsenter failed"
xdp_on || fail "nsenter: no XDP program on $IFB after the command exited"
pings && fail "nsenter: the filter does not drop the connection"
nsenter --net="/run/netns/$NB" "$BPFGUARD" net detach "$IFB" -p "$TMP/bpffs/n" ||
	fail "detach through nsenter failed"
wait_for 100 pings || fail "connection still dropped after detach"

# ---- 3. --pin-dir on a bpffs that outlives the command, from ip netns exec --
# (mounts under /tmp are copied into ip netns exec's namespace).
ip netns exec "$NB" "$BPFGUARD" net attach "$IFB" -p "$TMP/bpffs/e" ||
	fail "attach with --pin-dir from ip netns exec failed"
xdp_on || fail "--pin-dir: no XDP program on $IFB after the command exited"
pings && fail "--pin-dir: the filter does not drop the connection"
ip netns exec "$NB" "$BPFGUARD" net detach "$IFB" -p "$TMP/bpffs/e" || fail "detach failed"
wait_for 100 pings || fail "connection still dropped after detach"
xdp_on && fail "an XDP program is still attached after detach"
echo "ip netns exec: exit $rc, nothing left attached; nsenter and --pin-dir last"
