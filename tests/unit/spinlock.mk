# SPDX-License-Identifier: GPL-2.0-only
# Spinlock order checking and the hypervisor lock's nesting.
TESTS += spinlock
src_spinlock := ../../hypervisor/spinlock.c
