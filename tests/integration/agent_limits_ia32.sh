#!/bin/bash
# guards.limits on the ia32 entry: a 64-bit process may call `int $0x80`
# (ia32 numbers and registers, socketcall), which the tracepoint path must
# decode or a rule is one instruction away from bypass. Renamed copies of
# bg_ia32 under kill rules: an ia32 fork over max_children 2, an ia32 mmap2
# over max_memory 32MiB, and a TCP connect through ia32 socketcall and
# through the direct ia32 connect under a connect ban: each is killed at
# the call, and the event names the x86_64 call. The original binary (not a
# target) does all of it.
# vm: also
# vm-files: $BUILD/tests/helpers/bg_ia32
. "$(dirname "$0")/../lib.sh"
need_root
need_helper IA bg_ia32
[ "$("$IA" fork 1)" = "forked 1 errno 0" ] || skip "no ia32 emulation (int 0x80) on this kernel"
OUT=$TMP/events.json
for t in f m n; do cp "$IA" "$TMP/$t"; done
PORT=$((20000 + $$ % 10000))

limits_config >"$TMP/agent.yaml" <<YAML
      - { name: ia32-fork, match: { exe: $TMP/f }, action: kill, max_children: 2 }
      - { name: ia32-mem, match: { exe: $TMP/m }, action: kill, max_memory: 32MiB }
      - { name: ia32-net, match: { exe: $TMP/n }, action: kill, network: { ban: [connect] } }
YAML
agent_up "$TMP/agent.yaml"

expect_kill() { # CMD...: killed by SIGKILL
	local res rc
	res=$( ( exec "$@" ) 2>&1); rc=$?
	echo "$* -> exit $rc '$res'"
	[ $rc = 137 ] || fail "$*: not killed (exit $rc '$res')"
}
expect_kill "$TMP/f" fork 4
expect_kill "$TMP/m" mmap 64
listen() { # the peer: a listening socket on PORT, accepting nothing
	python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); print("ready", flush=True); time.sleep(30)' $PORT
}
if command -v python3 >/dev/null; then
	listen > "$TMP/peer.out" &
	peer=$!
	at_exit "kill $peer 2>/dev/null"
	wait_for 50 grep -q ready "$TMP/peer.out" || fail "peer did not start"
fi
# Without a peer (the VM has no python3) connect would fail with
# ECONNREFUSED; the ban acts at the call's entry either way.
expect_kill "$TMP/n" connect $PORT
expect_kill "$TMP/n" connect362 $PORT

# The original binary is not a target.
[ "$("$IA" fork 4)" = "forked 4 errno 0" ] || fail "bystander fork"
[ "$("$IA" mmap 64)" = mapped ] || fail "bystander mmap"

wait_for 50 grep -q '"ia32-net"' "$OUT" || fail "no network event"
grep -E '"limit-reached"|"network-banned"' "$OUT"
has() { # rule strings...
	local r=$1 l f
	shift
	l=$(grep -F "\"name\":\"$r\"" "$OUT")
	for f in "$@"; do grep -qF -- "$f" <<<"$l" || fail "$r: no event with $f"; done
}
has ia32-fork '"action":"kill","mechanism":"tracepoint"' '"kind":"children","limit":2,"value":2' '"syscall":57'
has ia32-mem '"kind":"memory-request"' "\"request\":$((64 << 20))" '"syscall":9'
has ia32-net '"op":"connect"' "\"port\":$PORT" '"syscall":42'
[ "$(grep -cF '"name":"ia32-net"' "$OUT")" = 2 ] || fail "expected 2 connect events (socketcall, connect)"
