#!/bin/bash
# vm: also
# asan: yes
# vm-files: /usr/bin/php8.2
# User code is checked when it is compiled, not at each call: profile
# records every function and method a compiled file or eval defines
# (Page::unused, never called, too); run with that php: section alone
# (kill) lets the same script through with no event, kills a changed file
# that defines a method the policy does not list before any of it runs (no
# output at all), and kills an eval defining an unlisted function before
# the eval'd code runs. alert reports and lets it run.
. "$(dirname "$0")/../lib.sh"
need_root
need_php probes
cat >"$TMP/a.php" <<'PHP'
<?php
class Page { function title($s) { return ucfirst($s); } function unused() { return 1; } }
function render($p) { return $p->title("x"); }
echo render(new Page), "\n";
eval('function evf($a) { return strrev($a); } echo evf("ko"), "\n";');
PHP
"$BPFGUARD" profile -o "$TMP/full.yaml" -- "$PHP" -n -d display_errors=stderr "$TMP/a.php" >"$TMP/p.out" 2>"$TMP/p.err" ||
	fail "profile: $(cat "$TMP/p.err")"
[ "$(cat "$TMP/p.out")" = $'X\nok' ] || fail "profiled output: $(cat "$TMP/p.out")"
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/full.yaml"
} >"$TMP/php.yaml"
for f in '"Page::title"' '"Page::unused"' '"render"' '"evf"' '"ucfirst"' '"strrev"'; do
	grep -q "^    $f: \[" "$TMP/php.yaml" || fail "$f not recorded: $(cat "$TMP/php.yaml")"
done

run() { # expected-rc expected-output events-file action script
	local out rc
	out=$("$BPFGUARD" run --policy "$TMP/php.yaml" --action "$4" --json --output "$3" -- \
		"$PHP" -n -d display_errors=stderr "$5" 2>"$3.err")
	rc=$?
	[ $rc = "$1" ] || fail "$5 ($4): rc $rc, expected $1: $out $(cat "$3" "$3.err")"
	[ "$out" = "$2" ] || fail "$5 ($4): output '$out', expected '$2'"
}
run 0 $'X\nok' "$TMP/ok.ev" kill "$TMP/a.php"
[ -s "$TMP/ok.ev" ] && fail "event for the profiled script: $(cat "$TMP/ok.ev")"

# The file now defines a method never profiled: killed once compiled,
# before its first line runs.
sed 's/function unused()/function unused2()/' "$TMP/a.php" >"$TMP/b.php"
sed -i "s|^  - $TMP/a.php|  - $TMP/a.php\n  - $TMP/b.php|" "$TMP/php.yaml"
grep -q "^  - $TMP/b.php" "$TMP/php.yaml" || fail "files list: $(cat "$TMP/php.yaml")"
run 137 "" "$TMP/b.ev" kill "$TMP/b.php"
grep '"php_call"' "$TMP/b.ev" | grep -q "\"function\":\"Page::unused2\".*\"file\":\"$TMP/b.php\".*\"action\":\"kill\"" ||
	fail "no php_call event for Page::unused2: $(cat "$TMP/b.ev")"

# An eval defining a function never profiled: killed before the eval'd
# code runs (X was printed before the eval; ok never is).
sed 's/function evf(\$a) { return strrev(\$a); }/function evg($a) { return strrev($a); } &/' \
	"$TMP/a.php" >"$TMP/c.php"
grep -q evg "$TMP/c.php" || fail "sed"
sed -i "s|^  - $TMP/a.php|  - $TMP/a.php\n  - $TMP/c.php|" "$TMP/php.yaml"
run 137 "X" "$TMP/c.ev" kill "$TMP/c.php"
grep '"php_call"' "$TMP/c.ev" | grep -q "\"function\":\"evg\".*\"file\":\"$TMP/c.php\",\"line\":5" ||
	fail "no php_call event for evg: $(cat "$TMP/c.ev")"

# alert: both run to the end and are reported.
run 0 $'X\nok' "$TMP/alert.ev" alert "$TMP/c.php"
grep -q '"function":"evg".*"action":"alert"' "$TMP/alert.ev" || fail "no alert: $(cat "$TMP/alert.ev")"
# A name longer than the kernel's record (63 bytes) is counted in the
# shared counters (bg_stats) and reported, never cut silently. (Natively
# only: the counting is the same code on both kernels, and a profile run
# costs half a minute under TCG.)
[ "${BG_IN_VM:-0}" = 1 ] && { echo ok; exit 0; }
long=f$(printf 'x%.0s' $(seq 100))
printf '<?php function %s() { return 1; } echo %s(), "\n";\n' "$long" "$long" >"$TMP/long.php"
"$BPFGUARD" profile -o "$TMP/long.yaml" -- "$PHP" -n "$TMP/long.php" >"$TMP/long.out" 2>"$TMP/long.err" ||
	fail "profile of a long name: $(cat "$TMP/long.err")"
grep -q "php: 1 names truncated" "$TMP/long.err" || fail "truncation not reported: $(cat "$TMP/long.err")"
echo ok
