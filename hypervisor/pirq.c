/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical IRQs of the hardware domain (see pvx/pirq.h).  Only the
 * privileged domain may have them, only for lines pvx does not drive, and
 * only with PIRQ = GSI.  A line is unmasked while a port is bound to it and
 * no interrupt is in flight; each interrupt masks it until dom0's EOI.
 */
#include <asm/irq.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/lib.h>
#include <pvx/pirq.h>
#include <public/physdev.h>

struct pirq {
    struct domain *d; /* the domain bound to it, NULL if none */
    uint32_t port;
    bool mapped;    /* PHYSDEVOP_map_pirq done (legacy lines need not be) */
    bool in_flight; /* fired, masked, waiting for PHYSDEVOP_eoi */
    uint64_t count;
};

static struct pirq pirqs[NR_LEGACY_IRQS];

/* The PIRQ d may use, or NULL. */
static struct pirq *pirq_of(const struct domain *d, uint64_t pirq)
{
    if (!d->is_privileged || pirq >= NR_LEGACY_IRQS || !arch_irq_guest_usable((unsigned int)pirq))
        return NULL;
    return &pirqs[pirq];
}

long pirq_map(struct domain *caller, struct physdev_map_pirq *m)
{
    struct pirq *p;

    if (m->domid != DOMID_SELF && m->domid != caller->domain_id)
        return -EPERM; /* no PIRQs for other domains (no device passthrough) */
    if (m->type != MAP_PIRQ_TYPE_GSI)
        return -EOPNOTSUPP; /* MSIs: Linux falls back to the INTx line */
    if (m->index < 0 || (m->pirq != -1 && m->pirq != m->index))
        return -EINVAL;
    p = pirq_of(caller, (uint64_t)m->index);
    if (!p)
        return caller->is_privileged ? -EINVAL : -EPERM;
    p->mapped = true;
    m->pirq = m->index;
    return 0;
}

long pirq_unmap(struct domain *caller, domid_t domid, int pirq)
{
    struct pirq *p;

    if (domid != DOMID_SELF && domid != caller->domain_id)
        return -EPERM;
    p = pirq < 0 ? NULL : pirq_of(caller, (uint64_t)pirq);
    if (!p)
        return -EINVAL;
    if (p->d)
        return -EBUSY; /* close the event channel first */
    p->mapped = false;
    return 0;
}

long pirq_may_have(struct domain *d, int gsi)
{
    if (!d->is_privileged)
        return -EPERM;
    return gsi >= 0 && pirq_of(d, (uint64_t)gsi) ? 0 : -EINVAL;
}

int pirq_bind(struct domain *d, uint32_t pirq, uint32_t port)
{
    struct pirq *p = pirq_of(d, pirq);

    if (!p)
        return -EINVAL;
    if (p->d)
        return -EEXIST;
    p->d = d;
    p->port = port;
    p->in_flight = false;
    arch_irq_unmask(pirq);
    return 0;
}

void pirq_unbind(struct domain *d, uint32_t pirq)
{
    struct pirq *p = pirq_of(d, pirq);

    ASSERT(p && p->d == d);
    arch_irq_mask(pirq);
    p->d = NULL;
    p->in_flight = false;
}

void pirq_raise(unsigned int irq)
{
    struct pirq *p = &pirqs[irq];

    p->count++;
    if (!p->d)
        return; /* nobody bound it: it stays masked */
    p->in_flight = true;
    evtchn_port_set_pending(p->d, p->port);
}

long pirq_eoi(struct domain *d, uint32_t pirq)
{
    struct pirq *p = pirq_of(d, pirq);

    if (!p || p->d != d)
        return -EINVAL;
    if (p->in_flight) {
        p->in_flight = false;
        arch_irq_unmask(pirq);
    }
    return 0;
}

long pirq_status(struct domain *d, uint32_t pirq, uint32_t *flags)
{
    if (!pirq_of(d, pirq))
        return -EINVAL;
    /* Every line is masked when it fires, so each needs an EOI. */
    *flags = XENIRQSTAT_needs_eoi;
    return 0;
}

uint64_t pirq_count(uint32_t pirq)
{
    return pirq < NR_LEGACY_IRQS ? pirqs[pirq].count : 0;
}
