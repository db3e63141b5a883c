/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: shared request/response rings for split device drivers.
 *
 * Layout.  A shared ring ("sring") is one or more pages granted by the
 * frontend.  It starts with a 64-byte header:
 *     offset 0   req_prod   requests published by the frontend
 *     offset 4   req_event  frontend->backend notification threshold
 *     offset 8   rsp_prod   responses published by the backend
 *     offset 12  rsp_event  backend->frontend notification threshold
 *     offset 16  pvt        4 bytes for protocol-specific use
 *     offset 20  __pad      zero up to offset 64
 * followed by an array of entries, each a union of one request and one
 * response.  The number of entries is the largest power of two that fits in
 * the space after the header, so that indexes can be masked instead of
 * divided.  Requests and responses share the slots: a response is written
 * into a slot whose request has been consumed.
 *
 * Indexes are free-running 32-bit counters (they wrap; only differences
 * matter).  Each side also keeps a private ring structure (front_ring /
 * back_ring) with its own not-yet-published producer index and its consumer
 * index; these never go into shared memory.
 *
 * Publishing.  A producer fills slots, then advances the shared *_prod
 * index after a write barrier, so the consumer never sees a slot before its
 * contents.
 *
 * Notification hold-off.  Event-channel notifications are costly, so a
 * producer only notifies when the consumer asked for it.  The consumer
 * states "wake me when the producer index passes N" by writing N into
 * *_event; a consumer that is about to go idle sets it to (its consumer
 * index + 1), i.e. the very next item.  After publishing a batch that moved
 * the producer index from `old` to `new`, the producer notifies exactly when
 * the threshold lies in (old, new]:  (new - event) < (new - old) in wrapping
 * unsigned arithmetic.  The consumer, before going idle, must re-check for
 * work after writing *_event (with a full barrier between the two), because
 * the producer may have published in between without seeing the new
 * threshold; RING_FINAL_CHECK_FOR_* do exactly this.
 *
 * Barriers.  The includer may define xen_mb(), xen_rmb() and xen_wmb();
 * otherwise GCC/Clang atomic fences are used.
 */
#ifndef PVX_PUBLIC_IO_RING_H
#define PVX_PUBLIC_IO_RING_H

#include <stddef.h> /* offsetof */
#include "../pvx-defs.h"

#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

typedef unsigned int RING_IDX;

/*
 * Largest power of two <= x, for 0 < x < 2^32, as a constant expression:
 * copy the top set bit into every lower bit, then keep only the top one.
 */
#define PVX_RING_SMEAR1(x)     ((x) | ((x) >> 1))
#define PVX_RING_SMEAR2(x)     (PVX_RING_SMEAR1(x) | (PVX_RING_SMEAR1(x) >> 2))
#define PVX_RING_SMEAR4(x)     (PVX_RING_SMEAR2(x) | (PVX_RING_SMEAR2(x) >> 4))
#define PVX_RING_SMEAR8(x)     (PVX_RING_SMEAR4(x) | (PVX_RING_SMEAR4(x) >> 8))
#define PVX_RING_SMEAR16(x)    (PVX_RING_SMEAR8(x) | (PVX_RING_SMEAR8(x) >> 16))
#define PVX_RING_POW2_FLOOR(x) (PVX_RING_SMEAR16(x) - (PVX_RING_SMEAR16(x) >> 1))

