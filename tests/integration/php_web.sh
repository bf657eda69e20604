#!/bin/bash
# The issue's demo: a web app served by `php -S` with a page that evals a
# request parameter. Profile it with normal requests, run it under the
# policy with --action kill: normal requests still succeed, a request that
# injects system("touch ...") kills the worker before system() runs (the
# file does not exist) with a php_call event naming the function, file and
# line. The php: section alone does the same; under alert the injection
# runs and is reported. Then kill-user with the php: section alone: reports
# whether the file appeared and how late the SIGKILL came.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd curl
PHP=$(command -v php8.2 || command -v php) || skip "needs php8.2-cli"
PORT=$((20000 + ($$ + 7) % 20000))
cp -r "$SRC/tests/php/www" "$TMP/www"
URL="http://127.0.0.1:$PORT/index.php"
# Without opcache: its lock file has a random name (/tmp/.ZendSem.XXXXXX),
# which a profile records literally and Landlock then refuses next time.
at_exit '[ -n "$server" ] && kill -9 $server 2>/dev/null'

start() { # log bpfguard-args...
	local log=$1
	shift
	timeout 60 "$@" "$PHP" -d opcache.enable=0 -S 127.0.0.1:$PORT -t "$TMP/www" </dev/null >/dev/null 2>"$log" &
	server=$!
	wait_for 100 curl -s -o /dev/null "$URL" || {
		cat "$log"
		fail "server did not start"
	}
}
stop() { # SIGINT to the php server: timeout ($server) -> bpfguard -> php
	kill -INT $(pgrep -P "$(pgrep -P $server)")
	wait $server
	local rc=$?
	server=
	return $rc
}
inject() { curl -s -m 5 -G "$URL" --data-urlencode "code=system('touch $TMP/pwned');"; }

# Profile: normal traffic, including eval of harmless code.
start "$TMP/profile.err" "$BPFGUARD" profile -o "$TMP/web.yaml" --
ref=$(curl -s "$URL")
curl -s -G "$URL" --data-urlencode "code=echo strrev('olleh');" | grep -q hello || fail "eval request"
stop || {
	cat "$TMP/profile.err"
	fail "profile failed"
}
grep -q '^php:' "$TMP/web.yaml" || fail "no php: section recorded"
for f in '"render"' '"Page::title"' '"ucfirst"' '"strrev"'; do
	grep -q "^    $f: \[" "$TMP/web.yaml" ||
		fail "function $f not recorded: $(sed -n '/^php:/,$p' "$TMP/web.yaml")"
done
grep -q '"system"' "$TMP/web.yaml" && fail "system recorded though never called"
grep -q "^ *- $TMP/www/index.php" "$TMP/web.yaml" || fail "compiled file not recorded"
[ "$ref" = "Hello..." ] || fail "reference response: $ref"

# Enforced (kill): normal requests succeed, the injection kills.
start "$TMP/kill.err" "$BPFGUARD" run --policy "$TMP/web.yaml" --action kill --json \
	--output "$TMP/kill.ev" --
[ "$(curl -s "$URL")" = "$ref" ] || fail "normal request failed under the policy"
got=$(curl -s -G "$URL" --data-urlencode "code=echo strrev('olleh');")
[ "$got" = "$ref"$'\n'"hello" ] || fail "profiled eval failed: $got"
[ ! -s "$TMP/kill.ev" ] || fail "events for profiled traffic: $(head -c 600 "$TMP/kill.ev")"
out=$(inject)
wait $server
rc=$?
server=
[ $rc -ne 0 ] || fail "server survived the injection"
[ ! -e "$TMP/pwned" ] || fail "the injected command ran: $TMP/pwned exists"
[ -z "$out" ] || fail "injected request answered: $out"
ev=$(grep '"php_call"' "$TMP/kill.ev") || fail "no php_call event: $(cat "$TMP/kill.ev" "$TMP/kill.err")"
for want in '"function":"system"' '"builtin":true' "\"file\":\"$TMP/www/index.php(19) : eval()'d code\"" \
	'"line":1' '"action":"kill"' '"mechanism":"uprobe"' '"outcome":"failure"' \
	'"name":"policy.php.functions"'; do
	grep -qF "$want" <<<"$ev" || fail "php_call event lacks $want: $ev"
done

# The php: section alone (no syscall, file or network rules), kill: the
# PHP guard by itself stops the call.
{ echo 'version: 1'; sed -n '/^php:/,$p' "$TMP/web.yaml"; } >"$TMP/php-only.yaml"
start "$TMP/k2.err" "$BPFGUARD" run --policy "$TMP/php-only.yaml" --action kill --
[ "$(curl -s "$URL")" = "$ref" ] || fail "normal request failed under the php: section"
inject >/dev/null
wait $server
server=
[ ! -e "$TMP/pwned" ] || fail "the injected command ran under the php: section alone"

# A PHP file that was never compiled while profiled (an upload, then
# requested): killed when PHP starts compiling it, before any of it runs.
echo '<?php echo "shell ", php_uname(), "\n";' >"$TMP/www/shell.php"
start "$TMP/k3.err" "$BPFGUARD" run --policy "$TMP/php-only.yaml" --action kill --json \
	--output "$TMP/k3.ev" --
out=$(curl -s -m 5 "http://127.0.0.1:$PORT/shell.php")
wait $server
rc=$?
server=
[ $rc -ne 0 ] && [ -z "$out" ] || fail "the new file ran (rc $rc): $out"
grep '"php_call"' "$TMP/k3.ev" | grep -q "\"function\":\"(compile)\".*\"file\":\"$TMP/www/shell.php\"" ||
	fail "no (compile) event: $(cat "$TMP/k3.ev")"
grep -q '"name":"policy.php.files"' "$TMP/k3.ev" || fail "no files rule: $(cat "$TMP/k3.ev")"
rm "$TMP/www/shell.php"

# alert, the same injection: it runs (the test can tell) and is reported.
start "$TMP/alert.err" "$BPFGUARD" run --policy "$TMP/php-only.yaml" --action alert --json \
	--output "$TMP/alert.ev" --
inject >/dev/null
wait_for 50 [ -e "$TMP/pwned" ] || fail "the injection did not run under alert"
[ "$(curl -s "$URL")" = "$ref" ] || fail "the server died under alert"
stop
grep '"php_call"' "$TMP/alert.ev" | grep -q '"function":"system".*"action":"alert"' ||
	fail "no alert event: $(cat "$TMP/alert.ev")"
rm -f "$TMP/pwned"

# kill-user with the php: section alone: the event goes through the ring
# buffer to bpfguard, which sends SIGKILL; system() may have run by then.
start "$TMP/ku.err" "$BPFGUARD" run --policy "$TMP/php-only.yaml" --action kill-user --
inject >/dev/null
wait $server
server=
late=$(sed -n 's/.*SIGKILL sent to pid [0-9]* \([0-9]*\) us after the PHP call.*/\1/p' "$TMP/ku.err")
[ -n "$late" ] || fail "kill-user did not kill: $(cat "$TMP/ku.err")"
# A shell system() forked before the kill is not killed with PHP: give it
# time to finish before looking.
sleep 0.5
appeared=no
[ -e "$TMP/pwned" ] && appeared=yes
echo "kill-user: SIGKILL ${late} us after the system() call; $TMP/pwned appeared: $appeared"
echo ok
