#!/bin/bash
# The XDP filter's verdicts with BPF_PROG_TEST_RUN (xdp_verdicts), here and
# in the second kernel: its program must pass the 6.1 verifier too.
# vm: also
# vm-files: $BUILD/tests/integration/xdp_verdicts
. "$(dirname "$0")/../lib.sh"
need_root
bin=$BUILD/tests/integration/xdp_verdicts
[ -x "$bin" ] || skip "$bin not built"
"$bin" || fail "xdp_verdicts failed"
