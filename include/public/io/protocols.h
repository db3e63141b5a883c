/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: names of the ring protocol ABIs.  A frontend writes one of
 * these to its "protocol" xenstore key so that a backend of another
 * architecture knows the layout of the ring entries.
 */
#ifndef PVX_PUBLIC_IO_PROTOCOLS_H
#define PVX_PUBLIC_IO_PROTOCOLS_H

#define XEN_IO_PROTO_ABI_X86_32 "x86_32-abi"
#define XEN_IO_PROTO_ABI_X86_64 "x86_64-abi"
#define XEN_IO_PROTO_ABI_ARM    "arm-abi"

/* pvx hosts 64-bit x86 guests only. */
#define XEN_IO_PROTO_ABI_NATIVE XEN_IO_PROTO_ABI_X86_64

#endif /* PVX_PUBLIC_IO_PROTOCOLS_H */
