#!/bin/sh
# PID 1 of the VM rig (installed as /init by tests/vm/vm.sh; busybox sh).
#
# Mounts the pseudo file systems bpfguard needs, runs every test listed in
# /etc/bgvm/tests ("name path" per line) in a scratch directory with a clean
# environment, and reports on the console with lines the host parses:
#
#   @@BGVM@@ BOOT <uptime> <kernel release> <active LSMs>
#   @@BGVM@@ WARN <text>
#   @@BGVM@@ START <name>
#   @@BGVM@@ OUT <name> <one line of the test's output>
#   @@BGVM@@ RESULT <name> <exit status|timeout> <seconds>
#   @@BGVM@@ DONE
#
# then powers the machine off. A test's output is printed once it ended, so
# kernel messages cannot split its lines; a failed test's output ends with
# the kernel messages logged while it ran, as "[kernel] ..." lines.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
M='@@BGVM@@'
TEST_TIMEOUT=120
# shellcheck source=/dev/null
[ -r /etc/bgvm/config ] && . /etc/bgvm/config

warn() {
	echo "$M WARN $*"
}

# mnt TYPE DIR [OPTIONS]
mnt() {
	mkdir -p "$2"
	mount -t "$1" ${3:+-o "$3"} "$1" "$2" 2>/dev/null || warn "cannot mount $1 on $2"
}

mnt proc /proc
mnt sysfs /sys
mnt devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mnt devpts /dev/pts
mnt tmpfs /dev/shm mode=1777
mnt tmpfs /tmp mode=1777
mnt tmpfs /run mode=0755
mnt securityfs /sys/kernel/security
mnt tracefs /sys/kernel/tracing
mnt debugfs /sys/kernel/debug
mnt bpf /sys/fs/bpf mode=0700
mnt cgroup2 /sys/fs/cgroup
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname bgvm
ifconfig lo 127.0.0.1 up 2>/dev/null || warn "cannot bring lo up"
# shellcheck disable=SC3045 # busybox ash has ulimit -l
ulimit -l unlimited
# Only emergencies on the console from now on (a panic still prints).
dmesg -n 1

now() {
	read -r up _ </proc/uptime
	echo "$up"
}

lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
echo "$M BOOT $(now) $(uname -r) ${lsm:-unknown}"

# Extra variables for the tests, one KEY=VALUE a line (VM_TEST_ENV on the host).
extra_env=""
[ -r /etc/bgvm/env ] && extra_env=$(cat /etc/bgvm/env)

while read -r name path; do
	[ -n "$name" ] || continue
	echo "$M START $name"
	dir=$(mktemp -d /tmp/test.XXXXXX)
	out=/tmp/out.$name
	dmesg -c >/dev/null 2>&1
	start=$(now)
	(
		cd "$dir" || exit 125
		# shellcheck disable=SC2086 # one word per KEY=VALUE
		exec env -i PATH="$PATH" HOME=/root TERM=dumb LANG=C TMPDIR=/tmp \
			BPFGUARD=/bin/bpfguard BG_IN_VM=1 BUILD=/build SRC=/src \
			$extra_env timeout -s KILL "$TEST_TIMEOUT" "$path"
	) </dev/null >"$out" 2>&1
	rc=$?
	end=$(now)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	if [ "$rc" = 137 ] && awk -v s="$secs" -v t="$TEST_TIMEOUT" 'BEGIN { exit !(s >= t - 1) }'; then
		rc=timeout
	fi
	# A failed test's kernel messages go with its output.
	case $rc in
	0 | 77) ;;
	*) dmesg 2>/dev/null | sed 's/^/[kernel] /' >>"$out" ;;
	esac
	awk -v p="$M OUT $name " '{ print p $0 }' "$out"
	echo "$M RESULT $name $rc $secs"
	rm -rf "$dir" "$out"
done </etc/bgvm/tests

echo "$M DONE $(now)"
sync
poweroff -f
# Not reached unless poweroff failed: the kernel panics when init exits.
sleep 5
