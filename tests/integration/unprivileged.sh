#!/bin/bash
# Every command that needs privileges, run by an unprivileged user, says
# that root is needed (and which capabilities) and exits 1 before trying
# anything: no blame on the kernel, no probe result made of refusals. What
# needs no privilege keeps working: --help, agent --check, bpf dump --file.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd setpriv
id nobody >/dev/null 2>&1 || skip "no user nobody"
chmod 755 "$TMP"
cp "$SRC/config/default.yaml" "$TMP/agent.yaml"
cp "$SRC"/config/*.yaml "$TMP/"
printf 'version: 1\n' >"$TMP/p.yaml"
cp "$BUILD/bpf/probe.bpf.o" "$TMP/probe.bpf.o" || fail "no $BUILD/bpf/probe.bpf.o"
chmod -R a+rX "$TMP"
BIN=$(realpath "$BPFGUARD")
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" "$@"; }

for args in "probe" "probe --json" "agent --config $TMP/agent.yaml" "profile -o $TMP/x.yaml -- true" \
	"run --policy $TMP/p.yaml -- true" "monitor --policy $TMP/p.yaml --pid 1" "bpf list" \
	"bpf dump 1" "bpf watch" "net status" "net stats" "net attach --iface lo"; do
	# shellcheck disable=SC2086
	as_nobody $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	case $args in
	bpf* | net*) name=$(cut -d' ' -f1-2 <<<"$args") ;;
	*) name=${args%% *} ;;
	esac
	[ $rc = 1 ] || fail "$args: exit $rc, expected 1: $(cat "$TMP/err")"
	grep -q "^bpfguard $name: needs root (.*CAP_BPF.*): run it as root$" "$TMP/err" ||
		fail "$args: message: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" = 1 ] || fail "$args: more than the one message: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "$args: printed on stdout: $(head -3 "$TMP/out")"
done
echo "ok - privileged commands say root is needed"

for c in probe agent profile run monitor bpf net; do
	as_nobody $c --help >/dev/null 2>"$TMP/err" || fail "$c --help as nobody: $(cat "$TMP/err")"
done
as_nobody agent --config "$TMP/agent.yaml" --check >/dev/null 2>"$TMP/err" ||
	fail "agent --check as nobody: $(cat "$TMP/err")"
as_nobody bpf dump --file "$TMP/probe.bpf.o" >"$TMP/out" 2>"$TMP/err" ||
	fail "bpf dump --file as nobody: $(cat "$TMP/err")"
grep -q insns "$TMP/out" || fail "bpf dump --file printed no instructions"
echo "ok - --help, agent --check and bpf dump --file need no privilege"
