/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only way hypervisor code touches guest memory.  Each helper checks
 * that the guest range is canonical, does not wrap and lies entirely outside
 * the hypervisor's range, then copies with the running vCPU's page tables and
 * an exception fixup: a guest page that is missing or not writable makes the
 * copy fail with -EFAULT instead of crashing pvx.
 */
#ifndef PVX_GUEST_ACCESS_H
#define PVX_GUEST_ACCESS_H

#include <pvx/types.h>

/* 0 on success, -EFAULT if any byte could not be copied. */
int copy_from_guest(void *dst, uint64_t guest_va, size_t len);
int copy_to_guest(uint64_t guest_va, const void *src, size_t len);
/* Zero guest memory. */
int clear_guest(uint64_t guest_va, size_t len);

/* True when [va, va+len) is an address range a guest may name. */
bool guest_range_ok(uint64_t va, size_t len);

/* The guest address a public-ABI handle holds. */
#define guest_handle_addr(h) ((uint64_t)(uintptr_t)(h).p)

/* Element-wise helpers for guest arrays: index i of an array at base. */
#define copy_from_guest_offset(dst, base, i, n)                                                    \
    copy_from_guest((dst), (base) + (uint64_t)(i) * sizeof(*(dst)), (n) * sizeof(*(dst)))
#define copy_to_guest_offset(base, i, src, n)                                                      \
    copy_to_guest((base) + (uint64_t)(i) * sizeof(*(src)), (src), (n) * sizeof(*(src)))

#endif
