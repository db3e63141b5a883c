/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: definitions shared by every public header.
 *
 * - Fixed-width integer types come from <stdint.h>.  It is available in
 *   every hosted C99 and C++ environment, and GCC and Clang also ship it in
 *   C89 mode, so the headers include it unconditionally.  A freestanding
 *   guest without a C library can either use the compiler's own <stdint.h>
 *   (GCC installs one) or define PVX_HAVE_OWN_STDINT before including any
 *   pvx header and provide uint8_t .. uint64_t / int8_t .. int64_t itself.
 * - Layouts never rely on implicit compiler padding: every hole is a named
 *   pad field, so C89, C99 and C++ compilers agree on every offset.
 * - Anonymous unions and trailing variable-length arrays are ABI facts in a
 *   few structures.  Under GCC/Clang they are marked with PVX_EXTENSION
 *   (`__extension__`), which keeps -std=c89 -pedantic and C++ quiet.
 */
#ifndef PVX_PUBLIC_PVX_DEFS_H
#define PVX_PUBLIC_PVX_DEFS_H

#if !defined(PVX_HAVE_OWN_STDINT) && !defined(__ASSEMBLY__)
#include <stdint.h>
#endif

/*
 * The Xen interface level pvx implements: that of Xen 4.17.  A guest may set
 * __XEN_INTERFACE_VERSION__ to ask for an older level, but pvx publishes only
 * the current layouts (older levels differ only in names that pvx omits).
 */
#define __XEN_LATEST_INTERFACE_VERSION__ 0x00040e00
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#endif
#if __XEN_INTERFACE_VERSION__ > __XEN_LATEST_INTERFACE_VERSION__
#error "pvx: requested __XEN_INTERFACE_VERSION__ is newer than this ABI"
#endif

#if defined(__GNUC__)
#define PVX_EXTENSION __extension__
#else
#define PVX_EXTENSION
#endif

/* Dimension for a trailing array whose length is given by another field. */
#if defined(__GNUC__) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define XEN_FLEX_ARRAY_DIM
#else
#define XEN_FLEX_ARRAY_DIM 1 /* sizeof() then counts one element too many */
#endif

/* Typed integer literals usable from both C and assembly. */
#ifndef __ASSEMBLY__
#define PVX_PASTE_(a, b) a##b
#define xen_mk_uint(x)   PVX_PASTE_(x, U)
#define xen_mk_ulong(x)  PVX_PASTE_(x, UL)
#define xen_mk_ullong(x) PVX_PASTE_(x, ULL)
#else
#define xen_mk_uint(x)   x
#define xen_mk_ulong(x)  x
#define xen_mk_ullong(x) x
#endif

/*
 * Guest handles.  A hypercall argument structure refers to guest memory
 * through a handle: an 8-byte field holding a guest virtual address.  It is
 * wrapped in a one-member struct so that handles of different element types
 * cannot be mixed up silently.  For every element type T there is a handle
 * type XEN_GUEST_HANDLE(T) and a read-only variant XEN_GUEST_HANDLE(const_T).
 */
#ifndef __ASSEMBLY__
#define ___DEFINE_XEN_GUEST_HANDLE(name, type)                                                     \
    typedef struct {                                                                               \
        type *p;                                                                                   \
    } __guest_handle_##name
#define __DEFINE_XEN_GUEST_HANDLE(name, type)                                                      \
    ___DEFINE_XEN_GUEST_HANDLE(name, type);                                                        \
    ___DEFINE_XEN_GUEST_HANDLE(const_##name, const type)
#define DEFINE_XEN_GUEST_HANDLE(name) __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name)      __guest_handle_##name
#define XEN_GUEST_HANDLE(name)        __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name)  XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(h, v)                                                             \
    do {                                                                                           \
        (h).p = (v);                                                                               \
    } while (0)
#define set_xen_guest_handle(h, v) set_xen_guest_handle_raw(h, v)
#endif

#endif /* PVX_PUBLIC_PVX_DEFS_H */
