/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit test: a seeded random sequence of EVTCHNOP calls (valid and invalid
 * arguments, bad pointers, from every domain and vCPU), hypervisor-side
 * raises, guest-side masking and upcall handling, and domain deaths, with
 * the port tables' and the 2-level bits' invariants checked after every
 * step:
 *   - port 0 is reserved, ports past valid_ports are free, active_ports
 *     counts the ports in use;
 *   - every interdomain port's peer names it back (the binding is a pair);
 *   - every VIRQ port is the one in its vCPU's virq_to_port, and back;
 *   - every notify_vcpu is a vCPU of the domain;
 *   - a port that is pending and unmasked has its selector bit and upcall
 *     flag set on some vCPU (no lost event);
 *   - a vCPU is kicked exactly when its upcall flag goes from 0 to 1.
 * PVX_FUZZ_SEED and PVX_FUZZ_STEPS override the seed and length.
 */
#include "harness.h"
#include "event_harness.h"

#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/hypercall.h>
#include <public/event_channel.h>
#include <asm/irq.h>

#define NDOM 3
static const unsigned int dom_vcpus[NDOM] = {2, 3, 1};
static struct domain *doms[NDOM];
static unsigned int kicks_before[NDOM][MAX_VCPUS_PER_DOMAIN];
static uint8_t upcall_before[NDOM][MAX_VCPUS_PER_DOMAIN];

static uint64_t rng_state;
static unsigned long successes[16], failures[16];

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static uint64_t env_or(const char *name, uint64_t def)
{
    const char *s = getenv(name);

    return s ? strtoull(s, NULL, 0) : def;
}

static void create(unsigned int i)
{
    doms[i] = eh_domain_create((domid_t)i, dom_vcpus[i], i == 0);
    /* A small limit on one domain so exhaustion happens often. */
    if (i == 2)
        assert_int_equal(evtchn_set_max_ports(doms[i], 40), 0);
}

/* ---- random arguments, biased toward the interesting ---- */

static domid_t any_dom(void)
{
    static const domid_t ids[] = {DOMID_SELF, 0, 1, 2, 7, DOMID_XEN};

    return ids[rnd(ARRAY_SIZE(ids))];
}

static uint32_t any_port(void)
{
    switch (rnd(10)) {
    case 0:
        return rnd(5000);
    case 1:
        return 0xffffffffu - rnd(2);
    default:
        return rnd(80);
    }
}

static uint32_t any_vcpu(void)
{
    return rnd(10) ? rnd(4) : 0xffffffffu;
}

static uint32_t any_virq(void)
{
    return rnd(10) ? rnd(NR_VIRQS) : NR_VIRQS + rnd(1000);
}

static uint64_t any_arg(void)
{
    switch (rnd(30)) {
    case 0:
        return 0;
    case 1:
        return EH_GUEST_BASE + EH_GUEST_SIZE - rnd(8);
    default:
        return EH_GUEST_BASE;
    }
}

/* Usually an unbound port some domain allocated for the caller. */
static void pick_bindable(struct evtchn_bind_interdomain *b)
{
    unsigned int di = rnd(NDOM);
    const struct domain *rd = doms[di];

    b->remote_dom = any_dom();
    b->remote_port = any_port();
    for (uint32_t port = 1; port < rd->evtchn.valid_ports && rnd(4); port++) {
        const struct evtchn *chn = evtchn_port_entry(&rd->evtchn, port);

        if (chn->state == ECS_UNBOUND && chn->remote_dom == current->domain->domain_id) {
            b->remote_dom = rd == current->domain && rnd(2) ? DOMID_SELF : rd->domain_id;
            b->remote_port = port;
            return;
        }
    }
}

/* ---- one random step ---- */

static void fill_arg(unsigned int cmd)
{
    uint32_t *w = (uint32_t *)eh_guest_mem;

    memset(eh_guest_mem, 0, 64);
    switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
        struct evtchn_alloc_unbound *a = (void *)eh_guest_mem;

        a->dom = any_dom();
        a->remote_dom = any_dom();
        break;
    }
    case EVTCHNOP_bind_interdomain: {
        struct evtchn_bind_interdomain *b = (void *)eh_guest_mem;

        pick_bindable(b);
        break;
    }
    case EVTCHNOP_bind_virq:
        w[0] = any_virq();
        w[1] = any_vcpu();
        break;
    case EVTCHNOP_bind_ipi:
        w[0] = any_vcpu();
        break;
    case EVTCHNOP_status: {
        struct evtchn_status *s = (void *)eh_guest_mem;

        s->dom = any_dom();
        s->port = any_port();
        break;
    }
    case EVTCHNOP_bind_vcpu:
        w[0] = any_port();
        w[1] = any_vcpu();
        break;
    case EVTCHNOP_reset:
        /* Rare: it wipes the domain. */
        *(domid_t *)eh_guest_mem = rnd(20) ? 7 : any_dom();
        break;
    default:
        w[0] = any_port();
        w[1] = rnd(16);
        break;
    }
}

