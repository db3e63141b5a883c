#!/bin/sh
# timeout: 400
# Serial console input switched between dom0 and domUs (Ctrl-A three times),
# typed into QEMU's serial line.  TCG unless PVX_ACCEL says otherwise.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build
exec python3 tests/qemu/test_console.py
