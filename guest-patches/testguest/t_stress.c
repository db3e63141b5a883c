// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SMP stress run: boot-time domUs with two vCPUs each, on several CPUs
 * at once, for a bounded time, racing what pvx must keep consistent under
 * its one lock.  Pairs of domains, chosen on the command line
 * (`stress=g|m peer=N ms=MS`):
 *   g  the granter: vCPU 0 revokes a granted page again and again (a
 *      cmpxchg of its flags, refused while pvx holds the busy bits), writes
 *      a "revoked" marker into the page, writes the magic back and grants it
 *      again; vCPU 1 sends on an interdomain event port in a loop
 *   m  the mapper: both vCPUs map and unmap that grant (one writable, one
 *      read-only): a map may be refused (revoked), but one that works must
 *      read the magic, never the marker; vCPU 0 also closes its end of the
 *      port and binds it again, and holds a second grant mapped throughout
 * Then, in each domain, page tables under the other vCPU: vCPU 0 points one
 * address at three frames in turn (update_va_mapping with UVMF_ALL or a
 * vCPU mask, mmu_update then INVLPG_MULTI or TLB_FLUSH_MULTI), publishing a
 * generation after each change; vCPU 1 reads through the address and may
 * see the current frame or the next one, never the previous one: that
 * would be a stale TLB entry on its CPU (a shootdown pvx skipped).
 * dom0 (`stress0=N victims=A+B ms=MS`) destroys the victims mid-run; their
 * peers go on (a held mapping outlives its granter; a dead mapper's
 * mappings are released, so its granter can revoke).  Then dom0 destroys
 * the rest as they power off and checks that no domU is left, that the
 * free memory is exactly what pvx had before it built the boot domains,
 * and that pvx still answers.
 */
#include "guest.h"
#include "evtchn_ops.h"
#include "test.h"
#include "traps.h"
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <public/vcpu.h>

#define ST_REF       30 /* mapped and unmapped by both mapper vCPUs */
#define ST_HOLD_REF  31 /* mapped by the mapper for the whole run */
#define ST_MAGIC     0x5354524553530001UL
#define ST_REVOKED   0x5354524553530dedUL
#define ST_HOLD      0x5354524553530401UL
#define ST_MB_MAGIC  0x73747231u
#define ST_VA_MAP(c) XD_VA(1 + (c))
#define ST_VA_HOLD   XD_VA(3)
#define ST_VA_PT     XD_VA(4)
#define PT_VAL(k)    (0x5054000000UL + (k))
#define ST_UNDER_WAY 16 /* refused revokes or maps before dom0 may destroy a victim */

struct st_mbox {
    u32 magic;
    u32 port;           /* the granter's port, unbound for the mapper */
    volatile u32 ready; /* the mapper has mapped everything and bound */
};

static domid_t peer;
static volatile u64 deadline;
static volatile bool peer_gone;

/* ---- vCPU 1: runs one task at a time, down in between ---- */

static u8 v1_stack[16384] __attribute__((aligned(16)));
static void (*volatile v1_task)(void);
static volatile int v1_done;

static void __attribute__((noreturn)) v1_main(void)
{
    for (;;) {
        if (v1_task)
            v1_task();
        v1_done = 1;
        hc_vcpu_op(VCPUOP_down, 1, 0); /* returns when brought up again */
    }
}

static long v1_init(void)
{
    static struct vcpu_guest_context ctx;
    long rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel;
    ctx.user_regs.rip = (unsigned long)v1_main;
    ctx.user_regs.rsp = (unsigned long)(v1_stack + sizeof(v1_stack) - 8);
    ctx.user_regs.cs = FLAT_KERNEL_CS64;
    ctx.user_regs.ss = ctx.kernel_ss = FLAT_KERNEL_SS64;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = cur_l4_mfn() << PAGE_SHIFT;
    ctx.trap_ctxt[13].vector = 13;
    ctx.trap_ctxt[13].cs = FLAT_KERNEL_CS;
    ctx.trap_ctxt[13].address = exc_stub_table[13];
    shinfo->vcpu_info[1].evtchn_upcall_mask = 1; /* its ports are vCPU 0's */
    rc = hc_vcpu_op(VCPUOP_initialise, 1, &ctx);
    /* No ticks: between its entries into pvx only a shootdown flushes its TLB. */
    return rc ? rc : hc_vcpu_op(VCPUOP_stop_periodic_timer, 1, 0);
}

