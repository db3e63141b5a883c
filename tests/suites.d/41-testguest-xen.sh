#!/bin/sh
# timeout: 600
# parallel: yes
# SPDX-License-Identifier: GPL-2.0-only
#
# The pvx test guest (guest-patches/testguest) on the real peer: Debian's
# Xen 4.17 in QEMU, with the guest as dom0.  The whole suite runs once per
# hypercall transport (raw syscall, hypercall page), then a longer seeded
# fuzz.  Every check the guest prints must pass: a check that fails on Xen
# asserts the wrong contract.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build XEN

suite_run_guest xen suite --transports --guest-args "suite"
suite_run_guest xen fuzz --guest-args "only=fuzz seed=41 fuzz=20000"
# A second vCPU (VCPUOP_initialise/up/down), as suite 40 checks it on pvx,
# and the time and vcpu groups with it there (another vCPU that exists).
suite_run_guest xen smp --append "console=com1 com1=115200,8n1 dom0_mem=32M,max:32M \
dom0_max_vcpus=2 loglvl=all guest_loglvl=all noreboot=false sync_console" --guest-args "suite only=smp+time+vcpu"
# FIFO event channels, in a run of their own (the switch cannot be undone).
suite_run_guest xen fifo --append "console=com1 com1=115200,8n1 dom0_mem=32M,max:32M \
dom0_max_vcpus=2 loglvl=all guest_loglvl=all noreboot=false sync_console" --guest-args "suite only=fifo"
suite_summary
