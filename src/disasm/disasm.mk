# The disassembler's build pieces, included by the top Makefile:
# the helper-name table generated from the uapi header, and `make fuzz`.
#
#   make fuzz                  build the libFuzzer targets in tests/fuzz/ and
#                              run each for FUZZ_SECONDS (default 600)
#   make fuzz FUZZ_SECONDS=5   a smoke run
#
# Fuzzers are built with clang -fsanitize=fuzzer,address,undefined into
# build/fuzz/; each keeps its corpus in build/fuzz/corpus/NAME, seeded from
# tests/fuzz/seeds/ and every BPF object under build/.

BPF_UAPI_H ?= /usr/include/linux/bpf.h
GEN_HELPERS := $(BUILD)/gen/bpf_helper_names.h
BG_CFLAGS += -I$(BUILD)/gen

%/gen/bpf_helper_names.h: scripts/gen-helper-names.sh $(BPF_UAPI_H)
	@mkdir -p $(@D)
	scripts/gen-helper-names.sh $(BPF_UAPI_H) > $@.tmp && mv $@.tmp $@

# Order-only: the header must exist before these compile; -MMD tracks it after.
$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/disasm/*.c)): | $(GEN_HELPERS)

FUZZ_SECONDS ?= 600
FUZZ_DIR := build/fuzz
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)
# What the fuzzers link: the disassembler, the ELF reader and the few
# helpers they print through, nothing that needs libbpf.
FUZZ_LIB_SRCS := $(wildcard src/disasm/*.c) src/core/buf.c src/events/json.c
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I$(FUZZ_DIR)/gen \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: fuzz fuzz-build

$(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS) $(wildcard src/disasm/*.h) \
		$(FUZZ_DIR)/gen/bpf_helper_names.h
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRCS)

# The policy writer's target links the policy code instead, and its libraries.
FUZZ_POLICY_SRCS := $(wildcard src/policy/*.c) \
	src/core/cli.c src/core/log.c
$(FUZZ_DIR)/fuzz_policy_write: tests/fuzz/fuzz_policy_write.c $(FUZZ_POLICY_SRCS) \
		$(wildcard src/policy/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_POLICY_SRCS) -lyaml -lseccomp -lbpf

fuzz-build: $(FUZZ_BINS)

# Seeds: our own objects (build them first with `make tests`) plus the
# hand-made malformed files in tests/fuzz/seeds/.
fuzz: fuzz-build
	@set -e; for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); c=$(FUZZ_DIR)/corpus/$$n; mkdir -p $$c; \
		for o in $$(find build/bpf build/tests/bpf -name '*.bpf.o' 2>/dev/null); do \
			cp -f $$o $$c/seed-$$(basename $$o); done; \
		[ -d tests/fuzz/seeds ] && cp -f tests/fuzz/seeds/* $$c/ 2>/dev/null || true; \
		echo "== fuzz $$n for $(FUZZ_SECONDS) s (corpus $$c)"; \
		case $$n in *elf*) ml=65536 ;; *) ml=4096 ;; esac; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -max_len=$$ml \
			-artifact_prefix=$(FUZZ_DIR)/$$n- $$c || exit 1; \
	done
