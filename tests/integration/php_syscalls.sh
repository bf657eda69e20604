#!/bin/bash
# vm: also
# vm-files: /usr/bin/php8.2
# Per-PHP-function syscall attribution: profile a script whose
# file_get_contents() reads a local file, then run it (the php: section
# alone) with a URL: file_get_contents() is allowed, but the socket() it
# now makes was never made by it while profiled: killed at sys_enter with a
# php_syscall event naming the function, the syscall, file and line. Under
# alert it completes and reports. A 42-deep recursion is attributed like
# any other, and a call made at that depth is checked. Then monitor --pid holds a PHP process bpfguard did not start
# to the same per-function syscalls.
. "$(dirname "$0")/../lib.sh"
need_root
need_php probes
cat >"$TMP/s.php" <<'EOF'
<?php
function fetch($u) { return @file_get_contents($u); }
function down($n, $f, $g = 'fetch') { return $n ? down($n - 1, $f, $g) : strlen($g($f)); }
if (($argv[2] ?? '') === 'deep') {
	echo "deep " . down(40, $argv[1]) . "\n";
	if (($argv[3] ?? '') === 'new')
		echo "new " . down(40, $argv[1], 'str_rot13') . "\n";
	exit(0);
}
$d = fetch($argv[1]);
echo "got ", $d === false ? "nothing" : strlen($d), "\n";
EOF
echo hello >"$TMP/data.txt"
PORT=$((20000 + ($$ + 11) % 20000))

"$BPFGUARD" profile -o "$TMP/full.yaml" -- "$PHP" -d display_errors=stderr "$TMP/s.php" "$TMP/data.txt" >"$TMP/p.out" 2>"$TMP/p.err" ||
	fail "profile: $(cat "$TMP/p.err")"
grep -q "got 6" "$TMP/p.out" || fail "profiled run: $(cat "$TMP/p.out")"
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/full.yaml"
} >"$TMP/php.yaml"
fgc=$(grep '^    "file_get_contents": \[' "$TMP/php.yaml") || fail "no file_get_contents: $(cat "$TMP/php.yaml")"
grep -q "openat" <<<"$fgc" && grep -q "read" <<<"$fgc" || fail "syscalls not attributed: $fgc"
grep -q "socket" <<<"$fgc" && fail "socket attributed though never made: $fgc"
grep -q '^    "fetch": \[' "$TMP/php.yaml" || fail "user function fetch not recorded"

# In profile: same input, no event.
out=$("$BPFGUARD" run --policy "$TMP/php.yaml" --action kill --json --output "$TMP/ok.ev" -- \
	"$PHP" -d display_errors=stderr "$TMP/s.php" "$TMP/data.txt") || fail "in-profile run failed: $out"
[ "$out" = "got 6" ] && [ ! -s "$TMP/ok.ev" ] || fail "in-profile run: $out $(cat "$TMP/ok.ev")"

# A URL: socket() from file_get_contents, never profiled: killed.
out=$("$BPFGUARD" run --policy "$TMP/php.yaml" --action kill --json --output "$TMP/kill.ev" -- \
	"$PHP" -d display_errors=stderr "$TMP/s.php" "http://127.0.0.1:$PORT/" 2>"$TMP/kill.err")
rc=$?
[ $rc = 137 ] || fail "not killed (rc $rc): $out $(cat "$TMP/kill.err")"
grep -q got <<<"$out" && fail "the script went on after the kill: $out"
ev=$(grep '"php_syscall"' "$TMP/kill.ev" | head -1) || fail "no php_syscall event: $(cat "$TMP/kill.ev")"
for want in '"function":"file_get_contents"' '"syscall":"socket"' '"builtin":true' \
	"\"file\":\"$TMP/s.php\"" '"line":2' '"action":"kill"' '"mechanism":"tracepoint"' \
	'"name":"policy.php.syscalls"' '"rule":{"id":17'; do
	grep -qF "$want" <<<"$ev" || fail "php_syscall event lacks $want: $ev"
done

# alert: runs to the end, reports.
out=$("$BPFGUARD" run --policy "$TMP/php.yaml" --action alert --json --output "$TMP/alert.ev" -- \
	"$PHP" -d display_errors=stderr "$TMP/s.php" "http://127.0.0.1:$PORT/" 2>/dev/null)
