#!/bin/sh
# timeout: 900
# parallel: yes
# Several domains at once: boot-time domUs, console rings, grants and event
# channels between domains (and their hostile cases), density, bad input.
# The guests run under TCG unless PVX_ACCEL says otherwise (tests/lib/suite.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build
exec python3 tests/qemu/test_domains.py
