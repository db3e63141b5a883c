#!/bin/sh
# timeout: 600
# QEMU integration tests: multiboot1 and GRUB/multiboot2 boots, self-tests,
# the fatal-exception report, bad input, hardening, power-off and reset
# without the test device (the test guest as dom0), and secondary CPU
# bring-up on 1, 2 and 4 emulated CPUs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_build
exec python3 tests/qemu/test_boot.py
