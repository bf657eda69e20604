#!/bin/bash
# Container identity with a real container: podman (runc, cgroupfs driver,
# no network) runs an image imported offline from a busybox-static root
# filesystem. Events of its processes carry container.id (podman's id) and
# container.runtime podman, read from their cgroup path; host processes
# carry none. A limits rule targets the container by an id prefix
# (resolved to its cgroup at load) and fires on its processes only.
# The other runtimes cannot run here: tests/unit/test_container.c checks
# their cgroup path shapes.
# asan: yes
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
need_cmd podman
need_cmd runc
[ -x /bin/busybox ] || skip "needs busybox-static"
OUT=$TMP/events.json
PM=(podman --root "$TMP/pm/root" --runroot "$TMP/pm/run" --storage-driver vfs
	--cgroup-manager cgroupfs --events-backend file --runtime runc)

mkdir -p "$TMP/rootfs/bin" "$TMP/go"
cp /bin/busybox "$TMP/rootfs/bin/busybox"
for t in sh sleep true; do ln -s busybox "$TMP/rootfs/bin/$t"; done
tar -C "$TMP/rootfs" -cf "$TMP/rootfs.tar" .
"${PM[@]}" import "$TMP/rootfs.tar" bgfl-busybox >"$TMP/pm.out" 2>&1 || { cat "$TMP/pm.out"; skip "podman import failed"; }
at_exit "${PM[*]} rm -f -a -t 0 >/dev/null 2>&1"
# The container waits for a file from the host before it forks children;
# ulimits within our hard limits (podman's defaults exceed them here).
cid=$("${PM[@]}" run -d --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
	-v "$TMP/go:/go" bgfl-busybox /bin/sh -c \
	'while [ ! -e /go/go ]; do sleep 0.1; done; sleep 30 & sleep 30 & sleep 30 & /bin/true bgfl-in; wait' \
	2>"$TMP/pm.err") || { cat "$TMP/pm.err"; skip "podman cannot run a container here"; }
[ ${#cid} = 64 ] || fail "podman gave no container id: $cid"
cgpath=$(grep '^0::' "/proc/$("${PM[@]}" inspect -f '{{.State.Pid}}' "$cid")/cgroup" | cut -d: -f3)
echo "container $cid in $cgpath"

cat > "$TMP/agent.yaml" <<YAML
events:
  format: json
  ancestry: 1
guards:
  exec: { enabled: true }
  bpf_load: { enabled: false }
  limits:
    rules:
      - name: bgfl-ctr
        match: { container: "${cid:0:12}" }
        max_children: 2
        action: alert
YAML
agent_up "$TMP/agent.yaml"
touch "$TMP/go/go"
/bin/true bgfl-host &
host=$!
wait $host
wait_for 100 grep -q '"bgfl-in"' "$OUT" || { cat "$TMP/agent.err"; fail "no event from the container"; }
wait_for 100 grep -q '"rule":{"id":[0-9]*,"name":"bgfl-ctr"}' "$OUT" || fail "the container rule did not fire"
"${PM[@]}" rm -f -t 0 "$cid" >/dev/null 2>&1
kill -TERM $agent
wait $agent || fail "agent exited with $?"

python3 - "$OUT" "$cid" $host <<'PY' || fail "container fields wrong"
import json, sys
out, cid, host = sys.argv[1], sys.argv[2], int(sys.argv[3])
ev = [json.loads(l) for l in open(out)]
inside = [e for e in ev if e["event"]["action"] == "exec" and e["process"]["args"] == ["/bin/true", "bgfl-in"]]
assert len(inside) == 1, inside
c = inside[0].get("container")
assert c == {"id": cid, "runtime": "podman"}, c
h = [e for e in ev if e["event"]["action"] == "exec" and e["process"]["pid"] == host]
assert len(h) == 1 and "container" not in h[0], h
lim = [e for e in ev if e.get("rule", {}).get("name") == "bgfl-ctr"]
assert lim and all(e.get("container", {}).get("id") == cid for e in lim), lim
assert lim[0]["bpfguard"]["limit"]["kind"] == "children", lim[0]["bpfguard"]
print("ok:", cid[:12], len(lim), "limit events, all in the container")
PY

# A prefix naming no running container is refused at load, with where.
sed -i "s/container: \"${cid:0:12}\"/container: \"ffffffffffff\"/" "$TMP/agent.yaml"
"$BPFGUARD" agent --config "$TMP/agent.yaml" --check >"$TMP/check.out" 2>&1 && fail "a missing container accepted"
grep -q "agent.yaml:[0-9]*:[0-9]*: rule 'bgfl-ctr': container: no running container's id starts with 'ffffffffffff'" \
	"$TMP/check.out" || { cat "$TMP/check.out"; fail "unclear error for a missing container"; }
