/* SPDX-License-Identifier: GPL-2.0-only */
/* The pretend hypervisor of fake_hv.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake_hv.h"

struct fake_hv {
    struct cons_hv ops; /* first */
    struct fake_world *w;
    char err[128];
};

static struct fake_hv *of(struct cons_hv *hv)
{
    return (struct fake_hv *)hv;
}

static int failed(struct cons_hv *hv, int rc, const char *what)
{
    snprintf(of(hv)->err, sizeof(of(hv)->err), "fake: %s", what);
    return rc;
}

static struct fake_dom *slot_of_domid(struct cons_hv *hv, domid_t domid, int *slot)
{
    for (int i = 0; i < FAKE_DOMS; i++) {
        struct fake_dom *d = &of(hv)->w->sh->dom[i];

        if (__atomic_load_n(&d->domid, __ATOMIC_ACQUIRE) == domid) {
            if (slot)
                *slot = i;
            return d;
        }
    }
    return NULL;
}

static struct fake_dom *slot_of_port(struct cons_hv *hv, uint32_t port)
{
    for (int i = 0; i < FAKE_DOMS; i++)
        if (of(hv)->w->sh->dom[i].bound == (int)port)
            return &of(hv)->w->sh->dom[i];
    return NULL;
}

static int fake_list(struct cons_hv *hv, domid_t first, struct cons_dominfo *out, unsigned int max)
{
    unsigned int n = 0;

    /* In id order: the lowest remaining id each round (few slots). */
    for (unsigned int next = first; n < max;) {
        int best = -1;

        for (int i = 0; i < FAKE_DOMS; i++) {
            int id = __atomic_load_n(&of(hv)->w->sh->dom[i].domid, __ATOMIC_ACQUIRE);

            if (id && (unsigned int)id >= next && (best < 0 || id < best))
                best = id;
        }
        if (best < 0)
            break;
        out[n].domid = (domid_t)best;
        out[n++].dying =
            __atomic_load_n(&slot_of_domid(hv, (domid_t)best, NULL)->dying, __ATOMIC_ACQUIRE);
        next = (unsigned int)best + 1;
    }
    return (int)n;
}

static int fake_map_ring(struct cons_hv *hv, domid_t domid, uint64_t frame, void **page)
{
    int slot;
    struct fake_dom *d = slot_of_domid(hv, domid, &slot);

    if (!d)
        return failed(hv, -ESRCH, "no such domain");
    if (d->frame != frame)
        return failed(hv, -EINVAL, "that frame is not the domain's");
    d->maps++;
    *page = &of(hv)->w->ring[slot];
    return 0;
}

static void fake_unmap_ring(struct cons_hv *hv, void *page)
{
    int slot = (int)((struct xencons_interface *)page - of(hv)->w->ring);

    of(hv)->w->sh->dom[slot].unmaps++;
}

static int fake_evtchn_fd(struct cons_hv *hv)
{
    return of(hv)->w->ev[0];
}

static int fake_bind(struct cons_hv *hv, domid_t domid, uint32_t remote_port)
{
    int slot;
    struct fake_dom *d = slot_of_domid(hv, domid, &slot);

    if (!d || d->remote_port != remote_port || d->bound)
        return failed(hv, -EINVAL, "not an unbound port of that domain");
    d->bound = FAKE_PORT(slot);
    d->masked = d->pending = 0;
    d->binds++;
    return d->bound;
}

static int fake_bind_virq(struct cons_hv *hv, unsigned int virq)
{
    (void)hv;
    return virq == VIRQ_CON_RING ? FAKE_VIRQ_PORT : -EINVAL;
}

static int fake_unbind(struct cons_hv *hv, uint32_t port)
{
    struct fake_dom *d = slot_of_port(hv, port);

    if (port == FAKE_VIRQ_PORT)
        return 0;
    if (!d)
        return failed(hv, -EINVAL, "unbind of a port not bound");
    d->bound = 0;
    d->unbinds++;
    return 0;
}

