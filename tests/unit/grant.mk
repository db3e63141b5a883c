# SPDX-License-Identifier: GPL-2.0-only
# Grant tables (v1 and v2) over the real PV MMU (the object heap is faked in the test).
TESTS += grant
src_grant := $(HV)/grant_table.c $(HV)/grant_pin.c $(HV)/grant_version.c $(HV)/grant_map.c \
	$(HV)/grant_copy.c \
	$(HV)/arch/x86/pv/mm.c $(HV)/arch/x86/pv/mm-hypercalls.c $(HV)/arch/x86/pv/ptwr.c \
	$(HV)/page_alloc.c pvmm_harness.c
