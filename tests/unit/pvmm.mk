# SPDX-License-Identifier: GPL-2.0-only
# The PV MMU: reference counts and types, the MMU hypercalls, writable page tables.
PVMM_SRC := $(HV)/arch/x86/pv/mm.c $(HV)/arch/x86/pv/mm-hypercalls.c $(HV)/arch/x86/pv/ptwr.c \
	$(HV)/page_alloc.c pvmm_harness.c
TESTS += pvmm pvmm_ptwr pvmm_preempt
src_pvmm := $(PVMM_SRC)
src_pvmm_ptwr := $(PVMM_SRC)
src_pvmm_preempt := $(PVMM_SRC)