static void guest_hypercall(void)
{
    static const unsigned int cmds[] = {
        EVTCHNOP_alloc_unbound,
        EVTCHNOP_alloc_unbound,
        EVTCHNOP_bind_interdomain,
        EVTCHNOP_bind_interdomain,
        EVTCHNOP_bind_virq,
        EVTCHNOP_bind_ipi,
        EVTCHNOP_close,
        EVTCHNOP_close,
        EVTCHNOP_send,
        EVTCHNOP_send,
        EVTCHNOP_send,
        EVTCHNOP_status,
        EVTCHNOP_unmask,
        EVTCHNOP_unmask,
        EVTCHNOP_bind_vcpu,
        EVTCHNOP_reset,
        EVTCHNOP_bind_pirq,
        EVTCHNOP_init_control,
        EVTCHNOP_expand_array,
        EVTCHNOP_set_priority,
        14,
        99,
    };
    unsigned int cmd = cmds[rnd(ARRAY_SIZE(cmds))];
    long rc;

    fill_arg(cmd);
    rc = do_event_channel_op(cmd, any_arg(), 0, 0, 0);
    if (cmd < ARRAY_SIZE(successes))
        (rc ? failures : successes)[cmd]++;
    /* Only errors of the ABI come back. */
    switch (rc) {
    case 0:
    case -EINVAL:
    case -ESRCH:
    case -EPERM:
    case -ENOENT:
    case -EEXIST:
    case -EBUSY:
    case -ENOSPC:
    case -EFAULT:
    case -ENOSYS:
    case -EOPNOTSUPP:
        break;
    default:
        fail_msg("cmd %u returned %ld", cmd, rc);
    }
}

static struct domain *live_dom(void)
{
    struct domain *d = doms[rnd(NDOM)];

    return d;
}

static void guest_mask(struct domain *d)
{
    uint32_t port = rnd(80);
    uint64_t bit = 1UL << (port % 64);

    /* The guest may set mask bits at will; it clears them only through the
     * unmask hypercall here, so the no-lost-event invariant stays checkable. */
    d->shared_info->evtchn_mask[port / 64] |= bit;
}

/* What Linux's upcall handler does for all vCPUs: take upcall and
 * selector, handle (clear) the pending, unmasked ports of those words. */
static void guest_ack(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu_info *vi = d->vcpus[i]->vcpu_info;
        uint64_t sel;

        vi->evtchn_upcall_pending = 0;
        sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        for (unsigned int w = 0; w < 64; w++)
            if (sel & (1UL << w))
                d->shared_info->evtchn_pending[w] &= d->shared_info->evtchn_mask[w];
    }
}

static void snapshot(void);

static void domain_dies(unsigned int i)
{
    eh_domain_set_dying(doms[i]);
    evtchn_domain_close_all(doms[i]);
    eh_domain_free(doms[i]);
    create(i);
    snapshot(); /* the new domain's kick counters start at 0 */
}

static void step(void)
{
    struct domain *d = live_dom();

    eh_set_current(d->vcpus[rnd(d->max_vcpus)]);
    switch (rnd(40)) {
    case 0:
        send_guest_vcpu_virq(d->vcpus[rnd(d->max_vcpus)], rnd(2) ? VIRQ_TIMER : VIRQ_DEBUG);
        break;
    case 1:
        send_global_virq(rnd(2) ? VIRQ_DOM_EXC : VIRQ_CONSOLE);
        break;
    case 2:
        evtchn_port_set_pending(d, any_port());
        break;
    case 3:
    case 4:
        guest_mask(d);
        break;
    case 5:
    case 6:
    case 7:
        guest_ack(d);
        break;
    case 8:
        if (!rnd(50))
            domain_dies(rnd(NDOM));
        break;
    case 9:
        d->vcpus[0]->pause_count = !d->vcpus[0]->pause_count;
        break;
    default:
        guest_hypercall();
    }
}

/* ---- invariants ---- */

static void check_port(struct domain *d, uint32_t port)
{
    const struct evtchn *chn = evtchn_port_entry(&d->evtchn, port);

    assert_true(chn->notify_vcpu < d->max_vcpus);
    switch (chn->state) {
    case ECS_INTERDOMAIN: {
        struct domain *rd;
        const struct evtchn *rchn;

        if (chn->remote_dom == DOMID_XEN)
            break;
        rd = domain_lookup(chn->remote_dom);
        assert_non_null(rd);
        assert_true(chn->u.remote_port < rd->evtchn.valid_ports);
        rchn = evtchn_port_entry(&rd->evtchn, chn->u.remote_port);
        assert_int_equal(rchn->state, ECS_INTERDOMAIN);
        assert_int_equal(rchn->remote_dom, d->domain_id);
        assert_int_equal(rchn->u.remote_port, port);
        break;
    }
    case ECS_VIRQ: {
        unsigned int owner = virq_is_per_vcpu(chn->u.virq) ? chn->notify_vcpu : 0;

        assert_true(chn->u.virq < NR_VIRQS);
        assert_int_equal(d->vcpus[owner]->virq_to_port[chn->u.virq], port);
        break;
    }
    case ECS_PIRQ:
        /* Only the hardware domain, only a line it may have, unmasked
         * unless an interrupt is in flight (none is raised here). */
        assert_true(d->is_privileged);
        assert_true(chn->u.pirq < NR_LEGACY_IRQS && arch_irq_guest_usable(chn->u.pirq));
        assert_false(eh_irq_masked & (1u << chn->u.pirq));
        break;
    case ECS_UNBOUND:
    case ECS_IPI:
    case ECS_FREE:
        break;
    default:
        fail_msg("d%u port %u in state %u", d->domain_id, port, chn->state);
    }
}

