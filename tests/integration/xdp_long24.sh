#!/bin/bash
# The /24 table in front of the IPv4 tries (bg_net_long24): prefixes from
# /16 to /32, allow and deny, /24s that hold several longer prefixes, one
# holding more than the table has room for (the trie decides there), and
# shorter prefixes around them. Every address of those /24s must get the
# verdict a reference longest-prefix match gives (deny wins, else allow,
# else the default drop), from the filter `bpfguard net` attached: after
# the rules go in, after live removals and additions, and after a /24 loses
# its last longer prefix.
# asan: yes
. "$(dirname "$0")/xdp_lib.sh"
VERDICT=${BUILD}/tests/helpers/xdp_verdict
[ -x "$VERDICT" ] || fail "no xdp_verdict (make tests)"

net attach "$IFB" -p "$PIN" --default drop >/dev/null || fail "attach failed"
net allow -p "$PIN" udp:5001 >/dev/null || fail "allow port failed"

ALLOW=() DENY=()
# apply VERB RULE...: change the rules live and keep the reference lists.
apply() {
	local verb=$1 r
	shift
	net "$verb" -p "$PIN" "$@" >/dev/null || fail "net $verb $* failed"
	for r in "$@"; do
		case $verb in
		allow) ALLOW+=("$r") ;;
		deny) DENY+=("$r") ;;
		remove)
			ALLOW=($(printf '%s\n' "${ALLOW[@]}" | grep -vxF "$r"))
			DENY=($(printf '%s\n' "${DENY[@]}" | grep -vxF "$r"))
			;;
		esac
	done
}

# check WHAT: every address of the /24s below, filter against reference.
NETS="10.1.2 10.1.3 10.1.9 10.2.0 10.3.7"
check() {
	python3 - "$NETS" "${ALLOW[*]}" "${DENY[*]}" >"$TMP/want" <<'PY'
import ipaddress, sys
nets = sys.argv[1].split()
allow = [ipaddress.ip_network(p) for p in sys.argv[2].split()]
deny = [ipaddress.ip_network(p) for p in sys.argv[3].split()]
for n in nets:
    for i in range(256):
        a = ipaddress.ip_address("%s.%d" % (n, i))
        ok = not any(a in p for p in deny) and any(a in p for p in allow)
        print(a, "pass" if ok else "drop")
PY
	cut -d' ' -f1 "$TMP/want" | "$VERDICT" "$PIN/link" 5001 >"$TMP/got" || fail "$1: xdp_verdict failed"
	diff "$TMP/want" "$TMP/got" >"$TMP/diff" || fail "$1: verdicts differ (want got):
$(head -20 "$TMP/diff")"
	grep -c pass "$TMP/got" >"$TMP/npass"
}

# 10.1.2.0/24: longer allow and deny prefixes nested in each other, inside
# an allowed /16; 10.1.3.0/24: only the /16 covers it; 10.1.9.0/24: more
# longer prefixes than an entry holds; 10.2.0.0/24: longer prefixes, no
# shorter cover; a /23 deny over 10.1.2.0/24 at first; 10.3.7.0/24: a /24 allow with a /32 deny in it.
apply allow 10.1.0.0/16 10.1.2.128/25 10.1.2.192/27 10.2.0.64/26 10.2.0.5/32 10.3.7.0/24
apply deny 10.1.2.0/26 10.1.2.200/29 10.1.2.130/32 10.3.7.77/32
for i in $(seq 0 8); do apply allow "10.1.9.$((i * 16))/28"; done
apply deny 10.1.9.0/25 10.1.2.0/23
check "after adding"
[ "$(cat "$TMP/npass")" -gt 100 ] || fail "too few passing sources to tell anything: $(cat "$TMP/npass")"

apply remove 10.1.2.0/26 10.1.0.0/16 10.1.9.0/28 10.1.2.0/23
apply allow 10.1.2.0/24 10.2.0.0/30
apply deny 10.2.0.0/31
check "after live changes"

# 10.3.7.0/24 loses its only longer prefix: its entry must go, and the
# /24 allow decide alone again.
apply remove 10.3.7.77/32
check "after the last longer prefix of a /24 went"
echo "ok: $(wc -l <"$TMP/got") sources checked three times"
