#!/bin/bash
# Ways to reach system() without writing `system(...)`: a callback of a
# built-in (array_map, call_user_func), a variable function, reflection,
# another case, a namespaced alias, a new function defined in eval, a
# built-in class's method. Each
# must be killed before the command runs (php: section alone, kill), with
# a php_call event; the harmless profiled payload still runs.
. "$(dirname "$0")/../lib.sh"
need_root
PHP=$(command -v php8.2 || command -v php) || skip "needs php8.2-cli"
grep -qa function__entry "$(readlink -f "$PHP")" || skip "$PHP has no USDT probes"
echo '<?php eval($argv[1]); echo "done\n";' >"$TMP/e.php"
"$BPFGUARD" profile -o "$TMP/full.yaml" -- "$PHP" -n "$TMP/e.php" 'echo strrev("ko"), "\n";' \
	>"$TMP/p.out" 2>"$TMP/p.err" || fail "profile: $(cat "$TMP/p.err")"
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/full.yaml"
} >"$TMP/php.yaml"
out=$("$BPFGUARD" run --policy "$TMP/php.yaml" --action kill -- "$PHP" -n "$TMP/e.php" \
	'echo strrev("ko"), "\n";' 2>&1)
[ "$out" = $'ok\ndone' ] || fail "profiled payload under the policy: $out"

n=0
while IFS= read -r payload; do
	n=$((n + 1))
	rm -f "$TMP/pwned"
	out=$("$BPFGUARD" run --policy "$TMP/php.yaml" --action kill --json --output "$TMP/$n.ev" -- \
		"$PHP" -n "$TMP/e.php" "${payload//PWN/$TMP/pwned}" 2>&1)
	rc=$?
	sleep 0.2
	[ $rc = 137 ] || fail "payload $n not killed (rc $rc): $payload: $out"
	[ ! -e "$TMP/pwned" ] || fail "payload $n ran: $payload"
	grep -q '"php_call"' "$TMP/$n.ev" || fail "payload $n: no php_call event: $(cat "$TMP/$n.ev")"
done <<'EOF'
system("touch PWN");
array_map('system', ['touch PWN']);
call_user_func('system', 'touch PWN');
$f = 'sys' . 'tem'; $f('touch PWN');
SYSTEM("touch PWN");
(new ReflectionFunction('system'))->invoke('touch PWN');
function helper($c) { return strrev($c); } helper('x'); touch('PWN');
$p = popen('touch PWN', 'r'); pclose($p);
echo `touch PWN`;
(new SplFileObject('PWN', 'w'))->fwrite('x');
EOF
[ $n = 10 ] || fail "ran $n payloads"
# A built-in method has a handler of its own, trapped like a function's.
grep -q '"function":"SplFileObject::__construct"' "$TMP/10.ev" ||
	fail "SplFileObject not caught at its constructor: $(cat "$TMP/10.ev")"
# The event names the function as declared, whatever the call's spelling.
grep -q '"function":"system"' "$TMP/5.ev" || fail "SYSTEM() not named system: $(cat "$TMP/5.ev")"
echo ok
