#!/bin/bash
# run: a process can always end, and a command that cannot start says why.
# - A policy that allows no syscall: under deny, execve is refused with one
#   event (execve) and run says why, exit 127; the child does not crash
#   (it used to get EPERM from exit_group and exit and fault, 139).
# - A policy that lacks exit_group: the command still exits with its own
#   status, under deny and kill, with no event.
# - A command that does not exist, or that Landlock refuses to execute:
#   exit 127 and a message naming it and the reason.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root

cat >"$TMP/none.yaml" <<YAML
version: 1
syscalls:
  x86_64: []
  ia32: []
YAML
"$BPFGUARD" run --policy "$TMP/none.yaml" --json -- /bin/true >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 127 ] || fail "no-syscall policy: exit $rc, expected 127: $(cat "$TMP/err")"
grep -q "cannot execute /bin/true: Operation not permitted: execve is not in the policy's syscalls" \
	"$TMP/err" || fail "no reason given: $(cat "$TMP/err")"
names=$(grep -o '"syscall":{"name":"[a-z_0-9]*"' "$TMP/err" | sed 's/.*"name":"//; s/"$//' | tr '\n' ' ')
[ "$names" = "execve " ] || fail "events for calls other than the command's execve: $names"
echo "ok - no-syscall policy: execve refused with one event, exit 127"

"$BPFGUARD" run --policy "$TMP/none.yaml" --action kill -- /bin/true 2>/dev/null
rc=$?
[ $rc = 159 ] || fail "no-syscall policy under kill: exit $rc, expected 159 (SIGSYS at execve)"

"$BPFGUARD" profile -o "$TMP/true.yaml" -- /bin/sh -c 'exit 3' >/dev/null 2>&1 || fail "profile failed"
grep -q 'exit_group' "$TMP/true.yaml" || fail "exit_group not profiled"
sed -i 's/ exit_group,//; s/, exit_group\]/]/' "$TMP/true.yaml"
! grep -q 'exit_group' "$TMP/true.yaml" || fail "could not remove exit_group"
for action in deny kill; do
	"$BPFGUARD" run --policy "$TMP/true.yaml" --action $action --json -- /bin/sh -c 'exit 3' \
		2>"$TMP/err"
	rc=$?
	[ $rc = 3 ] || fail "policy without exit_group, $action: exit $rc, expected 3: $(cat "$TMP/err")"
	! grep -q '"syscall"' "$TMP/err" || fail "$action: events: $(cat "$TMP/err")"
done
echo "ok - exit_group is always allowed (deny, kill)"

printf 'version: 1\n' >"$TMP/v1.yaml"
"$BPFGUARD" run --policy "$TMP/v1.yaml" -- /nonexistent/cmd 2>"$TMP/err"
rc=$?
[ $rc = 127 ] || fail "/nonexistent/cmd: exit $rc"
grep -q "cannot execute /nonexistent/cmd: No such file or directory" "$TMP/err" ||
	fail "/nonexistent/cmd: message: $(cat "$TMP/err")"
"$BPFGUARD" run --policy "$TMP/v1.yaml" -- bg-no-such-command 2>"$TMP/err"
rc=$?
[ $rc = 127 ] || fail "bg-no-such-command: exit $rc"
grep -q "bg-no-such-command: command not found" "$TMP/err" ||
	fail "command not found: message: $(cat "$TMP/err")"
echo "ok - missing command: 127 and a message"

# Landlock (--no-lsm: the mechanism is known) with a files section that
# does not let /bin/true run.
printf 'version: 1\nfiles:\n  - /tmp/: r\n' >"$TMP/files.yaml"
"$BPFGUARD" run --policy "$TMP/files.yaml" --no-lsm -- /bin/true 2>"$TMP/err"
rc=$?
[ $rc = 127 ] || fail "Landlock-refused exec: exit $rc: $(cat "$TMP/err")"
grep -q "cannot execute /bin/true: Permission denied: refused by Landlock" "$TMP/err" ||
	fail "Landlock-refused exec: message: $(cat "$TMP/err")"
echo "ok - exec refused by Landlock: 127 and why"
