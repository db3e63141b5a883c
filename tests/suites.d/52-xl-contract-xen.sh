#!/bin/sh
# timeout: 600
# parallel: yes
# The xl contract on the reference: Debian's Xen 4.17 with its own toolstack
# (xl, the C xenstored, xenconsoled) in a Debian Linux dom0 under QEMU, a
# Linux domU created, listed, paused, shut down, re-created and destroyed by
# tests/linux/xl-scenario.sh, every output checked by tests/linux/xl_scenario.py
# against the documented contract (the same checks will run on pvx's xl).
# The outputs are kept in build/xen-peer/xl-reference.  About 2 minutes
# under TCG.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
echo "52-xl-contract-xen: building the static xenstore tool for the domU's initramfs"
make -s -C xenstore O="$PWD/build/xenstore" static >/dev/null ||
    { echo "building xenstore failed (run make to see why)"; echo "0 passed, 1 failed"; exit 1; }
exec python3 tests/linux/xl_scenario.py --hypervisor xen
