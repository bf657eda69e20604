#!/bin/bash
# `bpfguard bpf dump ID --json` must agree with `bpftool prog dump xlated
# id ID` instruction by instruction, on at least 30 loaded programs:
# bpfguard's own objects (loaded with bpftool), bpftrace one-liners and bcc
# tools started in the background. Both outputs are normalised to one form
# (jump and call targets as absolute instruction numbers, helper and kfunc
# calls as the kernel symbol they land on, maps as map[id:N]) and compared
# line by line. Instructions bpftool 7.1 cannot print (encodings newer
# than it: it says BUG_...) are compared by opcode and counted apart.
# The ASan/UBSan binary (BG_ASAN_BPFGUARD, from tests/run.sh) dumps every
# program too, beside the native one, and must print the same bytes: one
# set of loaders serves both builds (starting bcc's tools twice cost two
# minutes of compiling).
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd bpftool
need_cmd python3
MIN=${BG_AGREE_MIN:-30}

mkdir -p "$TMP/bpffs"
mount -t bpf bpf "$TMP/bpffs" || fail "cannot mount a private bpffs"
at_exit "umount -l '$TMP/bpffs'"

# bpfguard's own objects; ones this kernel refuses are skipped.
for o in "$BUILD"/bpf/exec.bpf.o "$BUILD"/tests/bpf/trigger.bpf.o \
	"$BUILD"/tests/bpf/indep_tp_btf.bpf.o "$BUILD"/tests/bpf/indep_net.bpf.o \
	"$BUILD"/tests/bpf/indep_cgroup.bpf.o; do
	[ -f "$o" ] || continue
	d="$TMP/bpffs/$(basename "$o" .bpf.o)"
	mkdir -p "$d"
	bpftool prog loadall "$o" "$d" >/dev/null 2>&1 || echo "note: bpftool could not load $o"
done

pids=()
at_exit 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null'
if command -v bpftrace >/dev/null; then
	# Tracepoints, profile and interval probes only: kprobes may be missing.
	cat > "$TMP/a.bt" <<'BT'
tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }
tracepoint:syscalls:sys_enter_execve { printf("exec by %s pid %d\n", comm, pid); }
tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @bytes = hist(args->ret); }
tracepoint:sched:sched_switch { @sw[cpu] = count(); }
tracepoint:sched:sched_process_exit { @exits = count(); }
tracepoint:raw_syscalls:sys_enter { @sys[args->id] = count(); }
tracepoint:syscalls:sys_enter_unlinkat { printf("unlink %s\n", str(args->pathname)); }
tracepoint:syscalls:sys_enter_kill { @kills[args->sig] = count(); }
profile:hz:49 { @prof[kstack(3)] = count(); }
interval:s:100 { print(@opens); clear(@opens); }
BT
	cat > "$TMP/b.bt" <<'BT'
tracepoint:syscalls:sys_enter_connect { @c[comm, pid] = count(); }
tracepoint:syscalls:sys_enter_write /args->count > 4096/ { @big = lhist(args->count, 0, 65536, 4096); }
tracepoint:syscalls:sys_enter_mkdirat { printf("mkdir %s by %s\n", str(args->pathname), comm); }
tracepoint:syscalls:sys_enter_setuid { printf("setuid %d\n", args->uid); }
tracepoint:sched:sched_wakeup { @wk = count(); }
tracepoint:syscalls:sys_enter_bpf { @bpf[args->cmd] = count(); }
tracepoint:syscalls:sys_exit_openat /args->ret < 0/ { @fail[comm] = count(); }
tracepoint:syscalls:sys_enter_clone { @clones = count(); @last = nsecs; }
BT
	for s in a b; do
		bpftrace "$TMP/$s.bt" >"$TMP/$s.out" 2>&1 &
		pids+=($!)
	done
