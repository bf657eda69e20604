#!/bin/bash
# monitor with a php: section, on a PHP web server bpfguard did not start:
# `USE_ZEND_DTRACE=1 php -S` with forked workers (PHP_CLI_SERVER_WORKERS),
# profiled by `profile --pid`, then `monitor --pid --action kill`: normal
# requests succeed, a request that injects system("touch ...") kills the
# worker before system() runs (the file does not exist) with a php_call
# event. A PHP process started without USE_ZEND_DTRACE=1 gets a clear
# message that its PHP functions are not checked.
. "$(dirname "$0")/monitor_lib.sh"
need_cmd curl
need_php
PORT=$((20000 + ($$ + 11) % 20000))
cp -r "$SRC/tests/php/www" "$TMP/www"
URL="http://127.0.0.1:$PORT/index.php"
at_exit '[ -n "$server" ] && pkill -9 -P $server 2>/dev/null; [ -n "$server" ] && kill -9 $server 2>/dev/null'
inject() { curl -s -m 5 -G "$URL" --data-urlencode "code=system('touch $TMP/pwned');"; }

# The server, outside bpfguard: a master and two forked workers.
USE_ZEND_DTRACE=1 PHP_CLI_SERVER_WORKERS=2 timeout 60 "$PHP" -d opcache.enable=0 \
	-S 127.0.0.1:$PORT -t "$TMP/www" </dev/null >/dev/null 2>"$TMP/server.err" &
server=$!
wait_for 100 curl -s -o /dev/null "$URL" || fail "server did not start: $(cat "$TMP/server.err")"
ref=$(curl -s "$URL")
[ "$ref" = "Hello..." ] || fail "reference response: $ref"
master=$(pgrep -P $server) # timeout -> php (master) -> workers

# Profile the running server (its PHP functions, attributed syscalls).
"$BPFGUARD" profile --pid $master -o "$TMP/web.yaml" 2>"$TMP/profile.err" &
prof=$!
wait_for 100 grep -qs '^bpfguard: profiling' "$TMP/profile.err" || fail "profile did not start: $(cat "$TMP/profile.err")"
for i in 1 2 3; do
	curl -s "$URL" >/dev/null
	curl -s -G "$URL" --data-urlencode "code=echo strrev('olleh');" | grep -q hello || fail "eval request"
done
kill -INT $prof
wait $prof || fail "profile failed: $(cat "$TMP/profile.err")"
grep -q '"Page::title"' "$TMP/web.yaml" || fail "no PHP functions recorded: $(cat "$TMP/profile.err" "$TMP/web.yaml")"
grep -q '"system"' "$TMP/web.yaml" && fail "system recorded though never called"
only php <"$TMP/web.yaml" >"$TMP/php.yaml"

# monitor --pid, kill: profiled traffic passes, the injection kills.
start_monitor "$TMP/kill.ev" --policy "$TMP/php.yaml" --pid $master --action kill
grep -q "php: watching 3 running PHP processes of $PHP" "$TMP/kill.ev.err" ||
	fail "PHP processes not found: $(cat "$TMP/kill.ev.err")"
grep -q "USE_ZEND_DTRACE" "$TMP/kill.ev.err" && fail "spurious warning: $(cat "$TMP/kill.ev.err")"
for i in 1 2 3 4; do
	[ "$(curl -s "$URL")" = "$ref" ] || fail "normal request failed under monitor"
	got=$(curl -s -G "$URL" --data-urlencode "code=echo strrev('olleh');")
	[ "$got" = "$ref"$'\n'"hello" ] || fail "profiled eval failed under monitor: $got"
done
[ ! -s "$TMP/kill.ev" ] || fail "events for profiled traffic: $(head -c 600 "$TMP/kill.ev")"
workers=$(pgrep -P $master)
out=$(inject)
sleep 0.3
[ ! -e "$TMP/pwned" ] || fail "the injected command ran: $TMP/pwned exists"
[ -z "$out" ] || fail "injected request answered: $out"
stop_monitor "$TMP/kill.ev"
ev=$(grep '"php_call"' "$TMP/kill.ev") || fail "no php_call event: $(cat "$TMP/kill.ev" "$TMP/kill.ev.err")"
for want in '"function":"system"' '"builtin":true' '"action":"kill"' '"outcome":"failure"' \
	'"name":"policy.php.functions"'; do
	grep -qF "$want" <<<"$ev" || fail "php_call event lacks $want: $ev"
done
# The process that ran the injection is dead (or a zombie: php -S does
# not reap its workers). Which one serves a request is up to PHP: a
# worker, sometimes the master.
victim=$(sed -n 's/.*"process":{"pid":\([0-9]*\),.*/\1/p' <<<"$ev")
grep -qx "$victim" <<<"$master"$'\n'"$workers" ||
	fail "killed pid $victim is not the server ($master, $workers): $ev"
state=$(awk '{ print $3 }' /proc/$victim/stat 2>/dev/null)
[ -z "$state" ] || [ "$state" = Z ] || fail "process $victim survived (state $state)"
pkill -9 -P $master 2>/dev/null
kill -9 $master $server 2>/dev/null
wait $server 2>/dev/null
server=

# A PHP process without USE_ZEND_DTRACE=1: monitor says its PHP functions
# are not checked.
env -u USE_ZEND_DTRACE "$PHP" -r 'sleep(20);' &
plain=$!
at_exit "kill -9 $plain 2>/dev/null"
start_monitor "$TMP/plain.ev" --policy "$TMP/php.yaml" --pid $plain --action kill
grep -q "process $plain was started without USE_ZEND_DTRACE=1: PHP fires no USDT probes, so its PHP functions are NOT checked" \
	"$TMP/plain.ev.err" || fail "no USE_ZEND_DTRACE message: $(cat "$TMP/plain.ev.err")"
stop_monitor "$TMP/plain.ev"

# No PHP among the targets (and no BPFGUARD_PHP): refused, said why.
sleep 20 &
other=$!
at_exit "kill -9 $other 2>/dev/null"
env -u BPFGUARD_PHP timeout 10 "$BPFGUARD" monitor --policy "$TMP/php.yaml" --pid $other \
	>/dev/null 2>"$TMP/none.err" && fail "monitor started without a PHP process"
grep -q "php: section but none of the monitored processes runs a PHP with USDT probes" \
	"$TMP/none.err" || fail "no message: $(cat "$TMP/none.err")"
echo ok
