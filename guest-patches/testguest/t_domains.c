// SPDX-License-Identifier: GPL-2.0-only
/*
 * Modes for runs with several domains (pvx's boot-time domains):
 *   domu      run as an unprivileged domain: check what a domU is given
 *             (no privilege, a console ring and its event channel), write a
 *             line through the ring and see the backend consume it
 *   idle=MS   stay alive (blocked, waking on timers) for MS milliseconds,
 *             then power off: a dom0 that lets domUs run to completion
 *   spin=A:B  burn CPU between system times A and B (ms since pvx booted)
 *             and report how many loop iterations it got and how long it
 *             ran (runstate): domains spinning over the same window show
 *             the scheduler's shares
 */
#include "guest.h"
#include "test.h"
#include <public/event_channel.h>
#include <public/io/console.h>
#include <public/sched.h>
#include <public/vcpu.h>

static void block_until(u64 deadline)
{
    while (system_time_ns() < deadline)
        block_until_or_event(deadline);
}

/* A domU's non-present entries may not name RAM where the CPU is L1TF-affected
 * (the harness's Intel model): pvx refuses them.  Linux's own kind (the
 * address bits inverted: beyond RAM) and a cleared entry pass.  On Xen such
 * a domU is switched to shadow paging instead; this mode runs on pvx only
 * (boot-time domUs), docs/abi.md. */
static void check_l1tf(void)
{
    u8 *page = page_alloc();
    u64 mfn = va_to_mfn(page), l1ma = pte_ma((unsigned long)page);
    struct mmu_update req = {l1ma | MMU_NORMAL_PT_UPDATE, (mfn << 12) | _PAGE_RW};

    CHECK_RC("domu.l1tf_nonpresent_ram_refused", hc_mmu_update(&req, 1, 0, DOMID_SELF), -XEN_EPERM);
    req.val = ~(mfn << 12) & 0x000ffffffffff000UL;
    CHECK_RC("domu.l1tf_nonpresent_inverted_accepted", hc_mmu_update(&req, 1, 0, DOMID_SELF), 0);
    req.val = (mfn << 12) | PTE_KERN_RW;
    CHECK_RC("domu.l1tf_page_mapped_again", hc_mmu_update(&req, 1, 0, DOMID_SELF), 0);
    flush_va((unsigned long)page);
}

void mode_domu(const char *name)
{
    struct xencons_interface *ring = console_ring();
    char line[96];
    u64 deadline;

    CHECK("domu.not_privileged", !(si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)));
    CHECK("domu.console_ring_given", si->console.domU.mfn != 0 && si->console.domU.evtchn != 0);
    CHECK("domu.no_xenstore_yet", si->store_evtchn == 0);
    /* Xen 4.17's release builds refuse a domU every console_io command
     * before looking at its arguments (the dummy XSM policy). */
    CHECK_RC("domu.console_write_refused", hc_console_io(CONSOLEIO_write, 4, "x\n"), -XEN_EPERM);
    CHECK_RC("domu.console_write_bad_buffer_refused", hc_console_io(CONSOLEIO_write, 16, 0),
             -XEN_EPERM);
    CHECK_RC("domu.console_read_refused", hc_console_io(CONSOLEIO_read, 0, 0), -XEN_EPERM);
    CHECK_RC("domu.console_unknown_refused", hc_console_io(7, 0, 0), -XEN_EPERM);
    /* The ring's port is pvx's to service: not the guest's to move. */
    CHECK_RC("domu.console_port_bind_vcpu_refused", bind_vcpu_xen_port(xen_serviced_port()),
             -XEN_EINVAL);
    check_l1tf();
    if (!ring)
        return;
    snprintf(line, sizeof(line), "hello from %s through the console ring\n", name);
    console_ring_write(line, strlen(line));
    deadline = system_time_ns() + 2000000000ULL;
    while (ring->out_cons != ring->out_prod && system_time_ns() < deadline)
        block_until(system_time_ns() + 5000000);
    CHECK("domu.ring_consumed_by_backend", ring->out_cons == ring->out_prod);
}

void mode_idle(unsigned long ms)
{
    block_until(system_time_ns() + ms * 1000000ULL);
    printk("note: idle for %lu ms\n", ms);
}

void mode_spin(unsigned long from_ms, unsigned long to_ms)
{
    u64 start = from_ms * 1000000ULL, end = to_ms * 1000000ULL;
    unsigned long count = 0;

    struct vcpu_runstate_info r0, r1;

    /* Compete from the start, so the window sees settled shares. */
    while (system_time_ns() < start)
        ;
    hc_vcpu_op(VCPUOP_get_runstate_info, 0, &r0);
    while (system_time_ns() < end) {
        for (volatile unsigned int i = 0; i < 1000; i++)
            ;
        count++;
    }
    hc_vcpu_op(VCPUOP_get_runstate_info, 0, &r1);
    printk("spin count %lu\n", count);
    /* CPU time as the hypervisor accounts it: with several CPUs emulated
     * on a busy host, loops per ns differ from CPU to CPU. */
    printk("spin ran %lu us\n",
           (unsigned long)((r1.time[RUNSTATE_running] - r0.time[RUNSTATE_running]) / 1000));
}