static bool signalled_somewhere(const struct domain *d, uint32_t port)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu_info *vi = d->vcpus[i]->vcpu_info;

        if (((vi->evtchn_pending_sel >> (port / 64)) & 1) && vi->evtchn_upcall_pending)
            return true;
    }
    return false;
}

static void check_domain(unsigned int di)
{
    struct domain *d = doms[di];
    const struct evtchn_domain *ed = &d->evtchn;
    uint32_t active = 0;

    assert_int_equal(evtchn_port_entry(ed, 0)->state, ECS_RESERVED);
    /* Buckets exist up to the one holding the highest port ever needed. */
    assert_true(ed->valid_ports % EVTCHN_PORT_GROUP == 0);
    assert_true(ed->valid_ports <= ROUNDUP(evtchn_port_limit(d), EVTCHN_PORT_GROUP));
    assert_true(ed->free_hint <= ed->valid_ports);
    for (uint32_t port = 1; port < ed->valid_ports; port++) {
        const struct evtchn *chn = evtchn_port_entry(ed, port);

        if (port >= evtchn_port_limit(d))
            assert_int_equal(chn->state, ECS_FREE);
        if (port < ed->free_hint)
            assert_int_not_equal(chn->state, ECS_FREE);
        if (chn->state != ECS_FREE)
            active++;
        check_port(d, port);
        if (chn->state != ECS_FREE && evtchn_2l_is_pending(d, port) &&
            !evtchn_2l_is_masked(d, port))
            assert_true(signalled_somewhere(d, port));
    }
    assert_int_equal(active, ed->active_ports);

    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];

        for (unsigned int virq = 0; virq < NR_VIRQS; virq++) {
            uint32_t port = v->virq_to_port[virq];

            if (!port)
                continue;
            assert_true(port < ed->valid_ports);
            assert_int_equal(evtchn_port_entry(ed, port)->state, ECS_VIRQ);
            assert_int_equal(evtchn_port_entry(ed, port)->u.virq, virq);
            assert_true(virq_is_per_vcpu(virq) ? evtchn_port_entry(ed, port)->notify_vcpu == i
                                               : i == 0);
        }
        /* Exactly one kick per 0 -> 1 transition of the upcall flag. */
        assert_int_equal(eh_kicks(v) - kicks_before[di][i],
                         !upcall_before[di][i] && v->vcpu_info->evtchn_upcall_pending);
    }
}

static void snapshot(void)
{
    for (unsigned int di = 0; di < NDOM; di++)
        for (unsigned int i = 0; i < doms[di]->max_vcpus; i++) {
            kicks_before[di][i] = eh_kicks(doms[di]->vcpus[i]);
            upcall_before[di][i] = doms[di]->vcpus[i]->vcpu_info->evtchn_upcall_pending;
        }
}

static void test_random_ops(void **state)
{
    uint64_t seed = env_or("PVX_FUZZ_SEED", 0x5eed5eed12345ULL);
    uint64_t steps = env_or("PVX_FUZZ_STEPS", 200000);
    uint32_t bound = 0;

    (void)state;
    rng_state = seed | 1;
    for (unsigned int i = 0; i < NDOM; i++)
        create(i);
    for (uint64_t n = 0; n < steps; n++) {
        snapshot();
        step();
        for (unsigned int di = 0; di < NDOM; di++)
            check_domain(di);
        for (unsigned int di = 0; di < NDOM; di++)
            for (uint32_t p = 1; p < doms[di]->evtchn.valid_ports; p++)
                bound += evtchn_port_entry(&doms[di]->evtchn, p)->state == ECS_INTERDOMAIN;
    }
    /* The sequence must actually reach the interesting states. */
    assert_true(bound > steps / 10);
    for (unsigned int cmd = 0; cmd <= EVTCHNOP_reset; cmd++) {
        printf("  op %2u: %lu ok, %lu failed\n", cmd, successes[cmd], failures[cmd]);
        assert_true(successes[cmd] > 0); /* bind_pirq too: dom0 has PIRQs */
        assert_true(failures[cmd] > 0);
    }
    eh_reset_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ops),
    };

    return cmocka_run_group_tests_name("event_fuzz", tests, NULL, NULL);
}
