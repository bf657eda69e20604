#!/bin/bash
# `bpfguard probe --json` must agree with independent attempts made here
# with other tools (bpftool, ip, tracefs, raw syscalls from python), each on
# a different program or hook than the probe's own, for the features that
# decide the enforcement ladder.
# vm-files: build/tests/bpf/indep_lsm.bpf.o build/tests/bpf/indep_fentry.bpf.o
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd bpftool
need_cmd python3
OBJ=$BUILD/tests/bpf

"$BPFGUARD" probe --json > "$TMP/probe.json" || fail "probe failed"
probe() { python3 -c 'import json,sys; print("yes" if json.load(open(sys.argv[1]))["features"][sys.argv[2]]["available"] else "no")' "$TMP/probe.json" "$1"; }
detail() { python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["features"][sys.argv[2]]; print(f.get("error",""), f["detail"])' "$TMP/probe.json" "$1"; }

mkdir -p "$TMP/bpffs"
mount -t bpf bpf "$TMP/bpffs" || fail "cannot mount a private bpffs"
at_exit "umount '$TMP/bpffs'"

bpftool_load() { # object pin-name
	bpftool prog load "$1" "$TMP/bpffs/$2" >"$TMP/$2.log" 2>&1 && echo yes || echo no
}

bad=0
agree() { # feature independent-result
	local p; p=$(probe "$1")
	if [ "$p" = "$2" ]; then
		echo "ok: $1 = $p ($(detail "$1"))"
	else
		echo "DISAGREE: $1: probe says $p, independent attempt says $2 ($(detail "$1"))"
		bad=1
	fi
}

# LSM: the probe also needs "bpf" in the active LSM list; bpftool only loads.
lsm=$(bpftool_load "$OBJ/indep_lsm.bpf.o" lsm)
if [ "$lsm" = yes ]; then
	secfs=$(awk '$3 == "securityfs" {print $2; exit}' /proc/mounts)
	grep -qw bpf "${secfs:-/sys/kernel/security}/lsm" || lsm=no
fi
agree lsm "$lsm"
if [ "$lsm" = no ] && [ "$(probe lsm)" = no ]; then
	# On a kernel that refuses the load, the probe must say so and why.
	if grep -q "Operation not permitted" "$TMP/lsm.log"; then
		detail lsm | grep -q "load refused: EPERM" || { echo "lsm detail lacks 'load refused: EPERM'"; bad=1; }
	fi
fi
agree fentry "$(bpftool_load "$OBJ/indep_fentry.bpf.o" fexit)"
agree tp_btf "$(bpftool_load "$OBJ/indep_tp_btf.bpf.o" tpbtf)"

# kprobes: define one through tracefs, the way perf and bcc's legacy path do.
tfs=$(awk '$3 == "tracefs" {print $2; exit}' /proc/mounts)
kp=no
if [ -n "$tfs" ] && [ -w "$tfs/kprobe_events" ]; then
	echo "p:bgagree do_rmdir" >> "$tfs/kprobe_events" 2>/dev/null && kp=yes
	echo "-:bgagree" >> "$tfs/kprobe_events" 2>/dev/null
fi
agree kprobe "$kp"

# XDP generic: ip(8) attaches a pinned program to lo in a private netns.
xdp=no
if [ "$(bpftool_load "$OBJ/indep_net.bpf.o" xdp)" = yes ] &&
	unshare -n ip link set dev lo xdpgeneric pinned "$TMP/bpffs/xdp" 2>"$TMP/xdp.err"; then
	xdp=yes
fi
agree xdp_generic "$xdp"

# cgroup sock_addr: bpftool attaches to a fresh cgroup v2 directory.
cg=no
cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
if [ -n "$cg2" ] && [ "$(bpftool_load "$OBJ/indep_cgroup.bpf.o" cg)" = yes ]; then
	mkdir -p "$cg2/bg-agree-$$"
	bpftool cgroup attach "$cg2/bg-agree-$$" connect6 pinned "$TMP/bpffs/cg" 2>/dev/null && cg=yes
	rmdir "$cg2/bg-agree-$$"
fi
agree cgroup_sock_addr "$cg"

# Landlock and seccomp through raw syscalls.
ll=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print("yes" if l.syscall(444, None, 0, 1) > 0 else "no")')
agree landlock "$ll"
sc=$(python3 - <<'PY'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
pid = os.fork()
if pid == 0:
    # allow-all filter: one BPF_RET|BPF_K SECCOMP_RET_ALLOW instruction
    class F(ctypes.Structure): _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]
    class P(ctypes.Structure): _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(F))]
    ins = (F * 1)(F(0x06, 0, 0, 0x7fff0000))
    libc.prctl(38, 1, 0, 0, 0)
    os._exit(0 if libc.syscall(317, 1, 0, ctypes.byref(P(1, ins))) == 0 else 1)
_, st = os.waitpid(pid, 0)
print("yes" if st == 0 else "no")
PY
)
agree seccomp "$sc"

[ $bad -eq 0 ] || fail "probe disagrees with independent attempts"
