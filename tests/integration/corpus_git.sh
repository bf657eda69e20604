#!/bin/bash
# Corpus (issue 14): git through profile -> run. git's temporary files
# have random names (.git/XXXXXX from mkstemp, objects/NN/tmp_obj_XXXXXX)
# and its objects are named by content in directories named by hash, so a
# policy of exact names from one run named none of the next run's (run
# killed git at its first temporary file). profile marks such directories
# own-files (docs/policy.md): run lets new names be made there and only
# the files made in that run be opened, renamed, linked or removed.
# Profiled on a 2-file repository: init, add, commit, a branch, a merge,
# gc, count-objects, log. Run on 30 files (other objects, other object
# directories, other temporary names, a pack) under deny and kill: the
# output of the script alone (fixed dates), no event, exit 0.
# Out of policy: git reads a file in .git it did not create and the policy
# does not name: refused (native: killed at open's exit; BPF LSM: EPERM at
# file_open), with a run_file event naming it.
# Not profiled, refused (not asserted): a profile of init/add/commit/log
# alone does not hold checkout (utimensat) or gc (pack-objects reads
# /proc/stat): calls and files the profiled run never made.
# vm: also
# vm-files: /usr/bin/git /usr/lib/git-core/git /usr/share/git-core/templates
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd git
BPFGUARD=$(realpath "$BPFGUARD")
W=$TMP/bggit
mkdir -p "$W"
cd "$W" || fail "cd $W"
export HOME=$W GIT_CONFIG_NOSYSTEM=1
cat >"$TMP/g.sh" <<'SH'
set -e
n=$1
export GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z
git init -q -b main repo
cd repo
git config user.email t@example.org
git config user.name Tester
mkdir -p src
i=0
while [ $i -lt "$n" ]; do
	echo "int f$i(void) { return $i; }" >src/f$i.c
	i=$((i + 1))
done
git add .
git commit -q -m first
git checkout -q -b feature
echo "int g(void) { return 1; }" >>src/f0.c
git commit -q -am feature
git checkout -q main
echo "int h(void) { return 2; }" >>src/f1.c
git commit -q -am main
git merge -q --no-edit feature
git gc -q
git count-objects -v | grep -v size
git log --stat --format='%H %s'
SH
"$BPFGUARD" profile -o "$TMP/git.yaml" -- /bin/sh "$TMP/g.sh" 2 >"$TMP/prof.out" 2>&1 ||
	fail "profile: $(cat "$TMP/prof.out")"
grep -q -- "^- $W/repo/.git/objects/: .*mkdir, own-files" "$TMP/git.yaml" ||
	fail "policy: $(grep "$W/repo/.git/[a-z]*/:" "$TMP/git.yaml")"
grep -q "$W/repo/.git/: .*own-files" "$TMP/git.yaml" || fail "policy: no own-files on .git/"

rm -rf repo
/bin/sh "$TMP/g.sh" 30 >"$TMP/ref.out" 2>&1 || fail "reference: $(cat "$TMP/ref.out")"
grep -q "^ 30 files changed" "$TMP/ref.out" || fail "reference: $(cat "$TMP/ref.out")"
for action in deny kill; do
	rm -rf repo
	corpus_run "$TMP/git.yaml" $action "$TMP/ref.out" /bin/sh "$TMP/g.sh" 30
done
M=$(grep -o "files: [a-z]*" "$TMP/run.err" | head -1)

# Out of policy: a file in .git that this run did not create and the
# policy does not name (the repository of the last run, left in place).
echo secret >repo/.git/planted
: >"$TMP/ev"
"$BPFGUARD" run --policy "$TMP/git.yaml" --action deny --json --output "$TMP/ev" -- \
	git -C repo hash-object .git/planted >"$TMP/o.out" 2>&1
rc=$?
[ $rc != 0 ] || fail "read of .git/planted not refused: $(cat "$TMP/o.out")"
! grep -q "$(git hash-object repo/.git/planted)" "$TMP/o.out" || fail "planted file was read"
wait_for 20 grep -q "\"path\":\"$W/repo/.git/planted\",\"operation\":\"open\",\"access\":\"r\"" \
	"$TMP/ev" || fail "no event for .git/planted: $(cat "$TMP/ev")"
grep -q '"type":"run_file"' "$TMP/ev" || fail "event type: $(cat "$TMP/ev")"
mech=$(grep -o '"mechanism":"[a-z]*"' "$TMP/ev" | head -1)
case "$M" in
"files: lsm") [ "$mech" = '"mechanism":"lsm"' ] || fail "mechanism $mech under $M" ;;
*) [ "$mech" = '"mechanism":"tracepoint"' ] || fail "mechanism $mech under $M" ;;
esac
echo "out of policy ($M): rc $rc, $(grep -o '"file":{[^}]*}' "$TMP/ev" | head -1) $mech"
echo "ok: git under its own profile ($M)"
