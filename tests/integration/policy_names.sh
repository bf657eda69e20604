#!/bin/bash
# profile -> run with hostile file names and command lines (issue 14, item
# 3): a program that creates and reads files whose names hold YAML's special
# characters, backslashes (\N is a YAML escape), quotes, ": ", " #", a line
# break, a leading "-", and UTF-8 text, is profiled, then run under that
# policy with the same effect and nothing refused. A newline in argv stays
# in the comment header. A path that is not UTF-8 is refused by profile
# with a message naming it, and the old policy file is left as it was.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root

D="$TMP/data"
mkdir -p "$D"
chmod 755 "$TMP" "$D"
cat >"$TMP/names.sh" <<'SH'
#!/bin/sh
# Each name: created, written, read back, listed.
nl='
'
for n in 'a\Nb\Cc\x41' "it's \"q\"" 'k: v' 'x #c' '-lead' '? & * ! % @ ` { [' 'null' '1e3' \
	"caf$(printf '\303\251')" "two${nl}lines" '~'; do
	printf '%s\n' "$n" >"$D/$n" || exit 1
	cat "$D/$n" || exit 1
done
set -- "$D"/*
echo $#
SH
chmod 755 "$TMP/names.sh"
export D

"$BPFGUARD" profile -o "$TMP/p.yaml" -- "$TMP/names.sh" >"$TMP/prof.out" 2>"$TMP/prof.err" ||
	fail "profile: $(cat "$TMP/prof.err")"
grep -qF -- '"'"$D"'/a\\Nb\\Cc\\x41": ' "$TMP/p.yaml" ||
	fail "backslashes not escaped: $(grep -F "$D" "$TMP/p.yaml")"
grep -qF -- '? "'"$D"'/two\nlines"' "$TMP/p.yaml" || fail "line break: $(grep -F "$D" "$TMP/p.yaml")"
rm -f "$D"/*
"$BPFGUARD" run --policy "$TMP/p.yaml" -- "$TMP/names.sh" >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
[ $rc = 0 ] || fail "run exited $rc: $(cat "$TMP/run.err")"
cmp -s "$TMP/prof.out" "$TMP/run.out" || fail "output differs: $(diff "$TMP/prof.out" "$TMP/run.out")"
[ "$(tail -1 "$TMP/run.out")" = 11 ] || fail "not every file made: $(cat "$TMP/run.out")"
echo "ok - hostile names: profiled, then run with the same output"

# --append reads the escaped names back and writes them again unchanged.
cp "$TMP/p.yaml" "$TMP/before.yaml"
"$BPFGUARD" profile --append -o "$TMP/p.yaml" -- "$TMP/names.sh" >/dev/null 2>"$TMP/prof.err" ||
	fail "profile --append: $(cat "$TMP/prof.err")"
diff <(grep -F "$D" "$TMP/before.yaml") <(grep -F "$D" "$TMP/p.yaml") >"$TMP/diff" ||
	fail "names changed by --append: $(cat "$TMP/diff")"
echo "ok - --append keeps the names"

# argv with a line break and a control byte: one comment line, a policy run reads.
"$BPFGUARD" profile -o "$TMP/argv.yaml" -- sh -c true "$(printf 'x\nversion: 2\033')" 2>"$TMP/argv.err" ||
	fail "profile: $(cat "$TMP/argv.err")"
grep -qF '# profiled: sh -c true x\x0aversion: 2\x1b' "$TMP/argv.yaml" ||
	fail "header: $(head -3 "$TMP/argv.yaml")"
"$BPFGUARD" run --policy "$TMP/argv.yaml" -- sh -c true 2>"$TMP/argv.err" ||
	fail "run refused the policy: $(cat "$TMP/argv.err")"
echo "ok - argv escaped in the header"

# Not UTF-8: refused, named, and the old policy kept.
bad="$D/bad$(printf '\377')"
echo x >"$bad"
cp "$TMP/p.yaml" "$TMP/keep.yaml"
"$BPFGUARD" profile -o "$TMP/p.yaml" -- cat "$bad" >/dev/null 2>"$TMP/bad.err"
rc=$?
[ $rc = 1 ] || fail "profile exited $rc with a path that is not UTF-8"
grep -qF "file '$D/bad\xff' cannot be written: it is not UTF-8 text" "$TMP/bad.err" ||
	fail "message: $(cat "$TMP/bad.err")"
cmp -s "$TMP/p.yaml" "$TMP/keep.yaml" || fail "the old policy was overwritten"
echo "ok - a path that is not UTF-8 is refused with its name"
