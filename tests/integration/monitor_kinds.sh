#!/bin/bash
# bpfguard monitor on processes started outside bpfguard: for each rule kind
# (syscalls, files, network, executables), alert and kill, with the target
# chosen by --pid, --cgroup and --exe. Workers are python3, sh (a copy of
# dash, so --exe matches nothing else on the host) and curl against
# python3 http.server on loopback; each waits for a go file, is monitored,
# then does one thing its profile never did. alert: it completes and an
# event names rule, mechanism, action and outcome; kill: it dies by SIGKILL.
# --pid targets the worker's parent (descendants found in /proc at start,
# and followed at fork), --cgroup the parent of the worker's cgroup.
# asan: yes
. "$(dirname "$0")/monitor_lib.sh"
need_cmd python3
need_cmd curl
[ -x "$PY" ] || skip "cannot find the python3 interpreter"
SH=$TMP/sh
cp "$(readlink -f /bin/sh)" "$SH" || fail "copy sh"
P1=$((20000 + RANDOM % 20000))
P2=$((P1 + 1))
mkdir "$TMP/www" "$TMP/scratch" && echo hello >"$TMP/www/index.html" && echo ok >"$TMP/ok" && echo s >"$TMP/secret"
for p in $P1 $P2; do
	"$PY" -m http.server -b 127.0.0.1 -d "$TMP/www" $p >/dev/null 2>&1 &
	at_exit "kill $!"
done
for p in $P1 $P2; do
	wait_for 50 curl -sf -o /dev/null http://127.0.0.1:$p/ || fail "http.server on $p did not start"
done

# The workers sleep once before they look for the go file: their profiles,
# made with the go file already there, hold the calls of the wait.
cat >"$TMP/w.py" <<'PY'
import os, socket, sys, time
mode, go, tmp = sys.argv[1:4]
time.sleep(0.05)
while not os.path.exists(go):
    time.sleep(0.05)
open(tmp + "/ok").read()
# A file created and removed while profiled: allowed again through its
# directory, as Landlock allows it under run.
with open(tmp + "/scratch/%d.tmp" % os.getpid(), "w") as f:
    f.write("x")
os.unlink(f.name)
if mode == "syscall":
    os.umask(0o22)
elif mode == "file":
    open(tmp + "/secret").read()
print("done", mode, flush=True)
PY
cat >"$TMP/w.sh" <<EOF2
sleep 0.05
while [ ! -e "\$2" ]; do sleep 0.05; done
/bin/true
case \$1 in
exec) /usr/bin/id -u; echo "id rc \$?" ;;
net) curl -s -o /dev/null http://127.0.0.1:$P1/; curl -s -o /dev/null http://127.0.0.1:$P2/; echo "curl rc \$?" ;;
*) curl -s -o /dev/null http://127.0.0.1:$P1/ ;;
esac
echo done
EOF2

# Policies: what the workers do before the step under test.
touch "$TMP/go.p" "$TMP/go.s"
"$BPFGUARD" profile -o "$TMP/py.yaml" -- "$PY" "$TMP/w.py" none "$TMP/go.p" "$TMP" >/dev/null 2>"$TMP/prof.err" ||
	fail "profile python: $(cat "$TMP/prof.err")"
"$BPFGUARD" profile -o "$TMP/sh.yaml" -- "$SH" "$TMP/w.sh" none "$TMP/go.s" >/dev/null 2>"$TMP/prof.err" ||
	fail "profile sh: $(cat "$TMP/prof.err")"
grep -q umask "$TMP/py.yaml" && fail "umask in the profile: pick another syscall"
only syscalls <"$TMP/py.yaml" >"$TMP/sys.yaml"
only files <"$TMP/py.yaml" >"$TMP/files.yaml"
only network <"$TMP/sh.yaml" >"$TMP/net.yaml"
only executables <"$TMP/sh.yaml" >"$TMP/exec.yaml"
grep -q "127.0.0.1:$P1" "$TMP/net.yaml" || fail "no peer in the profile: $(cat "$TMP/net.yaml")"

