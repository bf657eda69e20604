#!/bin/bash
# taint_egress.sh with BPF LSM masked, on the kernel that has it (the VM):
# the taint set at the open's return by the sys_exit program variant that
# reads the file with probe reads (kernels without bpf_rdonly_cast, before
# 6.2), the egress checked by the cgroup hooks alone; that variant must
# pass the 6.1 verifier and hold there too.
# needs: lsm
# vm-files: tests/integration/taint_egress.sh tests/integration/taint_lib.sh
# vm-files: /usr/bin/curl /usr/bin/socat $BUILD/tests/helpers/uring_open
BPFGUARD_PROBE_MASK=lsm exec "$(dirname "$0")/taint_egress.sh"
