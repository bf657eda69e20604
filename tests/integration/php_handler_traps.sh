#!/bin/bash
# run --php-traps handlers: the built-ins outside the policy are caught at
# their handlers on every kernel, also without uprobe_multi (6.1: one
# single uprobe each; forced where the kernel has it with
# BPFGUARD_PROBE_MASK=uprobe_multi), so an allowed built-in runs untouched. The policy
# allows every built-in of this PHP but str_rot13 and 40 other string
# functions the script never calls (their handlers trapped, fewer where
# aliases share one): the allowed run
# completes with no event; str_rot13 is killed before its body runs, with
# a php_call event naming it. Prints what attaching and detaching took
# (the detach of single uprobes is the price of the mode, docs/php.md).
# vm: also
# vm-files: /usr/bin/php8.2 tests/php/names.php
. "$(dirname "$0")/../lib.sh"
need_root
need_php probes
cat >"$TMP/t.php" <<'PHP'
<?php
echo "before ", str_repeat("a", 3), "\n";
if (($argv[1] ?? '') === 'rot')
	echo "rot:", str_rot13("abc"), "\n";
echo "after\n";
PHP
"$BPFGUARD" profile -o "$TMP/base.yaml" -- "$PHP" -d display_errors=stderr "$TMP/t.php" >"$TMP/p.out" 2>"$TMP/p.err" ||
	fail "profile: $(cat "$TMP/p.err")"
{
	echo "version: 1"
	sed -n '/^php:/,$p' "$TMP/base.yaml"
} >"$TMP/base-php.yaml"
# Trapped: str_rot13 and 40 string functions the script does not call.
skip=(str_rot13 $("$PHP" -d display_errors=stderr -r '$n = 0;
	foreach (get_defined_functions()["internal"] as $f)
		if (str_starts_with($f, "str") && !in_array($f, ["str_repeat", "str_rot13"]) &&
		    ++$n <= 40) echo "$f\n";'))
[ ${#skip[@]} = 41 ] || fail "expected 41 functions to trap, got ${#skip[@]}: ${skip[*]}"
have=$(sed -n 's/^    "\([^"]*\)": .*/\1/p' "$TMP/base-php.yaml")
# shellcheck disable=SC2086 # names, one word each
"$PHP" -d display_errors=stderr "$(dirname "$0")/../php/names.php" "${skip[@]}" $have >"$TMP/names.yaml"
sed "/^  functions:\$/r $TMP/names.yaml" "$TMP/base-php.yaml" >"$TMP/php.yaml"
echo "policy: $(grep -c '^    "' "$TMP/php.yaml") functions and methods allowed"

# prun OUT ARGS...: run t.php under the policy with --php-traps handlers
# (BPFGUARD_PROBE_MASK from the caller: uprobe_multi masked or not).
prun() {
	local out=$1
	shift
	"$BPFGUARD" -v run --policy "$TMP/php.yaml" --action kill --php-traps handlers --json \
		--output "$TMP/$out.ev" -- "$PHP" -d display_errors=stderr "$TMP/t.php" "$@" \
		>"$TMP/$out.out" 2>"$TMP/$out.err"
}

# check: the allowed run, then str_rot13; sets $how (uprobe_multi or
# single uprobes).
check() {
	local trap_line n det rc ev want
	prun ok || fail "allowed run failed: $(cat "$TMP/ok.out" "$TMP/ok.err")"
	[ "$(cat "$TMP/ok.out")" = "$(printf 'before aaa\nafter')" ] || fail "allowed run: $(cat "$TMP/ok.out")"
	grep -q '"php_call"' "$TMP/ok.ev" && fail "an event for an allowed run: $(cat "$TMP/ok.ev")"
	trap_line=$(grep -o 'php: [0-9]* built-in handlers outside the policy trapped in .*' "$TMP/ok.err") ||
		fail "run did not say how it trapped: $(cat "$TMP/ok.err")"
	echo "measured - $trap_line"
	case $trap_line in
	*"(uprobe_multi)"*) how=uprobe_multi ;;
	*"(single uprobes)"*) how="single uprobes" ;;
	*) fail "neither uprobe_multi nor single uprobes: $trap_line" ;;
	esac
	# (aliases share a handler: strchr is strstr's)
	n=$(sed 's/php: \([0-9]*\) .*/\1/' <<<"$trap_line")
	[ "$n" -ge 30 ] && [ "$n" -le 41 ] || fail "expected 30-41 handlers trapped: $trap_line"
	if [ "$how" = "single uprobes" ]; then
		det=$(grep -o "php: $n single uprobes detached in .*" "$TMP/ok.err") ||
			fail "no detach report: $(cat "$TMP/ok.err")"
		echo "measured - $det"
	fi

	prun rot rot
	rc=$?
	[ $rc = 137 ] || fail "str_rot13 not killed (rc $rc): $(cat "$TMP/rot.out" "$TMP/rot.err")"
	grep -q 'rot:nop' "$TMP/rot.out" && fail "str_rot13's body ran: $(cat "$TMP/rot.out")"
	grep -q after "$TMP/rot.out" && fail "the script went on after the kill"
	ev=$(grep '"php_call"' "$TMP/rot.ev") || fail "no php_call event: $(cat "$TMP/rot.ev")"
	for want in '"function":"str_rot13"' '"builtin":true' '"action":"kill"' '"line":4'; do
		grep -qF "$want" <<<"$ev" || fail "php_call event lacks $want: $ev"
	done
	echo "ok - $how: str_rot13 outside the policy killed at its handler, allowed built-ins untouched"
}

check
# Where the kernel has uprobe_multi, the single uprobes too (masked).
if [ "$how" = uprobe_multi ]; then
	BPFGUARD_PROBE_MASK=uprobe_multi check
	[ "$how" = "single uprobes" ] || fail "uprobe_multi masked, still $how"
fi
