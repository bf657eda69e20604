#!/bin/bash
# Integrity of protected files: unlink, rename (away and over), truncate(2),
# chmod and O_TRUNC by an executable without write permission. Under BPF
# LSM each is denied with EPERM before it acts and reported (file_modify
# events). Natively (no LSM) this measures the documented limits: the
# tracepoint path sees only opens, so unlink/rename/truncate/chmod complete
# unseen, and an O_TRUNC open is killed only after the truncation.
# vm: also
# vm-files: $BUILD/tests/helpers/bg_open tests/integration/files_lib.sh
. "$(dirname "$0")/../lib.sh"
need_root
. "$(dirname "$0")/files_lib.sh"

D=$TMP/prot
mkdir -p "$D/etc"
for f in a b c d e t; do echo "data-$f" >"$D/$f"; done
echo conf >"$D/etc/conf"
echo other >"$TMP/outsider"
A_INO=$(stat -c %i "$D/a")

# Rules name inodes, and ext4 gives a freed inode's number to the next file
# created nearby, by any process: the agent pins each protected inode (an
# O_PATH descriptor) so that a deleted protected file does not pass its
# protection on. Without the pin this test once flaked natively: an
# unrelated process's new file got a's number, was reported (and killed).
# (A subshell creates each file: natively it is what gets killed if the
# number was reused.)
expect_not_reused() {
	local i f
	for i in $(seq 20); do
		for f in "$D/new$i" "$TMP/new$i"; do
			(: >"$f") 2>/dev/null
			[ "$(stat -c %i "$f")" != "$A_INO" ] ||
				fail "a new file got the deleted protected file's inode number"
			rm -f "$f"
		done
	done
	echo "ok - the deleted protected file's inode number is not reused (pinned)"
}

cat >"$TMP/agent.yaml" <<YAML
mode: deny
guards:
  exec:
    enabled: false
  files:
    rules:
      - name: integrity
        paths: [$D/a, $D/b, $D/c, $D/d, $D/e, $D/t, $D/etc]
        write: [$WRITER]
YAML
agent_start "$TMP/agent.yaml"

if [ "$MECH" = lsm ]; then
	expect_blocked "unlink" "$OTHER" unlink "$D/a"
	[ -e "$D/a" ] || fail "unlinked despite EPERM"
	expect_event "unlink" '"type":["change"]' '"name":"integrity"' '"operation":"unlink"' "$EV_BLOCK" "$EV_BLOCK_OUT"
	expect_blocked "rename away" "$OTHER" "rename:$TMP/moved" "$D/b"
	expect_event "rename" '"operation":"rename"' "$EV_BLOCK"
	expect_blocked "rename over" "$OTHER" "rename:$D/c" "$TMP/outsider"
	expect_event "replace" '"operation":"replace"' "$EV_BLOCK"
	grep -q data-c "$D/c" || fail "replaced despite EPERM"
	expect_blocked "rename into a protected directory" "$OTHER" "rename:$D/etc/new" "$TMP/outsider"
	expect_blocked "unlink beneath a protected directory" "$OTHER" unlink "$D/etc/conf"
	expect_event "dir unlink" '"operation":"unlink"' '"depth":1' "$EV_BLOCK"
	expect_blocked "truncate(2)" "$OTHER" truncate "$D/d"
	expect_event "truncate" '"operation":"truncate"' "$EV_BLOCK"
	[ -s "$D/d" ] || fail "truncated despite EPERM"
	expect_blocked "chmod" "$OTHER" chmod "$D/e"
	expect_event "chmod" '"operation":"chmod"' "$EV_BLOCK"
	expect_blocked "O_TRUNC open" "$OTHER" trunc "$D/t"
	[ "$(cat "$D/t")" = data-t ] || fail "O_TRUNC truncated despite EPERM"
	expect_allowed "the writer unlinks" "$WRITER" unlink "$D/a"
	expect_not_reused
else
	# Measured limits of the kill path (docs/guarantees.md).
	n0=$(grep -c '"category":\["file"\]' "$AGENT_OUT")
	try "$OTHER" unlink "$D/a"
	[ "$TRY_RC" = 0 ] && [ ! -e "$D/a" ] || fail "unlink: rc $TRY_RC"
	echo "ok - limit measured: unlink completes, process not killed"
	expect_not_reused
	try "$OTHER" "rename:$TMP/moved" "$D/b"
	[ "$TRY_RC" = 0 ] && [ -e "$TMP/moved" ] || fail "rename: rc $TRY_RC"
	echo "ok - limit measured: rename completes"
	try "$OTHER" truncate "$D/d"
	[ "$TRY_RC" = 0 ] && [ ! -s "$D/d" ] || fail "truncate: rc $TRY_RC"
	echo "ok - limit measured: truncate(2) completes"
	try "$OTHER" chmod "$D/e"
	[ "$TRY_RC" = 0 ] || fail "chmod: rc $TRY_RC"
	echo "ok - limit measured: chmod completes"
	sleep 0.3
	if [ "$(grep -c '"category":\["file"\]' "$AGENT_OUT")" != "$n0" ]; then
		grep '"category":\["file"\]' "$AGENT_OUT" | tail -n +$((n0 + 1))
		fail "unexpected events"
	fi
	echo "ok - limit measured: none of these is reported"
	# O_TRUNC: killed, but after the truncation.
	try "$OTHER" trunc "$D/t"
	[ "$TRY_RC" = 137 ] || fail "O_TRUNC open not killed: rc $TRY_RC"
	[ ! -s "$D/t" ] || fail "expected the file truncated before the kill"
	expect_event "O_TRUNC kill" '"name":"integrity"' '"operation":"open","access":"write"' "$EV_BLOCK"
	echo "ok - limit measured: O_TRUNC open killed after the file was truncated"
fi
agent_stop
