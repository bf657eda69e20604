#!/bin/bash
# Run tests inside a second kernel: Debian's packaged cloud kernel (6.1,
# BPF LSM active), booted with qemu under TCG from an initramfs built here.
# For what the host kernel refuses (BPF LSM, fentry, kprobes). See
# docs/testing.md.
#
#   tests/vm/vm.sh fetch            download and unpack the kernel (cached)
#   tests/vm/vm.sh run TEST...      boot the VM, run the tests, report
#   tests/vm/vm.sh list [NEED]      tests under tests/integration that declare
#                                   a `needs:` line (NEED: only that one)
#
# TEST is a path to an executable (ELF or script), or a bare name looked up
# in $BUILD/tests/integration/ then tests/integration/ (".sh" may be left
# off). For each test `run` prints one line
#
#   VMRESULT <name> PASS|FAIL|SKIP[ <reason>]
#
# with the output of failed tests indented below it, then
# "VM duration: N.N s". Exit status: 0 every test passed or skipped, 1 a
# test failed, 2 the VM itself failed (kernel panic, timeout, no boot) or
# the rig could not be set up.
#
# Environment (defaults in brackets):
#   BUILD [build]            build tree; the binary is $BUILD/bpfguard
#   VM_DIR [$BUILD/vm]       cache: kernel package, unpacked kernel, base layout
#   VM_KERNEL_SERIES [6.1]   upstream series of the cloud kernel to use
#   VM_KERNEL_PKG            exact package, e.g. linux-image-6.1.0-56-cloud-amd64-unsigned
#   VM_TIMEOUT [3000]        seconds for the whole VM run (boot included): a cap
#   VM_TEST_TIMEOUT [400]    seconds for one test inside the VM (TCG on a
#                            loaded host is 3-5 times slower than idle)
#   VM_STALL [TEST_TIMEOUT+60] the VM is stopped after this long without a
#                            test starting or ending on its console
#   VM_MEM [1G]  VM_SMP [1]  guest memory and CPUs
#   VM_APPEND                extra kernel command line
#   VM_TEST_ENV              extra KEY=VALUE words for the tests' environment
#   VM_VERBOSE [0]           1: stream the console to stderr, show all output
#   VM_KEEP [0]              1: keep the run directory (initramfs, console log)
set -euo pipefail

M='@@BGVM@@'
BASE_REV=1 # bump when the cached base layout changes

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
BUILD=${BUILD:-build}
BUILD_ABS=$(realpath -ms -- "$BUILD")
VMDIR=$(realpath -ms -- "${VM_DIR:-$BUILD_ABS/vm}")
SERIES=${VM_KERNEL_SERIES:-6.1}
VM_TIMEOUT=${VM_TIMEOUT:-3000}
VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-400}
VM_STALL=${VM_STALL:-$((VM_TEST_TIMEOUT + 60))}
VM_MEM=${VM_MEM:-1G}
VM_SMP=${VM_SMP:-1}
VM_VERBOSE=${VM_VERBOSE:-0}
VM_KEEP=${VM_KEEP:-0}

# Kernel options the rig cannot work without, and ones some tests need.
REQUIRED_CONFIG="BPF_SYSCALL BPF_LSM DEBUG_INFO_BTF SECURITY SECURITYFS BLK_DEV_INITRD
DEVTMPFS SERIAL_8250_CONSOLE BINFMT_SCRIPT TMPFS"
WANTED_CONFIG="BPF_JIT CGROUP_BPF BPF_EVENTS KPROBES KPROBE_EVENTS FTRACE FUNCTION_TRACER
DYNAMIC_FTRACE_WITH_DIRECT_CALLS DEBUG_FS CGROUPS"

info() {
	echo "vm: $*" >&2
}

