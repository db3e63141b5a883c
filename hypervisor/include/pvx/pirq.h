/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical IRQs for the hardware domain (pirq.c).  dom0 owns the legacy
 * lines pvx does not drive; a PIRQ number equals its GSI, as Xen gives dom0
 * for legacy IRQs.  Binding a PIRQ to an event channel unmasks the line;
 * each interrupt masks it again and marks the port pending until dom0's
 * PHYSDEVOP_eoi.
 *
 *   pirq_map()      PHYSDEVOP_map_pirq / unmap_pirq for GSIs
 *   pirq_bind()     EVTCHNOP_bind_pirq, and pirq_unbind() when the port closes
 *   pirq_raise()    an interrupt arrived (arch code)
 *   pirq_eoi()      PHYSDEVOP_eoi;  pirq_status(): irq_status_query
 */
#ifndef PVX_PIRQ_H
#define PVX_PIRQ_H

#include <pvx/types.h>
#include <public/xen.h>

struct domain;
struct physdev_map_pirq;

long pirq_map(struct domain *caller, struct physdev_map_pirq *m);
long pirq_unmap(struct domain *caller, domid_t domid, int pirq);
/* May d have this GSI (PHYSDEVOP_setup_gsi, alloc_irq_vector)? 0, -EPERM or -EINVAL. */
long pirq_may_have(struct domain *d, int gsi);
/* 0, -EINVAL (not a PIRQ d may have), -EEXIST (already bound). */
int pirq_bind(struct domain *d, uint32_t pirq, uint32_t port);
void pirq_unbind(struct domain *d, uint32_t pirq);
void pirq_raise(unsigned int irq);
long pirq_eoi(struct domain *d, uint32_t pirq);
long pirq_status(struct domain *d, uint32_t pirq, uint32_t *flags);
/* Interrupts delivered on a PIRQ so far (for logs and tests). */
uint64_t pirq_count(uint32_t pirq);

#endif
