#!/bin/bash
# Corpus (issue 14): nginx, a full lifecycle through profile -> run. A
# master as root with two workers (nobody), its own prefix, config, pid
# file and logs in a temp dir: start, serve static files, `nginx -s
# reload`, `nginx -s stop` (pid file created, then removed). Profiled on
# a few requests; run under deny on a larger, different request list
# (query strings, dot-dot spellings, missing files, many repeats) with
# the pid file absent and present at start: same statuses and bodies as
# the same nginx without bpfguard, no event, exit 0, pid file removed.
# Out of policy: a location aliased to a directory outside the web root,
# never served while profiled: the file's contents never reach the client
# and a run_file event names the file. Status: 403 natively with the pid
# file present (Landlock's EACCES); natively with it absent, the worker is
# killed at open's exit and the client gets no answer (000); 500 under
# BPF LSM in the VM (its EPERM, which nginx does not map to 403).
# Known limit, printed, not asserted: the policy lists the files served
# while profiled, so another file of the same directory is refused too.
# vm: also
# vm-files: /usr/sbin/nginx /usr/bin/curl
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd curl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "needs nginx (nginx-light)"
BPFGUARD=$(realpath "$BPFGUARD")
chmod 755 "$TMP" # the workers run as nobody
P=$TMP/bgco-ng
PORT=$((20000 + ($$ + 11) % 20000))
U=http://127.0.0.1:$PORT
mkdir -p "$P/www/a" "$P/www/b" "$P/outside" "$P/logs" "$P/tmp"
echo secret-data >"$P/outside/secret"
for i in 1 2 3; do
	echo "page a$i" >"$P/www/a/$i.html"
	echo "page b$i" >"$P/www/b/$i.html"
done
chmod -R a+rX "$P"
cat >"$P/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
user nobody nogroup;
pid $P/nginx.pid;
error_log $P/logs/error.log;
events { worker_connections 64; }
http {
	access_log $P/logs/access.log;
	client_body_temp_path $P/tmp/body;
	proxy_temp_path $P/tmp/proxy;
	fastcgi_temp_path $P/tmp/fastcgi;
	uwsgi_temp_path $P/tmp/uwsgi;
	scgi_temp_path $P/tmp/scgi;
	server {
		listen 127.0.0.1:$PORT;
		root $P/www;
		location /outside/ { alias $P/outside/; }
	}
}
EOF
server=
at_exit '[ -n "$server" ] && kill -KILL $(children $server) $server 2>/dev/null'
at_exit 'm=$(cat "$P/nginx.pid" 2>/dev/null) && kill -KILL $(children "$m") "$m" 2>/dev/null'
ngx() { "$NGINX" -p "$P" -c "$P/nginx.conf" -e "$P/logs/error.log" "$@"; }

# start LOG [bpfguard ... --]: nginx in the foreground (daemon off), so
# bpfguard stays with it; ready when the port answers.
start() {
	local log=$1
	shift
	"$@" "$NGINX" -p "$P" -c "$P/nginx.conf" -e "$P/logs/error.log" </dev/null >"$log" 2>&1 &
	server=$!
	wait_for 200 curl -s -o /dev/null "$U/" || {
		cat "$log" "$P/logs/error.log"
		fail "nginx did not start"
	}
	wait_for 100 test -s "$P/nginx.pid" || fail "no pid file"
}
# children(PID): its child processes, from /proc (the VM has no pgrep)
children() {
	local s pid x pp
	for s in /proc/[0-9]*/stat; do
		read -r pid x x pp x 2>/dev/null <"$s" && [ "$pp" = "$1" ] && echo "$pid"
	done | sort | tr '\n' ' '
}
workers() { children "$(cat "$P/nginx.pid")"; }
# reload: the master starts new workers and retires the old ones.
reload() {
	local old
	old=$(workers)
	ngx -s reload || fail "nginx -s reload"
	wait_for 200 eval '[ "$(workers)" != "$old" ] && [ $(workers | wc -w) = 2 ]' ||
		fail "reload: workers still $(workers)"
}
stop() { # status of the server command in $rc
	ngx -s stop || fail "nginx -s stop"
	wait $server
	rc=$?
	server=
	[ ! -e "$P/nginx.pid" ] || fail "pid file left after stop"
}
# get URL...: "status body" per URL, one line each
get() {
	local u
	for u in "$@"; do
		rm -f "$TMP/body"
		echo "$u $(curl -s -m 10 -o "$TMP/body" -w '%{http_code}' "$U$u") $(tr '\n' ' ' 2>/dev/null <"$TMP/body")"
	done
}