static long v1_run(void (*task)(void))
{
    v1_done = 0;
    v1_task = task;
    return hc_vcpu_op(VCPUOP_up, 1, 0);
}

static bool v1_wait(void)
{
    return XD_WAIT_FOR(v1_done && hc_vcpu_op(VCPUOP_is_up, 1, 0) == 0, XD_WAIT_MS);
}

static bool running(void)
{
    return system_time_ns() < deadline;
}

static void pause_a_little(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        ;
}

/* Is domain dom gone (or dying)?  A grant query names a missing one. */
static bool domain_gone(domid_t dom)
{
    struct gnttab_query_size q = {.dom = dom};

    return !hc_grant_table_op(GNTTABOP_query_size, &q, 1) && q.status == GNTST_bad_domain;
}

/* ---- g: the granter ---- */

static u64 *g_page; /* written through volatile accesses: the mapper reads it */
static unsigned g_port;
#define WRITE_PAGE(v) (*(volatile u64 *)g_page = (v))
static volatile unsigned long g_sends, g_send_errs;
static volatile long g_send_rc;

static void g_sender(void)
{
    while (running()) {
        long rc = xd_send(g_port);

        if (rc) {
            g_send_errs++;
            g_send_rc = rc;
        }
        g_sends++;
        pause_a_little(300);
    }
}

static void role_g(u64 ms)
{
    struct st_mbox *mb = page_alloc();
    u64 *hold = page_alloc();
    unsigned long revokes = 0, busy = 0, odd = 0;
    u16 odd_flags = 0;

    g_page = page_alloc();
    WRITE_PAGE(ST_MAGIC);
    hold[0] = ST_HOLD;
    CHECK_RC("g.gt_setup", xd_gt_setup(), 0);
    CHECK_RC("g.alloc_unbound", ev_alloc_unbound(peer, &g_port), 0);
    CHECK_RC("g.vcpu1_initialise", v1_init(), 0);
    xd_grant(ST_REF, peer, g_page, false);
    xd_grant(ST_HOLD_REF, peer, hold, true);
    mb->port = g_port;
    mb->magic = ST_MB_MAGIC;
    xd_grant(XD_MBOX_REF, peer, mb, false); /* last: the mapper's first map means "ready" */
    if (!XD_WAIT_FOR(mb->ready, XD_WAIT_MS)) {
        test_fail("g.peer_ready", "the mapper never got ready");
        return;
    }
    printk("stress: g running\n");
    deadline = system_time_ns() + ms * 1000000ULL;
    CHECK_RC("g.vcpu1_up", v1_run(g_sender), 0);
    while (running()) {
        u16 old = xd_cmpxchg_flags(ST_REF, GTF_permit_access, 0);

        if (old == GTF_permit_access) {
            /* Revoked: no mapping may exist now, nor be made until granted again. */
            revokes++;
            WRITE_PAGE(ST_REVOKED);
            pause_a_little(50);
            WRITE_PAGE(ST_MAGIC);
            xd_grant(ST_REF, peer, g_page, false);
            /* Granted most of the time: also while this vCPU is descheduled. */
            pause_a_little(1000);
        } else if (old == (GTF_permit_access | GTF_reading) ||
                   old == (GTF_permit_access | GTF_reading | GTF_writing)) {
            if (++busy == ST_UNDER_WAY)
                printk("stress: g under way\n"); /* dom0 waits for this */
        } else {
            odd++;
            odd_flags = old;
        }
    }
    CHECK("g.vcpu1_done", v1_wait());
    printk("stress: g revokes %lu refused-busy %lu sends %lu\n", revokes, busy, g_sends);
    CHECK("g.revoked_some", revokes > 0);
    CHECK("g.revoke_refused_while_mapped", busy > 0);
    if (odd)
        test_fail("g.flags_only_granted_or_busy", "%lu times, e.g. 0x%x", odd, odd_flags);
    else
        test_pass("g.flags_only_granted_or_busy");
    CHECK("g.sent_some", g_sends > 0);
    if (g_send_errs)
        test_fail("g.sends_all_succeed", "%lu failed, e.g. rc %ld", g_send_errs, g_send_rc);
    else
        test_pass("g.sends_all_succeed");
    /* Once the mapper is done (or destroyed), nothing holds our grants. */
    CHECK("g.revoke_after_run", XD_WAIT_FOR(xd_end_access(ST_REF), XD_WAIT_MS));
    CHECK("g.revoke_held_grant_after_run", XD_WAIT_FOR(xd_end_access(ST_HOLD_REF), XD_WAIT_MS));
}

