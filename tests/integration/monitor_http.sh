#!/bin/bash
# A real server bpfguard did not start: python3 -m http.server, profiled
# while curl fetches pages, then started again on its own and monitored by
# --pid with the whole policy (syscalls, executables, files, network).
# In-profile traffic: same response, no event. A request for a file under
# a directory it never read: under alert the event names the file (and the
# page is served: monitoring cannot refuse); under kill the server dies.
# asan: yes
. "$(dirname "$0")/monitor_lib.sh"
need_cmd curl
[ -x "$PY" ] || skip "cannot find the python3 interpreter"
PORT=$((20000 + RANDOM % 20000))
mkdir -p "$TMP/www/secret"
echo "hello from bpfguard" >"$TMP/www/index.html"
echo "top secret" >"$TMP/www/secret/x.txt"

get() { curl -s -m 5 "http://127.0.0.1:$PORT/$1"; }

"$BPFGUARD" profile -o "$TMP/http.yaml" -- "$PY" -m http.server --bind 127.0.0.1 --directory "$TMP/www" $PORT \
	>/dev/null 2>"$TMP/profile.err" &
prof=$!
wait_for 100 curl -s -o /dev/null "http://127.0.0.1:$PORT/" || fail "profiled server did not start: $(cat "$TMP/profile.err")"
ref=$(get index.html)
get >/dev/null
get index.html >/dev/null
pkill -INT -P $prof # the server, child of bpfguard profile
wait $prof || fail "profile exited with $?: $(cat "$TMP/profile.err")"
[ "$ref" = "hello from bpfguard" ] || fail "reference fetch failed: $ref"
for s in syscalls executables files network; do
	grep -q "^$s:" "$TMP/http.yaml" || fail "no $s section in the profile"
done

serve() {
	"$PY" -m http.server --bind 127.0.0.1 --directory "$TMP/www" $PORT >/dev/null 2>&1 &
	server=$!
	at_exit "kill -9 $server 2>/dev/null"
	wait_for 100 curl -s -o /dev/null "http://127.0.0.1:$PORT/" || fail "server did not start"
}

serve
start_monitor "$TMP/alert.ev" --policy "$TMP/http.yaml" --pid $server
got=$(get index.html)
[ "$got" = "$ref" ] || fail "response changed while monitored: $got"
get >/dev/null
sleep 0.3
grep '"kind":"alert"' "$TMP/alert.ev" && fail "alerts for in-profile traffic"
got=$(get secret/x.txt)
[ "$got" = "top secret" ] || fail "alert: the request failed: $got"
sleep 0.3
stop_monitor "$TMP/alert.ev"
check_events "$TMP/alert.ev" policy_file policy.files alert success \
	"e['file']['path'] == '$TMP/www/secret/x.txt' and e['process']['pid'] == $server" ||
	fail "alert: no event for the secret file"
kill $server
wait $server 2>/dev/null

serve
start_monitor "$TMP/kill.ev" --policy "$TMP/http.yaml" --action kill --pid $server
[ "$(get index.html)" = "$ref" ] || fail "kill: in-profile request failed"
got=$(get secret/x.txt)
wait $server
rc=$?
stop_monitor "$TMP/kill.ev"
[ $rc = 137 ] || fail "kill: server exit $rc, expected 137"
[ "$got" != "top secret" ] || fail "kill: the secret was served"
check_events "$TMP/kill.ev" policy_file policy.files kill failure "e['file']['path'] == '$TMP/www/secret/x.txt'" ||
	fail "kill: no event"
echo ok
