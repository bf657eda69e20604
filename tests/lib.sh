# Helpers for integration tests (bash). A test exits 0 (pass), 77 (skip,
# last line "SKIP: reason") or anything else (fail).
BPFGUARD=${BPFGUARD:-build/bpfguard}
BUILD=${BUILD:-build}
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }
# need_helper VAR NAME: $VAR is the test program NAME (tests/helpers/) in
# $BUILD; fails where it was not built.
need_helper() {
	printf -v "$1" '%s' "$BUILD/tests/helpers/$2"
	[ -x "${!1}" ] || fail "missing ${!1} (make tests)"
}
# need_php [probes]: $PHP is PHP's CLI (php8.2 where there are several),
# resolved to its file; skips without one, or with "probes" where it was
# built without the USDT probes the PHP guard attaches to.
need_php() {
	PHP=$(command -v php8.2 || command -v php) || skip "needs php8.2-cli"
	PHP=$(readlink -f "$PHP")
	if [ "${1:-}" = probes ] && ! grep -qa function__entry "$PHP"; then
		skip "$PHP has no USDT probes"
	fi
}

TMP=$(mktemp -d /tmp/bg-test.XXXXXX)
cleanup_hooks=()
on_exit() { local h; for h in "${cleanup_hooks[@]}"; do eval "$h"; done; rm -rf "$TMP"; }
trap on_exit EXIT
at_exit() { cleanup_hooks+=("$1"); }

