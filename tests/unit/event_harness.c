/* SPDX-License-Identifier: GPL-2.0-only */
/* Fakes of domain.c, sched.c, guest_access, xmalloc and guest frame
 * references for the event channel tests. */
#include "harness.h"
#include "event_harness.h"
#include <asm/irq.h>

#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/arch.h>
#include <pvx/mm.h>
#include <asm/pv/mm.h>

#define EH_MAX_DOMAINS 16

unsigned char eh_guest_mem[EH_GUEST_SIZE];
bool eh_guest_readonly;
bool eh_fail_alloc;

static struct domain *domains[EH_MAX_DOMAINS];
static struct page_info frames[EH_NR_FRAMES];
struct page_info *frame_table = frames;
uint64_t max_page = EH_NR_FRAMES;
static struct vcpu *cur;
static unsigned int kicks[EH_MAX_DOMAINS][MAX_VCPUS_PER_DOMAIN];
static unsigned int wakes[EH_MAX_DOMAINS][MAX_VCPUS_PER_DOMAIN];

/* ---- xmalloc ---- */

long eh_live_allocs;

static void *counted(void *p)
{
    if (p)
        eh_live_allocs++;
    return p;
}

void *xzalloc_array_bytes(size_t size, size_t n)
{
    return eh_fail_alloc ? NULL : counted(calloc(n, size));
}

void *xzalloc_bytes(size_t size)
{
    return eh_fail_alloc ? NULL : counted(calloc(1, size));
}

void *xmalloc_bytes(size_t size)
{
    return eh_fail_alloc ? NULL : counted(malloc(size));
}

void xfree(void *p)
{
    if (p)
        eh_live_allocs--;
    free(p);
}

/* ---- guest access ---- */

bool guest_range_ok(uint64_t va, size_t len)
{
    return va >= EH_GUEST_BASE && len <= EH_GUEST_SIZE && va - EH_GUEST_BASE <= EH_GUEST_SIZE - len;
}

int copy_from_guest(void *dst, uint64_t guest_va, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    memcpy(dst, eh_guest_mem + (guest_va - EH_GUEST_BASE), len);
    return 0;
}

int copy_to_guest(uint64_t guest_va, const void *src, size_t len)
{
    if (eh_guest_readonly || !guest_range_ok(guest_va, len))
        return -EFAULT;
    memcpy(eh_guest_mem + (guest_va - EH_GUEST_BASE), src, len);
    return 0;
}

int clear_guest(uint64_t guest_va, size_t len)
{
    if (eh_guest_readonly || !guest_range_ok(guest_va, len))
        return -EFAULT;
    memset(eh_guest_mem + (guest_va - EH_GUEST_BASE), 0, len);
    return 0;
}

/* ---- domains and vCPUs ---- */

static int slot_of(const struct domain *d)
{
    for (int i = 0; i < EH_MAX_DOMAINS; i++)
        if (domains[i] == d)
            return i;
    fail_msg("domain not created by the harness");
    return -1;
}

struct domain *eh_domain_create(domid_t id, unsigned int nr_vcpus, bool privileged)
{
    struct domain *d = calloc(1, sizeof(*d));
    int slot = -1;

    assert_non_null(d);
    assert_true(nr_vcpus >= 1 && nr_vcpus <= MAX_VCPUS_PER_DOMAIN);
    for (int i = 0; i < EH_MAX_DOMAINS && slot < 0; i++)
        if (!domains[i])
            slot = i;
    assert_true(slot >= 0);
    d->domain_id = id;
    snprintf(d->name, sizeof(d->name), "d%u", id);
    d->is_privileged = privileged;
    d->max_vcpus = nr_vcpus;
    d->state = DOMAIN_RUNNING;
    d->shared_info = aligned_alloc(4096, 4096);
    assert_non_null(d->shared_info);
    memset(d->shared_info, 0, 4096);
    assert_int_equal(evtchn_domain_init(d), 0);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));

        assert_non_null(v);
        v->vcpu_id = i;
        v->domain = d;
        v->vcpu_info = &d->shared_info->vcpu_info[i];
        v->vcpu_info->evtchn_upcall_mask = 1;
        d->vcpus[i] = v;
    }
    domains[slot] = d;
    return d;
}

void eh_domain_set_dying(struct domain *d)
{
    d->state = DOMAIN_DYING;
}

