#!/bin/bash
# Corpus (issue 14): tar with gzip through profile -> run. The script
# archives a tree (tar czf, gzip as tar's child), makes a new directory,
# extracts into it, lists the archive and sums the extracted files.
# Profiled on a tree of 4 small files; run on the same names holding
# about 1.5 MB (gzip and tar see other data, other sizes, more blocks)
# under deny and under kill: output as without bpfguard, no event, exit
# 0. The extraction directory and its subdirectories do not exist when run
# starts (tar makes them): their rights are granted on the nearest
# existing directory, and the files there are checked by name at open's
# exit. Out of policy: extraction into a directory outside the profiled
# ones extracts no file, with a run_file event naming the directory.
# Known limit, printed, not asserted: a tree with other file names is
# refused, since the policy names the files archived and extracted.
# vm: also
# vm-files: /usr/bin/tar /usr/bin/gzip
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd tar
need_cmd gzip
BPFGUARD=$(realpath "$BPFGUARD")
W=$TMP/bgco-tar
mkdir -p "$W/T/a" "$W/T/b" "$W/arch" "$W/O"
cd "$W" || fail "cd $W"
cat >"$TMP/t.sh" <<'SH'
set -e
tar czf arch/t.tgz -C T .
mkdir "$1"
tar xzf arch/t.tgz -C "$1"
tar tzf arch/t.tgz | sort
cat "$1"/a/* "$1"/b/* | md5sum
SH
tree() { # SIZE: the same four names
	local n
	for n in 1 2; do
		head -c "$1" /dev/urandom | od -An -tx1 >"T/a/x$n.txt"
		seq 1 $(($1 / 8)) >"T/b/y$n.txt"
	done
}
tree 100
"$BPFGUARD" profile -o "$TMP/tar.yaml" -- /bin/sh "$TMP/t.sh" X >"$TMP/prof.out" 2>&1 ||
	fail "profile: $(cat "$TMP/prof.out")"
grep -qxF -- "- $W/X/a/x1.txt: rwc" "$TMP/tar.yaml" || fail "policy: $(grep "$W" "$TMP/tar.yaml")"

tree 250000
rm -rf X
/bin/sh "$TMP/t.sh" X >"$TMP/ref.out" 2>&1 || fail "reference: $(cat "$TMP/ref.out")"
for action in deny kill; do
	rm -rf X
	corpus_run "$TMP/tar.yaml" $action "$TMP/ref.out" /bin/sh "$TMP/t.sh" X
done
M=$(grep -o "files: [a-z]*" "$TMP/run.err" | head -1)

# Out of policy: extraction into O/, outside the profiled directories.
: >"$TMP/ev"
"$BPFGUARD" run --policy "$TMP/tar.yaml" --action deny --json --output "$TMP/ev" -- \
	/bin/sh "$TMP/t.sh" O/x >"$TMP/o.out" 2>&1
rc=$?
[ $rc != 0 ] && [ -z "$(find O -type f)" ] || fail "extraction into O not refused: rc $rc: $(ls -R O)"
# Under BPF LSM its mkdir is refused by name; under Landlock the mkdir
# passes (MAKE_DIR for X/ is granted on the directory holding both X and
# O, and covers every directory below it) and tar's open of O/x is refused.
wait_for 20 grep -Eq "\"path\":\"[^\"]*O/x\",\"operation\":\"(mkdir|open)\"" "$TMP/ev" ||
	fail "no event for O/x: $(cat "$TMP/ev")"
echo "out of policy ($M): $(grep -o '"file":{[^}]*}' "$TMP/ev" | head -1)"

# Known limit: other names in the same directories.
rm -rf X T/a/* T/b/*
echo other >T/a/z9.txt
echo other >T/b/w9.txt
: >"$TMP/ev"
"$BPFGUARD" run --policy "$TMP/tar.yaml" --action deny --json --output "$TMP/ev" -- \
	/bin/sh "$TMP/t.sh" X >/dev/null 2>&1
echo "known limit: other names: exit $?, $(grep -c '"run_file"' "$TMP/ev") file refusals"
echo "ok: tar+gzip under its profile ($M)"
