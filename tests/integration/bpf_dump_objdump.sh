#!/bin/bash
# `bpfguard bpf dump --file OBJ --json` agrees with llvm-objdump -d, an
# independent disassembler, on every BPF object this tree builds: the same
# sections, instruction indices (ld_imm64 takes two slots), and text after
# normalising the two syntaxes (jump targets as absolute indices, helper
# calls as their id, immediates in decimal, ld_imm64 operands and
# relocated calls compared by kind: llvm-objdump prints them unrelocated).
. "$(dirname "$0")/../lib.sh"
need_cmd llvm-objdump
need_cmd python3
objs=$(ls "$BUILD"/bpf/*.bpf.o "$BUILD"/tests/bpf/*.bpf.o 2>/dev/null)
[ -n "$objs" ] || fail "no BPF objects under $BUILD (make tests)"
total=0
for o in $objs; do
	python3 - "$o" "$BPFGUARD" <<'PY' >"$TMP/out" 2>&1 || fail "$(cat "$TMP/out")"
import json, re, subprocess, sys
obj = sys.argv[1]
ours = json.loads(subprocess.run([sys.argv[2], "bpf", "dump", "--file", obj, "--json"], capture_output=True, text=True, check=True).stdout)
od = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", obj], capture_output=True, text=True, check=True).stdout
sec = None; theirs = {}
for l in od.splitlines():
    m = re.match(r"^Disassembly of section (\S+):", l)
    if m: sec = m.group(1); theirs[sec] = []; continue
    m = re.match(r"^\s*(\d+):\s+(.*)$", l)
    if m and sec: theirs[sec].append((int(m.group(1)), m.group(2).strip()))
def norm_t(idx, t):
    t = re.sub(r"\s+<[^<>\s]*>$", "", t)  # a label, not "s< 0"
    t = re.sub(r"\((r\d+) ([+-]) (\d+)\)", r"(\1 \2\3)", t)
    t = re.sub(r"\b(goto|gotol) ([+-]\d+)$", lambda m: "%s @%d" % (m.group(1), idx + 1 + int(m.group(2))), t)
    t = re.sub(r" ll$", "", t)
    # llvm names 64-bit atomics atomic_OP((u64 *)...); the kernel's (and
    # bpftool's) syntax, which ours follows, says atomic64_OP
    t = re.sub(r"\batomic_(\w+)\(\(u64 \*\)", r"atomic64_\1((u64 *)", t)
    return t
def norm_o(i):
    t, k = i["text"], i["kind"]
    if "target" in i and k in ("goto", "cond_jump", "may_goto"):
        t = re.sub(r"(goto|gotol) \S+$", lambda m: "%s @%d" % (m.group(1), i["target"]), t)
    if k == "cond_jump":
        t = re.sub(r"^(if [rw]\d+ \S+) 0x[0-9a-f]+ ", lambda m: "%s %d " % (m.group(1), i["imm"]), t)
    if k == "call_helper": t = "call %d" % i["imm"]
    if k == "call_func": t = "call @%d" % i["target"]
    if k == "ld_imm64": t = "r%d = ld_imm64" % i["dst"]
    return t
bad = n = 0
for s in ours["sections"]:
    th = theirs.get(s["name"], [])
    oi = s["insns"]
    if len(th) != len(oi):
        print("section %s: llvm %d insns, ours %d" % (s["name"], len(th), len(oi))); bad += 1; continue
    for (idx, t), i in zip(th, oi):
        n += 1
        a = norm_t(idx, t); b = norm_o(i)
        if i["kind"] == "ld_imm64": a = re.sub(r"^(r\d+) = .*", r"\1 = ld_imm64", a)
        if i["kind"] == "call_func" and re.fullmatch(r"call -?\d+", a) and not i["text"].startswith("call @"):
            # a relocated call: llvm-objdump shows the raw immediate (-1
            # for the first function of .text, its offset - 1 for the
            # others), we name the function
            a = b
        if i["kind"] == "atomic" and i["imm"] == 1 and re.match(r"lock \*\(u32 \*\)", a):
            # LLVM 14 prints this encoding (32-bit, imm BPF_ADD|BPF_FETCH) as
            # "lock *(u32 *)(..) += rN"; the kernel executes and prints it as
            # atomic_fetch_add, as we do
            a = b
        if idx != i["idx"] or a != b:
            bad += 1
            if bad < 15: print("%s %d: llvm '%s' ours '%s' (%s)" % (s["name"], idx, a, b, i["text"]))
print("%s: %d insns, %d differ" % (obj, n, bad))
sys.exit(1 if bad else 0)
PY
	cat "$TMP/out"
	total=$((total + $(sed -n 's/.*: \([0-9]*\) insns, 0 differ/\1/p' "$TMP/out")))
done
echo "$total instructions agree"
[ "$total" -gt 1000 ] || fail "only $total instructions compared"
