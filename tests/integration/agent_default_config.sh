#!/bin/bash
# The shipped config/default.yaml: it loads here, runs in alert mode, and a
# program not on the shadow-readers list that reads /etc/shadow is
# reported (rule, action alert, outcome success: the read went through),
# while a listed program (passwd -S reads /etc/shadow) is not.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd passwd
. "$(dirname "$0")/files_lib.sh"

grep -q '^mode: alert' "$SRC/config/default.yaml" || fail "default config is not in alert mode"
agent_start "$SRC/config/default.yaml"
expect_allowed "an unlisted program reads /etc/shadow (alert only)" "$OTHER" r /etc/shadow
expect_event "shadow read" '"name":"shadow-readers"' '"action":"alert"' '"outcome":"success"' \
	"\"executable\":\"$OTHER\"" '"path":"/etc/shadow"' '"operation":"open","access":"read"'
passwd -S root >/dev/null || fail "passwd -S failed"
sleep 0.3
if grep '"name":"shadow-readers"' "$AGENT_OUT" | grep -q '"executable":"/usr/bin/passwd"'; then
	fail "passwd is listed but was reported"
fi
echo "ok - passwd (listed) reads /etc/shadow without an event"
agent_stop
