# Shared by the protected-files tests (sourced after tests/lib.sh; not a
# test itself: not executable). Works natively and in the VM (no python3
# there: events are checked with grep on the JSON lines, whose key order
# the formatter fixes).
OPEN_BIN=${BUILD}/tests/helpers/bg_open
[ -x "$OPEN_BIN" ] || skip "no $OPEN_BIN (make tests)"

# Which path enforces on this kernel: BPF LSM (deny before the open) or
# the tracepoint at the open's return (kill after it).
probe_lsm
if [ $lsm = 1 ]; then MECH=lsm; else MECH=tracepoint; fi

# Three copies of one program: only the inode differs.
mkdir -p "$TMP/bin"
for n in reader writer other; do cp "$OPEN_BIN" "$TMP/bin/$n"; done
READER=$TMP/bin/reader WRITER=$TMP/bin/writer OTHER=$TMP/bin/other

AGENT_OUT=$TMP/events.json
AGENT_PID=

# agent_start CONFIG: run the agent, wait for its start line.
agent_start() {
	"$BPFGUARD" agent --config "$1" --json --output "$AGENT_OUT" 2>"$TMP/agent.err" &
	AGENT_PID=$!
	at_exit "kill $AGENT_PID 2>/dev/null; wait $AGENT_PID 2>/dev/null"
	# Generous: the agent probes the kernel first (seconds under TCG on a
	# loaded host).
	wait_for 600 grep -q '"agent-start"' "$AGENT_OUT" 2>/dev/null ||
		{ cat "$TMP/agent.err"; fail "agent did not start"; }
}

agent_stop() {
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID" || fail "agent exited with $?"
}

# try EXE MODE PATH [--comm NAME]: run it, set TRY_OUT and TRY_RC.
try() {
	local exe=$1 mode=$2 path=$3
	shift 3
	TRY_OUT=$("$exe" "$@" "$mode" "$path" 2>&1)
	TRY_RC=$?
}

# expect_allowed / expect_blocked WHAT EXE MODE PATH [--comm NAME]
expect_allowed() {
	local what=$1
	shift
	try "$@"
	[ "$TRY_RC" = 0 ] && [ "$TRY_OUT" = ok ] || fail "$what: expected ok, got rc $TRY_RC '$TRY_OUT'"
	echo "ok - $what: allowed"
}

# Blocked: EPERM under LSM deny; SIGKILL (137, nothing printed: the
# process never got back to user space after the open) on the tracepoint.
expect_blocked() {
	local what=$1
	shift
	try "$@"
	if [ "$MECH" = lsm ]; then
		[ "$TRY_RC" = 1 ] && [ "$TRY_OUT" = EPERM ] ||
			fail "$what: expected EPERM, got rc $TRY_RC '$TRY_OUT'"
	else
		[ "$TRY_RC" = 137 ] && [ -z "$TRY_OUT" ] ||
			fail "$what: expected SIGKILL before user space, got rc $TRY_RC '$TRY_OUT'"
	fi
	echo "ok - $what: blocked ($MECH)"
}

# event_match PATTERN...: print the agent's JSON lines that have every pattern.
event_match() {
	local lines p
	lines=$(grep -F -- "$1" "$AGENT_OUT")
	shift
	for p in "$@"; do
		lines=$(grep -F -- "$p" <<<"$lines")
	done
	[ -n "$lines" ] && echo "$lines"
}

# expect_event WHAT PATTERN...: one JSON line of the agent has every pattern
# (waiting up to 5 s: the agent writes events asynchronously).
expect_event() {
	local what=$1
	shift
	wait_for 50 event_match "$@" >/dev/null || { tail -3 "$AGENT_OUT"; fail "$what: no event with: $*"; }
	echo "ok - $what: event"
}

# The enforcement fields each kernel must report.
EV_BLOCK=$deny_ev
if [ "$MECH" = lsm ]; then
	EV_BLOCK_OUT='"outcome":"failure"'
else
	EV_BLOCK_OUT='"outcome":"success"' # the open completed; the process died before using it
fi
