#!/bin/bash
# `bpfguard run` with each action (deny, kill, kill-user, alert) on each
# allowlist kind (syscalls, executables, files, network), with busybox as
# the real program. Runs on both kernels: natively the sections fall back to
# seccomp, Landlock and cgroup hooks; in the VM (6.1, BPF LSM) files,
# executables and network are enforced by bpf/run_lsm.bpf.c. The script
# reads which mechanism run chose from its "enforcing ..." line and asserts
# what that mechanism guarantees (docs/guarantees.md), including what is
# prevented under kill: an unlink or a file creation refused, then the
# process killed. RUN_FLAGS=--no-lsm (run_actions_nolsm.sh) checks the
# fallback mechanisms on the LSM kernel too.
# vm: also
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd busybox
BB=$(realpath "$(command -v busybox)")
SH=$(realpath "$(command -v bash)")
D=$TMP/d
mkdir -p "$D/w"
echo ok-data >"$D/ok"
echo secret-data >"$D/secret"

# ev_has FILE STRING...: one event line holds every string.
ev_has() {
	local f=$1 l p ok
	shift
	while IFS= read -r l; do
		ok=1
		for p in "$@"; do [[ $l == *"$p"* ]] || { ok=0; break; }; done
		[ $ok = 1 ] && return 0
	done <"$f"
	return 1
}
# run_p POLICY ACTION EVFILE CMD...: output in $out, status in $rc.
run_p() {
	local pol=$1 act=$2 evf=$3
	shift 3
	out=$("$BPFGUARD" run $RUN_FLAGS --policy "$pol" --action "$act" --json --output "$evf" -- "$@" 2>&1)
	rc=$?
}

# ---- files ----------------------------------------------------------------
cat >"$TMP/files.yaml" <<EOF
version: 1
files:
  - $BB: rx
  - $D/ok: r
  - $D/w/: cw
EOF
run_p "$TMP/files.yaml" deny "$TMP/f0.ev" "$BB" cat "$D/ok"
[ $rc = 0 ] && [ "${out##*$'\n'}" = ok-data ] || fail "files: in-policy cat: rc $rc: $out"
case "$out" in
*"files: lsm"*) M=lsm ;;
*"files: landlock"*) M=native ;;
*) fail "no mechanism line: $out" ;;
esac
[ "$M" = lsm ] || [ -z "$BG_IN_VM" ] || [ -n "$RUN_FLAGS" ] ||
	fail "the VM kernel has BPF LSM, run chose: $out
$("$BPFGUARD" -vv run --policy "$TMP/files.yaml" -- "$BB" true 2>&1 | grep -v '^bpfguard: debug: *[0-9]*: ' | tail -30)"
[ ! -s "$TMP/f0.ev" ] || fail "files: events for in-policy access: $(cat "$TMP/f0.ev")"
echo "mechanism for files: $M"
if [ $M = lsm ]; then
	ERR="Operation not permitted"
else
	ERR="Permission denied" # Landlock answers EACCES
fi

# deny: open, create, unlink outside the policy are refused before they act.
echo victim >"$D/victim"
run_p "$TMP/files.yaml" deny "$TMP/f1.ev" "$BB" cat "$D/secret"
[ $rc = 1 ] && [[ $out == *"$ERR"* ]] && [[ $out != *secret-data* ]] || fail "files deny: cat secret: rc $rc: $out"
run_p "$TMP/files.yaml" deny "$TMP/f2.ev" "$BB" sh -c "echo x >$D/new"
[[ $out == *"$ERR"* ]] && [ ! -e "$D/new" ] || fail "files deny: creation not refused: $out"
run_p "$TMP/files.yaml" deny "$TMP/f3.ev" "$BB" rm "$D/victim"
[[ $out == *"$ERR"* ]] && [ -e "$D/victim" ] || fail "files deny: unlink not refused: $out"
if [ $M = lsm ]; then
	ev_has "$TMP/f1.ev" '"outcome":"failure"' '"type":"run_file"' '"action":"deny"' '"mechanism":"lsm"' \
		'"name":"policy.files"' "\"path\":\"$D/secret\",\"operation\":\"open\",\"access\":\"r\"" ||
		fail "files deny: no open event: $(cat "$TMP/f1.ev")"
	ev_has "$TMP/f2.ev" '"mechanism":"lsm"' "\"path\":\"$D/new\",\"operation\":\"create\"" ||
		fail "files deny: no create event: $(cat "$TMP/f2.ev")"
	ev_has "$TMP/f3.ev" '"mechanism":"lsm"' "\"path\":\"$D/victim\",\"operation\":\"unlink\"" ||
		fail "files deny: no unlink event: $(cat "$TMP/f3.ev")"
	# A writable directory of the policy takes new files.
	run_p "$TMP/files.yaml" deny "$TMP/f4.ev" "$BB" sh -c "echo x >$D/w/new && cat $D/w/new && rm $D/w/new"
	[ $rc = 0 ] && [ ! -s "$TMP/f4.ev" ] || fail "files deny: writable dir refused: $out $(cat "$TMP/f4.ev")"
