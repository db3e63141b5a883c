/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: sysctl, the toolstack's host-wide control interface.
 *
 * pvx's own interface (see domctl.h for why); it shares only the hypercall
 * number __HYPERVISOR_sysctl (35) with Xen.  Call: sysctl(struct
 * pvx_sysctl *op), control domain only (-EPERM otherwise);
 * interface_version must equal PVX_SYSCTL_INTERFACE_VERSION (-EACCES
 * otherwise).  Results are written back into the structure.
 */
#ifndef PVX_PUBLIC_SYSCTL_H
#define PVX_PUBLIC_SYSCTL_H

#include "xen.h"
#include "domctl.h"

#define PVX_SYSCTL_INTERFACE_VERSION 0x70760001

#define PVX_SYSCTL_readconsole       1
#define PVX_SYSCTL_physinfo          2
#define PVX_SYSCTL_getdomaininfolist 3

#ifndef __ASSEMBLY__
/*
 * readconsole: copy text from the hypervisor's log ring.
 *   clear        IN   empty the ring after reading
 *   incremental  IN   start at `index` instead of the oldest byte
 *   index        IN   with incremental: position to continue from;
 *                OUT  position after the last byte returned
 *   buffer       IN   where to write the text (not NUL-terminated)
 *   count        IN   size of buffer; OUT bytes written
 */
struct pvx_sysctl_readconsole {
    uint8_t clear;
    uint8_t incremental;
    uint8_t _pad0[2];
    uint32_t index;
    XEN_GUEST_HANDLE(char) buffer;
    uint32_t count;
    uint32_t _pad1;
};
typedef struct pvx_sysctl_readconsole pvx_sysctl_readconsole_t;
#endif

/* physinfo capabilities */
#define PVX_PHYSCAP_pv (1U << 0) /* PV guests supported (always set) */

#ifndef __ASSEMBLY__
/*
 * physinfo: the host.  All fields OUT.
 *   threads_per_core, cores_per_socket, nr_cpus, max_cpu_id  CPU topology
 *   nr_nodes, max_node_id                                     NUMA nodes
 *   cpu_khz       TSC frequency
 *   capabilities  PVX_PHYSCAP_*
 *   total_pages   RAM managed by pvx, in pages
 *   free_pages    pages not owned by any domain or by pvx
 *   hw_cap        CPUID feature words (leaf 1 edx/ecx, 0x80000001 edx/ecx,
 *                 leaf 7 ebx/ecx/edx, then 0)
 */
struct pvx_sysctl_physinfo {
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t nr_cpus;
    uint32_t max_cpu_id;
    uint32_t nr_nodes;
    uint32_t max_node_id;
    uint32_t cpu_khz;
    uint32_t capabilities;
    uint64_t total_pages;
    uint64_t free_pages;
    uint32_t hw_cap[8];
};
typedef struct pvx_sysctl_physinfo pvx_sysctl_physinfo_t;

/*
 * getdomaininfolist: describe up to max_domains domains, in id order,
 * starting with the lowest id >= first_domain.
 *   first_domain  IN
 *   max_domains   IN   entries available in buffer
 *   buffer        IN   array of pvx_domctl_getdomaininfo (OUT contents)
 *   num_domains   OUT  entries written
 */
struct pvx_sysctl_getdomaininfolist {
    domid_t first_domain;
    uint16_t _pad0;
    uint32_t max_domains;
    XEN_GUEST_HANDLE(pvx_domctl_getdomaininfo_t) buffer;
    uint32_t num_domains;
    uint32_t _pad1;
};
typedef struct pvx_sysctl_getdomaininfolist pvx_sysctl_getdomaininfolist_t;

/* The call: cmd and interface_version IN, u holds the operation's arguments. */
struct pvx_sysctl {
    uint32_t cmd;               /* PVX_SYSCTL_* */
    uint32_t interface_version; /* PVX_SYSCTL_INTERFACE_VERSION */
    union {
        struct pvx_sysctl_readconsole readconsole;
        struct pvx_sysctl_physinfo physinfo;
        struct pvx_sysctl_getdomaininfolist getdomaininfolist;
        uint8_t pad[128];
    } u;
};
typedef struct pvx_sysctl pvx_sysctl_t;
DEFINE_XEN_GUEST_HANDLE(pvx_sysctl_t);
#endif

#endif /* PVX_PUBLIC_SYSCTL_H */
