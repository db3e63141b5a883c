// SPDX-License-Identifier: GPL-2.0-only
/*
 * A second vCPU: VCPUOP_initialise with a context of our own (same page
 * tables, its own stack), VCPUOP_up, is_up, and the vCPU taking itself
 * down and being brought up again where it stopped.  Both vCPUs share the
 * one physical CPU pvx schedules them on; each keeps its own SSE registers.
 *
 * What Linux relies on when it brings up a secondary vCPU: the IOPL field
 * of the initial context's rflags is that vCPU's virtual IOPL (Linux passes
 * IOPL 1 and never calls PHYSDEVOP_set_iopl there: dom0 then drives its
 * devices from every vCPU), and a PV spinlock's kick: the waiter polls its
 * own masked IPI port with SCHEDOP_poll and another vCPU sends it.  A vCPU
 * polling one port sleeps on while other ports become pending.
 *
 * On a host with several CPUs (pcpus=2 or more on the command line, pvx
 * only) both vCPUs must truly run at once: pvx reports vCPU 1 running on
 * another CPU while vCPU 0 asks (domctl getvcpuinfo), and a TLB shootdown
 * reaches vCPU 1 on its CPU.
 *
 * Runs only where this domain has a vCPU 1 (pvx with dom0_max_vcpus=2).
 * vCPU 1's loop and context are smp.c's; the tasks here are what it does
 * on each round.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/physdev.h>
#include <public/sched.h>
#include <public/vcpu.h>

#define SSE_MINE   0x0123456789abcdefUL
#define SSE_THEIRS 0x1111111122222222UL
#define IO_PORT    0x80 /* POST diagnostics: dom0's on Xen and on pvx, harmless */

static volatile unsigned long smp_seen_xmm;
static u64 *smp_l4_copy;               /* the L4 vCPU 1 was initialised with */
static volatile unsigned long smp_cr3; /* what vCPU 1 reads from CR3 */

/* smp_task_io's results: did each access go through (no #GP)? */
static volatile int smp_io_in, smp_io_out, smp_io_after_iopl0;

/* smp_task_poll: the port vCPU 1 polls, what it went through, and when. */
static volatile unsigned smp_poll_port;
static volatile int smp_poll_state; /* 1 polling, 2 returned */
static volatile long smp_poll_rc;
static volatile u64 smp_poll_start, smp_poll_end;
#define PINGPONG_ROUNDS 100
static volatile unsigned long smp_ping, smp_pong;

static inline void set_xmm0(unsigned long v)
{
    __asm__ volatile("movq %0, %%xmm0" : : "r"(v)); /* the guest is built without SSE */
}

static inline unsigned long get_xmm0(void)
{
    unsigned long v;

    __asm__ volatile("movq %%xmm0, %0" : "=r"(v));
    return v;
}

/* Port I/O that the #GP handler (trap table entry 13) skips if refused. */
static bool io_in(void)
{
    u8 v = 0;

    trap_expect(13);
    __asm__ volatile("1: inb %w1, %b0\n2:\n" EXTABLE_ENTRY(1b, 2b) : "+a"(v) : "d"(IO_PORT));
    trap_expect_clear();
    return last_trap.vector != 13;
}

