#!/bin/bash
# run_actions.sh with `run --no-lsm` on the kernel that has BPF LSM (the VM):
# the fallback mechanisms (Landlock at that kernel's ABI, cgroup sock_addr
# hooks, seccomp) must hold there too, and bpf/sandbox.bpf.c pass its
# verifier.
# needs: lsm
# vm-files: tests/integration/run_actions.sh
RUN_FLAGS=--no-lsm exec "$(dirname "$0")/run_actions.sh"
