# SPDX-License-Identifier: GPL-2.0-only
# vCPU contexts (arch/x86/pv/context.c: VCPUOP_initialise, domctl
# set/getvcpucontext) over the real PV MMU; descriptor tables and the
# guest entry path are stubbed in the test; debug registers (debugreg.c) are
# the real ones, only ever for a vCPU that is not running.
TESTS += pvctx
src_pvctx := $(HV)/arch/x86/pv/context.c $(HV)/arch/x86/pv/debugreg.c $(HV)/arch/x86/pv/mm.c $(HV)/arch/x86/pv/mm-hypercalls.c \
	$(HV)/arch/x86/pv/ptwr.c $(HV)/page_alloc.c pvmm_harness.c
