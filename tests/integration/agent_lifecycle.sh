#!/bin/bash
# Agent lifecycle: SIGTERM detaches everything (the programs and links the
# agent held, read from its /proc fdinfo, are gone from bpftool; nothing
# pinned); --persist leaves the
# programs attached and pinned under the pin directory (--pin-dir, here one
# of our own), still enforcing after the agent is gone; removing that
# directory detaches them; a new agent replaces what a previous --persist
# run left. Crashes: agent_persist_crash.sh.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd bpftool
need_cmd awk
. "$(dirname "$0")/files_lib.sh"

# Other agents may run on this host: follow only the ids ours holds.
held() { grep -h "^$1:" /proc/"$AGENT_PID"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -un; }
gone() { # prog|link IDS...: none of them exists any more
	local kind=$1 id
	shift
	for id in "$@"; do bpftool "$kind" show id "$id" >/dev/null 2>&1 && return 1; done
	return 0
}
alive() { # prog|link IDS...: all of them exist
	local kind=$1 id
	shift
	for id in "$@"; do bpftool "$kind" show id "$id" >/dev/null 2>&1 || return 1; done
	return 0
}
run=0 # each agent writes its own file: "agent-start" of one run must not satisfy the next
# bpffs is not mounted at boot on our machines: mount it as the agent would.
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf 2>/dev/null ||
	grep -q ' /sys/fs/bpf bpf ' /proc/mounts || skip "no bpffs at /sys/fs/bpf, and it cannot be mounted"
PIN=/sys/fs/bpf/bg-test-lifecycle-$$-$RANDOM # agents of other tests may run
at_exit "rm -rf $PIN"
# start [ARGS...]: an agent on our pin directory, its start line awaited.
start() {
	AGENT_OUT=$TMP/events.$((++run)).json
	"$BPFGUARD" agent --config "$TMP/agent.yaml" --pin-dir "$PIN" --json --output "$AGENT_OUT" \
		"$@" 2>"$TMP/agent.err" &
	AGENT_PID=$!
	at_exit "kill $AGENT_PID 2>/dev/null; wait $AGENT_PID 2>/dev/null"
	wait_for 300 grep -q '"agent-start"' "$AGENT_OUT" 2>/dev/null || { cat "$TMP/agent.err"; fail "agent did not start"; }
}

echo secret >"$TMP/f"
cat >"$TMP/agent.yaml" <<YAML
mode: kill
guards:
  exec:
    enabled: true
  files:
    rules:
      - name: persisted
        paths: [$TMP/f]
        read: [$READER]
YAML
start
progs=$(held prog_id) lnks=$(held link_id)
[ "$(wc -w <<<"$progs")" -ge 3 ] && [ "$(wc -w <<<"$lnks")" -ge 3 ] ||
	fail "expected >= 3 programs and links held by the agent: '$progs' '$lnks'"
alive prog $progs && alive link $lnks || fail "bpftool does not see the agent's programs"
echo "ok - running: programs $(echo $progs), links $(echo $lnks)"
agent_stop
# Programs are freed after an RCU grace period: give it a moment.
wait_for 50 gone prog $progs || fail "programs left after SIGTERM: $(echo $progs)"
gone link $lnks || fail "links left after SIGTERM"
[ ! -e "$PIN" ] || fail "something pinned without --persist"
echo "ok - SIGTERM: no program, link or pin left"

# --persist: still attached and enforcing after exit.
start --persist
progs=$(held prog_id)
agent_stop
grep -q "pinned under $PIN/$AGENT_PID-" "$TMP/agent.err" || { cat "$TMP/agent.err"; fail "no pin message"; }
ls "$PIN"/*/ | grep -q '^files-' || fail "files guard not pinned: $(ls -R "$PIN")"
ls "$PIN"/*/ | grep -q '^exec-' || fail "exec guard not pinned"
alive prog $progs || fail "programs gone after a --persist exit"
expect_blocked "enforced with no agent running" "$OTHER" r "$TMP/f"
expect_allowed "allowed reader, no agent" "$READER" r "$TMP/f"
echo "ok - --persist: $(ls "$PIN"/*/ | grep -c -- -) links pinned, rules still enforced"

# A new agent replaces the persisted programs once its own are attached.
old=$progs
start
[ ! -e "$PIN" ] || fail "the new agent left the old pins"
wait_for 50 gone prog $old || fail "the persisted programs survived the new agent"
progs=$(held prog_id)
agent_stop
wait_for 50 gone prog $progs || fail "programs left after the replacing agent's SIGTERM"
echo "ok - a new agent replaced the persisted programs, none left after it"

# Removal as documented: rm -r the pin directory.
start --persist
progs=$(held prog_id)
agent_stop
alive prog $progs || fail "not persisted"
rm -r "$PIN"
wait_for 50 gone prog $progs || fail "programs left after rm -r $PIN"
expect_allowed "after rm -r, nothing enforces" "$OTHER" r "$TMP/f"
echo "ok - rm -r $PIN detaches everything"
