/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fakes for the event channel unit tests: domains with real shared_info
 * pages and vCPUs, the domain list behind domain_lookup(), the current
 * vCPU, vcpu_kick() recording each kick, a guest buffer behind
 * copy_from_guest()/copy_to_guest(), and an xmalloc that can be told to
 * fail.
 */
#ifndef PVX_UNIT_EVENT_HARNESS_H
#define PVX_UNIT_EVENT_HARNESS_H

#include <pvx/domain.h>

/* Guest addresses [EH_GUEST_BASE, EH_GUEST_BASE + EH_GUEST_SIZE) are backed. */
#define EH_GUEST_BASE 0x10000000ULL
#define EH_GUEST_SIZE 4096

extern unsigned char eh_guest_mem[EH_GUEST_SIZE];
extern bool eh_guest_readonly; /* copy_to_guest fails with -EFAULT */
extern bool eh_fail_alloc;     /* the next allocations fail */
extern long eh_live_allocs;    /* xmalloc'd objects not yet xfree'd */

struct domain *eh_domain_create(domid_t id, unsigned int nr_vcpus, bool privileged);
/* Mark d dying (domain_lookup() stops finding it), as the destroy path does. */
void eh_domain_set_dying(struct domain *d);
void eh_domain_free(struct domain *d);
void eh_reset_all(void);

void eh_set_current(struct vcpu *v);
unsigned int eh_kicks(const struct vcpu *v);
unsigned int eh_wakes(const struct vcpu *v); /* vcpu_wake() calls */
void eh_clear_kicks(void);

/* Run EVTCHNOP cmd as the current vCPU with *arg (size bytes) placed in the
 * guest buffer; the guest's copy is copied back into *arg afterwards. */
long eh_op(unsigned int cmd, void *arg, size_t size);

/* Machine frames 0..EH_NR_FRAMES-1, backed by harness_phys: owned by the
 * domain they are given to, counting the references pvx holds. */
#define EH_NR_FRAMES 24
void eh_frame_give(mfn_t mfn, struct domain *d);
void *eh_frame(mfn_t mfn);
unsigned int eh_frame_refs(mfn_t mfn);

/* The fake legacy interrupt controller behind asm/irq.h: lines 0, 2 and 4
 * are the hypervisor's; eh_irq_masked has a bit per masked line. */
extern uint16_t eh_irq_masked;

#endif
