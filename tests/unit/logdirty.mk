# SPDX-License-Identifier: GPL-2.0-only
# Log-dirty mode (arch/x86/pv/logdirty.c) over the real PV MMU and heap.
TESTS += logdirty
src_logdirty := $(HV)/arch/x86/pv/logdirty.c $(HV)/arch/x86/pv/mm.c \
	$(HV)/arch/x86/pv/mm-hypercalls.c $(HV)/arch/x86/pv/ptwr.c $(HV)/page_alloc.c \
	$(HV)/xmalloc.c pvmm_harness.c
extra_logdirty := -DPVMM_REAL_LOGDIRTY