# Profile: three files, a reload, a stop.
start "$TMP/profile.out" "$BPFGUARD" profile -o "$TMP/ng.yaml" --
get /a/1.html /b/1.html >/dev/null
reload
get /a/2.html >/dev/null
stop
[ $rc = 0 ] || fail "profile: rc $rc: $(cat "$TMP/profile.out")"
grep -qxF -- "- $P/nginx.pid: read, write, create, truncate, remove" "$TMP/ng.yaml" ||
	fail "pid file entry: $(grep "$P" "$TMP/ng.yaml")"

# The run's input: more requests, spelled differently, files missing.
urls=()
for i in $(seq 1 8); do urls+=("/a/1.html?i=$i" "/b/../a/2.html" "/b/1.html"); done
urls+=(/a/missing.html /b/nothing /a/1.html)
start "$TMP/ref.out"
get "${urls[@]}" >"$TMP/ref.txt"
reload
get /a/2.html >>"$TMP/ref.txt"
stop
grep -q '^/a/missing.html 404 ' "$TMP/ref.txt" || fail "reference: $(tail -3 "$TMP/ref.txt")"

M=
for present in no yes; do
	[ $present = yes ] && echo 999999 >"$P/nginx.pid" # stale, as after a crash
	ev=$TMP/run-$present.ev
	start "$TMP/run-$present.out" "$BPFGUARD" run --policy "$TMP/ng.yaml" --action deny --json \
		--output "$ev" --
	get "${urls[@]}" >"$TMP/run.txt"
	reload
	get /a/2.html >>"$TMP/run.txt"
	cmp -s "$TMP/ref.txt" "$TMP/run.txt" ||
		fail "pid $present: output differs: $(diff "$TMP/ref.txt" "$TMP/run.txt" | head)"
	! grep -q run_file "$ev" || fail "pid $present: refusals in policy: $(cat "$ev")"
	case "$(cat "$TMP/run-$present.out")" in
	*"files: lsm"*) M=lsm ;;
	*"files: landlock"*) M=landlock ;;
	*) fail "no mechanism line: $(cat "$TMP/run-$present.out")" ;;
	esac

	# Out of policy: the alias outside the web root.
	out=$(get /outside/secret)
	[[ $out != *secret-data* ]] || fail "pid $present: outside/secret served: $out"
	wait_for 50 grep -q "\"path\":\"$P/outside/secret\",\"operation\":\"open\",\"access\":\"r\"" "$ev" ||
		fail "pid $present: no event for outside/secret: $(cat "$ev")"
	mech=$(grep -o '"action":"[a-z]*","mechanism":"[a-z]*"' "$ev" | head -1)
	echo "pid file $present at start ($M): /outside/secret -> ${out#* } ($mech)"
	# Landlock's EACCES is nginx's 403; BPF LSM refuses with EPERM,
	# which nginx answers with 500 (still refused, never served).
	if [ $M = lsm ]; then
		[[ $out == "/outside/secret 500 "* ]] || fail "pid $present: not 500: $out"
	elif [ $present = yes ]; then
		[[ $out == "/outside/secret 403 "* ]] || fail "pid $present: not 403: $out"
	fi
	# Known limit: another file of a served directory (not asserted).
	echo "known limit: unprofiled file of a served directory: $(get /b/3.html | cut -d' ' -f2)"
	[[ $(get /a/1.html) == "/a/1.html 200 page a1 " ]] ||
		fail "pid $present: not serving after: $(get /a/1.html); $(cat "$ev")"
	stop
	[ $rc = 0 ] || fail "pid $present: run exit $rc: $(cat "$TMP/run-$present.out")"
	n=$(grep -c '"run_file"' "$ev")
	[ "$(grep '"run_file"' "$ev" | grep -vc -e "/outside/secret" -e "/b/3.html")" = 0 ] ||
		fail "pid $present: other refusals: $(cat "$ev")"
	echo "pid file $present: ${#urls[@]} requests and a reload as without bpfguard, $n refusal events"
done
echo "ok: nginx lifecycle under its profile ($M)"
