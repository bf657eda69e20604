#!/bin/bash
# guards.taint with stock programs, on both kernels. A process that opened a
# classified file (or one beneath a classified directory), and every process
# it starts afterwards, cannot connect or send off its rule's allowed
# destinations: EPERM (LSM socket hooks with BPF LSM, else the cgroup
# sock_addr hooks at the cgroup v2 root), one event naming the destination
# AND the file and process that tainted it. Checked with real programs:
# - curl --data @secret is refused; curl to the allowed port passes;
# - cat secret | curl: curl itself read nothing: the pipe does not carry the
#   taint (measured, docs/guarantees.md);
# - a child started after its parent read the file (bash, then curl);
# - socat over UDP: connect (UDP4) and sendto (UDP4-SENDTO, sendmsg4);
# - a socket opened before the read (bash /dev/tcp): its later writes pass
#   natively (connect4 saw the connect before the taint; nothing sees the
#   write), are refused where LSM socket_sendmsg runs: measured either way;
# - a unix socket to a local forwarder (socat), a unix datagram: refused with
#   LSM or cgroup unix hooks (6.7+), else passes; an allowed unix path passes
#   natively (measured);
# - io_uring: a file opened with IORING_OP_OPENAT taints where LSM
#   file_open runs, not natively (sys_exit never sees it; measured);
# - kill action: curl dies (SIGKILL at the syscall's return without LSM);
# - python3 reading the file then connecting (where python3 exists);
# - a process that never read the file is untouched.
# vm: also
# vm-files: /usr/bin/curl /usr/bin/socat $BUILD/tests/helpers/uring_open
# vm-files: tests/integration/taint_lib.sh
# asan: yes
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/taint_lib.sh"
probe_lsm
if [ $lsm = 1 ]; then mech=lsm; else mech=cgroup; fi
# Unix sockets: BPF LSM, or cgroup sock_addr programs for unix (6.7+).
if [ $lsm = 1 ] || "$BPFGUARD" probe --json | grep -q '"cgroup_unix":{"available":true'; then
	unix=1
else
	unix=0
fi
P=$((30000 + $$ % 10000)) OK=$((P + 1)) U=$((P + 2)) R=$((P + 3))

D=$TMP/bgtt-data
mkdir -p "$D/cls/sub"
echo topsecret-1 >"$D/secret"
echo topsecret-2 >"$D/cls/sub/deep"
echo topsecret-3 >"$D/kfile"
echo public >"$D/public"

taint_agent_up <<YAML
      - name: bgtt-secret
        paths: [$D/secret, $D/cls]
        allow:
          networks: ["127.0.0.1/32:$OK"]
          unix: [$TMP/ok.sock]
      - name: bgtt-kill
        paths: [$D/kfile]
        action: kill
YAML

http_servers $P $OK
udp_receivers $U
socat -u TCP4-LISTEN:$R,bind=127.0.0.1,reuseaddr,fork OPEN:"$TMP/raw.log",creat,append &
at_exit "kill $! 2>/dev/null"
wait_for 50 listening $R || fail "listener $R did not start"

# post PORT FILE: curl --data @FILE to the server on PORT; sets rc.
post() { curl -s --max-time 60 --data-binary "@$2" "http://127.0.0.1:$1/" >/dev/null; rc=$?; }
arrived() { grep -q "$1" "$TMP/http.$2" 2>/dev/null; }
# ev PATTERN...: one taint_egress event holds every pattern.
ev() {
	local l f
	wait_for 50 grep -q "$1" "$OUT" || { cat "$OUT"; fail "no event with $1"; }
	l=$(grep -F "$1" "$OUT" | grep -F '"taint_egress"' | tail -1)
	for f in "$@"; do grep -qF -- "$f" <<<"$l" || fail "event lacks $f: $l"; done
}

# 1. A bystander that never read the file.
post $P "$D/public"
[ $rc = 0 ] && arrived public $P || fail "bystander curl refused (exit $rc)"
! grep -q '"taint_' "$OUT" || fail "an event for a process that read nothing: $(cat "$OUT")"
echo "ok - bystander untouched"

# 2. curl --data @secret: the open taints curl, its connect is refused.
post $P "$D/secret"
[ $rc = 7 ] || fail "curl --data @secret: expected exit 7 (connect EPERM), got $rc"
! arrived topsecret-1 $P || fail "the secret reached the server"
ev "\"port\":$P" '"action":"deny"' "\"mechanism\":\"$mech\"" '"name":"bgtt-secret"' \
	"\"file\":\"$D/secret\"" '"operation":"connect"' '"name":"curl"'
echo "ok - curl --data @secret refused, event names the file"

# 3. The allowed destination.
post $OK "$D/secret"
[ $rc = 0 ] && arrived topsecret-1 $OK || fail "allowed destination refused (exit $rc)"
echo "ok - allowed destination passes"

# 4. cat secret | curl: curl reads a pipe, not the file.
cat "$D/secret" | curl -s --max-time 60 --data-binary @- "http://127.0.0.1:$P/" >/dev/null
rc=$?
arrived topsecret-1 $P && piped=yes || piped=no
echo "measured - cat secret | curl: exit $rc, data arrived: $piped (pipes do not carry the taint)"
[ $piped = yes ] || fail "the pipe case changed: update docs/guarantees.md"

# 5. A child started after the read: bash reads, then runs curl.
bash -c "read -r l <'$D/cls/sub/deep'; exec curl -s --max-time 60 --data-binary x http://127.0.0.1:$P/" \
	>/dev/null
rc=$?
[ $rc = 7 ] || fail "child of a tainted bash: expected exit 7, got $rc"
ev "\"file\":\"$D/cls/sub/deep\"" '"depth":2' "\"port\":$P"
echo "ok - a child after the read is refused (directory rule, depth 2)"

