#!/bin/bash
# guards.limits on SIGHUP: a bad limits section (two rules on one
# executable) is refused with file:line:col in the reload event and the old
# limit keeps killing; a good one changes the limit in place (the new
# threshold holds at once); a config without limits rules detaches the
# guard. The target is a renamed dd asked for one large buffer.
# vm: also
. "$(dirname "$0")/../lib.sh"
need_root
OUT=$TMP/events.json
CONF=$TMP/agent.yaml
cp "$(readlink -f "$(command -v dd)")" "$TMP/dd"
conf() { # MAX_MEMORY [extra rule lines]
	limits_config >"$CONF.new" <<YAML
      - name: dd-mem
        match: { exe: $TMP/dd }
        action: kill
        max_memory: $1
$2
YAML
	mv "$CONF.new" "$CONF"
}
count() { grep -c "\"action\":\"config-reload\",.*\"outcome\":\"$1\"" "$OUT"; }
at_least() { [ "$(count "$1")" -ge "$2" ]; } # OUTCOME N
dd_mib() { # MIB: dd's exit status with a buffer of MIB MiB
	( exec "$TMP/dd" if=/dev/zero of=/dev/null bs=${1}M count=1 2>/dev/null )
}
expect_dd() { # MIB STATUS WHEN
	local rc
	dd_mib "$1"; rc=$?
	echo "$3: dd with $1 MiB -> exit $rc"
	[ $rc = "$2" ] || fail "$3: dd with $1 MiB exited $rc, expected $2"
}

conf 32MiB
agent_up "$CONF"
expect_dd 64 137 "limit 32 MiB"

conf 32MiB "      - name: dd-again
        match: { exe: $TMP/../$(basename "$TMP")/dd }
        max_children: 3"
kill -HUP $agent
wait_for 50 at_least failure 1 || fail "the bad reload was not reported"
line=$(grep '"config-reload"' "$OUT" | tail -1)
echo "$line"
grep -qF "$CONF:11:9: rules 'dd-mem' and 'dd-again' match the same target" <<<"$line" ||
	fail "the reload event does not name file:line:col and the duplicate"
expect_dd 64 137 "after the refused reload"

conf 128MiB
kill -HUP $agent
wait_for 50 at_least success 1 || fail "the good reload was not reported"
expect_dd 64 0 "limit raised to 128 MiB"
expect_dd 192 137 "limit raised to 128 MiB"

# A kind of target no rule used before (a comm) comes with a reload: the
# program skips the kinds no rule names, so the reload must make it look.
cp "$TMP/dd" "$TMP/bgpfddc"
conf 128MiB "      - name: ddc-mem
        match: { comm: bgpfddc }
        action: kill
        max_memory: 32MiB"
kill -HUP $agent
wait_for 50 at_least success 2 || fail "the reload with a comm rule was not reported"
rc=0
# comm comes from the file name; argv[0] stays dd for a multi-call binary.
( exec -a dd "$TMP/bgpfddc" if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null ) || rc=$?
echo "comm rule added by reload: bgpfddc with 64 MiB -> exit $rc"
[ $rc = 137 ] || fail "the comm rule added by a reload was not enforced (exit $rc)"
expect_dd 64 0 "limit 128 MiB beside the comm rule"

conf 128MiB
sed -i '/limits:/,$d' "$CONF"
kill -HUP $agent
wait_for 50 at_least success 3 || fail "the reload without limits was not reported"
expect_dd 192 0 "no limits rules"
kill -0 $agent || fail "the agent died"
n=$(grep -c '"limit-reached"' "$OUT")
[ "$n" = 4 ] || fail "expected 4 limit events (4 kills), got $n"
