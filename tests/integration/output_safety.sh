#!/bin/bash
# -o FILE (run, monitor, agent and the agent's events.output) is where root
# appends events, again on every SIGHUP; profile -o is where root writes a
# policy. A path an unprivileged user can
# redirect is refused with the reason, before the command runs: a symbolic
# link (the last component, or a directory on the way owned by someone
# else), a file owned by another user, writable by group or others or with
# a second hard link, a directory writable by others and not sticky. The
# agent's SIGHUP reopen refuses the same and keeps writing where it was.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
id nobody >/dev/null 2>&1 || skip "no user nobody"

printf 'version: 1\n' >"$TMP/p.yaml"
echo original >"$TMP/victim"
chmod 600 "$TMP/victim"

# refused WHAT PATH REASON: run does not start the command, says why, and
# the victim file is untouched.
refused() {
	rm -f "$TMP/ran"
	"$BPFGUARD" run --policy "$TMP/p.yaml" -o "$2" -- touch "$TMP/ran" 2>"$TMP/err"
	rc=$?
	[ $rc = 1 ] || fail "$1: run exited $rc: $(cat "$TMP/err")"
	[ ! -e "$TMP/ran" ] || fail "$1: the command ran"
	grep -qF "cannot write to $2: $3" "$TMP/err" || fail "$1: message: $(cat "$TMP/err")"
	[ "$(cat "$TMP/victim")" = original ] || fail "$1: the victim was written"
	echo "ok - $1 refused"
}

ln -s "$TMP/victim" "$TMP/link"
chown -h nobody "$TMP/link"
refused "symlink owned by nobody" "$TMP/link" "it is a symbolic link"

mkdir -m 1777 "$TMP/sticky"
touch "$TMP/sticky/ev.log" && chown nobody "$TMP/sticky/ev.log"
refused "file of another user in a sticky dir" "$TMP/sticky/ev.log" "it is owned by another user"

touch "$TMP/open.log" && chmod 622 "$TMP/open.log"
refused "file writable by others" "$TMP/open.log" "it is writable by group or others"

ln "$TMP/victim" "$TMP/hard.log"
refused "second hard link" "$TMP/hard.log" "it has more than one hard link"
rm "$TMP/hard.log"

mkdir -m 777 "$TMP/pub"
refused "directory writable by all" "$TMP/pub/ev.log" "$TMP/pub is a directory writable by others"

mkdir -m 755 "$TMP/mine" && chown nobody "$TMP/mine"
refused "directory of another user" "$TMP/mine/ev.log" "$TMP/mine is a directory not owned by root"

ln -s "$TMP" "$TMP/dirlink"
chown -h nobody "$TMP/dirlink"
refused "directory symlink owned by nobody" "$TMP/dirlink/victim" \
	"$TMP/dirlink is a symbolic link not owned by root"

# Accepted: a new file in a sticky directory (created 0600), /dev/null.
"$BPFGUARD" run --policy "$TMP/p.yaml" -o "$TMP/sticky/new.log" -- true ||
	fail "a new file in a sticky directory refused"
[ "$(stat -c '%U %a' "$TMP/sticky/new.log")" = "root 600" ] ||
	fail "new output file is $(stat -c '%U %a' "$TMP/sticky/new.log")"
"$BPFGUARD" run --policy "$TMP/p.yaml" -o /dev/null -- true || fail "/dev/null refused"
echo "ok - a new file and /dev/null accepted"

# profile -o writes the policy (truncating) after the command ran: the
# same checks; a good path gets the policy, mode 0600.
"$BPFGUARD" profile -o "$TMP/link" -- true >/dev/null 2>"$TMP/err" && fail "profile -o through a link succeeded"
grep -qF "cannot write to $TMP/link: it is a symbolic link" "$TMP/err" ||
	fail "profile -o link: message: $(cat "$TMP/err")"
[ "$(cat "$TMP/victim")" = original ] || fail "profile wrote through the link"
echo stale-content-that-is-longer-than-a-policy-header >"$TMP/pol.yaml"
chmod 600 "$TMP/pol.yaml"
"$BPFGUARD" profile -o "$TMP/pol.yaml" -- true >/dev/null 2>"$TMP/err" || fail "profile -o: $(cat "$TMP/err")"
head -1 "$TMP/pol.yaml" | grep -q '^# bpfguard policy' || fail "policy not written from the start"
! grep -q stale-content "$TMP/pol.yaml" || fail "old content left in the policy"
"$BPFGUARD" run --policy "$TMP/pol.yaml" -- true || fail "the written policy does not run true"
"$BPFGUARD" profile -o "$TMP/mine/p.yaml" -- true >/dev/null 2>"$TMP/err" ||
	fail "profile -o into a user's directory refused: $(cat "$TMP/err")"
echo "ok - profile -o: link refused, a file rewritten, a user's directory accepted"

# The agent: SIGHUP reopens the output; a link put there meanwhile is
# refused, and events keep going to the file already open.
cat >"$TMP/agent.yaml" <<YAML
mode: alert
guards:
  exec:
    enabled: true
YAML
OUT=$TMP/sticky/agent.log
agent_up "$TMP/agent.yaml"
mv "$OUT" "$TMP/agent.rotated"
ln -s "$TMP/victim" "$OUT"
chown -h nobody "$OUT"
kill -HUP "$agent"
wait_for 100 grep -q '"config-reload"' "$TMP/agent.rotated" || fail "no reload event in the old file"
grep -qF "cannot write to $OUT: it is a symbolic link" "$TMP/agent.err" ||
	fail "reopen through a link not refused: $(cat "$TMP/agent.err")"
/bin/true
wait_for 100 grep -q '"executable":"/bin/true"\|"executable":"/usr/bin/true"' "$TMP/agent.rotated" ||
	fail "events did not keep going to the open file"
[ "$(cat "$TMP/victim")" = original ] || fail "the agent wrote through the link"
echo "ok - agent reopen refuses the link and keeps the open file"
