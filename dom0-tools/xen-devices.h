/* SPDX-License-Identifier: MIT */
/*
 * The ioctl interface of Linux's Xen devices under /dev/xen, as a dom0 tool
 * sees it.  Written for pvx from the documented ABI (the numbers and layouts
 * are fixed by Linux's uapi and must match it bit for bit); every request is
 * _IOC(_IOC_NONE, letter, nr, size of its argument).
 */
#ifndef PVX_DOM0_XEN_DEVICES_H
#define PVX_DOM0_XEN_DEVICES_H

#include <stdint.h>
#include <sys/ioctl.h>

/* ---- /dev/xen/privcmd ---------------------------------------------------- */

/* A hypercall issued by the kernel on the caller's behalf; returns its result. */
struct pvx_privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};
#define PVX_IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct pvx_privcmd_hypercall))

/* Map frames of domain dom at addr (inside an mmap of privcmd), one per
 * entry of arr; err[i] receives each frame's result (0 or -errno). */
struct pvx_privcmd_mmapbatch_v2 {
    uint32_t num;
    uint16_t dom;
    uint16_t _pad;
    uint64_t addr;
    const uint64_t *arr;
    int *err;
};
#define PVX_IOCTL_PRIVCMD_MMAPBATCH_V2                                                             \
    _IOC(_IOC_NONE, 'P', 4, sizeof(struct pvx_privcmd_mmapbatch_v2))

/* ---- /dev/xen/evtchn: each bind returns the new local port ---------------- */

struct pvx_evtchn_bind_virq {
    uint32_t virq;
};
struct pvx_evtchn_bind_interdomain {
    uint32_t remote_domain;
    uint32_t remote_port;
};
struct pvx_evtchn_bind_unbound_port {
    uint32_t remote_domain;
};
struct pvx_evtchn_port {
    uint32_t port;
};
#define PVX_IOCTL_EVTCHN_BIND_VIRQ _IOC(_IOC_NONE, 'E', 0, sizeof(struct pvx_evtchn_bind_virq))
#define PVX_IOCTL_EVTCHN_BIND_INTERDOMAIN                                                          \
    _IOC(_IOC_NONE, 'E', 1, sizeof(struct pvx_evtchn_bind_interdomain))
#define PVX_IOCTL_EVTCHN_BIND_UNBOUND_PORT                                                         \
    _IOC(_IOC_NONE, 'E', 2, sizeof(struct pvx_evtchn_bind_unbound_port))
#define PVX_IOCTL_EVTCHN_UNBIND _IOC(_IOC_NONE, 'E', 3, sizeof(struct pvx_evtchn_port))
#define PVX_IOCTL_EVTCHN_NOTIFY _IOC(_IOC_NONE, 'E', 4, sizeof(struct pvx_evtchn_port))
/* Unbind every port of this handle. */
#define PVX_IOCTL_EVTCHN_RESET _IOC(_IOC_NONE, 'E', 5, 0)

/* ---- /dev/xen/gntalloc: share pages of the caller with another domain ----- */

#define PVX_GNTALLOC_FLAG_WRITABLE 1u
struct pvx_gntalloc_alloc_gref {
    uint16_t domid;       /* IN: who may map */
    uint16_t flags;       /* IN: PVX_GNTALLOC_FLAG_* */
    uint32_t count;       /* IN: pages */
    uint64_t index;       /* OUT: mmap offset of the pages */
    uint32_t gref_ids[1]; /* OUT: count grant references */
};
struct pvx_gntalloc_dealloc_gref {
    uint64_t index;
    uint32_t count;
};
#define PVX_IOCTL_GNTALLOC_ALLOC_GREF                                                              \
    _IOC(_IOC_NONE, 'G', 5, sizeof(struct pvx_gntalloc_alloc_gref))
#define PVX_IOCTL_GNTALLOC_DEALLOC_GREF                                                            \
    _IOC(_IOC_NONE, 'G', 6, sizeof(struct pvx_gntalloc_dealloc_gref))

/* ---- /dev/xen/gntdev: map other domains' grants ---------------------------- */

struct pvx_gntdev_grant_ref {
    uint32_t domid;
    uint32_t ref;
};
struct pvx_gntdev_map_grant_ref {
    uint32_t count; /* IN */
    uint32_t pad;
    uint64_t index;                      /* OUT: mmap offset */
    struct pvx_gntdev_grant_ref refs[1]; /* IN: count entries */
};
struct pvx_gntdev_unmap_grant_ref {
    uint64_t index;
    uint32_t count;
    uint32_t pad;
};
#define PVX_IOCTL_GNTDEV_MAP_GRANT_REF                                                             \
    _IOC(_IOC_NONE, 'G', 0, sizeof(struct pvx_gntdev_map_grant_ref))
#define PVX_IOCTL_GNTDEV_UNMAP_GRANT_REF                                                           \
    _IOC(_IOC_NONE, 'G', 1, sizeof(struct pvx_gntdev_unmap_grant_ref))

/* ---- /dev/xen/xenbus_backend: the store's event channel and page ---------- */

/* Returns the event channel of the kernel's own xenbus ring (dom0's store). */
#define PVX_IOCTL_XENBUS_BACKEND_EVTCHN _IOC(_IOC_NONE, 'B', 0, 0)
/* Allocates a store channel for a xenstore domain (argument: its domid). */
#define PVX_IOCTL_XENBUS_BACKEND_SETUP _IOC(_IOC_NONE, 'B', 1, 0)

#endif /* PVX_DOM0_XEN_DEVICES_H */
