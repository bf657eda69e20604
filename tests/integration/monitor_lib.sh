# Shared setup of the monitor tests: sourced by tests/integration/monitor_*.sh,
# never run itself (not executable). Workers are real programs (python3,
# sh, curl) started outside bpfguard, waiting for a go file; the monitor
# is attached to them afterwards, then the go file releases the step under
# test.
. "$(dirname "$0")/../lib.sh"
need_root

# The interpreter itself, not a wrapper script (pyenv shims are scripts).
PY=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null)
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)

# only SECTION <in >out: keep one section of a policy (and its version),
# so that a test checks exactly one rule kind.
only() {
	awk -v s="$1:" '/^[a-z0-9_]+:/ { keep = ($1 == "version:" || $1 == s) } keep'
}

# A cgroup of our own, removed at exit.
make_cgroup() {
	[ -n "$CG2" ] || skip "no cgroup v2 mount"
	CG=$CG2/bg-montest.$$.$1
	mkdir "$CG" || fail "mkdir $CG"
	at_exit "find $CG -depth -type d | while read -r d; do xargs -r kill -9 <\$d/cgroup.procs 2>/dev/null; sleep 0.1; rmdir \$d; done 2>/dev/null"
}

# start_monitor EVENTS_FILE ARGS...: returns when the programs are attached.
start_monitor() {
	local ev=$1
	shift
	"$BPFGUARD" monitor --json --output "$ev" "$@" 2>"$ev.err" &
	MON=$!
	at_exit "kill -INT $MON 2>/dev/null"
	wait_for 150 grep -qs '^bpfguard: monitoring' "$ev.err" ||
		{ kill -INT $MON 2>/dev/null; fail "monitor did not start: $(cat "$ev.err")"; }
}

# wait_exe PID PATH: until PID runs PATH. A worker started with `cmd &` is
# a copy of the shell until its exec; monitored before that, the shell's
# own calls would break the worker's policy.
runs_exe() { [ "$(readlink -f "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$2")" ]; }
wait_exe() {
	wait_for 100 runs_exe "$1" "$2" || fail "pid $1 does not run $2 (it runs $(readlink "/proc/$1/exe"))"
}

stop_monitor() {
	kill -INT "$MON" 2>/dev/null
	wait "$MON" || fail "monitor exited with $?: $(cat "$1.err")"
}

# check_events EVENTS_FILE TYPE RULE ACTION OUTCOME PY_EXPR: at least one
# event of TYPE for RULE with ACTION/OUTCOME and the mechanism tracepoint,
# for which PY_EXPR (over e) holds.
check_events() {
	python3 - "$@" <<'PY'
import json, sys
path, typ, rule, action, outcome, expr = sys.argv[1:7]
ev = [json.loads(l) for l in open(path) if l.startswith("{")]
mine = [e for e in ev if e["bpfguard"]["type"] == typ]
ok = [e for e in mine if e["rule"]["name"] == rule and e["bpfguard"]["action"] == action
      and e["event"]["outcome"] == outcome and e["bpfguard"]["mechanism"] == "tracepoint"
      and eval(expr)]
if not ok:
    sys.exit(f"no {typ} event {rule}/{action}/{outcome} with {expr}; got: {mine[:3]}")
PY
}
