#!/bin/sh
# timeout: 600
# Debian's stock Linux kernel as dom0 on pvx: boot to a busybox /init that
# checks /dev/xen and pvx's xenstored (tests/linux/test_dom0.py).
# Runs under TCG unless PVX_ACCEL says otherwise (tests/lib/suite.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
{ make -s -C hypervisor O="$PWD/build/hypervisor" &&
  make -s -C xenstore O="$PWD/build/xenstore" static &&
  make -s -C dom0-tools O="$PWD/build/dom0-tools"; } >/dev/null ||
    { echo "0 passed, 1 failed"; exit 1; }
exec python3 tests/linux/test_dom0.py