void eh_domain_free(struct domain *d)
{
    int slot = slot_of(d);

    if (cur && cur->domain == d)
        cur = NULL;
    evtchn_domain_destroy(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        free(d->vcpus[i]);
    free(d->shared_info);
    memset(kicks[slot], 0, sizeof(kicks[slot]));
    memset(wakes[slot], 0, sizeof(wakes[slot]));
    domains[slot] = NULL;
    free(d);
}

void eh_reset_all(void)
{
    for (int i = 0; i < EH_MAX_DOMAINS; i++)
        if (domains[i])
            eh_domain_free(domains[i]);
    eh_guest_readonly = false;
    eh_fail_alloc = false;
    memset(eh_guest_mem, 0, sizeof(eh_guest_mem));
    for (unsigned int i = 0; i < EH_NR_FRAMES; i++)
        assert_int_equal(frames[i].count_info, 0); /* every reference dropped */
    memset(frames, 0, sizeof(frames));
    if (harness_phys)
        memset(harness_phys, 0, harness_phys_size);
    eh_clear_kicks();
}

struct domain *domain_lookup(domid_t id)
{
    for (int i = 0; i < EH_MAX_DOMAINS; i++)
        if (domains[i] && domains[i]->domain_id == id && domains[i]->state != DOMAIN_DYING)
            return domains[i];
    return NULL;
}

struct vcpu *current_vcpu(void)
{
    return cur;
}

void eh_set_current(struct vcpu *v)
{
    cur = v;
}

void vcpu_kick(struct vcpu *v)
{
    assert_non_null(v);
    kicks[slot_of(v->domain)][v->vcpu_id]++;
}

/* As sched.c: a woken vCPU stops blocking and polling. */
void vcpu_wake(struct vcpu *v)
{
    assert_non_null(v);
    wakes[slot_of(v->domain)][v->vcpu_id]++;
    v->blocked = false;
    v->polling = false;
}

unsigned int eh_kicks(const struct vcpu *v)
{
    return kicks[slot_of(v->domain)][v->vcpu_id];
}

unsigned int eh_wakes(const struct vcpu *v)
{
    return wakes[slot_of(v->domain)][v->vcpu_id];
}

void eh_clear_kicks(void)
{
    memset(kicks, 0, sizeof(kicks));
    memset(wakes, 0, sizeof(wakes));
}

/* ---- guest frames (the FIFO ABI keeps some mapped) ---- */

void eh_frame_give(mfn_t mfn, struct domain *d)
{
    assert_true(mfn < EH_NR_FRAMES);
    if (!harness_phys)
        harness_phys_init(EH_NR_FRAMES * PAGE_SIZE);
    frames[mfn].owner = d;
}

void *eh_frame(mfn_t mfn)
{
    return arch_maddr_to_virt(mfn << PAGE_SHIFT);
}

unsigned int eh_frame_refs(mfn_t mfn)
{
    return (unsigned int)frames[mfn].count_info;
}

bool arch_get_writable_page(struct page_info *pg, struct domain *d)
{
    if (pg->owner != d)
        return false;
    pg->count_info++;
    return true;
}

void put_page_and_type(struct page_info *pg)
{
    assert_true(pg->count_info > 0);
    pg->count_info--;
}

/* ---- the hypercall as a guest makes it ---- */

long eh_op(unsigned int cmd, void *arg, size_t size)
{
    long rc;

    assert_true(size <= EH_GUEST_SIZE);
    memcpy(eh_guest_mem, arg, size);
    rc = do_event_channel_op(cmd, EH_GUEST_BASE, 0, 0, 0);
    memcpy(arg, eh_guest_mem, size);
    return rc;
}

/* ---- asm/irq.h: a fake 8259 pair ---- */

uint16_t eh_irq_masked = 0xffff;

bool arch_irq_guest_usable(unsigned int irq)
{
    return irq < NR_LEGACY_IRQS && irq != 0 && irq != 2 && irq != 4;
}

void arch_irq_mask(unsigned int irq)
{
    eh_irq_masked |= (uint16_t)(1u << irq);
}

void arch_irq_unmask(unsigned int irq)
{
    assert_true(arch_irq_guest_usable(irq));
    eh_irq_masked &= (uint16_t) ~(1u << irq);
}
