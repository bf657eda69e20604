#!/bin/bash
# php-fpm behind a FastCGI client (cgi-fcgi): the master forks its workers,
# the policy follows them (they stay in the command's cgroup). Profile the
# eval page with normal requests, then enforce with --action kill: normal
# requests succeed; the injected system() kills the worker before it runs
# (no file, a php_call event from the worker's pid); the master replaces
# the worker and the next normal request succeeds again.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd cgi-fcgi
FPM=$(command -v php-fpm8.2 || command -v php-fpm) || skip "needs php8.2-fpm"
PORT=$((20000 + ($$ + 13) % 20000))
cp -r "$SRC/tests/php/www" "$TMP/www"
cat >"$TMP/fpm.conf" <<EOF
[global]
error_log = $TMP/fpm.log
daemonize = no
[www]
listen = 127.0.0.1:$PORT
pm = static
pm.max_children = 2
EOF
at_exit '[ -n "$server" ] && kill -9 $server 2>/dev/null'

start() { # log bpfguard-args...
	local log=$1
	shift
	# -n: no php.ini (no opcache: its lock file has a random name).
	timeout 60 "$@" "$FPM" -n -R -y "$TMP/fpm.conf" </dev/null >/dev/null 2>"$log" &
	server=$!
	wait_for 100 ok || {
		cat "$log" "$TMP/fpm.log"
		fail "php-fpm did not start"
	}
}
stop() { # SIGQUIT (graceful) to the master: timeout ($server) -> bpfguard -> php-fpm
	kill -QUIT $(pgrep -P "$(pgrep -P $server)")
	wait $server
	local rc=$?
	server=
	return $rc
}
req() { # [query]
	SCRIPT_FILENAME=$TMP/www/index.php SCRIPT_NAME=/index.php REQUEST_METHOD=GET \
		QUERY_STRING=${1:-} cgi-fcgi -bind -connect 127.0.0.1:$PORT 2>/dev/null |
		sed '1,/^\r\?$/d'
}
ok() { [ "$(req)" = "Hello..." ]; }

start "$TMP/profile.err" "$BPFGUARD" profile -o "$TMP/fpm.yaml" --
for i in 1 2 3 4; do ok || fail "normal request: $(req) $(cat "$TMP/fpm.log")"; done
req "code=echo+strrev('olleh');" | grep -q hello || fail "eval request"
stop || {
	cat "$TMP/profile.err"
	fail "profile failed"
}
grep -q '^    "Page::title": \[' "$TMP/fpm.yaml" || fail "worker functions not recorded: $(cat "$TMP/fpm.yaml")"
grep -q '"system"' "$TMP/fpm.yaml" && fail "system recorded though never called"
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/fpm.yaml"
} >"$TMP/php.yaml"

start "$TMP/kill.err" "$BPFGUARD" run --policy "$TMP/php.yaml" --action kill --json \
	--output "$TMP/kill.ev" --
for i in 1 2 3; do ok || fail "normal request failed under the policy: $(req)"; done
workers=$(pgrep -P "$(pgrep -P "$(pgrep -P $server)")" | sort)
req "code=system('touch+$TMP/pwned');" >"$TMP/inj.out"
[ ! -e "$TMP/pwned" ] || fail "the injected command ran: $TMP/pwned exists"
grep -q Hello "$TMP/inj.out" && fail "the injected request was answered: $(cat "$TMP/inj.out")"
wait_for 50 grep -q '"php_call"' "$TMP/kill.ev" || fail "no php_call event: $(cat "$TMP/kill.ev")"
ev=$(grep '"php_call"' "$TMP/kill.ev")
grep -q '"function":"system".*"action":"kill"' <<<"$ev" || fail "event: $ev"
pid=$(sed -n 's/.*"process":{"pid":\([0-9]*\).*/\1/p' <<<"$ev")
grep -qx "$pid" <<<"$workers" || fail "the event's pid $pid is not a worker ($workers)"
wait_for 50 grep -q "child $pid exited on signal 9" "$TMP/fpm.log" ||
	fail "the master did not see worker $pid die of SIGKILL: $(cat "$TMP/fpm.log")"