# Poll until a command succeeds, for up to $1 tenths of a second of wall
# time on an idle machine, times BG_WAIT_SCALE (5): the suite must hold on
# a loaded 2-core host and in TCG, where everything is several times
# slower. A wait returns as soon as its condition holds, so the margin
# costs nothing when all is well. A deadline, not a count of tries: on a
# loaded machine each try (a fork or two) takes longer than its pause.
BG_WAIT_SCALE=${BG_WAIT_SCALE:-5}
wait_for() {
	local t=${EPOCHREALTIME//[.,]/} end
	end=$((t / 100000 + $1 * BG_WAIT_SCALE)); shift
	until "$@"; do
		t=${EPOCHREALTIME//[.,]/}
		[ $((t / 100000)) -lt "$end" ] || return 1
		sleep 0.1
	done
}

# listening PORT: a TCP socket listens on PORT in this network namespace
# (read from /proc: the VM has neither ss nor netstat's options).
listening() {
	local p; p=$(printf ':%04X' "$1")
	awk -v p="$p" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# veth_pair TAG [NET]: network namespaces $NA and $NB joined by a veth pair
# $IFA (in A) / $IFB (in B), both up, names unique to this test; with NET
# (e.g. 10.78.0), NET.1/24 on A and NET.2/24 on B. Removed at exit.
veth_pair() {
	NA=bg${1}a$$ NB=bg${1}b$$ IFA=${1}a$$ IFB=${1}b$$
	ip netns add "$NA" || skip "cannot create network namespaces"
	at_exit "ip netns del $NA 2>/dev/null"
	ip netns add "$NB" || fail "ip netns add $NB"
	at_exit "ip netns del $NB 2>/dev/null"
	ip link add "$IFA" netns "$NA" type veth peer name "$IFB" netns "$NB" || fail "veth"
	ip -n "$NA" link set "$IFA" up
	ip -n "$NB" link set "$IFB" up
	if [ -n "${2:-}" ]; then
		ip -n "$NA" addr add "$2.1/24" dev "$IFA"
		ip -n "$NB" addr add "$2.2/24" dev "$IFB"
	fi
}

# agent_up CONFIG [TENTHS]: start `bpfguard agent` on CONFIG with JSON
# events in $OUT (stderr in $TMP/agent.err), stopped at exit; sets $agent.
agent_up() {
	"$BPFGUARD" agent --config "$1" --output "$OUT" 2>"$TMP/agent.err" &
	agent=$!
	at_exit "kill $agent 2>/dev/null; wait $agent 2>/dev/null"
	wait_for "${2:-600}" grep -q '"agent-start"' "$OUT" 2>/dev/null || {
		cat "$TMP/agent.err"
		kill -0 "$agent" 2>/dev/null || echo "agent exited"
		fail "agent did not start"
	}
}

# bcc compiles against kernel headers. When the running kernel ships none,
# Debian's nearest headers stand in (tracepoint tools do not care), seen
# through a private mount namespace so the host's /lib/modules is untouched.
bcc_run() {
	if [ -e "/lib/modules/$(uname -r)/build" ]; then
		exec "$@"
	fi
	local h; h=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | tail -1)
	[ -n "$h" ] || { echo "no kernel headers for bcc"; return 1; }
	local m="$TMP/modules/$(uname -r)"
	mkdir -p "$m"
	ln -sfn "$h" "$m/build"
	ln -sfn "${h%-amd64}-common" "$m/source"
	exec unshare -m --propagation private sh -c 'mount --bind "$0" /lib/modules && exec "$@"' \
		"$TMP/modules" "$@"
}

# run_policy POLICY EVFILE CMD...: CMD under `bpfguard run --action deny`
# (and $RUN_OPTS), events as JSON in EVFILE; status in $rc, stdout and
# stderr in $out.
run_policy() {
	local pol=$1 evf=$2
	shift 2
	: >"$evf" # run appends to --output
	out=$("$BPFGUARD" run $RUN_OPTS --policy "$pol" --action deny --json --output "$evf" -- "$@" 2>&1)
	rc=$?
}

# probe_lsm: $lsm is 1 where this kernel runs BPF LSM programs (a deny
# rule refuses at the LSM hook and the process lives on), else 0 (deny
# falls back to a kill at the syscall); $deny_ev is what the event of such
# a rule then says. The VM's kernel must have BPF LSM (unless a test masks
# it with BPFGUARD_PROBE_MASK).
probe_lsm() {
	if "$BPFGUARD" probe --json | grep -q '"lsm":{"available":true'; then
		lsm=1 deny_ev='"action":"deny","mechanism":"lsm"'
	else
		lsm=0 deny_ev='"action":"kill","mechanism":"tracepoint"'
	fi
	if [ "${BG_IN_VM:-0}" = 1 ] && [ $lsm = 0 ] && [[ ${BPFGUARD_PROBE_MASK:-} != *lsm* ]]; then
		fail "the VM kernel must have BPF LSM"
	fi
}

# limits_config <RULES: an agent config for the limits guard (JSON events,
# no exec events) on stdout; its rules, read from stdin, are indented as
# items of "rules:".
limits_config() {
	printf 'mode: alert\nevents: { format: json }\nguards:\n  exec: { enabled: false }\n  limits:\n    rules:\n'
	cat
}

# test_cgroup NAME: a cgroup v2 directory for this test in $CG (skip
# without cgroup v2), its processes killed and the directory removed at exit.
test_cgroup() {
	local cg2
	cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$cg2" ] || skip "no cgroup v2 mount"
	CG=$cg2/$1.$$
	mkdir "$CG" || fail "cannot create $CG"
	at_exit "for p in \$(cat $CG/cgroup.procs 2>/dev/null); do kill -9 \$p; done; sleep 0.2; rmdir $CG"
}
# in_cg CMD...: CMD run inside the test's cgroup $CG.
in_cg() { sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@"; }

# is GOT WANT WHAT: GOT is WANT (shown either way).
is() {
	echo "$3 -> '$1'"
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# start_server OUT CMD...: CMD (a server that prints "ready" once it
# listens, such as bg_net serve) in the background, its pid in $srv, its
# output in OUT; returns when it is ready.
start_server() {
	local out=$1
	shift
	rm -f "$out" # a stale "ready" from the previous server would race
	"$@" >"$out" 2>&1 &
	srv=$!
	wait_for 50 grep -q ready "$out" || fail "server $* did not start"
}

# http_responder FILE BODY: FILE is an executable script for `socat ...
# EXEC:FILE` (socat splits an inline command at ',' and ':') that answers
# one HTTP request with 200 and BODY (a line). It reads the request to its
# blank line first: a socket closed with unread data is reset, and the
# client may lose the answer with it.
http_responder() {
	cat >"$1" <<SH
#!/bin/sh
cr=\$(printf '\\r')
while IFS= read -r l; do
	case \$l in "" | "\$cr") break ;; esac
done
printf 'HTTP/1.0 200 OK\\r\\nContent-Length: $((${#2} + 1))\\r\\n\\r\\n%s\\n' '$2'
SH
	chmod +x "$1"
}

# corpus_run POLICY ACTION REF CMD...: CMD under `bpfguard run --action
# ACTION` exits 0 with REF's output (the same command without bpfguard)
# and no alert event (issue 14's corpus). Its stderr is in $TMP/run.err.
corpus_run() {
	local pol=$1 action=$2 ref=$3 rc
	shift 3
	: >"$TMP/run.ev"
	"$BPFGUARD" run --policy "$pol" --action "$action" --json --output "$TMP/run.ev" -- "$@" \
		>"$TMP/run.out" 2>"$TMP/run.err"
	rc=$?
	[ $rc = 0 ] || fail "$action: rc $rc: $(cat "$TMP/run.err" "$TMP/run.ev")"
	cmp -s "$ref" "$TMP/run.out" ||
		fail "$action: output differs: $(diff "$ref" "$TMP/run.out" | head)"
	! grep -q '"kind":"alert"' "$TMP/run.ev" || fail "$action: events: $(cat "$TMP/run.ev")"
}
