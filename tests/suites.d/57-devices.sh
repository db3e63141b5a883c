#!/bin/sh
# timeout: 1800
# Split drivers (tests/linux/test_devices.py): Debian Linux domUs with their
# root on a PV disk served by Linux's blkback and eth0 on netback in dom0's
# bridge; live attach and detach, TCP both ways, three domUs with one
# destroyed mid-transfer, bad input with nothing half-made.  Run alone (not
# side by side with another suite): its 64 MiB transfers take minutes under
# TCG and need the machine's CPU.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_devices.py
