# Shared by the taint tests (sourced after tests/lib.sh): the agent, and
# listeners that record what reaches them, the proof that data left. The
# tests run as root with curl and socat (the listeners); events in $OUT.
need_root
need_cmd curl
need_cmd socat
OUT=$TMP/events.json

# taint_agent_up <RULES: the agent (as agent_up) on $TMP/agent.yaml, the
# taint guard's config (mode deny, JSON events, no exec events) whose
# rules, read from stdin, are items of "rules:"; --check passes it first.
taint_agent_up() {
	{
		printf 'mode: deny\nevents: { format: json }\nguards:\n  exec: { enabled: false }\n'
		printf '  taint:\n    rules:\n'
		cat
	} >"$TMP/agent.yaml"
	"$BPFGUARD" agent --config "$TMP/agent.yaml" --check >/dev/null || fail "config rejected"
	agent_up "$TMP/agent.yaml"
}

# http_servers PORT...: an HTTP responder on 127.0.0.1:PORT for each, the
# body of every request appended to $TMP/http.PORT; waits until all listen.
http_servers() {
	local port
	cat >"$TMP/srv.sh" <<'SH'
#!/bin/bash
len=0
while IFS= read -r line; do
	line=${line%$'\r'}
	[ -z "$line" ] && break
	case ${line,,} in content-length:*) len=${line#*: } ;; esac
done
body=$(head -c "$len")
printf '%s\n' "$body" >>"$LOG"
printf 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n'
SH
	chmod +x "$TMP/srv.sh"
	for port in "$@"; do
		LOG=$TMP/http.$port socat TCP4-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork \
			EXEC:"$TMP/srv.sh" &
		at_exit "kill $! 2>/dev/null"
	done
	for port in "$@"; do wait_for 50 listening $port || fail "listener $port did not start"; done
}

# udp_receivers PORT...: datagrams to 127.0.0.1:PORT appended to
# $TMP/udp.PORT; waits until all are bound.
udp_bound() { grep -q "0100007F:$(printf %04X "$1") " /proc/net/udp; }
udp_receivers() {
	local port
	for port in "$@"; do
		socat -u UDP4-RECV:$port,bind=127.0.0.1 OPEN:"$TMP/udp.$port",creat,append &
		at_exit "kill $! 2>/dev/null"
	done
	for port in "$@"; do wait_for 50 udp_bound $port || fail "UDP $port did not bind"; done
}
