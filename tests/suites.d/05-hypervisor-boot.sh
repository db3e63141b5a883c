#!/bin/sh
# timeout: 600
# QEMU integration tests: multiboot1 and GRUB/multiboot2 boots, self-tests,
# the fatal-exception report and bad input.
cd "$(dirname "$0")/../.." || exit 1
make --no-print-directory -s -C hypervisor O="$PWD/build/hypervisor" >/dev/null || exit 1
exec python3 tests/qemu/test_boot.py
