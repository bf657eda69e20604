#!/bin/bash
# Every command answers --help; commands not built yet say so and exit 2;
# bad input gives a clear error and a usage exit code.
# asan: yes
. "$(dirname "$0")/../lib.sh"

for c in probe agent profile run monitor bpf net; do
	out=$("$BPFGUARD" "$c" --help) || fail "$c --help exited $?"
	grep -q "$c" <<<"$out" || fail "$c --help does not describe $c"
done
# Commands still planned are listed as such by the top-level usage.
planned=$("$BPFGUARD" --help | sed -n 's/^  \([a-z]*\) *(not built yet).*/\1/p')
for c in $planned; do
	"$BPFGUARD" "$c" >/dev/null 2>"$TMP/err"; rc=$?
	[ $rc -eq 2 ] || fail "$c exited $rc, not 2"
	grep -q "not built yet" "$TMP/err" || fail "$c does not say it is not built"
done
"$BPFGUARD" frobnicate 2>/dev/null; [ $? -eq 2 ] || fail "unknown command not exit 2"
"$BPFGUARD" probe --bogus 2>/dev/null; [ $? -eq 2 ] || fail "unknown option not exit 2"
"$BPFGUARD" agent 2>"$TMP/err"; [ $? -eq 2 ] || fail "agent without --config not exit 2"
grep -q -- "--config FILE is required" "$TMP/err" || fail "no message for missing --config"

printf 'mode: alert\nevents:\n  ring_buffer_size: huge\n' > "$TMP/bad.yaml"
"$BPFGUARD" agent --config "$TMP/bad.yaml" 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] || fail "bad config exited $rc"
grep -q "$TMP/bad.yaml:3:21: events.ring_buffer_size must be a size" "$TMP/err" ||
	{ cat "$TMP/err"; fail "bad config error lacks file:line:col and reason"; }
"$BPFGUARD" agent --config "$SRC/config/default.yaml" --check >/dev/null || fail "shipped config invalid"
"$BPFGUARD" --version | grep -q '^bpfguard ' || fail "--version"