# 6. socat over UDP: connect (UDP4) and sendto (UDP4-SENDTO).
socat -u "FILE:$D/secret" UDP4:127.0.0.1:$U 2>/dev/null && fail "socat UDP4 connect passed"
socat -u "FILE:$D/secret" UDP4-SENDTO:127.0.0.1:$U 2>/dev/null && fail "socat UDP4-SENDTO passed"
ev '"operation":"send"' '"transport":"udp"' "\"port\":$U" '"name":"socat"'
! grep -q topsecret "$TMP/udp.$U" 2>/dev/null || fail "a datagram got through"
echo "ok - socat UDP connect and sendto refused"

# 7. A socket opened before the read.
bash -c "exec 3<>/dev/tcp/127.0.0.1/$R; read -r l <'$D/secret'; printf '%s\n' \"\$l\" >&3" 2>/dev/null
rc=$?
sleep 0.5 # the data is in flight or never comes; nothing to wait for when it never does
grep -q topsecret-1 "$TMP/raw.log" 2>/dev/null && early=yes || early=no
echo "measured - socket connected before the read, written after: exit $rc, data arrived: $early"
if [ $lsm = 1 ]; then
	[ $early = no ] && [ $rc != 0 ] || fail "LSM socket_sendmsg let a tainted write through"
	ev '"operation":"send"' "\"port\":$R" '"mechanism":"lsm"'
else
	[ $early = yes ] || fail "the cgroup-only path now stops early sockets: update docs/guarantees.md"
fi

# 7b. A unix socket to a local forwarder; one the rule allows; a datagram
# sent to a path (sendto on an unconnected unix socket).
socat -u UNIX-LISTEN:"$TMP/fwd.sock",fork OPEN:"$TMP/unix.log",creat,append &
at_exit "kill $! 2>/dev/null"
socat -u UNIX-LISTEN:"$TMP/ok.sock",fork OPEN:"$TMP/unix-ok.log",creat,append &
at_exit "kill $! 2>/dev/null"
socat -u UNIX-RECV:"$TMP/dgram.sock" OPEN:"$TMP/unix-dgram.log",creat,append &
at_exit "kill $! 2>/dev/null"
wait_for 50 test -S "$TMP/fwd.sock" -a -S "$TMP/ok.sock" -a -S "$TMP/dgram.sock" ||
	fail "the unix listeners did not start"
socat -u "FILE:$D/secret" UNIX-CONNECT:"$TMP/ok.sock" 2>/dev/null || fail "allowed unix path refused"
wait_for 50 grep -q topsecret-1 "$TMP/unix-ok.log" || fail "nothing reached the allowed unix path"
socat -u "FILE:$D/secret" UNIX-CONNECT:"$TMP/fwd.sock" 2>/dev/null
rc=$?
socat -u "FILE:$D/secret" UNIX-SENDTO:"$TMP/dgram.sock" 2>/dev/null
drc=$?
if [ $unix = 1 ]; then
	[ $rc != 0 ] || fail "a tainted unix connect went through ($mech)"
	[ $drc != 0 ] || fail "a tainted unix datagram went through ($mech)"
	ev "\"address\":\"$TMP/fwd.sock\"" '"type":"unix"' '"operation":"connect"' "\"mechanism\":\"$mech\""
	ev "\"address\":\"$TMP/dgram.sock\"" '"type":"unix"' '"operation":"send"' "\"mechanism\":\"$mech\""
	grep -q topsecret "$TMP/unix.log" "$TMP/unix-dgram.log" 2>/dev/null && fail "data reached a refused unix socket"
	echo "ok - unix socket to a forwarder and a unix datagram refused ($mech); the allowed path passes"
else
	wait_for 50 grep -q topsecret-1 "$TMP/unix.log" ||
		fail "the unix case changed natively: update docs/guarantees.md"
	echo "measured - unix socket to a forwarder: passes (no BPF LSM, no cgroup unix hooks here)"
fi

# 7c. io_uring: the file opened with IORING_OP_OPENAT, then a plain connect.
U=$BUILD/tests/helpers/uring_open
res=$("$U" "$D/secret" $P)
if grep -q '^open: 0' <<<"$res"; then
	echo "measured - io_uring open then connect: $(tail -1 <<<"$res")"
	if [ $lsm = 1 ]; then
		grep -q '^connect: -1$' <<<"$res" || fail "LSM file_open did not taint an io_uring open"
	else
		grep -q '^connect: 0$' <<<"$res" ||
			fail "the io_uring case changed natively: update docs/guarantees.md"
	fi
else
	echo "io_uring unavailable here: $res"
fi

# 8. Kill: curl --data @kfile dies.
post $P "$D/kfile"
[ $rc = 137 ] || fail "kill rule: expected SIGKILL (137), got $rc"
ev '"name":"bgtt-kill"' '"action":"kill"' "\"file\":\"$D/kfile\""
echo "ok - kill rule kills curl"

# 9. python3: read, then connect.
if command -v python3 >/dev/null && [ "${BG_IN_VM:-0}" != 1 ]; then
	python3 - "$D/secret" $P <<'PY' || fail "python3 case"
import socket, sys
open(sys.argv[1]).read()
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=5)
except PermissionError:
    sys.exit(0)
sys.exit("connected")
PY
	ev '"name":"python3"' "\"file\":\"$D/secret\""
	echo "ok - python3 read then connect refused"
fi

# 10. Still nothing for the bystander.
post $P "$D/public"
[ $rc = 0 ] || fail "bystander refused after the others (exit $rc)"
echo "ok - bystander still untouched"