fi
if [ $M != lsm ]; then
	# Landlock's EACCES, seen at the calls' return: same paths, mechanism landlock.
	ev_has "$TMP/f1.ev" '"type":"run_file"' '"action":"deny"' '"mechanism":"landlock"' \
		"\"path\":\"$D/secret\",\"operation\":\"open\",\"access\":\"r\"" ||
		fail "files deny (Landlock): no open event: $(cat "$TMP/f1.ev")"
	ev_has "$TMP/f2.ev" '"mechanism":"landlock"' "\"path\":\"$D/new\",\"operation\":\"open\",\"access\":\"wc\"" ||
		fail "files deny (Landlock): no create event: $(cat "$TMP/f2.ev")"
	ev_has "$TMP/f3.ev" '"mechanism":"landlock"' "\"path\":\"$D/victim\",\"operation\":\"unlink\"" ||
		fail "files deny (Landlock): no unlink event: $(cat "$TMP/f3.ev")"
fi

# kill: LSM refuses the call, then the process dies (SIGKILL); the unlink
# and the creation did not happen. Landlock cannot kill: kill acts as deny.
run_p "$TMP/files.yaml" kill "$TMP/k1.ev" "$BB" rm "$D/victim"
[ -e "$D/victim" ] || fail "files kill: the unlink completed"
run_p "$TMP/files.yaml" kill "$TMP/k2.ev" "$BB" sh -c "echo x >$D/new; echo survived"
[ ! -e "$D/new" ] || fail "files kill: the file was created"
if [ $M = lsm ]; then
	[ $rc = 137 ] && [[ $out != *survived* ]] || fail "files kill: rc $rc, expected 137: $out"
	[[ $out == *"killed (SIGKILL) by BPF LSM"* ]] || fail "files kill: bpfguard did not say why: $out"
	ev_has "$TMP/k1.ev" '"action":"kill"' '"mechanism":"lsm"' '"outcome":"failure"' '"operation":"unlink"' ||
		fail "files kill: no event: $(cat "$TMP/k1.ev")"
		# The shell opens the file itself (a redirection), so the process
	# bpfguard kills after the event is the one still running.
	run_p "$TMP/files.yaml" kill-user "$TMP/ku.ev" "$BB" sh -c "read x <$D/secret; sleep 5; echo survived"
	[ $rc = 137 ] && [[ $out != *secret-data* ]] && [[ $out != *survived* ]] ||
		fail "files kill-user: rc $rc: $out"
	ev_has "$TMP/ku.ev" '"action":"kill-user"' '"mechanism":"lsm"' || fail "files kill-user: no event"
else
	[ $rc = 0 ] && [[ $out == *survived* ]] || fail "files kill (Landlock): rc $rc: $out"
fi

# alert: LSM reports and lets the call run; Landlock has no audit mode.
run_p "$TMP/files.yaml" alert "$TMP/a1.ev" "$BB" cat "$D/secret"
[ $rc = 0 ] && [[ $out == *secret-data* ]] || fail "files alert: rc $rc: $out"
if [ $M = lsm ]; then
	ev_has "$TMP/a1.ev" '"outcome":"success"' '"action":"alert"' '"mechanism":"lsm"' "\"path\":\"$D/secret\"" ||
		fail "files alert: no event: $(cat "$TMP/a1.ev")"
else
	[[ $out == *"files: not enforced"* ]] || fail "files alert: not said to be unenforced: $out"
fi

