#!/bin/bash
# The systemd unit's CapabilityBoundingSet is what the agent requires. With
# exactly that set (read from debian/bpfguard.service) the agent starts on
# the packaged default config and reports a read of a protected file in a
# directory root does not own; without CAP_DAC_READ_SEARCH that rule cannot
# be loaded, and without any one of CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN,
# CAP_NET_ADMIN the agent refuses to start.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd setpriv

unit=$SRC/debian/bpfguard.service
set=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[ -n "$set" ] || fail "no CapabilityBoundingSet in $unit"
# "CAP_BPF CAP_PERFMON" -> "+bpf,+perfmon"
caps() { local c out=""; for c in "$@"; do c=${c#CAP_}; out="$out,+${c,,}"; done; echo "${out#,}"; }
CAPS=$(caps $set)

# A directory only nobody may enter, with the protected file in it.
mkdir -m 0700 "$TMP/bgpk-priv"
echo secret >"$TMP/bgpk-priv/secret"
chown -R nobody "$TMP/bgpk-priv"
chmod 755 "$TMP"
OUT=$TMP/ev.json
sed -e "s|^  output: \"-\"|  output: $OUT|" -e 's|^  format: auto|  format: json|' \
	"$SRC/config/default.yaml" >"$TMP/agent.yaml"
cp "$SRC/config/bpf-patterns.yaml" "$TMP/"
# One more files rule, before the default config's second one.
sed -i "/^      # Account databases/i\\      - name: bgpk-priv\\n        paths: [$TMP/bgpk-priv/secret]\\n        read: [/usr/bin/true]" \
	"$TMP/agent.yaml"
grep -q "^      - name: bgpk-priv" "$TMP/agent.yaml" || fail "config not edited"
run_with() { # CAPS: agent under that bounding set, for a few seconds
	setpriv --bounding-set "-all,$1" --inh-caps -all -- \
		"$BPFGUARD" agent --config "$TMP/agent.yaml" --duration "${2:-4}" 2>"$TMP/err"
}

: >"$OUT"
run_with "$CAPS" 30 &
pid=$!
at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
up() { grep -q '"agent-start"' "$OUT" || ! kill -0 $pid 2>/dev/null; }
wait_for 600 up && grep -q '"agent-start"' "$OUT" || fail "agent did not start with $CAPS: $(cat "$TMP/err")"
cat "$TMP/bgpk-priv/secret" >/dev/null
wait_for 100 grep -q '"bgpk-priv"' "$OUT" || fail "no event for the rule in the private directory"
kill $pid
wait $pid

without() { echo ",$CAPS," | sed "s/,+$1,/,/; s/^,//; s/,\$//"; }
: >"$OUT"
run_with "$(without dac_read_search)" && fail "started without CAP_DAC_READ_SEARCH"
grep -q "bgpk-priv/secret: Permission denied" "$TMP/err" || fail "without dac_read_search: $(cat "$TMP/err")"
for c in bpf perfmon sys_admin net_admin; do
	run_with "$(without $c)" && fail "started without CAP_${c^^}"
	grep -q "lacks CAP_${c^^}" "$TMP/err" || fail "without $c: $(cat "$TMP/err")"
done
echo "unit capabilities: $set suffice; each measured one is needed"
