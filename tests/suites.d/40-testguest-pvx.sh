#!/bin/sh
# timeout: 600
# SPDX-License-Identifier: GPL-2.0-only
#
# The pvx test guest (guest-patches/testguest) as dom0 on pvx itself: the
# same binary and the same checks that suite 41 runs on Xen 4.17, once per
# hypercall transport (raw syscall, hypercall page), then a longer seeded
# random-hypercall fuzz after which guest and hypervisor must both be alive.
set -u
cd "$(dirname "$0")/../.." || exit 1
# Under this machine's nested KVM (AMD host) a PV guest's first syscall
# faults in pvx's syscall stub, and first touches of guest memory cost
# milliseconds each; Xen 4.17 does not boot there at all (suite 41).  Until
# that is understood the guest suites run under TCG unless asked otherwise.
: "${PVX_ACCEL:=tcg}"
export PVX_ACCEL

if ! make -s -C hypervisor O="$PWD/build/hypervisor" >/dev/null ||
   ! make -s -C guest-patches/testguest O="$PWD/build/testguest"; then
    echo "testguest-pvx: build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

pass=0
fail=0
run() {
    tag=$1
    shift
    out=$(python3 scripts/testguest-run.py --hypervisor pvx --append "dom0_mem=32M" \
        --log-prefix "build/testguest/$tag-" "$@")
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

run pvx-suite --transports --guest-args "suite"
run pvx-fuzz --guest-args "only=fuzz seed=41 fuzz=20000"
# A second vCPU (VCPUOP_initialise/up/down, per-vCPU FPU state) and the
# toolstack interface with room to build a domain.
run pvx-smp --append "dom0_mem=32M dom0_max_vcpus=2" --guest-args "suite only=smp+domctl"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
