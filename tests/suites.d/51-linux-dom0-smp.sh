#!/bin/sh
# timeout: 300
# parallel: yes
# Debian's stock Linux kernel with two vCPUs on pvx: as dom0
# (dom0_max_vcpus=2) and as a boot-time domU (vcpus=2), each to a busybox
# /init that uses both CPUs and takes CPU 1 offline and back
# (tests/linux/test_dom0_smp.py).
# Runs under TCG unless PVX_ACCEL says otherwise (tests/lib/suite.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build
exec python3 tests/linux/test_dom0_smp.py
