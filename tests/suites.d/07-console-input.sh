#!/bin/sh
# timeout: 400
# Serial console input switched between dom0 and domUs (Ctrl-A three times),
# typed into QEMU's serial line.  TCG unless PVX_ACCEL says otherwise.
cd "$(dirname "$0")/../.." || exit 1
: "${PVX_ACCEL:=tcg}"
export PVX_ACCEL
if ! make -s -C hypervisor O="$PWD/build/hypervisor" >/dev/null ||
   ! make -s -C guest-patches/testguest O="$PWD/build/testguest"; then
    echo "0 passed, 1 failed"
    exit 1
fi
exec python3 tests/qemu/test_console.py
