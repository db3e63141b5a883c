# SPDX-License-Identifier: GPL-2.0-only
# Cross-CPU calls and TLB shootdowns: waiting for every target, never giving up.
TESTS += smp
src_smp := ../../hypervisor/smp.c ../../hypervisor/spinlock.c
