/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: grant tables (grant_table_op(cmd, args, count)).
 *
 * A domain shares one of its pages by filling an entry of its grant table
 * (frames obtained with GNTTABOP_setup_table) and telling the peer the entry
 * number, its grant reference.  The peer then maps the page
 * (GNTTABOP_map_grant_ref) or copies to/from it (GNTTABOP_copy).  While the
 * peer uses the page the hypervisor sets GTF_reading/GTF_writing in the
 * entry; the granter may revoke the grant only when those are clear.
 *
 * Version 1 entries are 8 bytes.  A granter fills `frame` and `domid`
 * first, issues a write barrier, then sets `flags`; to revoke, it clears
 * `flags` with a compare-and-swap that fails while GTF_reading/GTF_writing
 * are set.
 *
 * Each GNTTABOP_* takes an array of `count` structures of the given type.
 * A per-entry `status` (GNTST_*) reports each element's result; the
 * hypercall's return value reports failures of the call as a whole.
 */
#ifndef PVX_PUBLIC_GRANT_TABLE_H
#define PVX_PUBLIC_GRANT_TABLE_H

#include "xen.h"

#ifndef __ASSEMBLY__
typedef uint32_t grant_ref_t;

/*
 *   flags  GTF_* (type in bits 0-1, then permission and status bits)
 *   domid  the domain allowed to use the grant
 *   frame  the granted frame (or, for accept_transfer, filled by pvx)
 */
struct grant_entry_v1 {
    uint16_t flags;
    domid_t domid;
    uint32_t frame;
};
typedef struct grant_entry_v1 grant_entry_v1_t;
#endif

/* The first entries are reserved for the toolstack's use. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0 /* the console ring page */
#define GNTTAB_RESERVED_XENSTORE   1 /* the xenstore ring page */

/* Entry type (bits 0-1). */
#define GTF_invalid         (0U << 0) /* unused entry */
#define GTF_permit_access   (1U << 0) /* domid may map or copy frame */
#define GTF_accept_transfer (2U << 0) /* domid may transfer a page to us */
#define GTF_transitive      (3U << 0) /* v2 only */
#define GTF_type_mask       (3U << 0)

/* Flags of GTF_permit_access entries. */
#define _GTF_readonly (2)
#define GTF_readonly  (1U << _GTF_readonly) /* granter: read-only access */
#define _GTF_reading  (3)
#define GTF_reading   (1U << _GTF_reading) /* pvx: mapped or being read */
#define _GTF_writing  (4)
#define GTF_writing   (1U << _GTF_writing) /* pvx: mapped writable / written */
#define _GTF_PWT      (5)
#define GTF_PWT       (1U << _GTF_PWT) /* cache attributes of the mapping */
#define _GTF_PCD      (6)
#define GTF_PCD       (1U << _GTF_PCD)
#define _GTF_PAT      (7)
#define GTF_PAT       (1U << _GTF_PAT)
#define _GTF_sub_page (8)
#define GTF_sub_page  (1U << _GTF_sub_page) /* v2 only */

/* Flags of GTF_accept_transfer entries. */
#define _GTF_transfer_committed (2)
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed (3)
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

#ifndef __ASSEMBLY__
/*
 * Version 2 entries (16 bytes; GTF_reading/GTF_writing live in separate
 * status frames, one grant_status_t per entry, found with
 * GNTTABOP_get_status_frames).
 */
struct grant_entry_header {
    uint16_t flags;
    domid_t domid;
};
typedef struct grant_entry_header grant_entry_header_t;

union grant_entry_v2 {
    grant_entry_header_t hdr;
    struct {
        grant_entry_header_t hdr;
        uint32_t pad0;
        uint64_t frame;
    } full_page;
    struct {
        grant_entry_header_t hdr;
        uint16_t page_off;
        uint16_t length;
        uint64_t frame;
    } sub_page;
    struct {
        grant_entry_header_t hdr;
        domid_t trans_domid;
        uint16_t pad0;
        grant_ref_t gref;
    } transitive;
    uint32_t __spacer[4];
};
typedef union grant_entry_v2 grant_entry_v2_t;

typedef uint16_t grant_status_t;
#endif

#define GNTTABOP_map_grant_ref     0
#define GNTTABOP_unmap_grant_ref   1
#define GNTTABOP_setup_table       2
#define GNTTABOP_dump_table        3
#define GNTTABOP_transfer          4
#define GNTTABOP_copy              5
#define GNTTABOP_query_size        6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version       8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version       10
#define GNTTABOP_swap_grant_ref    11
#define GNTTABOP_cache_flush       12