ok || fail "no worker served the next request"
stop

# profile --pid on a php-fpm master bpfguard did not start: its cgroup is
# watched, the workers' functions recorded.
USE_ZEND_DTRACE=1 timeout 60 "$FPM" -n -R -y "$TMP/fpm.conf" </dev/null >/dev/null 2>&1 &
server=$!
wait_for 100 ok || fail "php-fpm did not start"
master=$(pgrep -P $server)
timeout -s INT 30 "$BPFGUARD" profile --pid "$master" -o "$TMP/pid.yaml" >/dev/null 2>"$TMP/pid.err" &
prof=$!
wait_for 100 grep -q "profiling; Ctrl-C" "$TMP/pid.err" || fail "profile --pid: $(cat "$TMP/pid.err")"
ok && ok || fail "requests while profiling --pid"
kill -INT "$(pgrep -P $prof)"
wait $prof
grep -q '^    "Page::title": \[' "$TMP/pid.yaml" ||
	fail "profile --pid recorded no worker function: $(cat "$TMP/pid.err" "$TMP/pid.yaml")"
grep -q "cannot tell whether process $master has USE_ZEND_DTRACE" "$TMP/pid.err" ||
	fail "no note on the overwritten environment: $(cat "$TMP/pid.err")"

# monitor --pid on that master, kill, with the php: section profiled
# above: workers forked before the monitor started and the ones the master
# forks to replace the killed ones are all held to it. Inject until a
# worker forked after the monitor started is the one killed.
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/pid.yaml"
} >"$TMP/pid-php.yaml"
"$BPFGUARD" monitor --policy "$TMP/pid-php.yaml" --pid "$master" --action kill --json \
	--output "$TMP/mon.ev" 2>"$TMP/mon.err" &
mon=$!
at_exit "kill -INT $mon 2>/dev/null"
wait_for 100 grep -qs '^bpfguard: monitoring' "$TMP/mon.err" || fail "monitor: $(cat "$TMP/mon.err")"
grep -q "php: watching 3 running PHP processes of $(realpath "$FPM")" "$TMP/mon.err" ||
	fail "monitor did not find the php-fpm processes: $(cat "$TMP/mon.err")"
first=$(pgrep -P "$master" | sort)
ok && ok || fail "normal requests under monitor"
events_ge() { [ "$(grep -c '"php_call"' "$TMP/mon.ev")" -ge "$1" ]; }
late=
for i in 1 2 3 4 5 6; do
	req "code=system('touch+$TMP/pwned');" >"$TMP/inj.out"
	[ ! -e "$TMP/pwned" ] || fail "the injected command ran under monitor (try $i)"
	wait_for 50 events_ge $i ||
		fail "no php_call event for injection $i: $(cat "$TMP/mon.ev" "$TMP/mon.err")"
	pid=$(grep '"php_call"' "$TMP/mon.ev" | tail -1 | sed -n 's/.*"process":{"pid":\([0-9]*\).*/\1/p')
	wait_for 50 grep -q "child $pid exited on signal 9" "$TMP/fpm.log" ||
		fail "worker $pid not killed: $(tail -5 "$TMP/fpm.log")"
	if ! grep -qx "$pid" <<<"$first"; then
		late=$pid
		break
	fi
done
[ -n "$late" ] || fail "no worker forked after the start was killed: $(cat "$TMP/mon.ev")"
ok || fail "no worker served the next request under monitor"
kill -INT $mon
wait $mon || fail "monitor exited with $?: $(cat "$TMP/mon.err")"
kill -QUIT "$master"
wait $server
server=
echo "monitor: worker $late, forked after the monitor started, killed at injection $i"
echo ok