[ "$out" = "got nothing" ] || fail "alert changed the outcome: $out"
grep '"php_syscall"' "$TMP/alert.ev" | grep -q '"syscall":"socket".*"action":"alert"' ||
	fail "no alert event: $(cat "$TMP/alert.ev")"

# A 42-deep PHP stack: the function on top is read from PHP's own frame
# at each syscall, whatever the depth (no kernel-side copy of the stack to
# overflow): its syscalls are attributed, nothing is lost or reported.
"$BPFGUARD" profile -o "$TMP/deep.yaml" -- "$PHP" -d display_errors=stderr "$TMP/s.php" "$TMP/data.txt" deep \
	>"$TMP/d.out" 2>"$TMP/d.err" || fail "deep profile: $(cat "$TMP/d.err")"
grep -q "deep 6" "$TMP/d.out" || fail "deep run: $(cat "$TMP/d.out")"
grep -q "php: [0-9]* " "$TMP/d.err" && fail "deep stack reported a loss: $(cat "$TMP/d.err")"
grep -q '^    "file_get_contents": \[.*openat' "$TMP/deep.yaml" || fail "no attribution at depth 42"
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/deep.yaml"
} >"$TMP/deep-php.yaml"
# At depth 42, a function outside the allowlist (str_rot13) is killed.
out=$("$BPFGUARD" run --policy "$TMP/deep-php.yaml" --action kill --json --output "$TMP/deep.ev" -- \
	"$PHP" -d display_errors=stderr "$TMP/s.php" "$TMP/data.txt" deep new 2>/dev/null)
[ "$out" = "deep 6" ] || fail "deep run under the policy: $out"
grep '"php_call"' "$TMP/deep.ev" | grep -q '"function":"str_rot13".*"depth":4[0-9]' ||
	fail "deep out-of-policy call not caught: $(cat "$TMP/deep.ev")"

# monitor: the same check on a PHP process bpfguard did not start. It waits
# for a go file, then fetches; profiled with a local file, monitored
# (--pid, kill) while it fetches a URL: killed at socket().
cat >"$TMP/w.php" <<'EOF'
<?php
function fetch($u) { return @file_get_contents($u); }
do usleep(20000); while (!file_exists($argv[2]));
$d = fetch($argv[1]);
echo "got ", $d === false ? "nothing" : strlen($d), "\n";
EOF
touch "$TMP/go1"
"$BPFGUARD" profile -o "$TMP/w.yaml" -- "$PHP" "$TMP/w.php" "$TMP/data.txt" "$TMP/go1" \
	>"$TMP/w.out" 2>"$TMP/w.err" || fail "profile w.php: $(cat "$TMP/w.err")"
grep -q "got 6" "$TMP/w.out" || fail "profiled w.php: $(cat "$TMP/w.out")"
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/w.yaml"
} >"$TMP/w-php.yaml"
USE_ZEND_DTRACE=1 "$PHP" "$TMP/w.php" "http://127.0.0.1:$PORT/" "$TMP/go2" >"$TMP/w2.out" 2>&1 &
wpid=$!
"$BPFGUARD" monitor --policy "$TMP/w-php.yaml" --pid $wpid --action kill --json \
	--output "$TMP/mon.ev" 2>"$TMP/mon.err" &
mon=$!
at_exit "kill -INT $mon 2>/dev/null; kill -9 $wpid 2>/dev/null"
wait_for 150 grep -qs '^bpfguard: monitoring' "$TMP/mon.err" || fail "monitor: $(cat "$TMP/mon.err")"
grep -q "php: watching 1 running PHP processes of $PHP" "$TMP/mon.err" ||
	fail "monitor did not find PHP: $(cat "$TMP/mon.err")"
touch "$TMP/go2"
wait $wpid
rc=$?
kill -INT $mon
wait $mon || fail "monitor exited with $?: $(cat "$TMP/mon.err")"
[ $rc = 137 ] || fail "monitored PHP not killed (rc $rc): $(cat "$TMP/w2.out" "$TMP/mon.ev" "$TMP/mon.err")"
grep -q got "$TMP/w2.out" && fail "the script went on after the kill: $(cat "$TMP/w2.out")"
grep '"php_syscall"' "$TMP/mon.ev" | grep -q '"function":"file_get_contents".*"syscall":"socket".*"action":"kill"' ||
	fail "no php_syscall event from monitor: $(cat "$TMP/mon.ev")"
grep -q '"name":"policy.php.syscalls"' "$TMP/mon.ev" || fail "rule name: $(cat "$TMP/mon.ev")"
echo ok
