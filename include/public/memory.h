/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: memory_op(cmd, arg) -- reservations and the physmap.
 *
 * A PV domain's memory is a list of machine frames indexed by pfn (the p2m,
 * kept by the guest).  The reservation operations move frames between the
 * hypervisor's free pool and a domain; a privileged domain may name another
 * domain (this is how a domain builder populates a new guest).
 */
#ifndef PVX_PUBLIC_MEMORY_H
#define PVX_PUBLIC_MEMORY_H

#include "xen.h"
#include "physdev.h"

/*
 * increase_reservation / decrease_reservation / populate_physmap take a
 * struct xen_memory_reservation and return the number of extents done.
 *   increase: allocate nr_extents extents of 2^extent_order frames;
 *             extent_start (if not NULL) receives their first mfns.
 *   decrease: release the extents whose first frames (gpfns) are listed.
 *   populate: allocate an extent for each gpfn listed and record it in the
 *             guest's physmap (PV: the guest then updates its p2m with the
 *             mfns written back into the list).
 */
#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap     6

/* mem_flags: low 8 bits = maximum address width, then NUMA node and flags. */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x)&0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18)

#ifndef __ASSEMBLY__
/*
 *   extent_start  IN/OUT  array of nr_extents frame numbers
 *   nr_extents    IN
 *   extent_order  IN      log2 of frames per extent
 *   mem_flags     IN      XENMEMF_*
 *   domid         IN      DOMID_SELF, or a domain the caller controls
 */
struct xen_memory_reservation {
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    xen_ulong_t nr_extents;
    unsigned int extent_order;
    unsigned int mem_flags;
    domid_t domid;
    uint16_t _pvx_pad0[3];
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);
#endif

/*
 * exchange: trade the extents listed in `in` for new ones described by
 * `out`.  nr_exchanged OUT counts input extents done (restartable).
 */
#define XENMEM_exchange 11

#ifndef __ASSEMBLY__
struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    xen_ulong_t nr_exchanged;
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);
#endif

/*
 * Queries returning a number: maximum_ram_page (arg unused: highest mfn),
 * current_reservation / maximum_reservation / maximum_gpfn (arg: domid_t).
 */
#define XENMEM_maximum_ram_page    2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_maximum_gpfn        14

#ifndef __ASSEMBLY__
struct xen_memory_domain {
    domid_t domid; /* IN */
};
#endif

/*
 * machphys_mfn_list: frames backing the M2P table (2 MiB each).
 *   max_extents IN, extent_start IN (array, OUT contents), nr_extents OUT.
 */
#define XENMEM_machphys_mfn_list        5
#define XENMEM_machphys_compat_mfn_list 25

#ifndef __ASSEMBLY__
struct xen_machphys_mfn_list {
    unsigned int max_extents;
    uint32_t _pvx_pad0;
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    unsigned int nr_extents;
    uint32_t _pvx_pad1;
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);
#endif

/* machphys_mapping: where the M2P is mapped.  All fields OUT. */
#define XENMEM_machphys_mapping 12

#ifndef __ASSEMBLY__
struct xen_machphys_mapping {
    xen_ulong_t v_start, v_end; /* virtual range */
    xen_ulong_t max_mfn;        /* highest mfn covered */
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mapping_t);
#endif

/* Spaces for add_to_physmap (translated guests; PV guests get -ENOSYS). */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5

/*
 * add_to_physmap: map a frame of <space> at gpfn.
 *   domid IN, size IN (gmfn_range count), space IN, idx IN, gpfn IN.
 */
#define XENMEM_add_to_physmap        7
#define XENMAPIDX_grant_table_status 0x80000000

#ifndef __ASSEMBLY__
struct xen_add_to_physmap {
    domid_t domid;
    uint16_t size;
    unsigned int space;
    xen_ulong_t idx;
    xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);
#endif

/* add_to_physmap_batch: as above for `size` entries (errs OUT per entry). */
#define XENMEM_add_to_physmap_batch 23