/* ---- m: the mapper ---- */

struct m_stats {
    unsigned long maps, refused, gone, bad_status, bad_read, bad_unmap, ok_after_gone;
    long last_status;
    u64 last_read;
};
static struct m_stats mst[2];
static unsigned m_gport, m_lport;
static unsigned long m_rebinds, m_rebind_errs, m_close_errs, m_events;
static long m_ev_rc;

/* vCPU 0, between maps: close our end and bind the granter's port again. */
static void m_rebind(void)
{
    long rc;

    if (!m_lport)
        return;
    events_disable();
    m_events += evt_count[m_lport];
    evt_count[m_lport] = 0;
    events_enable();
    rc = ev_close(m_lport);
    if (rc) {
        m_close_errs++;
        m_ev_rc = rc;
    }
    evtchn_mask_port(m_lport);
    m_lport = 0;
    rc = ev_bind(peer, m_gport, &m_lport);
    if (!rc) {
        m_rebinds++;
        evtchn_unmask_port(m_lport);
    } else if (domain_gone(peer)) {
        peer_gone = true; /* its ports went with it */
        m_lport = 0;
    } else {
        m_rebind_errs++;
        m_ev_rc = rc;
        m_lport = 0;
    }
}

static void m_map_loop(unsigned c)
{
    struct m_stats *s = &mst[c];
    volatile u64 *p = (volatile u64 *)ST_VA_MAP(c);

    for (unsigned long n = 0; running(); n++) {
        bool gone = peer_gone; /* seen gone before this map: it must fail */
        grant_handle_t h = 0;
        int16_t st = 0;
        long rc = xd_map(peer, ST_REF, ST_VA_MAP(c), c == 1, &st, &h);

        if (rc || (st != GNTST_okay && st != GNTST_general_error && st != GNTST_bad_domain)) {
            s->bad_status++;
            s->last_status = rc ? rc : st;
        } else if (st == GNTST_okay) {
            u64 v = p[0];

            if (++s->maps == ST_UNDER_WAY && c == 0)
                printk("stress: m under way\n"); /* dom0 waits for this */
            s->ok_after_gone += gone;
            pause_a_little(300);
            if (v == ST_MAGIC)
                v = p[0]; /* still granted: the revoke must have failed */
            if (v != ST_MAGIC) {
                s->bad_read++;
                s->last_read = v;
            }
            if (xd_unmap(ST_VA_MAP(c), h, &st) || st != GNTST_okay)
                s->bad_unmap++;
        } else if (st == GNTST_general_error) {
            s->refused++; /* revoked for now */
        } else {
            s->gone++;
            peer_gone = true;
        }
        if (c == 0 && n % 8 == 7)
            m_rebind();
        pause_a_little(100 + (unsigned)(n % 7) * 50);
    }
}

static void m_vcpu1(void)
{
    m_map_loop(1);
}

