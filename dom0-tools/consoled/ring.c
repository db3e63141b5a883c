/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The console ring (include/public/io/console.h), seen from the backend.
 *
 * The guest owns out_prod and in_cons and may write anything to them, or
 * to our own out_cons and in_prod, whenever it likes.  So: our indexes are
 * private copies that are only stored to the page; each guest index is
 * loaded exactly once per operation; the distance between producer and
 * consumer is checked against the array size before a byte moves; and
 * every byte is addressed through the mask, so no value of any index can
 * reach outside the arrays.
 */
#include <errno.h>

#include "consoled.h"

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE  sizeof(((struct xencons_interface *)0)->in)

static XENCONS_RING_IDX load_guest(const XENCONS_RING_IDX *p)
{
    /* Acquire: the bytes the index covers are read (or overwritten) after it. */
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_ours(XENCONS_RING_IDX *p, XENCONS_RING_IDX v)
{
    /* Release: the bytes are copied out (or written) before the guest sees the index. */
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int ring_attach(struct cons_ring *r, struct xencons_interface *intf)
{
    XENCONS_RING_IDX out_prod, in_cons;

    r->intf = intf;
    /* A restarted daemon continues where the last one stopped; a new
     * domain's page is all zeroes. */
    r->out_cons = load_guest(&intf->out_cons);
    r->in_prod = load_guest(&intf->in_prod);
    out_prod = load_guest(&intf->out_prod);
    in_cons = load_guest(&intf->in_cons);
    if ((XENCONS_RING_IDX)(out_prod - r->out_cons) > OUT_SIZE ||
        (XENCONS_RING_IDX)(r->in_prod - in_cons) > IN_SIZE)
        return -EIO;
    return 0;
}

int ring_read_out(struct cons_ring *r, char *dst, size_t max)
{
    struct xencons_interface *intf = r->intf;
    XENCONS_RING_IDX prod = load_guest(&intf->out_prod);
    XENCONS_RING_IDX avail = prod - r->out_cons;
    XENCONS_RING_IDX cons = r->out_cons;
    size_t n;

    if (avail > OUT_SIZE)
        return -EIO;
    n = avail < max ? avail : max;
    for (size_t i = 0; i < n; i++)
        dst[i] = intf->out[MASK_XENCONS_IDX(cons++, intf->out)];
    if (n) {
        r->out_cons = cons;
        store_ours(&intf->out_cons, cons);
    }
    return (int)n;
}

int ring_in_space(const struct cons_ring *r)
{
    XENCONS_RING_IDX used = r->in_prod - load_guest(&r->intf->in_cons);

    return used > IN_SIZE ? -EIO : (int)(IN_SIZE - used);
}

int ring_write_in(struct cons_ring *r, const char *src, size_t n)
{
    struct xencons_interface *intf = r->intf;
    XENCONS_RING_IDX prod = r->in_prod;
    int space = ring_in_space(r);

    if (space < 0)
        return space;
    if (n > (size_t)space)
        n = (size_t)space;
    for (size_t i = 0; i < n; i++)
        intf->in[MASK_XENCONS_IDX(prod++, intf->in)] = src[i];
    if (n) {
        r->in_prod = prod;
        store_ours(&intf->in_prod, prod);
    }
    return (int)n;
}
