#!/bin/bash
# What has happened when a kill from `bpfguard monitor` lands. The SIGKILL
# is sent by the tracepoint program (bpf_send_signal) and acts when the
# call returns to user space, so the call that broke the policy has run;
# whether its effect is there depends on whether the kernel code of the
# call checks for a fatal signal on its way. Each row: a python3 worker,
# started outside bpfguard and monitored by --pid, does one call outside
# its policy; the test checks it died by SIGKILL and what the call left.
# The table it prints is the one in docs/guarantees.md: a kernel that
# behaves differently fails this test until the docs are updated.
# asan: yes
. "$(dirname "$0")/monitor_lib.sh"
need_cmd python3
[ -x "$PY" ] || skip "cannot find the python3 interpreter"
PORT=$((20000 + RANDOM % 20000))

cat >"$TMP/w.py" <<'PY'
import os, socket, sys, time
mode, go, tmp, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fd = os.open(tmp + "/wfile", os.O_WRONLY)
while not os.path.exists(go):
    time.sleep(0.05)
if mode == "unlink":
    os.unlink(tmp + "/victim")
elif mode == "write":
    os.write(fd, b"x" * (1 << 20))
elif mode == "pwrite":
    os.pwrite(fd, b"x" * 4096, 0)
elif mode == "trunc":
    os.open(tmp + "/precious", os.O_WRONLY | os.O_TRUNC)
elif mode == "creat":
    os.open(tmp + "/created", os.O_WRONLY | os.O_CREAT, 0o644)
elif mode == "connect":
    socket.create_connection(("127.0.0.1", port), timeout=2)
elif mode == "sendto":
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"ping", ("127.0.0.1", port))
os._exit(0)
PY
cat >"$TMP/listen.py" <<'PY'
import socket, sys
kind, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
if kind == "tcp":
    s.listen(8)
open(out + ".ready", "w").close()
s.settimeout(3)
try:
    if kind == "tcp":
        s.accept()
    else:
        s.recvfrom(64)
    r = "yes"
except socket.timeout:
    r = "no"
open(out, "w").write(r)
PY
: >"$TMP/wfile"
(sleep 0.4; touch "$TMP/go.p") & t=$!
"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$PY" "$TMP/w.py" none "$TMP/go.p" "$TMP" $PORT >/dev/null 2>"$TMP/prof.err" ||
	fail "profile: $(cat "$TMP/prof.err")"
wait $t
for s in unlink write pwrite64; do
	sed -n '/^  x86_64:/p' "$TMP/p.yaml" | grep -qw $s && fail "$s is in the profile: the row would measure nothing"
done
only syscalls <"$TMP/p.yaml" >"$TMP/syscalls.yaml"
only files <"$TMP/p.yaml" >"$TMP/files.yaml"
printf 'version: 1\nnetwork:\n  connect: []\n  sendto: []\n  bind: []\n' >"$TMP/network.yaml"

# row MODE POLICY: run one worker under --action kill; sets RC.
row() {
	local ev=$TMP/ev.$1 w
	"$PY" "$TMP/w.py" "$1" "$TMP/go.$1" "$TMP" $PORT >"$ev.out" 2>&1 &
	w=$!
	start_monitor "$ev" --policy "$TMP/$2.yaml" --action kill --pid $w
	touch "$TMP/go.$1"
	wait $w 2>/dev/null
	RC=$?
	stop_monitor "$ev"
	[ $RC = 137 ] || fail "$1: worker exit $RC, expected 137 (SIGKILL): $(cat "$ev.out")"
	grep -q '"action":"kill"' "$ev" || fail "$1: no kill event"
}

table=()
# expect NAME RULE EXPECTED MEASURED
expect() {
	table+=("$(printf '| %-44s | %-8s | %-3s |' "$1" "$2" "$4")")
	[ "$3" = "$4" ] || fail "$1: docs/guarantees.md says '$3', measured '$4'"
}

echo victim >"$TMP/victim"
row unlink syscalls
expect "unlink(2) of a file: the file is gone" syscalls yes "$([ -e "$TMP/victim" ] && echo no || echo yes)"

row write syscalls
expect "write(2) of 1 MiB to a file: bytes that landed" syscalls 0 "$(stat -c %s "$TMP/wfile")"

row pwrite syscalls
expect "pwrite64(2) of 4 KiB: bytes that landed" syscalls 0 "$(stat -c %s "$TMP/wfile")"

echo precious >"$TMP/precious"
row trunc files
grep -q '"access":"wt"' "$TMP/ev.trunc" || fail "trunc: the event does not say w and t: $(cat "$TMP/ev.trunc")"
expect "open(O_TRUNC) of a file: it was truncated" files yes "$([ -s "$TMP/precious" ] && echo no || echo yes)"

row creat files
expect "open(O_CREAT) of a new file: it exists" files yes "$([ -e "$TMP/created" ] && echo yes || echo no)"

"$PY" "$TMP/listen.py" tcp $PORT "$TMP/tcp" & l=$!
wait_for 50 test -e "$TMP/tcp.ready" || fail "tcp listener"
row connect network
wait $l
expect "connect(2) over TCP: the peer accepted it" network yes "$(cat "$TMP/tcp")"

"$PY" "$TMP/listen.py" udp $PORT "$TMP/udp" & l=$!
wait_for 50 test -e "$TMP/udp.ready" || fail "udp listener"
row sendto network
wait $l
expect "sendto(2) over UDP: the datagram arrived" network yes "$(cat "$TMP/udp")"

printf '| %-44s | %-8s | %-3s |\n' "call outside the policy, then SIGKILL" rule "happened"
printf '%s\n' "${table[@]}"
echo ok
