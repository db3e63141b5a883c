# SPDX-License-Identifier: GPL-2.0-only
# The decompressors and the bzImage loader (docs/decompress.md), against
# files made at test time by xz, gzip, lz4 and zstd.  Guarded so that a tree
# without hypervisor/decompress/ (a partial checkout) still builds the rest.
ifneq ($(wildcard $(HV)/decompress/Makefile.inc),)
include $(HV)/decompress/Makefile.inc
DECOMP_SRC := $(addprefix $(HV)/,$(filter-out bzimage.c,$(DECOMPRESS_SRCS))) decompress_harness.c
TESTS += decompress_gzip decompress_xz decompress_lz4 decompress_zstd decompress_bzimage
src_decompress_gzip := $(DECOMP_SRC)
src_decompress_xz := $(DECOMP_SRC)
src_decompress_lz4 := $(DECOMP_SRC)
src_decompress_zstd := $(DECOMP_SRC)
src_decompress_bzimage := $(DECOMP_SRC) $(HV)/bzimage.c $(HV)/page_alloc.c
endif