#ifndef __ASSEMBLY__
typedef uint32_t grant_handle_t;

/*
 * map_grant_ref: map a page granted by <dom>.
 *   host_addr     IN   with GNTMAP_host_map: the virtual address to map at,
 *                      or (GNTMAP_contains_pte) the machine address of the
 *                      PTE to write
 *   flags         IN   GNTMAP_*
 *   ref           IN   the grant reference
 *   dom           IN   the granting domain
 *   status        OUT  GNTST_*
 *   handle        OUT  identifies the mapping for unmap
 *   dev_bus_addr  OUT  with GNTMAP_device_map: the bus address
 */
struct gnttab_map_grant_ref {
    uint64_t host_addr;
    uint32_t flags;
    grant_ref_t ref;
    domid_t dom;
    int16_t status;
    grant_handle_t handle;
    uint64_t dev_bus_addr;
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_map_grant_ref_t);

/*
 * unmap_grant_ref: undo a mapping.
 *   host_addr     IN   as given to map (0 if there was no host mapping)
 *   dev_bus_addr  IN   as returned by map (0 if no device mapping)
 *   handle        IN   as returned by map
 *   status        OUT  GNTST_*
 */
struct gnttab_unmap_grant_ref {
    uint64_t host_addr;
    uint64_t dev_bus_addr;
    grant_handle_t handle;
    int16_t status;
    uint16_t _pvx_pad0;
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_grant_ref_t);

/*
 * setup_table: grow a grant table and list its frames.
 *   dom         IN   DOMID_SELF, or a domain the caller controls
 *   nr_frames   IN   number of frames wanted
 *   status      OUT  GNTST_*
 *   frame_list  IN   array receiving nr_frames frame numbers (OUT)
 */
struct gnttab_setup_table {
    domid_t dom;
    uint16_t _pvx_pad0;
    uint32_t nr_frames;
    int16_t status;
    uint16_t _pvx_pad1[3];
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list;
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_setup_table_t);

/* dump_table: print a table on the hypervisor console. dom IN, status OUT. */
struct gnttab_dump_table {
    domid_t dom;
    int16_t status;
};
typedef struct gnttab_dump_table gnttab_dump_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_dump_table_t);

/*
 * transfer: give one of our pages to <domid> through its accept_transfer
 * grant <ref>.  mfn IN, domid IN, ref IN, status OUT.
 */
struct gnttab_transfer {
    xen_pfn_t mfn;
    domid_t domid;
    uint16_t _pvx_pad0;
    grant_ref_t ref;
    int16_t status;
    uint16_t _pvx_pad1[3];
};
typedef struct gnttab_transfer gnttab_transfer_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_transfer_t);

/*
 * copy: copy bytes between pages without mapping them.  Each side is either
 * a grant reference of <domid> (flag GNTCOPY_source_gref/dest_gref) or a
 * frame of the caller's own (gmfn, domid = DOMID_SELF).
 *   source, dest  IN   the two sides; offset is within the page
 *   len           IN   bytes; the range must not cross a page boundary
 *   flags         IN   GNTCOPY_*
 *   status        OUT  GNTST_*
 */
#define _GNTCOPY_source_gref (0)
#define GNTCOPY_source_gref  (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   (1)
#define GNTCOPY_dest_gref    (1 << _GNTCOPY_dest_gref)

struct gnttab_copy {
    struct gnttab_copy_ptr {
        union {
            grant_ref_t ref;
            xen_pfn_t gmfn;
        } u;
        domid_t domid;
        uint16_t offset;
        uint32_t _pvx_pad0;
    } source, dest;
    uint16_t len;
    uint16_t flags;
    int16_t status;
    uint16_t _pvx_pad0;
};
typedef struct gnttab_copy gnttab_copy_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_copy_t);

/*
 * query_size: current and maximum size of a grant table.
 *   dom            IN
 *   nr_frames      OUT
 *   max_nr_frames  OUT
 *   status         OUT  GNTST_*
 */
struct gnttab_query_size {
    domid_t dom;
    uint16_t _pvx_pad0;
    uint32_t nr_frames;
    uint32_t max_nr_frames;
    int16_t status;
    uint16_t _pvx_pad1;
};
typedef struct gnttab_query_size gnttab_query_size_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_query_size_t);

