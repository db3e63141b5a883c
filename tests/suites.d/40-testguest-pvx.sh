#!/bin/sh
# timeout: 600
# parallel: yes
# SPDX-License-Identifier: GPL-2.0-only
#
# The pvx test guest (guest-patches/testguest) as dom0 on pvx itself: the
# same binary and the same checks that suite 41 runs on Xen 4.17, once per
# hypercall transport (raw syscall, hypercall page), then a longer seeded
# random-hypercall fuzz after which guest and hypervisor must both be alive,
# and the FIFO event channel checks, which leave the domain on FIFO.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build

suite_run_guest pvx pvx-suite --append "dom0_mem=32M" --transports --guest-args "suite"
suite_run_guest pvx pvx-fuzz --append "dom0_mem=32M" --guest-args "only=fuzz seed=41 fuzz=20000"
# The whole suite again with a second vCPU (VCPUOP_initialise/up/down,
# per-vCPU FPU state), the two on two CPUs (multi-threaded TCG): vCPU 1 runs
# beside vCPU 0 wherever a group brings it up.
suite_run_guest pvx pvx-smp --smp 2 --append "dom0_mem=32M dom0_max_vcpus=2" \
    --guest-args "suite pcpus=2"
# SMAP on (a CPU model with it): every group that makes pvx read or write
# guest memory, and the fuzz, with pvx faulting on any access outside its
# checked copies.  Not hcall: QEMU's TCG pops a ring-3 iretq's frame with
# supervisor accesses, which SMAP refuses (on Xen too; scripts/qemu_harness.py).
suite_run_guest pvx pvx-smap --append "dom0_mem=32M" --cpu "Haswell-noTSX,+smap" \
    --guest-args "suite only=boot+console+traps+multicall+mmu+mmuext+uvm+ptwr+callbacks+events+time+sched+vcpu+seg+memory+grant+misc+emul+user+hostile+xgrant+xmaps+domctl+fuzz"
# FIFO event channels: the switch cannot be undone, so in a run of its own;
# the second vCPU's queues are checked too.
suite_run_guest pvx pvx-fifo --append "dom0_mem=32M dom0_max_vcpus=2" --guest-args "suite only=fifo"
suite_summary