/* Entries of a ring of type <name> occupying <bytes>; a constant expression. */
#define __CONST_RING_SIZE(name, bytes)                                                             \
    PVX_RING_POW2_FLOOR((unsigned long)(((bytes)-offsetof(struct name##_sring, ring)) /            \
                                        sizeof(((struct name##_sring *)0)->ring[0])))

/* The same, computed from a pointer to the shared ring (run time). */
#define __RING_SIZE(sring, bytes)                                                                  \
    PVX_RING_POW2_FLOOR((unsigned long)(((bytes) - ((char *)(sring)->ring - (char *)(sring))) /    \
                                        sizeof((sring)->ring[0])))

/*
 * DEFINE_RING_TYPES(name, request type, response type) declares:
 *   union name_sring_entry, struct name_sring (the shared page layout),
 *   struct name_front_ring, struct name_back_ring (private state),
 *   and the typedefs name_sring_t, name_front_ring_t, name_back_ring_t.
 */
#define DEFINE_RING_TYPES(name, req_type, rsp_type)                                                \
    union name##_sring_entry {                                                                     \
        req_type req;                                                                              \
        rsp_type rsp;                                                                              \
    };                                                                                             \
    struct name##_sring {                                                                          \
        RING_IDX req_prod, req_event;                                                              \
        RING_IDX rsp_prod, rsp_event;                                                              \
        union {                                                                                    \
            struct {                                                                               \
                uint8_t smartpoll_active;                                                          \
            } netif;                                                                               \
            struct {                                                                               \
                uint8_t msg;                                                                       \
            } tapif_user;                                                                          \
            uint8_t pvt_pad[4];                                                                    \
        } pvt;                                                                                     \
        uint8_t __pad[44];                                                                         \
        union name##_sring_entry ring[1]; /* really RING_SIZE entries */                           \
    };                                                                                             \
    struct name##_front_ring {                                                                     \
        RING_IDX req_prod_pvt; /* requests filled but not yet published */                         \
        RING_IDX rsp_cons;     /* responses consumed */                                            \
        unsigned int nr_ents;                                                                      \
        unsigned int _pvx_pad0;                                                                    \
        struct name##_sring *sring;                                                                \
    };                                                                                             \
    struct name##_back_ring {                                                                      \
        RING_IDX rsp_prod_pvt; /* responses filled but not yet published */                        \
        RING_IDX req_cons;     /* requests consumed */                                             \
        unsigned int nr_ents;                                                                      \
        unsigned int _pvx_pad0;                                                                    \
        struct name##_sring *sring;                                                                \
    };                                                                                             \
    typedef struct name##_sring name##_sring_t;                                                    \
    typedef struct name##_front_ring name##_front_ring_t;                                          \
    typedef struct name##_back_ring name##_back_ring_t

/* Frontend: initialise a freshly allocated shared ring before granting it. */
#define SHARED_RING_INIT(s)                                                                        \
    do {                                                                                           \
        unsigned int pvx_i_;                                                                       \
        (s)->req_prod = 0;                                                                         \
        (s)->rsp_prod = 0;                                                                         \
        (s)->req_event = 1;                                                                        \
        (s)->rsp_event = 1;                                                                        \
        for (pvx_i_ = 0; pvx_i_ < sizeof((s)->pvt.pvt_pad); pvx_i_++)                              \
            (s)->pvt.pvt_pad[pvx_i_] = 0;                                                          \
        for (pvx_i_ = 0; pvx_i_ < sizeof((s)->__pad); pvx_i_++)                                    \
            (s)->__pad[pvx_i_] = 0;                                                                \
    } while (0)

/* Set up private ring state (r) for a shared ring (s) of `size` bytes. */
#define FRONT_RING_ATTACH(r, s, start, size)                                                       \
    do {                                                                                           \
        (r)->req_prod_pvt = (start);                                                               \
        (r)->rsp_cons = (start);                                                                   \
        (r)->nr_ents = __RING_SIZE(s, size);                                                       \
        (r)->sring = (s);                                                                          \
    } while (0)
#define FRONT_RING_INIT(r, s, size) FRONT_RING_ATTACH(r, s, 0, size)
#define XEN_FRONT_RING_INIT(r, s, size)                                                            \
    do {                                                                                           \
        SHARED_RING_INIT(s);                                                                       \
        FRONT_RING_INIT(r, s, size);                                                               \
    } while (0)

#define BACK_RING_ATTACH(r, s, start, size)                                                        \
    do {                                                                                           \
        (r)->rsp_prod_pvt = (start);                                                               \
        (r)->req_cons = (start);                                                                   \
        (r)->nr_ents = __RING_SIZE(s, size);                                                       \
        (r)->sring = (s);                                                                          \
    } while (0)
#define BACK_RING_INIT(r, s, size) BACK_RING_ATTACH(r, s, 0, size)

/* Number of slots. */
#define RING_SIZE(r) ((r)->nr_ents)

/* Frontend: slots it may still fill with requests. */
#define RING_FREE_REQUESTS(r) (RING_SIZE(r) - ((r)->req_prod_pvt - (r)->rsp_cons))
#define RING_FULL(r)          (RING_FREE_REQUESTS(r) == 0)

/* Frontend: responses published but not yet consumed. */
#define XEN_RING_NR_UNCONSUMED_RESPONSES(r) ((r)->sring->rsp_prod - (r)->rsp_cons)

/*
 * Backend: requests it may consume now -- those published, but never more
 * than the slots not still holding unpublished responses (a frontend
 * cannot legitimately exceed that, a buggy one must not make us overrun).
 */
#define PVX_RING_REQ_AVAIL_(r) ((r)->sring->req_prod - (r)->req_cons)
#define PVX_RING_REQ_ROOM_(r)  (RING_SIZE(r) - ((r)->req_cons - (r)->rsp_prod_pvt))
#define XEN_RING_NR_UNCONSUMED_REQUESTS(r)                                                         \
    (PVX_RING_REQ_AVAIL_(r) < PVX_RING_REQ_ROOM_(r) ? PVX_RING_REQ_AVAIL_(r)                       \
                                                    : PVX_RING_REQ_ROOM_(r))

#ifdef XEN_RING_HAS_UNCONSUMED_IS_BOOL
#define RING_HAS_UNCONSUMED_RESPONSES(r) (!!XEN_RING_NR_UNCONSUMED_RESPONSES(r))
#define RING_HAS_UNCONSUMED_REQUESTS(r)  (!!XEN_RING_NR_UNCONSUMED_REQUESTS(r))
#else
#define RING_HAS_UNCONSUMED_RESPONSES(r) XEN_RING_NR_UNCONSUMED_RESPONSES(r)
#define RING_HAS_UNCONSUMED_REQUESTS(r)  XEN_RING_NR_UNCONSUMED_REQUESTS(r)
#endif

/* Pointer to the request / response in the slot for index idx. */
#define RING_GET_REQUEST(r, idx)  (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req))
#define RING_GET_RESPONSE(r, idx) (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp))

/*
 * Copy an entry out of shared memory in one go, so that a malicious peer
 * cannot change it between the checks and the use of its fields.
 */
#define PVX_RING_COPY_(get, r, idx, dest)                                                          \
    do {                                                                                           \
        *(dest) = *(volatile __typeof__(dest))get(r, idx);                                         \
    } while (0)
#define RING_COPY_REQUEST(r, idx, req)  PVX_RING_COPY_(RING_GET_REQUEST, r, idx, req)
#define RING_COPY_RESPONSE(r, idx, rsp) PVX_RING_COPY_(RING_GET_RESPONSE, r, idx, rsp)

/* Sanity checks against a misbehaving peer. */
#define RING_REQUEST_CONS_OVERFLOW(r, cons)  (((cons) - (r)->rsp_prod_pvt) >= RING_SIZE(r))
#define RING_REQUEST_PROD_OVERFLOW(r, prod)  (((prod) - (r)->rsp_prod_pvt) > RING_SIZE(r))
#define RING_RESPONSE_PROD_OVERFLOW(r, prod) (((prod) - (r)->rsp_cons) > RING_SIZE(r))

/* Publish without deciding about notification. */
#define RING_PUSH_REQUESTS(r)                                                                      \
    do {                                                                                           \
        xen_wmb();                                                                                 \
        (r)->sring->req_prod = (r)->req_prod_pvt;                                                  \
    } while (0)
#define RING_PUSH_RESPONSES(r)                                                                     \
    do {                                                                                           \
        xen_wmb();                                                                                 \
        (r)->sring->rsp_prod = (r)->rsp_prod_pvt;                                                  \
    } while (0)

/*
 * Publish and set `notify` to whether the peer asked to be woken for any of
 * the newly published entries (the hold-off rule above).
 */
#define PVX_RING_PUSH_NOTIFY_(r, prod, pvt, event, notify)                                         \
    do {                                                                                           \
        RING_IDX pvx_old_ = (r)->sring->prod;                                                      \
        RING_IDX pvx_new_ = (r)->pvt;                                                              \
        xen_wmb();                                                                                 \
        (r)->sring->prod = pvx_new_;                                                               \
        xen_mb();                                                                                  \
        (notify) = ((RING_IDX)(pvx_new_ - (r)->sring->event) < (RING_IDX)(pvx_new_ - pvx_old_));   \
    } while (0)
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify)                                             \
    PVX_RING_PUSH_NOTIFY_(r, req_prod, req_prod_pvt, req_event, notify)
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify)                                            \
    PVX_RING_PUSH_NOTIFY_(r, rsp_prod, rsp_prod_pvt, rsp_event, notify)

/*
 * Before going idle: if nothing is left, ask to be notified for the next
 * entry, then look once more (work may have arrived before the request was
 * visible).  Sets `more` to the amount of work found.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, more)                                                     \
    do {                                                                                           \
        (more) = RING_HAS_UNCONSUMED_REQUESTS(r);                                                  \
        if (!(more)) {                                                                             \
            (r)->sring->req_event = (r)->req_cons + 1;                                             \
            xen_mb();                                                                              \
            (more) = RING_HAS_UNCONSUMED_REQUESTS(r);                                              \
        }                                                                                          \
    } while (0)
#define RING_FINAL_CHECK_FOR_RESPONSES(r, more)                                                    \
    do {                                                                                           \
        (more) = RING_HAS_UNCONSUMED_RESPONSES(r);                                                 \
        if (!(more)) {                                                                             \
            (r)->sring->rsp_event = (r)->rsp_cons + 1;                                             \
            xen_mb();                                                                              \
            (more) = RING_HAS_UNCONSUMED_RESPONSES(r);                                             \
        }                                                                                          \
    } while (0)

/* Page size assumed by ring-size helpers; the includer may override it. */
#ifndef XEN_PAGE_SHIFT
#define XEN_PAGE_SHIFT 12
#endif

/* Bytes of each data ring of a "flex" ring interface of 2^order pages. */
#define XEN_FLEX_RING_SIZE(order) (1UL << ((order) + XEN_PAGE_SHIFT - 1))

#endif /* PVX_PUBLIC_IO_RING_H */