# Setup problems are the rig's, not a test's: exit 2.
die() {
	echo "vm: error: $*" >&2
	exit 2
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

need_tools() {
	local t missing=""

	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=" $t"
	done
	[[ -z $missing ]] ||
		die "missing tools:$missing (Debian: qemu-system-x86 busybox-static cpio; scripts/install-deps.sh test)"
}

# --- kernel -----------------------------------------------------------------

newest_pkg() {
	local re

	if [[ $SERIES == any ]]; then
		re='^linux-image-[0-9].*-cloud-amd64-unsigned$'
	else
		re="^linux-image-${SERIES//./\\.}[.-].*-cloud-amd64-unsigned\$"
	fi
	apt-cache search --names-only "$re" 2>/dev/null | awk '{ print $1 }' | sort -V | tail -n 1
}

# Fill KPKG KVER KSERIES KDIR VMLINUZ KCONFIG from the cache; 1 if none.
load_kernel_env() {
	[[ -r $VMDIR/kernel.env ]] || return 1
	# shellcheck source=/dev/null
	. "$VMDIR/kernel.env"
	[[ -f ${VMLINUZ:-} && -f ${KCONFIG:-} ]]
}

cmd_fetch() {
	local pkg deb dl kdir base f

	need_tools apt-get apt-cache dpkg-deb flock
	mkdir -p "$VMDIR"
	exec 9>"$VMDIR/.lock"
	flock 9

	pkg=${VM_KERNEL_PKG:-}
	[[ -n $pkg ]] || pkg=$(newest_pkg)
	if [[ -z $pkg && $(id -u) == 0 ]]; then
		info "no cloud kernel package known to apt; running apt-get update"
		apt-get update -qq >&2 || true
		pkg=$(newest_pkg)
	fi
	if [[ -z $pkg ]]; then
		if load_kernel_env; then
			info "apt knows no linux-image-$SERIES*-cloud-amd64-unsigned; using cached $KPKG"
			exec 9>&-
			check_config
			return 0
		fi
		die "apt knows no linux-image-$SERIES*-cloud-amd64-unsigned package (apt-get update?)"
	fi

	deb=$(find "$VMDIR" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
	if [[ -z $deb ]]; then
		info "downloading $pkg"
		dl=$(mktemp -d "$VMDIR/dl.XXXXXX")
		if ! (cd "$dl" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2); then
			rm -rf "$dl"
			if load_kernel_env; then
				info "download of $pkg failed; using cached $KPKG"
				exec 9>&-
				check_config
				return 0
			fi
			die "apt-get download $pkg failed"
		fi
		deb=$(find "$dl" -maxdepth 1 -name '*.deb' | head -n 1)
		[[ -n $deb ]] || die "apt-get download $pkg produced no .deb"
		mv "$deb" "$VMDIR/"
		rm -rf "$dl"
		deb=$VMDIR/$(basename "$deb")
	fi

	base=$(basename "$deb" .deb)
	kdir=$VMDIR/kernel/$base
	if [[ ! -f $kdir/.unpacked ]]; then
		info "unpacking $(basename "$deb")"
		rm -rf "$kdir" "$kdir.tmp"
		mkdir -p "$kdir.tmp"
		dpkg-deb -x "$deb" "$kdir.tmp"
		touch "$kdir.tmp/.unpacked"
		mv "$kdir.tmp" "$kdir"
	fi
	f=$(find "$kdir/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
	[[ -n $f ]] || die "no vmlinuz in $deb"
	{
		printf 'KPKG=%q\n' "$pkg"
		printf 'KVER=%q\n' "$(dpkg-deb -f "$deb" Version)"
		printf 'KSERIES=%q\n' "$SERIES"
		printf 'KDIR=%q\n' "$kdir"
		printf 'VMLINUZ=%q\n' "$f"
		printf 'KCONFIG=%q\n' "$(find "$kdir/boot" -maxdepth 1 -name 'config-*' | head -n 1)"
	} >"$VMDIR/kernel.env.tmp"
	mv "$VMDIR/kernel.env.tmp" "$VMDIR/kernel.env"

	# Drop kernels this one replaced.
	for f in "$VMDIR"/*.deb "$VMDIR"/kernel/*; do
		[[ -e $f && $f != "$deb" && $f != "$kdir" ]] || continue
		info "removing old $(basename "$f")"
		rm -rf "$f"
	done
	exec 9>&-
	load_kernel_env || die "kernel cache in $VMDIR is broken"
	check_config
	# shellcheck disable=SC2153 # set by load_kernel_env
	info "kernel: $KPKG $KVER"
}

# Check the config; set LSM_PARAM when bpf is not in the default LSM list.
check_config() {
	local opt missing="" lsm

	load_kernel_env || die "no kernel in $VMDIR (tests/vm/vm.sh fetch)"
	for opt in $REQUIRED_CONFIG; do
		grep -qx "CONFIG_$opt=y" "$KCONFIG" || missing+=" CONFIG_$opt"
	done
	[[ -z $missing ]] || die "$KPKG lacks built-in$missing"
	for opt in $WANTED_CONFIG; do
		grep -qx "CONFIG_$opt=y" "$KCONFIG" || info "warning: $KPKG lacks built-in CONFIG_$opt"
	done
	LSM_PARAM=""
	lsm=$(sed -n 's/^CONFIG_LSM="\(.*\)"$/\1/p' "$KCONFIG")
	case ",$lsm," in
	*,bpf,*) ;;
	*) LSM_PARAM="lsm=${lsm:+$lsm,}bpf" ;;
	esac
}

ensure_kernel() {
	if load_kernel_env && [[ ${KSERIES:-} == "$SERIES" ]] &&
		[[ -z ${VM_KERNEL_PKG:-} || $VM_KERNEL_PKG == "$KPKG" ]]; then
		check_config
		return 0
	fi
	cmd_fetch
}

# --- initramfs --------------------------------------------------------------

# Shared libraries an ELF file needs, one path a line (none if static).
ldd_closure() {
	local out

	if ! out=$(LC_ALL=C ldd -- "$1" 2>&1); then
		[[ $out == *"not a dynamic executable"* ]] && return 0
		die "ldd $1: $out"
	fi
	[[ $out != *"not found"* ]] || die "ldd $1: missing libraries:"$'\n'"$out"
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
}

is_elf() {
	[[ -f $1 && $(LC_ALL=C head -c 4 -- "$1" 2>/dev/null | tr -d '\0') == $'\x7fELF' ]]
}

# put STAGE SRC DST: copy a file (symlinks followed) or a tree to DST in the
# image, with the shared libraries of every ELF file it brings.
put() {
	local stage=$1 src=$2 dst=$3 f lib libs

	mkdir -p "$stage$(dirname "$dst")"
	rm -rf "${stage:?}$dst"
	cp -RL --preserve=mode -- "$src" "$stage$dst"
	while IFS= read -r -d '' f; do
		is_elf "$f" || continue
		libs=$(ldd_closure "$f")
		for lib in $libs; do
			[[ -e $stage$lib ]] && continue
			mkdir -p "$stage$(dirname "$lib")"
			cp -L -- "$lib" "$stage$lib"
		done
	done < <(find "$stage$dst" -type f -print0)
}

# busybox with its applets, bash, /etc: rebuilt only when those change.
build_base() {
	local bb bash stamp tmp p

	bb=$(command -v busybox)
	bash=$(command -v bash)
	if LC_ALL=C ldd "$bb" >/dev/null 2>&1; then
		die "$bb is not static (install busybox-static)"
	fi
	stamp="rev=$BASE_REV $(stat -Lc '%n %s %Y' "$bb" "$bash" "$SCRIPT_DIR/vm.sh" | tr '\n' ' ')"
	if [[ -f $VMDIR/base/.stamp && $(cat "$VMDIR/base/.stamp") == "$stamp" ]]; then
		return 0
	fi
	mkdir -p "$VMDIR"
	exec 8>"$VMDIR/.base.lock"
	flock 8
	if [[ -f $VMDIR/base/.stamp && $(cat "$VMDIR/base/.stamp") == "$stamp" ]]; then
		exec 8>&-
		return 0
	fi
	info "building the base layout (busybox, bash)"
	tmp=$(mktemp -d "$VMDIR/base.XXXXXX")
	mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,var/tmp,build,src}
	cp -L -- "$bb" "$tmp/bin/busybox"
	for p in $("$bb" --list-full); do
		[[ $p == bin/busybox ]] && continue
		mkdir -p "$tmp/$(dirname "$p")"
		ln -sf /bin/busybox "$tmp/$p"
	done
	put "$tmp" "$bash" /bin/bash
	[[ -e $tmp/usr/bin/bash ]] || ln -s /bin/bash "$tmp/usr/bin/bash"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$tmp/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
	printf '127.0.0.1 localhost bgvm\n::1 localhost\n' >"$tmp/etc/hosts"
	echo bgvm >"$tmp/etc/hostname"
	echo "$stamp" >"$tmp/.stamp"
	rm -rf "$VMDIR/base"
	mv "$tmp" "$VMDIR/base"
	exec 8>&-
}

# Where a host file goes in the image: the build tree under /build, the
# source tree under /src, anything else at its own path (or under /ext when
# that path is hidden by a mount in the VM).
vm_path() {
	local abs

	abs=$(realpath -ms -- "$1")
	case $abs in
	"$BUILD_ABS"/*) echo "/build/${abs#"$BUILD_ABS"/}" ;;
	"$ROOT"/*) echo "/src/${abs#"$ROOT"/}" ;;
	/tmp/* | /dev/* | /proc/* | /sys/* | /run/* | /build/* | /src/*) echo "/ext$abs" ;;
	*) echo "$abs" ;;
	esac
}

# A TEST argument as a host path.
resolve_test() {
	local t=$1 c

	if [[ $t != */* ]]; then
		for c in "$BUILD/tests/integration/$t" "$ROOT/tests/integration/$t" \
			"$ROOT/tests/integration/$t.sh"; do
			if [[ -f $c ]]; then
				echo "$c"
				return 0
			fi
		done
		die "no test named $t in $BUILD/tests/integration/ or tests/integration/"
	fi
	[[ -f $t ]] || die "no such test: $t"
	echo "$t"
}

# Files a script declares with "# vm-files: a b ..." lines; relative paths
# are from the source tree, $BUILD / ${BUILD} is the build tree.
vm_files() {
	local f

	sed -n 's/^[[:space:]]*#[[:space:]]*vm-files:[[:space:]]*//p' "$1" | tr -s ' \t' '\n' |
		while IFS= read -r f; do
			[[ -n $f ]] || continue
			f=${f//\$\{BUILD\}/$BUILD_ABS}
			f=${f//\$BUILD/$BUILD_ABS}
			[[ $f == /* ]] || f=$ROOT/$f
			echo "$f"
		done
}

cmd_run() {
	local t path name stage vp f interp i initrd cmdline log qrc qpid t0 t1 dur
	local -a names=() paths=()
	local -A seen=()

	(($# > 0)) || die "usage: tests/vm/vm.sh run TEST..."
	need_tools qemu-system-x86_64 busybox cpio timeout ldd flock realpath
	ensure_kernel
	build_base

	run=$(mktemp -d "$VMDIR/run.XXXXXX")
	if [[ $VM_KEEP == 1 ]]; then
		info "keeping $run"
	else
		trap 'rm -rf "$run"' EXIT
	fi
	stage=$run/root
	cp -a "$VMDIR/base" "$stage"
	rm -f "$stage/.stamp"
	put "$stage" "$SCRIPT_DIR/init.sh" /init
	chmod 0755 "$stage/init"
	mkdir -p "$stage/etc/bgvm"

	if [[ -x $BUILD/bpfguard ]]; then
		put "$stage" "$BUILD/bpfguard" /bin/bpfguard
	else
		info "warning: no $BUILD/bpfguard; tests that run \$BPFGUARD will fail"
	fi

	for t in "$@"; do
		path=$(resolve_test "$t")
		name=$(basename "$path")
		[[ $name =~ ^[A-Za-z0-9._+-]+$ ]] || die "test name '$name' has odd characters"
		[[ -z ${seen[$name]:-} ]] || die "two tests named $name"
		seen[$name]=1
		[[ -x $path ]] || die "$path is not executable"
		vp=$(vm_path "$path")
		put "$stage" "$path" "$vp"
		if ! is_elf "$path"; then
			# The shared helpers scripts source as "$(dirname "$0")/../lib.sh".
			if [[ -f $ROOT/tests/lib.sh && ! -e $stage/src/tests/lib.sh ]]; then
				put "$stage" "$ROOT/tests/lib.sh" /src/tests/lib.sh
			fi
			# ...and a library of its folder as "$(dirname "$0")/NAME_lib.sh".
			while IFS= read -r f; do
				f=$(dirname "$path")/$f
				[[ -f $f ]] || die "$path: sources $f, which does not exist"
				[[ -e $stage$(vm_path "$f") ]] || put "$stage" "$f" "$(vm_path "$f")"
			done < <(sed -n 's|^[[:space:]]*\.[[:space:]]*"\$(dirname "\$0")/\([A-Za-z0-9_]*_lib\.sh\)".*|\1|p' "$path")
			while IFS= read -r f; do
				[[ -e $f ]] || die "$path: vm-files: no $f"
				put "$stage" "$f" "$(vm_path "$f")"
			done < <(vm_files "$path")
			interp=$(head -n 1 "$path" | sed -n 's/^#![[:space:]]*\([^[:space:]]*\).*/\1/p')
			if [[ -n $interp && ! -e $stage$interp && ! -L $stage$interp ]]; then
				info "warning: $name: interpreter $interp is not in the VM"
			fi
		fi
		names+=("$name")
		paths+=("$vp")
	done
	for i in "${!names[@]}"; do
		echo "${names[$i]} ${paths[$i]}"
	done >"$stage/etc/bgvm/tests"
	echo "TEST_TIMEOUT=$VM_TEST_TIMEOUT" >"$stage/etc/bgvm/config"
	for f in ${VM_TEST_ENV:-}; do
		[[ $f =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "VM_TEST_ENV: '$f' is not KEY=VALUE"
		echo "$f"
	done >"$stage/etc/bgvm/env"

	initrd=$run/initrd.cpio
	(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$initrd"

	cmdline="console=ttyS0 quiet panic=-1 oops=panic mitigations=off $LSM_PARAM ${VM_APPEND:-}"
	log=$run/console.log
	info "booting $KPKG $KVER ($(du -m "$initrd" | cut -f1) MiB initramfs, ${#names[@]} test(s))"
	t0=$(date +%s.%N)
	set +e
	local -a qemu=(timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -m "$VM_MEM"
		-smp "$VM_SMP" -nographic -no-reboot -net none -kernel "$VMLINUZ" -initrd "$initrd"
		-append "$cmdline")
	"${qemu[@]}" </dev/null >"$log" 2>&1 &
	qpid=$!
	if [[ $VM_VERBOSE == 1 ]]; then
		tail -n +1 -f --pid="$qpid" "$log" >&2 &
	fi
	watchdog "$qpid" "$log"
	wait "$qpid"
	qrc=$?
	[[ ! -e $run/stalled ]] || qrc=124
	set -e
	t1=$(date +%s.%N)
	dur=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	cp "$log" "$VMDIR/console.log"

	report "$log" "$qrc" "$dur" "${names[@]}"
}

# watchdog QEMU_PID LOG: stop the VM when its console shows no progress
# (no START or RESULT line) for VM_STALL seconds; each test prints a START
# line when it begins and is itself killed after VM_TEST_TIMEOUT, so a
# stall is a hung VM, and the VM_TIMEOUT cap need not guess how slow a
# loaded host makes TCG.
watchdog() {
	local qpid=$1 log=$2 n last_n=-1 now last

	last=$SECONDS
	while kill -0 "$qpid" 2>/dev/null; do
		n=$(grep -ac -e "$M START" -e "$M RESULT" -e "$M BOOT" "$log" 2>/dev/null || true)
		now=$SECONDS
		if [[ $n != "$last_n" ]]; then
			last_n=$n
			last=$now
		elif ((now - last > VM_STALL)); then
			info "no progress on the console for ${VM_STALL}s: stopping the VM"
			: >"$run/stalled"
			kill -TERM "$qpid" 2>/dev/null || true
			return 0
		fi
		sleep 2
	done
}

# report LOG QEMU_STATUS DURATION NAME...: parse the console log, print results.
report() {
	local log=$1 qrc=$2 dur=$3 line rest kind n text r status reason panic running=""
	local vmerr="" vmshort=""
	local booted=0 finished=0 kver="" klsm="" boot_up="" fails=0 last
	local -A rcs=() outs=() secs=()
	shift 3

	while IFS= read -r line; do
		line=${line//$'\r'/}
		[[ $line == *"$M "* ]] || continue
		rest=${line#*"$M "}
		kind=${rest%% *}
		if [[ $rest == *" "* ]]; then
			rest=${rest#* }
		else
			rest=""
		fi
		case $kind in
		BOOT)
			booted=1
			read -r boot_up kver klsm <<<"$rest"
			;;
		WARN) info "VM warning: $rest" ;;
		START) running=$rest ;;
		OUT)
			n=${rest%% *}
			text=${rest#"$n"}
			outs[$n]+="${text# }"$'\n'
			;;
		RESULT)
			read -r n r text <<<"$rest"
			rcs[$n]=$r
			secs[$n]=$text
			running=""
			;;
		DONE) finished=1 ;;
		esac
	done <"$log"

	((booted)) && info "kernel $kver booted in ${boot_up}s, LSMs: $klsm"
	panic=$(grep -a -m 1 'Kernel panic - not syncing' "$log" | tr -d '\r' | sed 's/^\[[^]]*\] //' || true)
	if [[ -n $panic ]]; then
		vmshort="kernel panic"
		vmerr="kernel panic${running:+ while $running ran}: $panic"
	elif ((qrc == 124 || qrc == 137)); then
		vmshort="VM timeout"
		if [[ -e $run/stalled ]]; then
			vmerr="timeout: no progress for ${VM_STALL}s${running:+ while $running ran}"
		else
			vmerr="timeout: the VM did not finish within ${VM_TIMEOUT}s${running:+ ($running was running)}"
		fi
	elif ((!booted)); then
		vmshort="boot failure"
		vmerr="boot failure: the VM never reached /init (qemu exit status $qrc)"
	elif ((!finished)); then
		vmshort="VM stopped early"
		vmerr="the VM stopped before the tests finished (qemu exit status $qrc)"
	elif ((qrc != 0)); then
		info "warning: qemu exit status $qrc after the tests finished"
	fi

	for n in "$@"; do
		reason=""
		if [[ -n ${rcs[$n]+x} ]]; then
			r=${rcs[$n]}
			if [[ $r == 0 ]]; then
				status=PASS
			elif [[ $r == 77 ]]; then
				status=SKIP
				last=$(printf '%s' "${outs[$n]:-}" | tail -n 1)
				last=${last#SKIP:}
				last=${last# }
				reason=${last:-no reason given}
			elif [[ $r == timeout ]]; then
				status=FAIL
				reason="timeout after ${VM_TEST_TIMEOUT}s"
			else
				status=FAIL
				reason="exit status $r"
			fi
		elif [[ -z $vmerr ]]; then
			status=FAIL
			reason="no result reported"
		elif [[ $n == "$running" ]]; then
			status=FAIL
			reason="$vmshort while it ran"
		else
			status=FAIL
			reason="not run ($vmshort)"
		fi
		[[ -z ${secs[$n]:-} ]] || echo "VMTIME $n ${secs[$n]}"
		echo "VMRESULT $n $status${reason:+ $reason}"
		if [[ $status == FAIL || $VM_VERBOSE == 1 ]] && [[ -n ${outs[$n]:-} ]]; then
			printf '%s' "${outs[$n]}" | sed 's/^/    /'
		fi
		[[ $status != FAIL ]] || fails=$((fails + 1))
	done

	if [[ -n $vmerr ]]; then
		echo "VM ERROR: $vmerr"
		echo "  console (full log: $VMDIR/console.log):"
		# From the first sign of trouble, else the last lines.
		tr -d '\r' <"$log" | grep -av -e "$M" -e '^[[:space:]]*$' | awk -v m="$M" '
			/cut here|BUG:|Oops|Kernel panic|general protection/ && !from { from = NR }
			{ line[NR] = $0 }
			END {
				first = from ? from : NR - 24
				if (first < 1)
					first = 1
				for (i = first; i <= NR && i < first + 40; i++)
					print "    " line[i]
			}' || true
	fi
	echo "VM duration: $dur s"
	[[ -z $vmerr ]] || exit 2
	((fails == 0)) || exit 1
	exit 0
}

# Tests that declare needs (a "needs:" comment in their first 20 lines).
cmd_list() {
	local want=${1:-} f needs

	for f in "$ROOT"/tests/integration/*; do
		[[ -f $f ]] || continue
		needs=$(head -n 20 "$f" |
			sed -n 's,^[[:space:]]*\(#\|//\|/\*\|\*\)[[:space:]]*needs:[[:space:]]*\([^*]*\).*,\2,p' |
			head -n 1)
		[[ -n $needs ]] || continue
		[[ -z $want || " ${needs//,/ } " == *" $want "* ]] || continue
		case $f in
		*.c) echo "$BUILD/tests/integration/$(basename "$f" .c)" ;;
		*.h) ;;
		*) echo "${f#"$ROOT"/}" ;;
		esac
	done
}

case ${1:-} in
fetch) cmd_fetch ;;
run)
	shift
	cmd_run "$@"
	;;
list)
	shift
	cmd_list "$@"
	;;
*) usage ;;
esac
