# SPDX-License-Identifier: GPL-2.0-only
# The credit scheduler core (weights, caps, boost) against a simulated clock.
TESTS += sched_credit
src_sched_credit := ../../hypervisor/sched_credit.c