# ---- executables ------------------------------------------------------------
printf 'version: 1\nexecutables:\n  - %s\n' "$BB" >"$TMP/exec.yaml"
run_p "$TMP/exec.yaml" deny "$TMP/x1.ev" "$BB" sh -c "$SH -c 'echo from-bash'; echo rc=\$?"
if [ $M = lsm ]; then
	[[ $out == *rc=126* ]] && [[ $out != *from-bash* ]] || fail "exec deny: bash ran: $out"
	ev_has "$TMP/x1.ev" '"type":"run_exec"' '"mechanism":"lsm"' '"name":"policy.executables"' \
		"\"path\":\"$SH\",\"operation\":\"exec\"" || fail "exec deny: no event: $(cat "$TMP/x1.ev")"
	run_p "$TMP/exec.yaml" kill "$TMP/x2.ev" "$BB" sh -c "exec $SH -c 'echo from-bash'"
	[ $rc = 137 ] && [[ $out != *from-bash* ]] || fail "exec kill: rc $rc: $out"
	run_p "$TMP/exec.yaml" alert "$TMP/x3.ev" "$BB" sh -c "$SH -c 'echo from-bash'"
	[[ $out == *from-bash* ]] || fail "exec alert: bash did not run: $out"
	ev_has "$TMP/x3.ev" '"action":"alert"' '"outcome":"success"' "\"path\":\"$SH\"" || fail "exec alert: no event"
else
	# Without BPF LSM an executables section alone is not enforced (the
	# files section's execute rights are, through Landlock).
	[[ $out == *"executables: not enforced"* ]] && [[ $out == *from-bash* ]] ||
		fail "exec without LSM: $out"
fi

# With a files section (as every profile has), the program must also be
# listed with x there: Landlock's execute right natively (EACCES, a run_file
# event with mechanism landlock),
# lsm/file_open under LSM (it runs before bprm_check_security: a file event).
printf 'version: 1\nexecutables:\n  - %s\nfiles:\n  - %s: rx\n' "$BB" "$BB" >"$TMP/execf.yaml"
run_p "$TMP/execf.yaml" deny "$TMP/x4.ev" "$BB" sh -c "$SH -c 'echo from-bash'; echo rc=\$?"
[[ $out == *rc=126* ]] && [[ $out != *from-bash* ]] && [[ $out == *"$ERR"* ]] ||
	fail "exec with files, deny: $out"
if [ $M = lsm ]; then
	ev_has "$TMP/x4.ev" '"type":"run_file"' '"mechanism":"lsm"' "\"path\":\"$SH\",\"operation\":\"open\",\"access\":\"rx\"" ||
		fail "exec with files: no file event: $(cat "$TMP/x4.ev")"
else
	[[ $out == *"executables: landlock"* ]] || fail "exec with files: $out"
	ev_has "$TMP/x4.ev" '"type":"run_file"' '"mechanism":"landlock"' '"action":"deny"' \
		"\"path\":\"$SH\",\"operation\":\"exec\",\"access\":\"x\"" ||
		fail "exec with files (Landlock): no event: $(cat "$TMP/x4.ev")"
	# Landlock cannot kill: kill refuses like deny; alert does not enforce.
	run_p "$TMP/execf.yaml" kill "$TMP/x5.ev" "$BB" sh -c "$SH -c 'echo from-bash'; echo rc=\$?"
	[[ $out == *rc=126* ]] && [[ $out != *from-bash* ]] || fail "exec with files, kill (Landlock): $out"
	run_p "$TMP/execf.yaml" alert "$TMP/x6.ev" "$BB" sh -c "$SH -c 'echo from-bash'"
	[[ $out == *from-bash* ]] || fail "exec with files, alert (Landlock): $out"
fi

# A script the command executes: profiled, it runs under its own policy
# (profile gives it x: the kernel opens it for execution).
printf '#!/bin/sh\necho from-script\n' >"$D/s.sh"
chmod +x "$D/s.sh"
"$BPFGUARD" profile -o "$TMP/script.yaml" -- "$D/s.sh" >/dev/null 2>&1 || fail "profile a script"
grep -q "^ *- $D/s.sh: rx" "$TMP/script.yaml" || fail "the script is not recorded with x: $(cat "$TMP/script.yaml")"
run_p "$TMP/script.yaml" deny "$TMP/sc.ev" "$D/s.sh"
[ $rc = 0 ] && [[ $out == *from-script* ]] && [ ! -s "$TMP/sc.ev" ] ||
	fail "a profiled script under its policy: rc $rc: $out $(cat "$TMP/sc.ev")"

