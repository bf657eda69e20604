#!/bin/bash
# vm_probe: `bpfguard probe --json` reports BPF LSM, fentry and kprobes as
# available. Run in the VM rig (or natively where the host kernel allows
# BPF LSM): its kernel has all three, so "unavailable" there is a bug in the
# probe. A bpfguard without `probe --json` fails this test, it does not skip.
# needs: lsm
set -u

BPFGUARD=${BPFGUARD:-${BUILD:-build}/bpfguard}
FEATURES="lsm fentry kprobe"
failures=0

fail() {
	echo "FAIL: $*"
	exit 1
}

check() {
	if [[ $1 == 0 ]]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		failures=$((failures + 1))
	fi
}

# Flatten JSON to "path=value" lines (objects only need this; array
# elements get "[]" as their key). No python in the VM, so awk it is.
flatten() {
	awk '
	function path(   p, j) {
		p = ""
		for (j = 1; j <= d; j++)
			p = p (j > 1 ? "." : "") k[j]
		return p
	}
	function emit() {
		if (have_str)
			print path() "=" str
		else if (lit != "")
			print path() "=" lit
		have_str = 0
		lit = ""
	}
	{ text = text $0 "\n" }
	END {
		d = 0; instr = 0; esc = 0; have_str = 0; lit = ""
		n = length(text)
		for (i = 1; i <= n; i++) {
			c = substr(text, i, 1)
			if (instr) {
				if (esc) { buf = buf c; esc = 0 }
				else if (c == "\\") esc = 1
				else if (c == "\"") { instr = 0; str = buf; have_str = 1 }
				else buf = buf c
				continue
			}
			if (c == "\"") { instr = 1; buf = ""; continue }
			if (c == ":") { k[d] = str; have_str = 0; continue }
			if (c == "{" || c == "[") { d++; k[d] = (c == "[") ? "[]" : ""; continue }
			if (c == "}" || c == "]") { emit(); d--; continue }
			if (c == ",") { emit(); continue }
			if (c == " " || c == "\t" || c == "\n" || c == "\r") continue
			lit = lit c
		}
	}'
}

[[ -x $BPFGUARD ]] || fail "no bpfguard binary at $BPFGUARD"

if [[ ${BG_IN_VM:-0} == 1 ]]; then
	lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
	[[ ,$lsm, == *,bpf,* ]]
	check $? "VM kernel has bpf among its active LSMs ($lsm)"
fi

err=$(mktemp)
trap 'rm -f "$err"' EXIT
json=$("$BPFGUARD" probe --json 2>"$err")
rc=$?
if [[ $rc != 0 || -z $json ]]; then
	sed 's/^/# /' "$err"
	fail "'$BPFGUARD probe --json' exited with status $rc${json:+ (output: $json)}"
fi

flat=$(printf '%s\n' "$json" | flatten)
if ! grep -q '^features\.' <<<"$flat"; then
	printf '%s\n' "$json" | sed 's/^/# /'
	fail "no \"features\" object in the probe's JSON"
fi
for f in $FEATURES; do
	v=$(grep -m 1 "^features\\.$f\\.available=" <<<"$flat")
	v=${v#*=}
	[[ $v == true ]]
	check $? "probe: $f available (available=${v:-missing})"
	if [[ $v != true ]]; then
		grep "^features\\.$f\\." <<<"$flat" | sed 's/^/#   /'
	fi
done

if ((failures)); then
	echo "# probe output:"
	printf '%s\n' "$json" | sed 's/^/#   /'
	echo "FAIL: $failures check(s) failed"
	exit 1
fi
echo "PASS"
