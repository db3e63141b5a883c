#!/bin/sh
# timeout: 600
# parallel: yes
# Debian's stock Linux kernel as dom0 on pvx: boot to a busybox /init that
# checks /dev/xen and pvx's xenstored (tests/linux/test_dom0.py).
# Runs under TCG unless PVX_ACCEL says otherwise (tests/lib/suite.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_dom0.py
