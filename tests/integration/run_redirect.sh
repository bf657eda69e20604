#!/bin/bash
# run --action redirect --redirect FILE: an open outside the policy's files
# gets a descriptor of FILE instead (seccomp user notification and
# SECCOMP_IOCTL_NOTIF_ADDFD); the program keeps running and reads the
# notice, and a run_file event (action redirect) names the path it asked
# for. Files in the policy read as usual; a missing file stays missing;
# without the option the same open is refused and nothing is redirected.
# vm: also
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
D=$TMP/bgtt-run
mkdir -p "$D"
echo allowed-content >"$D/allowed"
echo refused-content >"$D/refused"
echo "NOTICE: refused by policy" >"$D/notice"
CAT=$(command -v cat)
"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$CAT" "$D/allowed" >/dev/null 2>&1 || fail "profile"
grep -q "$D/allowed" "$TMP/p.yaml" || fail "the profile lacks $D/allowed"
! grep -q "$D/refused" "$TMP/p.yaml" || fail "the profile names $D/refused"

# Redirected: the refused file reads as the notice, the program goes on.
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" --action redirect --redirect "$D/notice" --json \
	--output "$TMP/ev" -- "$CAT" "$D/allowed" "$D/refused" "$D/allowed" 2>"$TMP/err")
rc=$?
echo "$out"
[ $rc = 0 ] || fail "redirect: exit $rc: $(cat "$TMP/err")"
[ "$out" = "allowed-content
NOTICE: refused by policy
allowed-content" ] || fail "redirect: unexpected output"
ev=$(grep '"action":"redirect"' "$TMP/ev") || fail "no redirect event: $(cat "$TMP/ev")"
grep -qF "\"path\":\"$D/refused\"" <<<"$ev" || fail "the event does not name $D/refused: $ev"
grep -qF '"mechanism":"seccomp"' <<<"$ev" || fail "mechanism: $ev"
! grep -qF "\"path\":\"$D/allowed\"" "$TMP/ev" || fail "an allowed file was redirected"
echo "ok - the refused file reads as the notice, the event names it"

# A file that does not exist stays missing.
"$BPFGUARD" run --policy "$TMP/p.yaml" --action redirect --redirect "$D/notice" \
	--output "$TMP/ev2" -- "$CAT" "$D/missing" >"$TMP/out2" 2>"$TMP/err2" && fail "missing file read"
! grep -q NOTICE "$TMP/out2" || fail "a missing file was redirected"
! grep -q '"action":"redirect"' "$TMP/ev2" || fail "a redirect event for a missing file"
echo "ok - a missing file is not redirected"

# Without the option: refused, no notice.
out=$("$BPFGUARD" run --policy "$TMP/p.yaml" --json --output "$TMP/ev3" -- "$CAT" "$D/refused" 2>&1)
rc=$?
[ $rc != 0 ] || fail "deny: the refused file was read"
! grep -q -e NOTICE -e refused-content <<<"$out" || fail "deny: $out"
! grep -q '"action":"redirect"' "$TMP/ev3" || fail "deny: a redirect event"
echo "ok - without --action redirect nothing is redirected"

# --action redirect needs --redirect FILE.
"$BPFGUARD" run --policy "$TMP/p.yaml" --action redirect -- "$CAT" "$D/allowed" >/dev/null \
	2>"$TMP/err4" && fail "redirect without a file accepted"
grep -q -- "--redirect FILE" "$TMP/err4" || fail "no reason given: $(cat "$TMP/err4")"
echo "ok - --action redirect without --redirect is refused"
