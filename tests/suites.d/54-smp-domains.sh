#!/bin/sh
# timeout: 600
# parallel: yes
# SPDX-License-Identifier: GPL-2.0-only
#
# Two domUs on two CPUs (issue 16), on Xen 4.17 with Debian's toolstack and
# on pvx with its own, booted at the same time: the smoke run of
# scripts/bench-smp-domains.py (`make bench-smp-domains`), one run of
# little work.  Checks the mechanics on both hypervisors: QEMU's two CPUs
# seen by xl info, both domUs booted with pvx-cpuwork and timed their work
# (alone, then side by side), and `xl vcpu-pin cpuB 0 N` put cpuB's
# spinning vCPU on CPU 0, 1 and 0 again with that hard affinity, as `xl
# vcpu-list` shows (tests/linux/xl_scenario.py check_smp).  No timing is
# asserted.  2 to 3 minutes under TCG.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
if ! python3 scripts/fetch-xen-peer.py >/dev/null; then
    echo "the Xen 4.17 peer could not be fetched (see above)"
    echo "0 passed, 1 failed"
    exit 1
fi
suite_build_toolstack
exec python3 scripts/bench-smp-domains.py --smoke
