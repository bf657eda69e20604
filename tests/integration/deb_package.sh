#!/bin/bash
# `make deb` builds a package lintian accepts (no errors; the overrides are
# listed and justified in debian/bpfguard.lintian-overrides); installed into
# a scratch root with dpkg --root, its agent validates its own config, its
# systemd unit passes `systemd-analyze verify`, and upgrades keep an edited
# config: silently when the packaged file did not change, and with the new
# file beside it (agent.yaml.dpkg-dist) when it did.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd dpkg-buildpackage
need_cmd dh
need_cmd lintian
need_cmd busybox

make -C "$SRC" --no-print-directory deb >"$TMP/deb.log" 2>&1 || { tail -30 "$TMP/deb.log"; fail "make deb"; }
deb=$(ls "$SRC"/build/deb/bpfguard_*_amd64.deb | tail -1)
[ -f "$deb" ] || fail "no package in build/deb"

# lintian: no error; every warning is one we override with a reason.
lintian --fail-on error "$deb" >"$TMP/lintian" 2>&1 ||
	fail "lintian: $(cat "$TMP/lintian")"
! grep -q '^E:' "$TMP/lintian" || fail "lintian errors: $(cat "$TMP/lintian")"
grep -q '^W:' "$TMP/lintian" && echo "lintian warnings: $(grep '^W:' "$TMP/lintian")"

# A scratch root: dpkg chroots into it for the maintainer scripts, so it
# gets a shell (busybox); deb-systemd-helper and systemd are absent there,
# which the generated scripts tolerate: nothing touches the host.
R=$TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/bin" "$R/tmp"
: >"$R/var/lib/dpkg/status"
cp "$(command -v busybox)" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
ln -s busybox "$R/bin/rm"
inst() { # DEB [dpkg options]
	local d=$1
	shift
	dpkg --root="$R" --force-depends --force-not-root "$@" -i "$d" >"$TMP/dpkg.log" 2>&1 ||
		fail "dpkg -i $(basename "$d"): $(cat "$TMP/dpkg.log")"
}
inst "$deb"
for f in usr/sbin/bpfguard etc/bpfguard/agent.yaml etc/bpfguard/bpf-patterns.yaml \
	lib/systemd/system/bpfguard.service etc/logrotate.d/bpfguard usr/share/man/man1/bpfguard.1.gz \
	usr/share/doc/bpfguard/README.Debian; do
	[ -e "$R/$f" ] || fail "not installed: /$f"
done
for f in /etc/bpfguard/agent.yaml /etc/bpfguard/bpf-patterns.yaml /etc/logrotate.d/bpfguard; do
	grep -qx "$f" "$R/var/lib/dpkg/info/bpfguard.conffiles" || fail "$f is not a conffile"
done
[ "$(stat -c %a "$R/var/log/bpfguard")" = 750 ] || fail "/var/log/bpfguard is not 0750"
grep -q '^  output: /var/log/bpfguard/events.json' "$R/etc/bpfguard/agent.yaml" ||
	fail "packaged config does not write the rotated event file"

# The installed agent on the installed config (its patterns path is relative).
out=$("$R/usr/sbin/bpfguard" agent --config "$R/etc/bpfguard/agent.yaml" --check 2>&1) ||
	fail "installed agent --check: $out"
"$R/usr/sbin/bpfguard" --version | grep -q '^bpfguard ' || fail "installed binary --version"

# The unit, its commands pointed at the scratch root (systemd-analyze
# checks that they exist). verify exits 0 on unknown keys: its output must
# be empty too.
if command -v systemd-analyze >/dev/null; then
	unit=$TMP/bgpk-verify.service
	sed "s|/usr/sbin/bpfguard|$R/usr/sbin/bpfguard|g" "$R/lib/systemd/system/bpfguard.service" >"$unit"
	v=$(systemd-analyze verify --man=no "$unit" 2>&1)
	rc=$?
	[ $rc = 0 ] && [ -z "$v" ] || fail "systemd-analyze verify: rc $rc: $v"
	# It does catch a mistake: a misspelt key.
	sed 's/^NoNewPrivileges=yes/NoNewPrivilege=yes/' "$unit" >"$TMP/bgpk-bad.service"
	systemd-analyze verify --man=no "$TMP/bgpk-bad.service" 2>&1 | grep -q "Unknown key" ||
		fail "systemd-analyze verify does not report a misspelt key here"
else
	echo "systemd-analyze not installed: unit not verified"
fi

# logrotate accepts the rotation file (its postrotate is a shell snippet).
if command -v logrotate >/dev/null; then
	logrotate -d "$R/etc/logrotate.d/bpfguard" >"$TMP/lr" 2>&1 || fail "logrotate -d: $(cat "$TMP/lr")"
	! grep -qi "error" "$TMP/lr" || fail "logrotate: $(cat "$TMP/lr")"
fi

# repack VERSION [sed expression on agent.yaml]: this package as VERSION.
repack() {
	local d=$TMP/pkg-$1
	rm -rf "$d"
	dpkg-deb -R "$deb" "$d"
	sed -i "s/^Version: .*/Version: $1/" "$d/DEBIAN/control"
	if [ -n "${2:-}" ]; then
		sed -i "$2" "$d/etc/bpfguard/agent.yaml"
		(cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | sort | xargs md5sum) \
			>"$d/DEBIAN/md5sums"
	fi
	dpkg-deb --root-owner-group -b "$d" "$TMP/bpfguard_$1.deb" >/dev/null
}

# The operator's edit.
sed -i 's/^mode: alert/mode: deny  # bgpk: edited by the operator/' "$R/etc/bpfguard/agent.yaml"
cp "$R/etc/bpfguard/agent.yaml" "$TMP/edited.yaml"

# Upgrade 1: the packaged config is unchanged: the edit stays, no prompt.
repack 99.0-1
inst "$TMP/bpfguard_99.0-1.deb"
grep -q "^Version: 99.0-1" <(dpkg --root="$R" -s bpfguard) || fail "upgrade 1 not installed"
cmp -s "$TMP/edited.yaml" "$R/etc/bpfguard/agent.yaml" || fail "upgrade 1 changed the edited config"
[ ! -e "$R/etc/bpfguard/agent.yaml.dpkg-dist" ] || fail "upgrade 1 left a .dpkg-dist"

# Upgrade 2: the packaged config changed too: non-interactive dpkg keeps
# the operator's (as the unit and README.Debian say) and puts the new one
# beside it.
repack 99.0-2 's/^mode: alert/mode: alert  # changed upstream/'
inst "$TMP/bpfguard_99.0-2.deb" --force-confdef --force-confold
cmp -s "$TMP/edited.yaml" "$R/etc/bpfguard/agent.yaml" || fail "upgrade 2 changed the edited config"
grep -q "changed upstream" "$R/etc/bpfguard/agent.yaml.dpkg-dist" ||
	fail "upgrade 2: the new packaged config is not in agent.yaml.dpkg-dist"
"$R/usr/sbin/bpfguard" agent --config "$R/etc/bpfguard/agent.yaml" --check >/dev/null ||
	fail "edited config does not validate after the upgrade"
echo "package $(basename "$deb"): lintian clean, installed, verified, upgrades keep the edit"