# one KIND ACTION SELECTOR: start the worker, monitor it, release it.
one() {
	local kind=$1 action=$2 sel=$3 pol cmd w rc
	local go=$TMP/go.$1.$2 ev=$TMP/ev.$1.$2
	case $kind in
	syscall) pol=sys; cmd=("$PY" "$TMP/w.py" syscall "$go" "$TMP") ;;
	file) pol=files; cmd=("$PY" "$TMP/w.py" file "$go" "$TMP") ;;
	net) pol=net; cmd=("$SH" "$TMP/w.sh" net "$go") ;;
	exec) pol=exec; cmd=("$SH" "$TMP/w.sh" exec "$go") ;;
	esac
	case $sel in
	pid) # the worker is a child of the target, running before the monitor
		"$SH" -c '"$@" & wait $!' sh "${cmd[@]}" >"$ev.out" 2>&1 & w=$!
		wait_for 50 pgrep -P $w >/dev/null || fail "no worker under $w"
		wait_exe "$(pgrep -P $w)" "${cmd[0]}"
		start_monitor "$ev" --policy "$TMP/$pol.yaml" --action "$action" --pid $w ;;
	cgroup) # the worker is in a cgroup below the target
		make_cgroup "$kind$action"
		mkdir "$CG/sub" || fail "mkdir $CG/sub"
		"$SH" -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/sub" "${cmd[@]}" >"$ev.out" 2>&1 & w=$!
		wait_for 50 grep -qx "$w" "$CG/sub/cgroup.procs" || fail "worker not in $CG/sub: $(cat "$ev.out")"
		wait_exe $w "${cmd[0]}"
		start_monitor "$ev" --policy "$TMP/$pol.yaml" --action "$action" --cgroup "$CG" ;;
	exe) # already running when the monitor scans /proc
		"${cmd[@]}" >"$ev.out" 2>&1 & w=$!
		wait_exe $w "${cmd[0]}"
		start_monitor "$ev" --policy "$TMP/$pol.yaml" --action "$action" --exe "${cmd[0]}" ;;
	esac
	grep -q '^bpfguard: monitoring [1-9]' "$ev.err" || fail "$kind/$action/$sel: nothing monitored: $(cat "$ev.err")"
	touch "$go"
	wait $w; rc=$?
	# The worker's events are in the ring buffer before it is reaped; the
	# monitor drains it when it stops.
	stop_monitor "$ev"
	RC=$rc OUT=$(cat "$ev.out") EV=$ev
	echo "$kind/$action/--$sel: worker exit $rc, $(grep -c . "$ev") events"
}

one syscall alert pid
[ $RC = 0 ] && grep -q "done syscall" <<<"$OUT" || fail "syscall/alert: worker did not complete ($RC): $OUT"
check_events "$EV" syscall policy.syscalls alert success 'e["syscall"]["name"] == "umask" and e["syscall"]["abi"] == "x86_64"' || fail "syscall/alert events"

one syscall kill cgroup
[ $RC = 137 ] || fail "syscall/kill: worker exit $RC, expected 137 (SIGKILL): $OUT"
grep -q done <<<"$OUT" && fail "syscall/kill: the worker went on after umask"
check_events "$EV" syscall policy.syscalls kill failure 'e["syscall"]["name"] == "umask"' || fail "syscall/kill events"

one file alert cgroup
[ $RC = 0 ] && grep -q "done file" <<<"$OUT" || fail "file/alert: worker did not complete ($RC): $OUT"
check_events "$EV" policy_file policy.files alert success "e['file']['path'] == '$TMP/secret' and e['file']['access'] == 'r'" || fail "file/alert events"
python3 - "$EV" <<'PY' || fail "file/alert: an allowed file was reported"
import json, sys
bad = [e["file"]["path"] for e in map(json.loads, open(sys.argv[1])) if e["bpfguard"]["type"] == "policy_file" and not e["file"]["path"].endswith("/secret")]
assert not bad, bad
PY

one file kill pid
[ $RC = 137 ] || fail "file/kill: worker exit $RC, expected 137: $OUT"
grep -q done <<<"$OUT" && fail "file/kill: the worker went on after the open"
check_events "$EV" policy_file policy.files kill failure "e['file']['path'] == '$TMP/secret'" || fail "file/kill events"

one net alert pid
grep -q "curl rc 0" <<<"$OUT" || fail "net/alert: curl did not complete: $OUT"
check_events "$EV" network policy.network alert success "e['destination']['port'] == $P2 and e['destination']['address'] == '127.0.0.1' and e['network']['transport'] == 'tcp' and e['process']['name'] == 'curl'" || fail "net/alert events"

one net kill cgroup
grep -q "curl rc 137" <<<"$OUT" || fail "net/kill: curl not killed: $OUT"
check_events "$EV" network policy.network kill failure "e['destination']['port'] == $P2" || fail "net/kill events"

one exec alert exe
grep -qx 0 <<<"$OUT" && grep -q "id rc 0" <<<"$OUT" || fail "exec/alert: id did not run: $OUT"
check_events "$EV" policy_exec policy.executables alert success "e['file']['path'] == '/usr/bin/id' and e['process']['name'] == 'id'" || fail "exec/alert events"

one exec kill exe
grep -q "id rc 137" <<<"$OUT" || fail "exec/kill: id not killed: $OUT"
grep -qx 0 <<<"$OUT" && fail "exec/kill: id ran before the kill landed"
check_events "$EV" policy_exec policy.executables kill failure "e['file']['path'] == '/usr/bin/id'" || fail "exec/kill events"
echo ok
