#!/bin/bash
# A short libFuzzer run (ASan + UBSan) of the disassembler, the ELF reader
# and the policy writer (write, read back, compare) inside `make check`:
# FUZZ_SMOKE_SECONDS (default 10) per target, seeded with bpfguard's own
# objects and tests/fuzz/seeds. A crash fails the test and leaves the input
# in $SRC/build/fuzz/. The long run is `make fuzz` (600 s per target).
. "$(dirname "$0")/../lib.sh"
need_cmd clang
need_cmd make
SECS=${FUZZ_SMOKE_SECONDS:-10}

make -s -C "$SRC" fuzz-build >"$TMP/build.log" 2>&1 || {
	# No libFuzzer runtime (clang without compiler-rt): a skip, not a pass.
	grep -q 'fuzzer' "$TMP/build.log" && grep -qi 'cannot find\|not found\|unsupported' "$TMP/build.log" &&
		skip "clang cannot build libFuzzer targets: $(tail -1 "$TMP/build.log")"
	fail "fuzz-build failed: $(tail -5 "$TMP/build.log")"
}
for f in "$SRC"/build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f")
	c="$TMP/corpus-$n"
	mkdir -p "$c"
	cp "$SRC"/tests/fuzz/seeds/* "$c/" 2>/dev/null
	for o in "$SRC"/build/bpf/*.bpf.o; do cp "$o" "$c/seed-$(basename "$o")"; done
	case $n in *elf*) ml=65536 ;; *) ml=4096 ;; esac
	"$f" -max_total_time="$SECS" -max_len=$ml -print_final_stats=1 \
		-artifact_prefix="$SRC/build/fuzz/$n-" "$c" >"$TMP/$n.log" 2>&1 ||
		fail "$n crashed: $(grep -m3 'ERROR\|SUMMARY' "$TMP/$n.log")"
	echo "$n: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$TMP/$n.log") in $SECS s"
done