/*
 * unmap_and_replace: remove the grant mapping at host_addr and put the
 * mapping currently at new_addr in its place (new_addr's PTE is cleared).
 *   host_addr IN, new_addr IN, handle IN, status OUT.
 */
struct gnttab_unmap_and_replace {
    uint64_t host_addr;
    uint64_t new_addr;
    grant_handle_t handle;
    int16_t status;
    uint16_t _pvx_pad0;
};
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_and_replace_t);

/* set_version: version IN (1 or 2), OUT the version in force. */
struct gnttab_set_version {
    uint32_t version;
};
typedef struct gnttab_set_version gnttab_set_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_set_version_t);

/*
 * get_status_frames (v2 only): nr_frames IN, dom IN, status OUT,
 * frame_list IN (array receiving the status frames' numbers).
 */
struct gnttab_get_status_frames {
    uint32_t nr_frames;
    domid_t dom;
    int16_t status;
    XEN_GUEST_HANDLE(uint64_t) frame_list;
};
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_status_frames_t);

/* get_version: dom IN, version OUT. */
struct gnttab_get_version {
    domid_t dom;
    uint16_t pad;
    uint32_t version;
};
typedef struct gnttab_get_version gnttab_get_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_version_t);

/* swap_grant_ref: exchange two of the caller's entries. ref_a, ref_b IN, status OUT. */
struct gnttab_swap_grant_ref {
    grant_ref_t ref_a;
    grant_ref_t ref_b;
    int16_t status;
    uint16_t _pvx_pad0;
};
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_swap_grant_ref_t);

/*
 * cache_flush: clean/invalidate the cache for part of a page (a bus address,
 * or a grant reference with GNTTAB_CACHE_SOURCE_GREF).  All fields IN.
 */
struct gnttab_cache_flush {
    union {
        uint64_t dev_bus_addr;
        grant_ref_t ref;
    } a;
    uint16_t offset;
    uint16_t length;
    uint32_t op; /* GNTTAB_CACHE_* */
};
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_cache_flush_t);
#endif /* !__ASSEMBLY__ */

#define GNTTAB_CACHE_CLEAN       (1u << 0)
#define GNTTAB_CACHE_INVAL       (1u << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1u << 31)

/* gnttab_map_grant_ref.flags */
#define _GNTMAP_device_map      (0)
#define GNTMAP_device_map       (1 << _GNTMAP_device_map) /* map for device DMA */
#define _GNTMAP_host_map        (1)
#define GNTMAP_host_map         (1 << _GNTMAP_host_map) /* map into the page tables */
#define _GNTMAP_readonly        (2)
#define GNTMAP_readonly         (1 << _GNTMAP_readonly) /* read-only mapping */
#define _GNTMAP_application_map (3)
#define GNTMAP_application_map  (1 << _GNTMAP_application_map) /* user-accessible */
#define _GNTMAP_contains_pte    (4)
#define GNTMAP_contains_pte     (1 << _GNTMAP_contains_pte) /* host_addr is a PTE address */
/* Bits 16-31 of the PTE's available bits may be set by the guest. */
#define _GNTMAP_guest_avail0    (16)
#define GNTMAP_guest_avail_mask ((uint32_t)~0 << _GNTMAP_guest_avail0)

/* Per-entry status values (GNTST_*). */
#define GNTST_okay              (0)   /* success */
#define GNTST_general_error     (-1)  /* unspecified failure */
#define GNTST_bad_domain        (-2)  /* no such domain */
#define GNTST_bad_gntref        (-3)  /* reference out of range or not granted */
#define GNTST_bad_handle        (-4)  /* no such mapping handle */
#define GNTST_bad_virt_addr     (-5)  /* unusable host_addr */
#define GNTST_bad_dev_addr      (-6)  /* unusable dev_bus_addr */
#define GNTST_no_device_space   (-7)  /* IOMMU mapping space exhausted */
#define GNTST_permission_denied (-8)  /* not allowed (e.g. write to readonly) */
#define GNTST_bad_page          (-9)  /* the frame is not usable */
#define GNTST_bad_copy_arg      (-10) /* copy range crosses a page boundary */
#define GNTST_address_too_big   (-11) /* frame number too large */
#define GNTST_eagain            (-12) /* retry later */
#define GNTST_no_space          (-13) /* table or maptrack full */

#endif /* PVX_PUBLIC_GRANT_TABLE_H */
