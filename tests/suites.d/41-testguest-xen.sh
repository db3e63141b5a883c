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
. tests/lib/suite.sh
suite_tcg
suite_build XEN

suite_run_guest xen suite --transports --guest-args "suite"
suite_run_guest xen fuzz --guest-args "only=fuzz seed=41 fuzz=20000"
suite_summary
