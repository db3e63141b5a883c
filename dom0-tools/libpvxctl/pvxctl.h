/* SPDX-License-Identifier: MIT */
/*
 * libpvxctl: the control library every dom0 tool uses (xl, the console and
 * lifecycle daemons, xenstored's guest rings, the domain builder).  It
 * reaches pvx through Linux's /dev/xen devices:
 *
 *   /dev/xen/privcmd   hypercalls (domctl, sysctl, memory_op, mmuext_op,
 *                      event channels) and foreign mappings (MMAPBATCH_V2)
 *   /dev/xen/evtchn    event channels bound to this process
 *   /dev/xen/gntdev    other domains' grants mapped into this process
 *
 * Errors: every call returns 0 (or a count) on success and a negative
 * errno on failure, and leaves a sentence naming the domain, the operation
 * and the reason in pvxctl_error(): "domain 5: populate_physmap: Cannot
 * allocate memory".  Hypercall arguments travel through a locked,
 * never-forked bounce buffer, so they never fault in the hypervisor.
 *
 * Not thread-safe: one handle per thread.
 */
#ifndef PVXCTL_H
#define PVXCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/xen.h>
#include <public/event_channel.h>
#include <public/domctl.h>
#include <public/sysctl.h>

struct pvxctl;

/* ---- handle and errors (ctl.c) ------------------------------------------- */

/* Open /dev/xen/privcmd.  On failure *out is NULL and the message (which says
 * what to do) is in pvxctl_open_error(). */
int pvxctl_open(struct pvxctl **out);
const char *pvxctl_open_error(void);
void pvxctl_close(struct pvxctl *x);

/* The last failure's sentence ("" if none). */
const char *pvxctl_error(const struct pvxctl *x);

