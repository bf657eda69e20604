#!/bin/bash
# bpfguard monitor's command line: help, usage errors (exit 2) and errors
# found while starting (exit 1), each with one clear message.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
printf 'version: 1\nsyscalls:\n  x86_64: [read]\n  ia32: []\n' >"$TMP/p.yaml"

out=$("$BPFGUARD" monitor --help) || fail "--help failed"
grep -q -- '--action alert|kill' <<<"$out" || fail "--help: no usage line: $out"
grep -q 'docs/guarantees.md' <<<"$out" || fail "--help does not say where the guarantees are"

usage() { # expected-message ARGS...
	local msg=$1 out rc
	shift
	out=$("$BPFGUARD" monitor "$@" 2>&1); rc=$?
	[ $rc = 2 ] || fail "monitor $*: exit $rc, expected 2: $out"
	grep -q -- "$msg" <<<"$out" || fail "monitor $*: no '$msg' in: $out"
}
usage "--policy FILE is required" --pid $$
usage "give --pid, --cgroup or --exe" --policy "$TMP/p.yaml"
usage "unknown --action 'deny'" --policy "$TMP/p.yaml" --pid $$ --action deny
usage "no process" --policy "$TMP/p.yaml" --pid 2147483646
usage "is not a pid" --policy "$TMP/p.yaml" --pid 12x

out=$("$BPFGUARD" monitor --policy "$TMP/p.yaml" --cgroup "$TMP" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "not a cgroup v2 directory" <<<"$out" || fail "--cgroup $TMP: exit $rc: $out"
out=$("$BPFGUARD" monitor --policy "$TMP/p.yaml" --exe "$TMP/none" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "$TMP/none" <<<"$out" || fail "--exe missing: exit $rc: $out"
printf 'version: 1\nsyscalls:\n  x86_64: [opn]\n' >"$TMP/bad.yaml"
out=$("$BPFGUARD" monitor --policy "$TMP/bad.yaml" --pid $$ 2>&1); rc=$?
[ $rc = 1 ] && grep -q "bad.yaml:3:" <<<"$out" || fail "bad policy: exit $rc: $out"
echo ok
