#!/bin/sh
# timeout: 600
# QEMU integration tests: multiboot1 and GRUB/multiboot2 boots, self-tests,
# the fatal-exception report, bad input, hardening, and power-off and reset
# without the test device (the test guest as dom0).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_build
exec python3 tests/qemu/test_boot.py
