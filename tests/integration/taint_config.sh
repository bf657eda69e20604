#!/bin/bash
# guards.taint config: each mistake is refused with FILE:LINE:COL and a
# reason, and the agent loads nothing (--check and a real start both fail
# before any program is attached); config/taint-example.yaml is valid; the
# shipped default config has no taint rule.
# asan: yes
. "$(dirname "$0")/../lib.sh"
echo secret >"$TMP/secret"
# refused LINE:COL REASON YAML-OF-ONE-RULE: the rule is refused at LINE:COL.
refused() {
	local where=$1 why=$2 out
	printf 'guards:\n  taint:\n    rules:\n      - name: bgtt\n%b\n' "$3" >"$TMP/c.yaml"
	out=$("$BPFGUARD" agent --config "$TMP/c.yaml" --check 2>&1) && fail "accepted: $3"
	grep -qF "$TMP/c.yaml:$where: " <<<"$out" || fail "no $where in: $out"
	grep -qF -- "$why" <<<"$out" || fail "no '$why' in: $out"
	echo "ok - $why ($where)"
}
refused 5:17 "No such file or directory" "        paths: [$TMP/missing]"
refused 4:9 "has no paths" "        action: deny"
refused 4:9 "action redirect needs redirect" "        paths: [$TMP/secret]\n        action: redirect"
refused 6:19 "without action: redirect" "        paths: [$TMP/secret]\n        redirect: [\"127.0.0.1:9\"]"
refused 7:20 "is not ADDR:PORT" "        paths: [$TMP/secret]\n        action: redirect\n        redirect: [\"127.0.0.1\"]"
refused 6:29 "is not ADDR[/LEN][:PORT]" "        paths: [$TMP/secret]\n        allow: { networks: [\"10.0.0.0/33\"] }"
refused 6:26 "is not a port" "        paths: [$TMP/secret]\n        allow: { ports: [70000] }"
refused 6:25 "is not a socket path" "        paths: [$TMP/secret]\n        allow: { unix: [relative] }"
refused 6:19 "is not a duration" "        paths: [$TMP/secret]\n        duration: 5x"
refused 6:9 "unknown key" "        paths: [$TMP/secret]\n        allwo: {}"
printf 'guards:\n  taint:\n    rules:\n      - name: a\n        paths: [%s]\n      - name: b\n        paths: [%s]\n' \
	"$TMP/secret" "$TMP/secret" >"$TMP/c.yaml"
out=$("$BPFGUARD" agent --config "$TMP/c.yaml" --check 2>&1) && fail "one file in two rules accepted"
grep -qF "$TMP/c.yaml:7:17: paths: $TMP/secret is the same file as" <<<"$out" || fail "duplicate: $out"
echo "ok - one file, one rule"
"$BPFGUARD" agent --config "$SRC/config/taint-example.yaml" --check >/dev/null ||
	fail "config/taint-example.yaml is refused"
! grep -q '^  taint:' "$SRC/config/default.yaml" || fail "the default config turns taint on"
echo "ok - example valid, default off"
if [ "$(id -u)" = 0 ]; then
	# A real start with a bad rule: nothing attached, exit non-zero.
	printf 'guards:\n  taint:\n    rules:\n      - name: bgtt\n        paths: [%s]\n' \
		"$TMP/missing" >"$TMP/c.yaml"
	"$BPFGUARD" agent --config "$TMP/c.yaml" --output "$TMP/ev" 2>"$TMP/err" && fail "agent started"
	! grep -q '"agent-start"' "$TMP/ev" 2>/dev/null || fail "the agent started before failing"
	echo "ok - a bad config starts nothing"
fi
