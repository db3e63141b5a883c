#!/bin/sh
# timeout: 600
# SPDX-License-Identifier: GPL-2.0-only
#
# The pvx test guest (guest-patches/testguest) on the real peer: Debian's
# Xen 4.17 in QEMU, with the guest as dom0.  The whole suite runs once per
# hypercall transport (raw syscall, hypercall page), then a longer seeded
# fuzz.  Every check the guest prints must pass: a check that fails on Xen
# asserts the wrong contract.
set -u
cd "$(dirname "$0")/../.." || exit 1
# Xen itself does not boot under this machine's nested KVM (an emulation
# failure inside Xen's early boot), so the peer runs under TCG unless the
# caller asks otherwise.
: "${PVX_ACCEL:=tcg}"
export PVX_ACCEL

if ! python3 scripts/fetch-xen-peer.py; then
    echo "0 passed, 1 failed"
    exit 1
fi
if ! make -s -C guest-patches/testguest O="$PWD/build/testguest"; then
    echo "testguest: build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

pass=0
fail=0
# run TAG ARGS...: one testguest-run.py invocation; adds its summary to the totals.
run() {
    tag=$1
    shift
    out=$(python3 scripts/testguest-run.py --hypervisor xen --log-prefix "build/testguest/$tag-" "$@")
    rc=$?
    printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
    line=$(printf '%s\n' "$out" | grep '^[0-9]* passed, [0-9]* failed$' | tail -n 1)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${f:-1}))
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
        fail=$((fail + 1))
    fi
}

run suite --transports --guest-args "suite"
run fuzz --guest-args "only=fuzz seed=41 fuzz=20000"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
