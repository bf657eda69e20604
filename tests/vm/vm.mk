# The VM rig's targets (tests/vm/vm.sh), included by the top Makefile.
#
#   make check-vm TEST=lsm_file_open   one test: a name or a path
#   make check-vm TEST="a b"           several, in one boot
#   make check-vm                      every test in tests/integration/
#                                      that declares a needs: line
#   make vm-fetch                      only download and unpack the kernel
#
# A bare name is looked up in $(BUILD)/tests/integration/ then
# tests/integration/ (".sh" may be left off). Exit status of check-vm:
# 1 a test failed, 2 the VM failed (panic, timeout, no boot). The kernel
# and base layout are cached in $(BUILD)/vm/. See docs/testing.md.

BUILD ?= build
VM_SH ?= tests/vm/vm.sh
TEST ?=

.PHONY: check-vm vm-fetch

vm-fetch:
	@BUILD='$(BUILD)' $(VM_SH) fetch

# vm-fetch first so a download is not counted in the VM's duration.
check-vm: all tests | vm-fetch
	@tests='$(strip $(TEST))'; \
	if [ -z "$$tests" ]; then tests=$$(BUILD='$(BUILD)' $(VM_SH) list); fi; \
	if [ -z "$$tests" ]; then echo "check-vm: no test declares needs:" >&2; exit 2; fi; \
	BUILD='$(BUILD)' $(VM_SH) run $$tests
