/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: xen_version(cmd, arg).
 *
 *   XENVER_version             arg unused; returns (major << 16) | minor.
 *   XENVER_extraversion        OUT xen_extraversion_t, e.g. ".0-pvx".
 *   XENVER_compile_info        OUT struct xen_compile_info.
 *   XENVER_capabilities        OUT xen_capabilities_info_t: space-separated
 *                              guest types ("xen-3.0-x86_64").
 *   XENVER_changeset           OUT xen_changeset_info_t (source revision).
 *   XENVER_platform_parameters OUT struct xen_platform_parameters.
 *   XENVER_get_features        IN/OUT struct xen_feature_info.
 *   XENVER_pagesize            arg unused; returns the page size.
 *   XENVER_guest_handle        OUT xen_domain_handle_t of the caller.
 *   XENVER_commandline         OUT xen_commandline_t (privileged).
 *   XENVER_build_id            IN/OUT struct xen_build_id (privileged).
 * pvx reports itself as Xen 4.17 so that guests enable the same paths.
 */
#ifndef PVX_PUBLIC_VERSION_H
#define PVX_PUBLIC_VERSION_H

#include "xen.h"

#define XENVER_version             0
#define XENVER_extraversion        1
#define XENVER_compile_info        2
#define XENVER_capabilities        3
#define XENVER_changeset           4
#define XENVER_platform_parameters 5
#define XENVER_get_features        6
#define XENVER_pagesize            7
#define XENVER_guest_handle        8
#define XENVER_commandline         9
#define XENVER_build_id            10

#ifndef __ASSEMBLY__
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

/* All fields OUT, NUL-terminated strings. */
struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

/* virt_start OUT: lowest virtual address reserved by the hypervisor. */
struct xen_platform_parameters {
    xen_ulong_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

/*
 *   submap_idx  IN   which 32-bit group of XENFEAT_* bits
 *   submap      OUT  the bits (bit n of group i is feature 32*i + n)
 */
struct xen_feature_info {
    unsigned int submap_idx;
    uint32_t submap;
};
typedef struct xen_feature_info xen_feature_info_t;

typedef char xen_commandline_t[1024];

/*
 *   len  IN   size of buf; OUT  bytes written (the call returns it too)
 *   buf  OUT  the build id bytes
 */
struct xen_build_id {
    uint32_t len;
    PVX_EXTENSION unsigned char buf[XEN_FLEX_ARRAY_DIM];
};
typedef struct xen_build_id xen_build_id_t;
#endif

#include "features.h"

#endif /* PVX_PUBLIC_VERSION_H */
