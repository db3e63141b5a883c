#!/bin/sh
# timeout: 300
# Host unit tests: real hypervisor sources compiled against tests/unit/harness.c
# (with AddressSanitizer and UBSan).
cd "$(dirname "$0")/../.." || exit 1
make --no-print-directory -s -C tests/unit O="$PWD/build/unit" run
