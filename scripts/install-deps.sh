#!/bin/sh
# Install the Debian packages bpfguard needs to build, test and run.
# Idempotent: only missing packages are installed, and apt's lists are
# refreshed only when something has to be installed.
set -eu

# Build: compiler for BPF and user space, libbpf, bpftool for vmlinux.h
# and skeletons, libyaml for policies, libseccomp for sandboxes, scdoc
# for the man page, nettle-dev for SHA-256, libmicrohttpd for the agent's
# metrics endpoint.
BUILD="make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev
bpftool libyaml-dev libseccomp-dev systemtap-sdt-dev scdoc nettle-dev libmicrohttpd-dev"
# `make deb`: debhelper and dpkg-dev build the package, fakeroot runs its
# binary target, lintian checks it (tests/integration/deb_*.sh).
DEB="debhelper dpkg-dev fakeroot lintian"
# Tests: cmocka unit tests; real programs the integration tests drive
# (the corpus of issue 14: nginx, sqlite3, a PHP app on php-twig,
# php-symfony-yaml and PDO sqlite, git, tar with gzip, python3);
# qemu, busybox and cpio for the second-kernel rig; rsyslog (the syslog
# collector of agent_syslog), podman with runc (crun refuses hybrid cgroups)
# for real containers in agent_container.
TEST="libcmocka-dev python3 socat curl iproute2 procps util-linux
qemu-system-x86 busybox-static cpio kmod bpftrace bpfcc-tools linux-headers-amd64 libclang-rt-14-dev nftables
php8.2-cli php8.2-fpm libfcgi-bin nginx-light
sqlite3 php8.2-sqlite3 php-twig php-symfony-yaml git tar gzip
rsyslog podman runc prometheus systemd logrotate"

want=$BUILD
case "${1:-all}" in
build) ;;
deb) want="$BUILD $DEB" ;;
all | test) want="$BUILD $TEST $DEB" ;;
*)
	echo "usage: $0 [build|deb|test|all]" >&2
	exit 2
	;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
