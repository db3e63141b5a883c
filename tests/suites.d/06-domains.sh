#!/bin/sh
# timeout: 900
# Several domains at once: boot-time domUs, console rings, grants and event
# channels between domains (and their hostile cases), density, bad input.
# The guests run under TCG unless PVX_ACCEL says otherwise (see 40-testguest-pvx.sh).
cd "$(dirname "$0")/../.." || exit 1
: "${PVX_ACCEL:=tcg}"
export PVX_ACCEL
if ! make -s -C hypervisor O="$PWD/build/hypervisor" >/dev/null ||
   ! make -s -C guest-patches/testguest O="$PWD/build/testguest"; then
    echo "0 passed, 1 failed"
    exit 1
fi
exec python3 tests/qemu/test_domains.py