static bool io_out(void)
{
    trap_expect(13);
    __asm__ volatile("1: outb %b0, %w1\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "a"(0), "d"(IO_PORT));
    trap_expect_clear();
    return last_trap.vector != 13;
}

/* On vCPU 1, its first two rounds: what it finds in CR3 and xmm0, then
 * xmm0 set to its own value. */
static void smp_task_sse(void)
{
    unsigned long cr3;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    smp_cr3 = cr3;
    smp_seen_xmm = get_xmm0(); /* its own register, untouched by vCPU 0 */
    set_xmm0(SSE_THEIRS);
}

/* On vCPU 1: I/O at the IOPL its context gave it, then at IOPL 0. */
static void smp_task_io(void)
{
    struct physdev_set_iopl iopl = {.iopl = 0};

    smp_task_sse();
    smp_io_in = io_in();
    smp_io_out = io_out();
    hc_physdev_op(PHYSDEVOP_set_iopl, &iopl);
    smp_io_after_iopl0 = io_in();
}

/* On vCPU 1: wait for a kick on its masked port, as a spinlock waiter. */
static void smp_task_poll(void)
{
    evtchn_port_t port = smp_poll_port;
    struct sched_poll poll;

    memset(&poll, 0, sizeof(poll));
    set_xen_guest_handle(poll.ports, &port);
    poll.nr_ports = 1;
    smp_poll_start = system_time_ns();
    poll.timeout = smp_poll_start + 2000000000ULL;
    smp_poll_state = 1;
    smp_poll_rc = hc_sched_op(SCHEDOP_poll, &poll);
    smp_poll_end = system_time_ns();
    smp_poll_state = 2;
}

/* vCPU 1 answers each ping by spinning on shared memory, no hypercall. */
static void smp_task_pingpong(void)
{
    while (smp_pong < PINGPONG_ROUNDS)
        if (smp_ping != smp_pong)
            smp_pong = smp_ping;
}

/* Give the CPU away (vCPU 1 runs if it can) until ms have passed. */
static void yield_for(unsigned ms)
{
    u64 until = system_time_ns() + ms * 1000000ULL;

    while (system_time_ns() < until)
        hc_sched_op(SCHEDOP_yield, 0);
}

static bool vcpu1_blocked(void)
{
    struct vcpu_runstate_info ri;

    for (int i = 0; i < 1000; i++) {
        if (smp_poll_state == 1 && !hc_vcpu_op(VCPUOP_get_runstate_info, 1, &ri) &&
            ri.state == RUNSTATE_blocked)
            return true;
        hc_sched_op(SCHEDOP_yield, 0);
    }
    return false;
}

/*
 * TLB coherence across CPUs: vCPU 1 reads through page a's address on the
 * other CPU while vCPU 0 points that address at page b with UVMF_ALL, and
 * back.  Once the call returns vCPU 1 must read the new page: the other
 * CPU's TLB was shot down (without that it keeps the old translation until
 * it next enters the hypervisor; its periodic timer is stopped for that).
 */
static void smp_tlb_shootdown(void)
{
    u64 *a = page_alloc(), *b = page_alloc();
    u64 pa = (u64)va_to_mfn(a) << PAGE_SHIFT, pb = (u64)va_to_mfn(b) << PAGE_SHIFT;

    a[0] = 0xaaaa;
    b[0] = 0xbbbb;
    smp_probe = a;
    smp_probe_reads = smp_probe_stop = 0;
    CHECK_RC("tlb_vcpu1_no_tick", hc_vcpu_op(VCPUOP_stop_periodic_timer, 1, 0), 0);
    smp_task = smp_task_probe;
    CHECK_RC("tlb_up", hc_vcpu_op(VCPUOP_up, 1, 0), 0);
    CHECK("tlb_vcpu1_reads", smp_probe_wait(1000) && smp_probe_seen == 0xaaaa);
    CHECK_RC("tlb_remap_all",
             hc_update_va_mapping((unsigned long)a, pb | PTE_KERN_RW, UVMF_INVLPG | UVMF_ALL), 0);
    CHECK("tlb_vcpu1_reads_after_remap", smp_probe_wait(1000));
    CHECK_EQ("tlb_vcpu1_sees_new_page", smp_probe_seen, 0xbbbb);
    CHECK_RC("tlb_remap_back_all",
             hc_update_va_mapping((unsigned long)a, pa | PTE_KERN_RW, UVMF_TLB_FLUSH | UVMF_ALL),
             0);
    CHECK("tlb_vcpu1_reads_after_remap_back", smp_probe_wait(1000));
    CHECK_EQ("tlb_vcpu1_sees_old_page_again", smp_probe_seen, 0xaaaa);
    smp_probe_stop = 1;
    CHECK("tlb_vcpu1_down", smp_wait_down());
}

/*
 * Both vCPUs at once: while vCPU 1 spins, pvx must report it running on
 * another CPU than the one vCPU 0 asks from (getvcpuinfo, and the runstate
 * vCPU 0 reads for it), which one CPU can never show.  Then round trips through shared memory with no
 * hypercall in between; their speed is only reported (it depends on how
 * the host schedules the emulated CPUs).
 */
static void smp_parallel(void)
{
    struct pvx_domctl_getvcpuinfo me, other;
    struct vcpu_runstate_info rs = {0};
    bool together = false;
    u64 start, end;
    unsigned long i;

    smp_ping = smp_pong = 0;
    smp_task = smp_task_pingpong;
    CHECK_RC("parallel_up", hc_vcpu_op(VCPUOP_up, 1, 0), 0);
    start = system_time_ns();
    while (!together && system_time_ns() - start < 2000000000ULL)
        together = !smp_vcpu_where(0, &me) && !smp_vcpu_where(1, &other) && me.running &&
                   other.running && me.cpu != other.cpu;
    if (together)
        printk("smp: vCPU 0 runs on CPU %u while vCPU 1 runs on CPU %u\n", me.cpu, other.cpu);
    CHECK("parallel_both_running_on_two_cpus", together);
    /* The guest's own view agrees: vCPU 1 is running, not waiting for a CPU. */
    if (together)
        CHECK("parallel_runstate_vcpu1_running",
              !hc_vcpu_op(VCPUOP_get_runstate_info, 1, &rs) && rs.state == RUNSTATE_running);
    start = system_time_ns();
    for (i = 1; i <= PINGPONG_ROUNDS; i++) {
        smp_ping = i;
        while (smp_pong != i && system_time_ns() - start < 1000000000ULL)
            ;
        if (smp_pong != i)
            break;
    }
    end = system_time_ns();
    printk("smp: %lu round trips between the vCPUs in %lu us\n", i - 1,
           (unsigned long)((end - start) / 1000));
    smp_ping = smp_pong = PINGPONG_ROUNDS; /* lets vCPU 1 finish its task */
    CHECK("parallel_vcpu1_down", smp_wait_down());
    smp_tlb_shootdown();
}

static void smp_poll_kick(void)
{
    struct evtchn_send s;
    struct evtchn_close c;
    unsigned kick, other;
    volatile struct vcpu_info *vi1 = &shinfo->vcpu_info[1];
    u64 t_kick;

    CHECK_RC("bind_ipi_vcpu1", smp_bind_ipi(1, &kick), 0);
    CHECK_RC("bind_ipi_vcpu1_other", smp_bind_ipi(1, &other), 0);
    vi1->evtchn_pending_sel = 0;
    smp_poll_port = kick;
    smp_poll_state = 0;
    smp_task = smp_task_poll;
    CHECK_RC("up_to_poll", hc_vcpu_op(VCPUOP_up, 1, 0), 0);
    CHECK("vcpu1_blocked_in_poll", vcpu1_blocked());
    /* Another of its ports becoming pending is not what it waits for. */
    s.port = other;
    CHECK_RC("send_other_port", hc_event_channel_op(EVTCHNOP_send, &s), 0);
    yield_for(20);
    CHECK_EQ("poll_sleeps_through_other_port", smp_poll_state, 1);
    /* The kick: a masked port ends the poll of that port. */
    t_kick = system_time_ns();
    s.port = kick;
    CHECK_RC("send_kick", hc_event_channel_op(EVTCHNOP_send, &s), 0);
    while (smp_poll_state != 2 && system_time_ns() - t_kick < SMP_WAIT_NS)
        hc_sched_op(SCHEDOP_yield, 0);
    CHECK_EQ("poll_woken_by_masked_kick", smp_poll_state, 2);
    CHECK_RC("poll_rc", smp_poll_rc, 0);
    CHECK("poll_ended_by_the_kick",
          smp_poll_end >= t_kick && smp_poll_end < smp_poll_start + 1000000000ULL);
    CHECK("kick_left_pending", smp_port_pending(kick));
    CHECK_EQ("kick_masked_no_upcall", vi1->evtchn_pending_sel, 0);
    CHECK("vcpu1_down_after_poll", smp_wait_down());
    c.port = kick;
    hc_event_channel_op(EVTCHNOP_close, &c);
    c.port = other;
    hc_event_channel_op(EVTCHNOP_close, &c);
}

void t_smp(void)
{
    static struct vcpu_guest_context ctx;
    struct bigtree *bt;

    if (!smp_has_vcpu1()) {
        printk("note: smp: this domain has one vCPU; nothing to check\n");
        return;
    }
    CHECK_RC("vcpu1_starts_down", hc_vcpu_op(VCPUOP_is_up, 1, 0), 0);
    CHECK_RC("up_before_initialise", hc_vcpu_op(VCPUOP_up, 1, 0), -XEN_EINVAL);

    smp_context(&ctx, cur_l4_mfn());
    {
        unsigned long rip = ctx.user_regs.rip;

        ctx.user_regs.rip = BAD_NONCANON;
        CHECK_RC("initialise_noncanonical_rip", hc_vcpu_op(VCPUOP_initialise, 1, &ctx),
                 -XEN_EINVAL);
        ctx.user_regs.rip = rip;
    }
    ctx.ctrlreg[3] = va_to_mfn(smp_stack) << PAGE_SHIFT; /* ordinary memory, not a table */
    CHECK_RC("initialise_bad_cr3", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
    /* CR3 naming a frame that is not ours (beyond RAM; the hypervisor's). */
    ctx.ctrlreg[3] = (1UL << 32) << PAGE_SHIFT;
    CHECK_RC("initialise_cr3_beyond_ram", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
    ctx.ctrlreg[3] = 0;
    CHECK_RC("initialise_cr3_zero", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
    /* A read-only page whose first entry names a writable page as an L3:
     * it fails validation as an L4. */
    {
        u64 *bad = page_alloc();

        bad[0] = ((u64)va_to_mfn(smp_stack) << PAGE_SHIFT) | PTE_TABLE;
        make_readonly(bad);
        ctx.ctrlreg[3] = va_to_mfn(bad) << PAGE_SHIFT;
        CHECK_RC("initialise_cr3_invalid_l4", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
        CHECK_RC("initialise_cr3_invalid_l4_not_pinned", pin_table(4, bad), -XEN_EINVAL);
    }
    CHECK_RC("still_uninitialised_after_refusals", hc_vcpu_op(VCPUOP_up, 1, 0), -XEN_EINVAL);
    /* The vCPU runs on a copy of our L4 that nobody pinned: initialise
     * validates it as an L4 itself, as Xen does.  A free slot of it holds
     * the big tree, which takes long enough to validate that the
     * hypervisor may stop and continue the call. */
    {
        u64 *l4 = page_alloc();
        int big = -1;

        for (int i = 0; i < 512; i++)
            if (i < 256 || i >= 272)
                l4[i] = kernel_l4[i];
        for (int i = 1; i < 256 && big < 0; i++)
            if (!l4[i])
                big = i;
        bt = bigtree_get();
        CHECK("bigtree_free_l4_slot", big > 0);
        if (big > 0)
            l4[big] = ((u64)va_to_mfn(bt->l3) << PAGE_SHIFT) | PTE_TABLE;
        make_readonly(l4);
        ctx.ctrlreg[3] = va_to_mfn(l4) << PAGE_SHIFT;
        smp_l4_copy = l4;
    }
    /* Selectors with RPL 0, as Linux passes its __KERNEL_CS/__KERNEL_DS: a
     * guest kernel runs in ring 3, so they mean RPL 3. */
    ctx.user_regs.cs = FLAT_KERNEL_CS64 & ~3;
    ctx.user_regs.ss = ctx.kernel_ss = FLAT_KERNEL_SS64 & ~3;
    /* A bad entry deep in the big tree: initialise fails with its error and
     * leaves every table free (Xen: after this vCPU's next MMU call). */
    CHECK_RC("bigtree_make_bad", bigtree_set_bad(bt, true), 0);
    CHECK_RC("initialise_bigtree_bad_entry", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EBUSY);
    flush_va(0);
    CHECK("bigtree_free_after_failed_initialise", bigtree_all_writable(bt));
    CHECK_RC("l4_free_after_failed_initialise", make_writable(smp_l4_copy), 0);
    make_readonly(smp_l4_copy);
    CHECK_RC("still_down_after_failed_initialise", hc_vcpu_op(VCPUOP_up, 1, 0), -XEN_EINVAL);
    CHECK_RC("bigtree_make_good", bigtree_set_bad(bt, false), 0);
    CHECK_RC("initialise", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
    CHECK_RC("bigtree_in_use_by_vcpu1", make_writable(bt->l1[BT_L2 - 1][BT_L1 - 1]), -XEN_EBUSY);
    CHECK_RC("initialise_twice", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EEXIST);
    CHECK_RC("still_down_until_up", hc_vcpu_op(VCPUOP_is_up, 1, 0), 0);

    set_xmm0(SSE_MINE);
    smp_io_in = smp_io_out = smp_io_after_iopl0 = -1;
    smp_task = smp_task_io;
    CHECK_RC("up", hc_vcpu_op(VCPUOP_up, 1, 0), 0);
    CHECK("vcpu1_ran", smp_wait_rounds(1));
    CHECK_EQ("vcpu1_runs_on_unpinned_l4", smp_cr3 >> PAGE_SHIFT, va_to_mfn(smp_l4_copy));
    /* Initialise took a type reference on it as an L4: it cannot become
     * writable now. */
    CHECK_RC("unpinned_l4_in_use", make_writable(smp_l4_copy), -XEN_EBUSY);
    CHECK("vcpu1_went_down", smp_wait_down());
    CHECK_EQ("vcpu1_fresh_sse_state", smp_seen_xmm, 0); /* reset state: xmm0 clear */
    CHECK_EQ("vcpu0_sse_kept", get_xmm0(), SSE_MINE);
    /* The context's IOPL is vCPU 1's own: its port I/O goes through until
     * it sets IOPL 0 itself; vCPU 0's IOPL (0) is not touched. */
    CHECK_EQ("vcpu1_in_at_context_iopl", smp_io_in, 1);
    CHECK_EQ("vcpu1_out_at_context_iopl", smp_io_out, 1);
    CHECK_EQ("vcpu1_in_after_set_iopl0_gp", smp_io_after_iopl0, 0);
    CHECK("vcpu0_iopl_untouched_gp", !io_in());

    smp_task = smp_task_sse;
    CHECK_RC("up_again", hc_vcpu_op(VCPUOP_up, 1, 0), 0);
    CHECK("vcpu1_resumed", smp_wait_rounds(2));
    CHECK("vcpu1_down_again", smp_wait_down());
    CHECK_EQ("vcpu1_sse_kept", smp_seen_xmm, SSE_THEIRS);
    CHECK_EQ("vcpu0_sse_kept_again", get_xmm0(), SSE_MINE);

    smp_poll_kick();
    CHECK_EQ("vcpu0_sse_kept_after_poll", get_xmm0(), SSE_MINE);
    if (opt_pcpus >= 2)
        smp_parallel();
    CHECK_RC("is_up_bad_vcpu", hc_vcpu_op(VCPUOP_is_up, 40, 0), -XEN_ENOENT);
}