static void m_report(unsigned c)
{
    struct m_stats *s = &mst[c];
    char name[48];

    printk("stress: m vcpu %u maps %lu refused %lu peer-gone %lu\n", c, s->maps, s->refused,
           s->gone);
    snprintf(name, sizeof(name), "m.vcpu%u_mapped_some", c);
    CHECK(name, s->maps > 0);
    snprintf(name, sizeof(name), "m.vcpu%u_maps_read_magic", c);
    if (s->bad_read)
        test_fail(name, "%lu maps read 0x%lx", s->bad_read, (unsigned long)s->last_read);
    else
        test_pass(name);
    snprintf(name, sizeof(name), "m.vcpu%u_only_allowed_errors", c);
    if (s->bad_status)
        test_fail(name, "%lu, e.g. %ld", s->bad_status, s->last_status);
    else
        test_pass(name);
    snprintf(name, sizeof(name), "m.vcpu%u_unmaps_succeed", c);
    CHECK_EQ(name, s->bad_unmap, 0);
    snprintf(name, sizeof(name), "m.vcpu%u_no_map_after_peer_gone", c);
    CHECK_EQ(name, s->ok_after_gone, 0);
}

static void role_m(u64 ms)
{
    volatile struct st_mbox *mb = (volatile struct st_mbox *)XD_VA(0);
    volatile u64 *hold = (volatile u64 *)ST_VA_HOLD;
    grant_handle_t hmb = 0, hhold = 0;
    int16_t st = 0;

    /* Page tables for every address now: both vCPUs map at once later. */
    for (int i = 0; i <= 4; i++)
        ensure_l1(XD_VA(i));
    CHECK_RC("m.vcpu1_initialise", v1_init(), 0);
    CHECK_RC("m.attach_mailbox", xd_attach(peer, XD_MBOX_REF, XD_VA(0), XD_WAIT_MS, &hmb), 0);
    CHECK_EQ("m.mailbox_magic", mb->magic, ST_MB_MAGIC);
    CHECK_RC("m.map_held_rc", xd_map(peer, ST_HOLD_REF, ST_VA_HOLD, true, &st, &hhold), 0);
    CHECK_EQ("m.map_held", st, GNTST_okay);
    m_gport = mb->port;
    CHECK_RC("m.bind", ev_bind(peer, m_gport, &m_lport), 0);
    evtchn_unmask_port(m_lport);
    mb->ready = 1;
    printk("stress: m running\n");
    deadline = system_time_ns() + ms * 1000000ULL;
    CHECK_RC("m.vcpu1_up", v1_run(m_vcpu1), 0);
    m_map_loop(0);
    CHECK("m.vcpu1_done", v1_wait());
    m_rebind(); /* count the last port's events */
    m_report(0);
    m_report(1);
    printk("stress: m events %lu rebinds %lu%s\n", m_events, m_rebinds,
           peer_gone ? " (granter destroyed)" : "");
    CHECK("m.rebound_some", m_rebinds > 0);
    if (m_rebind_errs || m_close_errs)
        test_fail("m.close_and_rebind_succeed", "%lu rebinds, %lu closes failed, e.g. rc %ld",
                  m_rebind_errs, m_close_errs, m_ev_rc);
    else
        test_pass("m.close_and_rebind_succeed");
    CHECK("m.events_arrived", m_events > 0);
    /* The held grant: its page stays readable (even with its granter destroyed). */
    CHECK_EQ("m.held_page_intact", hold[0], ST_HOLD);
    CHECK_RC("m.unmap_held_rc", xd_unmap(ST_VA_HOLD, hhold, &st), 0);
    CHECK_EQ("m.unmap_held", st, GNTST_okay);
    CHECK_RC("m.unmap_mailbox_rc", xd_unmap(XD_VA(0), hmb, &st), 0);
    CHECK_EQ("m.unmap_mailbox", st, GNTST_okay);
    if (m_lport)
        ev_close(m_lport);
}

/* ---- page tables under the other vCPU ---- */

static volatile unsigned long pt_gen, pt_checked, pt_stale, pt_other;
static volatile int pt_stop;
static volatile u64 pt_seen;
static volatile unsigned long pt_seen_gen;

