#!/bin/sh
# timeout: 780
# parallel: yes
# Two pvx hosts in QEMU on a network of their own (tests/linux/twohost.py,
# the harness migration between hosts uses): each Linux dom0 brings up its
# virtio NIC, pings the other and fetches 8 MiB from it over TCP; then host
# a migrates a counting Debian domU to host b (xl migrate over pvx-migrate).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_twohost.py
