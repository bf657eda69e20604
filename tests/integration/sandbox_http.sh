#!/bin/bash
# The issue's demo with real programs: profile python3 -m http.server while
# curl fetches pages, run it under the policy (deny): same responses and no
# event; then requests outside the profile: a file under a directory it
# never read (Landlock: EACCES, the server answers 404) and a CGI script,
# which needs fork/exec it never made (seccomp: EPERM, with events). Then a
# client's connect to a port outside its profile fails with EPERM (cgroup
# hook, event), and only reports under alert.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd curl
PY=/usr/bin/python3
[ -x $PY ] || skip "needs Debian's python3"
PORT=$((20000 + $$ % 20000))
# The CGI handler drops to user nobody when run as root.
chmod 755 "$TMP"
mkdir -p "$TMP/www/secret" "$TMP/www/cgi-bin"
echo "hello from bpfguard" > "$TMP/www/index.html"
echo "top secret" > "$TMP/www/secret/x.txt"
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho spawned\n' > "$TMP/www/cgi-bin/x.sh"
chmod +x "$TMP/www/cgi-bin/x.sh"
cd "$TMP/www"

serve() { # mode policy-args...
	: > "$TMP/server.log"
	timeout 60 "$@" $PY -m http.server --cgi --bind 127.0.0.1 $PORT >/dev/null 2>>"$TMP/server.log" &
	server=$!
	wait_for 100 curl -s -o /dev/null "http://127.0.0.1:$PORT/" || fail "server did not start"
}
stop() { kill -INT $server 2>/dev/null; wait $server 2>/dev/null; server=; }
at_exit '[ -n "$server" ] && kill -9 $server 2>/dev/null; pkill -f "http.server --cgi --bind 127.0.0.1 $PORT"' 

# Profile: the normal traffic of this site.
"$BPFGUARD" profile -o "$TMP/http.yaml" -- $PY -m http.server --cgi --bind 127.0.0.1 $PORT \
	>/dev/null 2>"$TMP/profile.err" &
server=$!
wait_for 100 curl -s -o /dev/null "http://127.0.0.1:$PORT/" || fail "profiled server did not start"
ref=$(curl -s "http://127.0.0.1:$PORT/index.html")
curl -s -o /dev/null "http://127.0.0.1:$PORT/"
pkill -INT -f "http.server --cgi --bind 127.0.0.1 $PORT"
wait $server || { cat "$TMP/profile.err"; fail "profile exited with $?"; }
grep -q "0.0.0.0:$PORT\|127.0.0.1:$PORT" "$TMP/http.yaml" || fail "bind not recorded"
[ "$ref" = "hello from bpfguard" ] || fail "reference fetch failed"

# Enforced, normal traffic: same response, no event.
serve "$BPFGUARD" run --policy "$TMP/http.yaml" --json --output "$TMP/deny.ev" --
got=$(curl -s "http://127.0.0.1:$PORT/index.html")
[ "$got" = "$ref" ] || fail "response changed under the policy: $got"
[ ! -s "$TMP/deny.ev" ] || fail "events for in-profile traffic: $(head -3 "$TMP/deny.ev")"
# Outside: a directory it never read.
code=$(curl -s -o "$TMP/secret.out" -w '%{http_code}' "http://127.0.0.1:$PORT/secret/x.txt")
[ "$code" != 200 ] && ! grep -q "top secret" "$TMP/secret.out" || fail "secret file was served"
# Outside: a CGI request makes the server import modules and spawn a
# process it never did while profiled: refused (Landlock EACCES on the new
# files first; seccomp EPERM for calls never made).
curl -s -m 10 -o "$TMP/cgi.out" "http://127.0.0.1:$PORT/cgi-bin/x.sh"
grep -q spawned "$TMP/cgi.out" && fail "CGI script ran under the policy"
grep -q "PermissionError\|Operation not permitted" "$TMP/server.log" ||
	fail "the server saw no denial: $(tail -3 "$TMP/server.log")"
stop

# Unsandboxed, the same requests succeed (the test can tell the difference).
serve
curl -s "http://127.0.0.1:$PORT/cgi-bin/x.sh" | grep -q spawned || fail "CGI fails even unsandboxed"
curl -s "http://127.0.0.1:$PORT/secret/x.txt" | grep -q "top secret" || fail "secret unreadable even unsandboxed"
stop

# Network allowlist: a client profiled connecting to one port.
$PY -c "import socket,time; s=[socket.create_server(('127.0.0.1',p)) for p in ($PORT,$((PORT+1)))]; time.sleep(30)" &
listener=$!
at_exit "kill $listener 2>/dev/null"
wait_for 100 listening $((PORT + 1)) || fail "the listeners did not start"
client() { echo "import socket; socket.create_connection(('127.0.0.1', $1)).close(); print('connected')"; }
"$BPFGUARD" profile -o "$TMP/cli.yaml" -- $PY -c "$(client $PORT)" >/dev/null 2>&1 || fail "client profile"
grep -q "\"127.0.0.1:$PORT\"" "$TMP/cli.yaml" || fail "connect peer not recorded"
out=$("$BPFGUARD" run --policy "$TMP/cli.yaml" --json --output "$TMP/n1.ev" -- $PY -c "$(client $PORT)")
[ "$out" = connected ] && [ ! -s "$TMP/n1.ev" ] || fail "in-profile connect failed or reported"
out=$("$BPFGUARD" run --policy "$TMP/cli.yaml" --json --output "$TMP/n2.ev" -- $PY -c "$(client $((PORT+1)))" 2>&1)
grep -q PermissionError <<<"$out" || fail "connect outside the profile was not refused: $out"
grep -q "\"destination\":{\"address\":\"127.0.0.1\",\"port\":$((PORT+1))}" "$TMP/n2.ev" ||
	fail "no network event: $(cat "$TMP/n2.ev")"
grep -q '"mechanism":"cgroup"' "$TMP/n2.ev" || fail "network event lacks the mechanism"
out=$("$BPFGUARD" run --policy "$TMP/cli.yaml" --action alert --json --output "$TMP/n3.ev" -- $PY -c "$(client $((PORT+1)))")
[ "$out" = connected ] || fail "alert blocked the connect"
grep -q '"action":"alert"' "$TMP/n3.ev" || fail "no alert event"
echo ok