#ifndef __ASSEMBLY__
struct xen_add_to_physmap_batch {
    domid_t domid;
    uint16_t space;
    uint16_t size;
    union xen_add_to_physmap_batch_extra {
        domid_t foreign_domid; /* XENMAPSPACE_gmfn_foreign */
        uint16_t res0;         /* otherwise 0 */
    } u;
    XEN_GUEST_HANDLE(xen_ulong_t) idxs;
    XEN_GUEST_HANDLE(xen_pfn_t) gpfns;
    XEN_GUEST_HANDLE(int) errs;
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);
#endif

/* remove_from_physmap: domid IN, gpfn IN. */
#define XENMEM_remove_from_physmap 15

#ifndef __ASSEMBLY__
struct xen_remove_from_physmap {
    domid_t domid;
    uint16_t _pvx_pad0[3];
    xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);
#endif

/*
 * memory_map (the caller's pseudo-physical map) and machine_memory_map
 * (the host's, privileged): E820-style entries.
 *   nr_entries  IN  capacity of buffer; OUT entries written
 *   buffer      IN  array of 20-byte E820 entries
 * set_memory_map takes a struct xen_foreign_memory_map (privileged).
 */
#define XENMEM_memory_map         9
#define XENMEM_machine_memory_map 10
#define XENMEM_set_memory_map     13

#ifndef __ASSEMBLY__
struct xen_memory_map {
    unsigned int nr_entries;
    uint32_t _pvx_pad0;
    XEN_GUEST_HANDLE(void) buffer;
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);

struct xen_foreign_memory_map {
    domid_t domid;
    uint16_t _pvx_pad0[3];
    struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);
#endif

/* Populate-on-demand targets (HVM; refused for PV). */
#define XENMEM_set_pod_target 16
#define XENMEM_get_pod_target 17

#ifndef __ASSEMBLY__
struct xen_pod_target {
    uint64_t target_pages;    /* IN */
    uint64_t tot_pages;       /* OUT */
    uint64_t pod_cache_pages; /* OUT */
    uint64_t pod_entries;     /* OUT */
    domid_t domid;            /* IN */
    uint16_t _pvx_pad0[3];
};
typedef struct xen_pod_target xen_pod_target_t;
#endif

/*
 * acquire_resource: map frames of a resource owned by a domain (e.g. its
 * grant table) into the caller.
 *   domid IN, type IN (XENMEM_resource_*), id IN, nr_frames IN/OUT,
 *   pad IN (0), frame IN (first frame index), frame_list IN/OUT.
 */
#define XENMEM_acquire_resource 28

#define XENMEM_resource_ioreq_server                0
#define XENMEM_resource_grant_table                 1
#define XENMEM_resource_vmtrace_buf                 2
#define XENMEM_resource_grant_table_id_shared       0
#define XENMEM_resource_grant_table_id_status       1
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))

#ifndef __ASSEMBLY__
struct xen_mem_acquire_resource {
    domid_t domid;
    uint16_t type;
    uint32_t id;
    uint32_t nr_frames;
    uint32_t pad;
    uint64_t frame;
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list;
};
typedef struct xen_mem_acquire_resource xen_mem_acquire_resource_t;
DEFINE_XEN_GUEST_HANDLE(xen_mem_acquire_resource_t);
#endif

/*
 * get_vnumainfo: the domain's virtual NUMA topology.  The counts are IN
 * (capacities) and OUT (actual); the three arrays are filled.
 */
#define XENMEM_get_vnumainfo 26

#ifndef __ASSEMBLY__
struct xen_vmemrange {
    uint64_t start, end;
    unsigned int flags;
    unsigned int nid; /* virtual node */
};
typedef struct xen_vmemrange xen_vmemrange_t;
DEFINE_XEN_GUEST_HANDLE(xen_vmemrange_t);

struct xen_vnuma_topology_info {
    domid_t domid;
    uint16_t pad;
    unsigned int nr_vnodes;
    unsigned int nr_vcpus;
    unsigned int nr_vmemranges;
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vdistance;
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vcpu_to_vnode;
    union {
        XEN_GUEST_HANDLE(xen_vmemrange_t) h;
        uint64_t pad;
    } vmemrange;
};
typedef struct xen_vnuma_topology_info xen_vnuma_topology_info_t;
DEFINE_XEN_GUEST_HANDLE(xen_vnuma_topology_info_t);
#endif

#endif /* PVX_PUBLIC_MEMORY_H */