fi
if command -v syscount-bpfcc >/dev/null; then
	# Tools that need only tracepoints (this kernel may refuse kprobes).
	for t in "syscount-bpfcc -i 100" "exitsnoop-bpfcc" "softirqs-bpfcc 100" \
		"runqlat-bpfcc 100" "tcpstates-bpfcc"; do
		# shellcheck disable=SC2086
		(bcc_run $t) >"$TMP/bcc.${t%%-*}.out" 2>&1 &
		pids+=($!)
	done
fi
# Wait for the loaders to settle. bpftrace and bcc compile first (bcc's
# clang takes a minute on a loaded host): each prints its first line once
# its programs are loaded and attached, or an error; only then does a
# stable program count mean anything (other programs on the host count
# towards the total and may already be stable).
loaders_started() {
	local f
	for f in "$TMP"/*.out; do
		[ -e "$f" ] || continue
		[ -s "$f" ] || return 1
	done
}
wait_for 360 loaders_started || echo "a loader printed nothing in time"
n0=-1 same=0
for _ in $(seq 120); do
	n=$(bpftool prog list 2>/dev/null | grep -c '^[0-9]*:')
	if [ "$n" = "$n0" ]; then same=$((same + 1)); else same=0; fi
	[ "$n" -ge "$MIN" ] && [ $same -ge 3 ] && break
	n0=$n
	sleep 1
done

"$BPFGUARD" bpf list --json > "$TMP/list.json" || fail "bpf list failed"
ASAN=${BG_ASAN_BPFGUARD:-} asan_n=0
[ -n "$ASAN" ] && [ -x "$ASAN" ] && [ "$ASAN" != "$BPFGUARD" ] || ASAN=""
if [ -n "$ASAN" ]; then
	"$ASAN" bpf list --json >/dev/null 2>"$TMP/asan.list.err" ||
		fail "ASan build: bpf list: $(head -20 "$TMP/asan.list.err")"
fi
bpftool -j prog list > "$TMP/progs.json" || fail "bpftool prog list failed"
for id in $(python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(open(sys.argv[1]))))' "$TMP/progs.json"); do
	bpftool prog dump xlated id "$id" > "$TMP/$id.bpftool" 2>/dev/null || continue
	"$BPFGUARD" bpf dump "$id" --json > "$TMP/$id.ours" 2>"$TMP/$id.err" ||
		{ rm -f "$TMP/$id.ours"; continue; } # gone since the listing: a JSON error
	if [ -n "$ASAN" ]; then
		if "$ASAN" bpf dump "$id" --json >"$TMP/$id.asan" 2>"$TMP/$id.asan.err"; then
			cmp -s "$TMP/$id.ours" "$TMP/$id.asan" ||
				fail "program $id: the ASan build's dump differs: $(diff "$TMP/$id.ours" "$TMP/$id.asan" | head -5)"
			asan_n=$((asan_n + 1))
		elif grep -qE 'AddressSanitizer|runtime error' "$TMP/$id.asan.err"; then
			fail "program $id: ASan/UBSan: $(head -20 "$TMP/$id.asan.err")"
		fi
	fi
done

python3 - "$TMP" "$MIN" <<'PY' || fail "the dumps disagree (above)"
import json, os, re, sys
d, need = sys.argv[1], int(sys.argv[2])
loaders = {p["id"]: (p["loaders"][0]["comm"] if p["loaders"] else "?")
           for p in json.load(open(os.path.join(d, "list.json")))}
line_re = re.compile(r"^\s*(\d+): \(([0-9a-f]{2})\) (.*)$")

def norm_bpftool(idx, text):
    text = re.sub(r"\b(goto|gotol) pc([+-]\d+)", lambda m: "%s @%d" % (m.group(1), idx + 1 + int(m.group(2))), text)
    text = re.sub(r"^call pc([+-]\d+)(#\S*)?$", lambda m: "call @%d" % (idx + 1 + int(m.group(1))), text)
    text = re.sub(r"^call (\S+)#(-?\d+)$", r"call <\1>#\2", text)
    text = re.sub(r"subprog\[([+-]\d+)\]", lambda m: "func @%d" % (idx + 1 + int(m.group(1))), text)
    return text

def norm_ours(ins):
    text, kind = ins["text"], ins["kind"]
    if "target" in ins:
        t = ins["target"]
        if kind in ("goto", "cond_jump", "may_goto"):
            text = re.sub(r"(goto|gotol) \S+$", lambda m: "%s @%d" % (m.group(1), t), text)
        elif kind == "call_func":
            text = "call @%d" % t
        elif kind == "ld_imm64":
            text = re.sub(r"func \S+$", "func @%d" % t, text)
    if kind == "call_helper":
        text = "call <%s>#%d" % (ins.get("symbol", "unknown"), ins["imm"])
    elif kind == "call_kfunc":
        text = "call <%s>#%d" % (ins.get("kfunc", "unknown"), ins["imm"])
    text = re.sub(r"(map\[id:\d+\])\([^)]*\)", r"\1", text)
    return text

def newer_than_bpftool(ins):
    """Encodings added after bpftool 7.1 (kernel 6.1): it prints them wrongly."""
    cls, kind, code, off = ins["class"], ins["kind"], ins["code"], ins["off"]
    if kind == "mov" and code & 0x08 and off:          # movsx, percpu, addr_space_cast
        return True
    if kind == "alu" and (code & 0xf0) in (0x30, 0x90) and off:   # sdiv, smod
        return True
    if cls == "ldx" and (code & 0xe0) == 0x80:          # sign-extending load
        return True
    if (cls == "alu64" and kind == "endian") or (cls == "jmp32" and kind == "goto"):
        return True                                     # bswap, gotol
    if kind in ("may_goto", "gotox") or (kind == "atomic" and ins["imm"] in (0x100, 0x110)):
        return True
    return False

progs = insns = newer = 0
bad = []
by_loader = {}
for f in sorted(os.listdir(d)):
    if not f.endswith(".bpftool"):
        continue
    pid = int(f.split(".")[0])
    ours_path = os.path.join(d, "%d.ours" % pid)
    if not os.path.exists(ours_path) or not os.path.getsize(ours_path):
        continue
    theirs = []
    for l in open(os.path.join(d, f)):
        m = line_re.match(l)
        if m:
            theirs.append((int(m.group(1)), int(m.group(2), 16), m.group(3).strip()))
    ours = json.load(open(ours_path))["insns"]
    if not theirs:
        continue
    progs += 1
    by_loader[loaders.get(pid, "?")] = by_loader.get(loaders.get(pid, "?"), 0) + 1
    if len(theirs) != len(ours):
        bad.append("prog %d: bpftool has %d instructions, we have %d" % (pid, len(theirs), len(ours)))
        continue
    for (idx, code, text), ins in zip(theirs, ours):
        insns += 1
        if idx != ins["idx"] or code != ins["code"]:
            bad.append("prog %d insn %d: index/opcode %d/%02x vs ours %d/%02x" % (pid, idx, idx, code, ins["idx"], ins["code"]))
            break
        if text.startswith("BUG_") or newer_than_bpftool(ins):
            newer += 1   # bpftool 7.1 predates this encoding
            continue
        a, b = norm_bpftool(idx, text), norm_ours(ins)
        if a != b:
            bad.append("prog %d insn %d: bpftool '%s' vs ours '%s' (raw '%s' / '%s')" % (pid, idx, a, b, text, ins["text"]))
print("compared %d programs, %d instructions (%d newer than bpftool, opcode only); by loader: %s"
      % (progs, insns, newer, ", ".join("%s %d" % kv for kv in sorted(by_loader.items()))))
for b in bad[:20]:
    print("DISAGREE:", b)
if bad:
    sys.exit(1)
if progs < need:
    print("only %d programs compared, need %d" % (progs, need))
    sys.exit(1)
PY
[ -z "$ASAN" ] || echo "ok - the ASan/UBSan build printed the same dump of $asan_n programs"
