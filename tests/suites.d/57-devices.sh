#!/bin/sh
# timeout: 1500
# parallel: yes
# Split drivers, first half (tests/linux/test_devices.py disks-net): Debian
# Linux domUs with their root on a PV disk served by Linux's blkback and eth0
# on netback in dom0's bridge; reboot, live attach and detach of disks and
# vifs, TCP both ways on a two-queue vif.  Suite 60 has the second half.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_devices.py disks-net
