# SPDX-License-Identifier: GPL-2.0-only
# The I/O-rights range sets (domctl ioport/iomem_permission).
TESTS += rangeset
src_rangeset := $(HV)/rangeset.c