# ---- network ------------------------------------------------------------------
P=$((20000 + $$ % 20000))
printf 'version: 1\nnetwork:\n  connect:\n    - "127.0.0.1:%d"\n  sendto: []\n  bind: []\n' $P >"$TMP/net.yaml"
run_p "$TMP/net.yaml" deny "$TMP/n0.ev" "$BB" nc 127.0.0.1 $P </dev/null
[[ $out == *refused* ]] && [ ! -s "$TMP/n0.ev" ] || fail "net: in-policy connect: $out"
NM=cgroup
[[ $out == *"network: lsm"* ]] && NM=lsm
[ $NM = lsm ] || [ $M = native ] || fail "files by LSM but network not: $out"
# A listener on the refused port: it exits at the first connection, so
# while it lives no connect went through.
"$BB" nc -l -p $((P + 1)) </dev/null >/dev/null 2>&1 &
listener=$!
at_exit "kill $listener 2>/dev/null"
wait_for 100 listening $((P + 1)) || fail "nc -l did not start"
run_p "$TMP/net.yaml" deny "$TMP/n1.ev" "$BB" nc 127.0.0.1 $((P + 1)) </dev/null
[[ $out == *"Operation not permitted"* ]] || fail "net deny: $out"
ev_has "$TMP/n1.ev" '"action":"deny"' "\"mechanism\":\"$NM\"" '"name":"policy.network"' \
	"\"port\":$((P + 1))" || fail "net deny: no event: $(cat "$TMP/n1.ev")"
run_p "$TMP/net.yaml" kill "$TMP/n2.ev" "$BB" nc 127.0.0.1 $((P + 1)) </dev/null
if [ $NM = lsm ]; then
	[ $rc = 137 ] || fail "net kill: rc $rc: $out"
else
	[ $rc = 1 ] && [[ $out == *"Operation not permitted"* ]] || fail "net kill (cgroup acts as deny): rc $rc: $out"
fi
# A process that moves itself into a child cgroup of the command's stays in
# scope (cgroup hooks are inherited; the LSM hooks ask "under this cgroup").
cat >"$D/sub.sh" <<'SH'
cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)$(sed -n 's/^0:://p' /proc/self/cgroup)
mkdir "$cg/sub" && echo $$ >"$cg/sub/cgroup.procs" || { echo "no sub-cgroup"; exit 3; }
nc 127.0.0.1 "$1" </dev/null
echo $$ >"$cg/cgroup.procs"
rmdir "$cg/sub"
SH
run_p "$TMP/net.yaml" deny "$TMP/n4.ev" "$BB" sh "$D/sub.sh" $((P + 1))
[[ $out == *"Operation not permitted"* ]] && [[ $out != *"no sub-cgroup"* ]] ||
	fail "net deny from a child cgroup: $out"
ev_has "$TMP/n4.ev" '"action":"deny"' "\"mechanism\":\"$NM\"" "\"port\":$((P + 1))" ||
	fail "net deny from a child cgroup: no event"
kill -0 $listener 2>/dev/null || fail "net: a refused connect reached the listener"
run_p "$TMP/net.yaml" alert "$TMP/n3.ev" "$BB" nc 127.0.0.1 $((P + 1)) </dev/null
wait_for 30 eval '! kill -0 $listener 2>/dev/null' || fail "net alert: the connect did not go through: $out"
ev_has "$TMP/n3.ev" '"action":"alert"' '"outcome":"success"' "\"mechanism\":\"$NM\"" || fail "net alert: no event"

# ---- syscalls (seccomp on both kernels) ------------------------------------------
# Only the syscalls section: `true` makes no mkdir (nor write, so mkdir
# cannot say why it failed; the event does).
"$BPFGUARD" profile -o "$TMP/true.yaml" -- "$BB" true >/dev/null 2>&1 || fail "profile busybox true"
sed '/^executables:/,$d' "$TMP/true.yaml" >"$TMP/sys.yaml"
run_p "$TMP/sys.yaml" deny "$TMP/s1.ev" "$BB" mkdir "$D/m1"
[ $rc = 1 ] && [ ! -d "$D/m1" ] || fail "sys deny: rc $rc: $out"
ev_has "$TMP/s1.ev" '"outcome":"failure"' '"mechanism":"seccomp"' '"name":"policy.syscalls"' '"name":"mkdir"' ||
	fail "sys deny: no event: $(cat "$TMP/s1.ev")"
run_p "$TMP/sys.yaml" kill "$TMP/s2.ev" "$BB" mkdir "$D/m2"
[ $rc = 159 ] && [ ! -d "$D/m2" ] || fail "sys kill: rc $rc"
run_p "$TMP/sys.yaml" kill-user "$TMP/s3.ev" "$BB" mkdir "$D/m3"
[ $rc = 137 ] && [ ! -d "$D/m3" ] || fail "sys kill-user: rc $rc"
run_p "$TMP/sys.yaml" alert "$TMP/s4.ev" "$BB" mkdir "$D/m4"
[ $rc = 0 ] && [ -d "$D/m4" ] || fail "sys alert: rc $rc $out"
ev_has "$TMP/s4.ev" '"action":"alert"' '"mechanism":"seccomp"' || fail "sys alert: no event"
echo ok
