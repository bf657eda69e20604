#!/bin/bash
# A PHP binary without USDT probes (.note.stapsdt removed) gives a clear
# error in profile and run, and nothing is started; the same copy with its
# probes works (the test can tell the difference). profile --pid on a PHP
# process started without USE_ZEND_DTRACE=1 says so.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd objcopy
need_php
readelf -n "$PHP" 2>/dev/null | grep -q function__entry || skip "$PHP itself has no USDT probes"
cp "$PHP" "$TMP/php-probed"
objcopy --remove-section .note.stapsdt "$PHP" "$TMP/php-noprobe"
readelf -n "$TMP/php-noprobe" | grep -q stapsdt && fail "objcopy left the probes"
echo '<?php echo strtoupper("ran"), "\n";' >"$TMP/a.php"
"$TMP/php-noprobe" "$TMP/a.php" | grep -q RAN || fail "the stripped copy does not run"

# profile: refused before the command starts.
out=$("$BPFGUARD" profile -o "$TMP/p.yaml" -- "$TMP/php-noprobe" "$TMP/a.php" 2>&1)
rc=$?
[ $rc -ne 0 ] || fail "profile succeeded with a PHP binary without probes: $out"
grep -q "$TMP/php-noprobe has no PHP USDT probes" <<<"$out" || fail "unclear error: $out"
grep -q "enable-dtrace" <<<"$out" || fail "the error does not say why: $out"
grep -q RAN <<<"$out" && fail "the command ran anyway"
[ ! -e "$TMP/p.yaml" ] || fail "a policy was written"

# The probed copy profiles, recording the PHP function.
"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$TMP/php-probed" "$TMP/a.php" >/dev/null 2>"$TMP/p.err" ||
	fail "profile of the probed copy: $(cat "$TMP/p.err")"
grep -q '^    "strtoupper": \[' "$TMP/p.yaml" || fail "strtoupper not recorded: $(sed -n '/^php:/,$p' "$TMP/p.yaml")"

# run with a php: section: refused too.
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" -- "$TMP/php-noprobe" "$TMP/a.php" 2>&1)
[ $? -ne 0 ] || fail "run succeeded with a PHP binary without probes: $out"
grep -q "has no PHP USDT probes" <<<"$out" || fail "unclear error from run: $out"
grep -q RAN <<<"$out" && fail "run started the command anyway"
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" -- "$TMP/php-probed" "$TMP/a.php" 2>&1) ||
	fail "run of the probed copy: $out"
grep -q RAN <<<"$out" || fail "probed copy did not run: $out"

# A wrapper (sh -c) is not PHP: run refuses it unless $BPFGUARD_PHP names
# the PHP to probe; with the stripped copy named there, the same clear error.
# (The php: section alone: the wrapper's own syscalls were never profiled.)
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/p.yaml"
} >"$TMP/php.yaml"
out=$("$BPFGUARD" run --policy "$TMP/php.yaml" -- sh -c "$TMP/php-probed $TMP/a.php" 2>&1)
[ $? -ne 0 ] && grep -q "is not a PHP binary (set BPFGUARD_PHP" <<<"$out" || fail "wrapper: $out"
out=$(BPFGUARD_PHP=$TMP/php-probed "$BPFGUARD" run --policy "$TMP/php.yaml" --action kill -- \
	sh -c "$TMP/php-probed $TMP/a.php" 2>&1) || fail "BPFGUARD_PHP run: $out"
grep -q RAN <<<"$out" || fail "BPFGUARD_PHP run: $out"
out=$(BPFGUARD_PHP=$TMP/php-noprobe "$BPFGUARD" run --policy "$TMP/php.yaml" --action kill -- \
	sh -c "$TMP/php-noprobe $TMP/a.php" 2>&1)
[ $? -ne 0 ] && grep -q "php-noprobe has no PHP USDT probes" <<<"$out" || fail "BPFGUARD_PHP noprobe: $out"

# profile --pid on a PHP process without USE_ZEND_DTRACE=1: a warning.
env -u USE_ZEND_DTRACE "$TMP/php-probed" -r 'sleep(20);' &
php=$!
at_exit "kill $php 2>/dev/null"
is_php() { [ "$(readlink /proc/$php/exe)" = "$TMP/php-probed" ]; }
wait_for 50 is_php || fail "php did not start"
timeout -s INT 3 "$BPFGUARD" profile --pid $php -o "$TMP/pid.yaml" >/dev/null 2>"$TMP/pid.err"
grep -q "started without USE_ZEND_DTRACE=1" "$TMP/pid.err" || fail "no warning: $(cat "$TMP/pid.err")"
echo ok
