/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PVX_VERSION_H
#define PVX_VERSION_H

#define PVX_VERSION_MAJOR 0
#define PVX_VERSION_MINOR 1
#define PVX_VERSION_STR   "0.1"
#define PVX_BANNER        "pvx " PVX_VERSION_STR " - a paravirtualizing hypervisor for x86-64"

/* The Xen interface level pvx answers to (xen_version, CPUID 0x40000001):
 * guests pick features by it, and pvx implements Xen 4.17's PV ABI. */
#define PVX_XEN_COMPAT_MAJOR 4
#define PVX_XEN_COMPAT_MINOR 17
#define PVX_XEN_EXTRAVERSION ".0-pvx"

#endif
