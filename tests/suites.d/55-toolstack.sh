#!/bin/sh
# timeout: 900
# parallel: yes
# pvx's toolstack driving Debian Linux domUs and the PV test guest from a
# Linux dom0 (tests/linux/test_toolstack.py): create, console, xenbus,
# shutdown, reboot, on_crash, memory and vCPUs, destroy, bad input with
# nothing left behind, 8 domUs three times with every page back.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_toolstack.py
