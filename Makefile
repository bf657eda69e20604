# bpfguard: one entry point for build, tests, run, install, fuzz and bench.
# `make` builds; `make check` runs every test; `make run` starts the agent
# on the default config. `make ASAN=1 ...` builds user space with ASan and
# UBSan into build/asan.
SHELL := /bin/bash

ASAN ?= 0
ifeq ($(ASAN),1)
BUILD ?= build/asan
else
BUILD ?= build
endif
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
SCDOC ?= scdoc
# vmlinux.h comes from the running kernel's BTF; CO-RE relocates it elsewhere.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -O2 -g
BG_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
	-Iinclude -Isrc -I$(BUILD) -I$(BUILD)/skel -MMD -MP
BG_LDLIBS := -lbpf -lelf -lz -lyaml -lseccomp -lnettle -lmicrohttpd -lpthread
ifeq ($(ASAN),1)
BG_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BG_LDFLAGS += -fsanitize=address,undefined
endif
# -target bpf drops the host's multiarch include dir, where asm/ headers live.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -Iinclude -Ibpf -I$(BUILD) \
	-idirafter /usr/include/$(shell $(CC) -dumpmachine)

# Shared BPF helpers: every object depends on them.
BPF_HDRS := $(wildcard bpf/lib/*.h) $(wildcard include/bpfguard/*.h)
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/skel/%.skel.h)

SRCS := $(wildcard src/*.c src/*/*.c src/*/*/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libbpfguard.a
BIN := $(BUILD)/bpfguard
MAN := $(BUILD)/bpfguard.1

TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_SKELS := $(TEST_BPF_SRCS:tests/bpf/%.bpf.c=$(BUILD)/tests/skel/%.skel.h)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
INTEG_SRCS := $(wildcard tests/integration/*.c)
INTEG_BINS := $(INTEG_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%)
# Programs the integration tests drive (not tests themselves).
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)
# Helpers that load test BPF objects (linked like the C integration tests).
HELPER_BPF_SRCS := $(wildcard tests/helpers/bpf/*.c)
HELPER_BINS += $(HELPER_BPF_SRCS:tests/helpers/bpf/%.c=$(BUILD)/tests/helpers/%)
BENCH_SRCS := $(wildcard bench/*/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

.PHONY: all deps tests check check-unit check-integration run install bench fuzz clean format deb
.DEFAULT_GOAL := all
# Keep BPF objects and skeletons: they are inputs to later builds.
.SECONDARY:

all: $(BIN) $(MAN)

deps:
	@./scripts/install-deps.sh build

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The PHP guard allocates ids with an atomic fetch-and-add (ISA v3, 5.12+).
$(BUILD)/bpf/php.bpf.o: BPF_CFLAGS += -mcpu=v3

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name bg_$(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/skel/%.skel.h: $(BUILD)/tests/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BG_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/src/main.o $(LIB)
	$(CC) $(BG_LDFLAGS) $(LDFLAGS) -o $@ $^ $(BG_LDLIBS)

$(MAN): docs/bpfguard.1.scd
	@mkdir -p $(@D)
	$(SCDOC) < $< > $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BG_CFLAGS) $(BG_LDFLAGS) -o $@ $< $(LIB) -lcmocka $(BG_LDLIBS)

$(BUILD)/tests/integration/%: tests/integration/%.c $(LIB) $(TEST_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BG_CFLAGS) -I$(BUILD)/tests/skel $(BG_LDFLAGS) -o $@ $< $(LIB) $(BG_LDLIBS)

$(BUILD)/tests/helpers/%: tests/helpers/bpf/%.c $(LIB) $(TEST_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BG_CFLAGS) -I$(BUILD)/tests/skel $(BG_LDFLAGS) -o $@ $< $(LIB) $(BG_LDLIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -o $@ $<

$(BUILD)/bench/%: bench/%.c $(LIB) $(TEST_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BG_CFLAGS) -I$(BUILD)/tests/skel $(BG_LDFLAGS) -o $@ $< $(LIB) $(BG_LDLIBS) -lpthread

tests: all $(UNIT_BINS) $(INTEG_BINS) $(HELPER_BINS) $(BENCH_BINS)

# The whole suite: unit, ASan build's unit tests, integration (root, real
# kernel), VM tests for what this kernel refuses. One summary line at the end.
# The two trees build side by side (a plain `make check` then uses two
# cores; with -jN they share its job slots).
check:
	@./scripts/install-deps.sh all
	@$(MAKE) --no-print-directory tests & p=$$!; \
		$(MAKE) --no-print-directory ASAN=1 tests; a=$$?; \
		wait $$p && [ $$a = 0 ]
	@BUILD=$(BUILD) ASAN_BUILD=build/asan ./tests/run.sh

run: 
	@./scripts/install-deps.sh build
	@$(MAKE) --no-print-directory all
	$(BIN) agent --config config/default.yaml

# Every benchmark runs even when one fails; the last line says which failed.
bench: tests
	@failed=""; out=$$(mktemp /tmp/bg-bench.XXXXXX); for b in $(BENCH_BINS); do echo "== $$b"; \
	$$b | tee -a $$out; [ $${PIPESTATUS[0]} -eq 0 ] || failed="$$failed $$(basename $$b)"; done; \
	echo; echo "== summary (load average $$(cut -d' ' -f1-3 /proc/loadavg))"; \
	{ echo "figure|baseline|bpfguard|ratio|goal|met"; sed -n 's/^summary: //p' $$out; } | column -t -s'|'; \
	rm -f $$out; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed"; exit 1; fi; echo "bench: all ran"

install: all
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/bpfguard
	install -D -m 0644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/bpfguard.1
	install -D -m 0644 config/default.yaml $(DESTDIR)$(PREFIX)/share/bpfguard/default.yaml
	install -D -m 0644 config/bpf-patterns.yaml $(DESTDIR)$(PREFIX)/share/bpfguard/bpf-patterns.yaml

# The Debian package (debian/): build/deb/bpfguard_VERSION_amd64.deb. Built
# in this tree with objects in build/pkg (the distribution's flags); the
# debhelper leftovers are cleaned, the build dirs kept for the next run.
deb:
	@./scripts/install-deps.sh deb
	@mkdir -p build/deb
	dpkg-buildpackage --build=binary --no-sign -rfakeroot \
		--buildinfo-option=-ubuild/deb --changes-option=-ubuild/deb \
		--buildinfo-file=build/deb/bpfguard.buildinfo --changes-file=build/deb/bpfguard.changes \
		--no-pre-clean
	dh_clean -Xbuild
	@ls build/deb/*.deb

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include tests/vm/vm.mk
-include src/disasm/disasm.mk
# Headers each object, test, helper and bench includes (-MMD writes them).
-include $(shell find $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench -name '*.d' 2>/dev/null)