static int fake_notify(struct cons_hv *hv, uint32_t port)
{
    struct fake_dom *d = slot_of_port(hv, port);

    if (!d)
        return failed(hv, -EINVAL, "notify on a port not bound");
    __atomic_add_fetch(&d->notifies, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Set slot's pending bit; only a clear-to-set change queues the port. */
static void inject(struct fake_world *w, int slot)
{
    uint32_t p = FAKE_PORT(slot);

    if (__atomic_exchange_n(&w->sh->dom[slot].raised, 1, __ATOMIC_ACQ_REL))
        return;
    if (write(w->ev[1], &p, sizeof(p)) != sizeof(p))
        __atomic_store_n(&w->sh->dom[slot].raised, 0, __ATOMIC_RELEASE);
}

static int fake_pending(struct cons_hv *hv, uint32_t *port)
{
    for (;;) {
        uint32_t p;
        struct fake_dom *d;
        ssize_t n = read(of(hv)->w->ev[0], &p, sizeof(p));

        if (n < 0)
            return -errno;
        if (n != sizeof(p))
            return -EIO;
        d = slot_of_port(hv, p);
        if (p >= FAKE_PORT(0) && p < FAKE_PORT(FAKE_DOMS))
            __atomic_store_n(&of(hv)->w->sh->dom[p - FAKE_PORT(0)].raised, 0, __ATOMIC_RELEASE);
        if (d && d->masked) {
            d->pending = 1; /* delivered once, on unmask */
            continue;
        }
        if (d) {
            d->masked = 1;
            __atomic_add_fetch(&d->deliveries, 1, __ATOMIC_RELEASE);
        }
        *port = p;
        return 0;
    }
}

static int fake_unmask(struct cons_hv *hv, uint32_t port)
{
    struct fake_dom *d = slot_of_port(hv, port);

    if (!d)
        return port == FAKE_VIRQ_PORT ? 0 : -EINVAL;
    d->masked = 0;
    if (d->pending) {
        d->pending = 0;
        inject(of(hv)->w, (int)(port - FAKE_PORT(0)));
    }
    return 0;
}

static int fake_readconsole(struct cons_hv *hv, char *buf, uint32_t len, uint32_t *index)
{
    struct fake_shared *sh = of(hv)->w->sh;
    uint32_t end = __atomic_load_n(&sh->hvlog_len, __ATOMIC_ACQUIRE), n;

    if (*index >= end)
        return 0;
    n = end - *index < len ? end - *index : len;
    memcpy(buf, sh->hvlog + *index, n);
    *index += n;
    return (int)n;
}

static const char *fake_error(struct cons_hv *hv)
{
    return of(hv)->err;
}

static void fake_close(struct cons_hv *hv)
{
    free(of(hv));
}

struct cons_hv *fake_hv_new(struct fake_world *w)
{
    struct fake_hv *h = calloc(1, sizeof(*h));

    if (!h)
        return NULL;
    h->w = w;
    h->ops = (struct cons_hv){
        .list = fake_list,
        .map_ring = fake_map_ring,
        .unmap_ring = fake_unmap_ring,
        .evtchn_fd = fake_evtchn_fd,
        .bind = fake_bind,
        .bind_virq = fake_bind_virq,
        .unbind = fake_unbind,
        .notify = fake_notify,
        .pending = fake_pending,
        .unmask = fake_unmask,
        .readconsole = fake_readconsole,
        .error = fake_error,
        .close = fake_close,
    };
    return &h->ops;
}

int fake_world_create(struct fake_world *w)
{
    size_t ring_bytes = FAKE_DOMS * 4096;

    w->sh = mmap(NULL, sizeof(*w->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    w->ring = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (w->sh == MAP_FAILED || w->ring == MAP_FAILED)
        return -errno;
    /* Non-blocking both ways: the daemon polls, a flooding test must not stall. */
    return pipe2(w->ev, O_NONBLOCK | O_CLOEXEC) ? -errno : 0;
}

void fake_world_destroy(struct fake_world *w)
{
    munmap(w->sh, sizeof(*w->sh));
    munmap(w->ring, FAKE_DOMS * 4096);
    close(w->ev[0]);
    close(w->ev[1]);
}

void fake_raise(struct fake_world *w, int slot)
{
    inject(w, slot);
}