/* Record a failure of op on domain domid (DOMID_INVALID: none); returns rc. */
int pvxctl_fail(struct pvxctl *x, domid_t domid, const char *op, int rc);
int pvxctl_failf(struct pvxctl *x, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A raw hypercall; arguments that are pointers must point into pvxctl_buf(). */
long pvxctl_hypercall(struct pvxctl *x, unsigned int op, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5);

/* The bounce buffer, grown to at least size bytes (NULL: out of memory). */
void *pvxctl_buf(struct pvxctl *x, size_t size);

/* ---- domains: domctl (domain.c) ------------------------------------------ */

struct pvxctl_create {
    uint32_t max_vcpus;
    uint32_t flags; /* PVX_DOMCTL_CDF_* */
    uint64_t max_pages;
    uint32_t max_grant_frames, max_evtchn_port; /* 0: the hypervisor's defaults */
    uint32_t max_maptrack_frames;               /* frames of 256 mappings; 0: none, as on Xen */
    uint8_t uuid[16];
    const char *name;
};

typedef struct pvx_domctl_getdomaininfo pvxctl_dominfo_t;

/* Create an empty, paused domain; *domid IN: wanted id or DOMID_INVALID. */
int pvxctl_domain_create(struct pvxctl *x, const struct pvxctl_create *c, domid_t *domid);
int pvxctl_domain_destroy(struct pvxctl *x, domid_t domid);
int pvxctl_domain_pause(struct pvxctl *x, domid_t domid);
int pvxctl_domain_unpause(struct pvxctl *x, domid_t domid);
/* Exactly domain domid: -ESRCH if it does not exist. */
int pvxctl_domain_info(struct pvxctl *x, domid_t domid, pvxctl_dominfo_t *info);
/* Up to max domains with ids >= first, in id order; returns how many. */
int pvxctl_domain_list(struct pvxctl *x, domid_t first, pvxctl_dominfo_t *infos, unsigned int max);
int pvxctl_domain_max_mem(struct pvxctl *x, domid_t domid, uint64_t max_pages);
int pvxctl_domain_max_vcpus(struct pvxctl *x, domid_t domid, uint32_t max);
int pvxctl_vcpu_setcontext(struct pvxctl *x, domid_t domid, uint32_t vcpu,
                           const struct vcpu_guest_context *ctx);
int pvxctl_vcpu_getcontext(struct pvxctl *x, domid_t domid, uint32_t vcpu,
                           struct vcpu_guest_context *ctx);
int pvxctl_hypercall_init(struct pvxctl *x, domid_t domid, uint64_t gmfn);
int pvxctl_sched_get(struct pvxctl *x, domid_t domid, uint16_t *weight, uint16_t *cap);
int pvxctl_sched_set(struct pvxctl *x, domid_t domid, uint16_t weight, uint16_t cap);
/* Run a domain that shut down with SHUTDOWN_suspend again in place (a
 * cancelled save); -EINVAL if it is not suspended. */
int pvxctl_domain_resume(struct pvxctl *x, domid_t domid);
/* Page types of n machine frames of domid, in place: each entry becomes
 * (PVX_DOMCTL_PFINFO_* << PVX_DOMCTL_PFINFO_SHIFT) | frame. */
#define PVXCTL_FRAME_TYPES_BATCH 1024
int pvxctl_frame_types(struct pvxctl *x, domid_t domid, xen_pfn_t *frames, uint64_t n);
/* Log-dirty mode (PVX_DOMCTL_logdirty): op is PVX_LOGDIRTY_*; for CLEAN
 * and FINAL, bitmap receives nr_pfns bits (pfn n: bit n % 8 of byte n / 8)
 * and *dirty how many are set. */
int pvxctl_logdirty(struct pvxctl *x, domid_t domid, uint32_t op, uint64_t nr_pfns, uint8_t *bitmap,
                    uint64_t *dirty);
/* Where vCPU vcpu runs (CPU, running, blocked, online, time). */
int pvxctl_vcpu_info(struct pvxctl *x, domid_t domid, uint32_t vcpu,
                     struct pvx_domctl_getvcpuinfo *info);
/* Its hard and soft affinity, bit n for CPU n; NULL: that set is left
 * alone.  set: the effective sets come back. */
int pvxctl_vcpu_getaffinity(struct pvxctl *x, domid_t domid, uint32_t vcpu, uint64_t *hard,
                            uint64_t *soft);
int pvxctl_vcpu_setaffinity(struct pvxctl *x, domid_t domid, uint32_t vcpu, uint64_t *hard,
                            uint64_t *soft);
/* Ask the domain to shut down with reason SHUTDOWN_* (as if it had asked). */
int pvxctl_domain_shutdown(struct pvxctl *x, domid_t domid, unsigned int reason);

/* ---- the host: sysctl (host.c) -------------------------------------------- */

int pvxctl_physinfo(struct pvxctl *x, struct pvx_sysctl_physinfo *info);
/* Read the hypervisor's log from *index (incremental) or from the oldest
 * byte; returns bytes read into buf, advances *index; clear empties it. */
int pvxctl_readconsole(struct pvxctl *x, char *buf, uint32_t len, uint32_t *index, bool incremental,
                       bool clear);
/* xen_version: major << 16 | minor, and the extra string ("-pvx"...). */
int pvxctl_version(struct pvxctl *x, unsigned int *major, unsigned int *minor, char *extra,
                   size_t len);

/* ---- memory (memory.c) ------------------------------------------------------ */

/* Give domid n new frames for pseudo-physical frames pfns[i]; mfns[i]
 * receives each frame.  Returns n, or a negative errno (nothing kept). */
int pvxctl_populate_physmap(struct pvxctl *x, domid_t domid, const xen_pfn_t *pfns, xen_pfn_t *mfns,
                            uint64_t n);
/* Take back n frames (machine frame numbers) from domid. */
int pvxctl_decrease_reservation(struct pvxctl *x, domid_t domid, const xen_pfn_t *mfns, uint64_t n);
/* Pages domid has now (current) and may have (maximum). */
int pvxctl_reservation(struct pvxctl *x, domid_t domid, uint64_t *current, uint64_t *maximum);
/* One entry of a memory map, as XENMEM_memory_map returns it (E820 layout). */
struct pvxctl_e820 {
    uint64_t addr, size;
    uint32_t type; /* 1: RAM */
} __attribute__((packed));
#define PVXCTL_E820_RAM 1

/* The pseudo-physical memory map domid's XENMEM_memory_map returns. */
int pvxctl_set_memory_map(struct pvxctl *x, domid_t domid, const struct pvxctl_e820 *map,
                          unsigned int nr);
/* Pin frame mfn of domid as a page table of the given level (1-4). */
int pvxctl_pin_table(struct pvxctl *x, domid_t domid, unsigned int level, xen_pfn_t mfn);
/* Record pfn as the M2P entry of domid's frame mfn. */
int pvxctl_set_m2p(struct pvxctl *x, domid_t domid, xen_pfn_t mfn, xen_pfn_t pfn);

/* Map n frames of domid contiguously here (prot: PROT_READ[|PROT_WRITE]).
 * With errs, frames that fail get their error there and the rest is mapped;
 * without, any failure unmaps everything.  NULL on failure. */
void *pvxctl_map_foreign(struct pvxctl *x, domid_t domid, int prot, const xen_pfn_t *mfns,
                         uint64_t n, int *errs);
void pvxctl_unmap(void *addr, uint64_t n);

/* ---- event channels (evtchn.c) ------------------------------------------ */

/* A port of domid that remote may bind to. */
int pvxctl_evtchn_alloc_unbound(struct pvxctl *x, domid_t domid, domid_t remote,
                                evtchn_port_t *port);

/* /dev/xen/evtchn: ports bound to this process. */
struct pvxctl_evtchn;
int pvxctl_evtchn_open(struct pvxctl_evtchn **out, char *err, size_t errlen);
void pvxctl_evtchn_close(struct pvxctl_evtchn *e);
int pvxctl_evtchn_fd(const struct pvxctl_evtchn *e);
/* Each returns the new local port, or a negative errno. */
int pvxctl_evtchn_bind_interdomain(struct pvxctl_evtchn *e, domid_t remote, evtchn_port_t port);
int pvxctl_evtchn_bind_virq(struct pvxctl_evtchn *e, unsigned int virq);
int pvxctl_evtchn_unbind(struct pvxctl_evtchn *e, evtchn_port_t port);
int pvxctl_evtchn_notify(struct pvxctl_evtchn *e, evtchn_port_t port);
/* Take one pending port (masked until unmasked): -EAGAIN if none. */
int pvxctl_evtchn_pending(struct pvxctl_evtchn *e, evtchn_port_t *port);
int pvxctl_evtchn_unmask(struct pvxctl_evtchn *e, evtchn_port_t port);

/* ---- grants of other domains (gnttab.c) ------------------------------------ */

struct pvxctl_gnttab;
int pvxctl_gnttab_open(struct pvxctl_gnttab **out, char *err, size_t errlen);
/* Unmaps whatever is still mapped. */
void pvxctl_gnttab_close(struct pvxctl_gnttab *g);
/* Map count grant references of domid contiguously here (prot:
 * PROT_READ[|PROT_WRITE]); NULL with *err a negative errno. */
void *pvxctl_gnttab_map(struct pvxctl_gnttab *g, domid_t domid, const uint32_t *refs,
                        uint32_t count, int prot, int *err);
/* Undo a pvxctl_gnttab_map; -ENOENT if addr is not one. */
int pvxctl_gnttab_unmap(struct pvxctl_gnttab *g, void *addr);

#endif /* PVXCTL_H */