static void pt_reader(void)
{
    volatile u64 *p = (volatile u64 *)ST_VA_PT;

    while (!pt_stop) {
        unsigned long g = pt_gen;
        u64 v;

        barrier();
        v = *p;
        barrier();
        if (pt_gen != g)
            continue;
        pt_checked++;
        if (v == PT_VAL(g % 3) || v == PT_VAL((g + 1) % 3))
            continue;
        if (v == PT_VAL((g + 2) % 3))
            pt_stale++;
        else
            pt_other++;
        pt_seen = v;
        pt_seen_gen = g;
    }
}

static long pt_flip(unsigned long i, u64 pte)
{
    static unsigned long mask = 3; /* vCPUs 0 and 1 */
    struct mmuext_op op;
    mmu_update_t req;
    long rc;

    if (i % 4 == 0)
        return hc_update_va_mapping(ST_VA_PT, pte, UVMF_INVLPG | UVMF_ALL);
    if (i % 4 == 1)
        return hc_update_va_mapping(ST_VA_PT, pte, UVMF_INVLPG | UVMF_MULTI | (unsigned long)&mask);
    req.ptr = pte_ma(ST_VA_PT) | MMU_NORMAL_PT_UPDATE;
    req.val = pte;
    if ((rc = hc_mmu_update(&req, 1, NULL, DOMID_SELF)) != 0)
        return rc;
    memset(&op, 0, sizeof(op));
    op.cmd = i % 4 == 2 ? MMUEXT_INVLPG_MULTI : MMUEXT_TLB_FLUSH_MULTI;
    op.arg1.linear_addr = ST_VA_PT;
    set_xen_guest_handle(op.arg2.vcpumask, (void *)&mask);
    return hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static void pt_phase(u64 ms)
{
    u64 mfn[3];
    unsigned long i, errs = 0;
    long last_rc = 0;

    for (int k = 0; k < 3; k++) {
        u64 *f = page_alloc();

        f[0] = PT_VAL(k);
        mfn[k] = va_to_mfn(f);
    }
    CHECK_RC("pt.map_first", map_frame(ST_VA_PT, mfn[0], PTE_KERN_RO), 0);
    pt_gen = 0;
    deadline = system_time_ns() + ms * 1000000ULL;
    CHECK_RC("pt.vcpu1_up", v1_run(pt_reader), 0);
    for (i = 1; running(); i++) {
        long rc = pt_flip(i, (mfn[i % 3] << PAGE_SHIFT) | PTE_KERN_RO);

        if (rc) {
            errs++;
            last_rc = rc;
        }
        pt_gen = i;
        pause_a_little(300);
    }
    pt_stop = 1;
    CHECK("pt.vcpu1_done", v1_wait());
    printk("stress: pt flips %lu reads checked %lu\n", i - 1, pt_checked);
    if (errs)
        test_fail("pt.updates_succeed", "%lu failed, e.g. rc %ld", errs, last_rc);
    else
        test_pass("pt.updates_succeed");
    CHECK("pt.reads_checked", pt_checked > 0);
    if (pt_stale || pt_other)
        test_fail("pt.no_stale_translation",
                  "%lu reads of the previous frame, %lu of none (e.g. 0x%lx at generation %lu)",
                  pt_stale, pt_other, (unsigned long)pt_seen, pt_seen_gen);
    else
        test_pass("pt.no_stale_translation");
    CHECK_RC("pt.unmap", unmap_va(ST_VA_PT), 0);
}

void mode_stress(const char *role, long peer_id, unsigned long ms)
{
    current_group = "stress";
    if (peer_id < 0 || (role[0] != 'g' && role[0] != 'm')) {
        test_fail("args", "stress=g|m needs peer=N");
        return;
    }
    peer = (domid_t)peer_id;
    if (role[0] == 'g')
        role_g(ms);
    else
        role_m(ms);
    pt_phase(ms / 2 + 1);
}
