// SPDX-License-Identifier: GPL-2.0-only
/*
 * This domain's vCPU 1, shared by the `smp` checks (t_smp.c) and the SMP
 * rows of the `bench` mode (bench_smp.c).  Its initial context: a stack of
 * its own, kernel mode, events masked, only a #GP handler.  Its life: run
 * the task vCPU 0 left in smp_task, count the round, take itself down with
 * VCPUOP_down; the next VCPUOP_up resumes it there for the next task.  A
 * task must not fault (beyond what the #GP handler covers) and must not
 * expect an upcall.
 *
 * Also the few things both sides of a task use: IPI ports bound to a vCPU
 * and left masked (their pending bits read and cleared by hand), and the
 * probe, a task reading through one address until told to stop.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/vcpu.h>

void (*volatile smp_task)(void);
volatile unsigned long smp_rounds;
u8 smp_stack[8192] __attribute__((aligned(16)));

volatile u64 *volatile smp_probe;
volatile u64 smp_probe_seen;
volatile unsigned long smp_probe_reads, smp_probe_stop;

static void __attribute__((noreturn)) smp_main(void)
{
    for (;;) {
        void (*task)(void) = smp_task;

        if (task)
            task();
        smp_task = NULL;
        smp_rounds++;
        hc_vcpu_op(VCPUOP_down, 1, 0); /* returns when brought up again */
    }
}

bool smp_has_vcpu1(void)
{
    return hc_vcpu_op(VCPUOP_is_up, 1, 0) != -XEN_ENOENT;
}

unsigned int smp_absent_vcpu(void)
{
    unsigned int id = 1;

    while (id < 4096 && hc_vcpu_op(VCPUOP_is_up, id, 0) != -XEN_ENOENT)
        id++;
    return id;
}

void smp_context(struct vcpu_guest_context *ctx, unsigned long l4_mfn)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->flags = VGCF_in_kernel;
    ctx->user_regs.rip = (unsigned long)smp_main;
    ctx->user_regs.rsp = (unsigned long)(smp_stack + sizeof(smp_stack) - 8);
    ctx->user_regs.cs = FLAT_KERNEL_CS64;
    ctx->user_regs.ss = FLAT_KERNEL_SS64;
    /* IOPL 1, as Linux starts its secondary vCPUs (cpu_initialize_context). */
    ctx->user_regs.rflags = 1UL << 12;
    ctx->kernel_ss = FLAT_KERNEL_SS64;
    ctx->kernel_sp = ctx->user_regs.rsp;
    ctx->ctrlreg[3] = l4_mfn << PAGE_SHIFT;
    ctx->trap_ctxt[13].vector = 13;
    ctx->trap_ctxt[13].cs = FLAT_KERNEL_CS;
    ctx->trap_ctxt[13].address = exc_stub_table[13];
}

bool smp_wait_rounds(unsigned long n)
{
    u64 start = system_time_ns();

    while (smp_rounds < n && system_time_ns() - start < SMP_WAIT_NS)
        hc_sched_op(SCHEDOP_yield, 0);
    return smp_rounds >= n;
}

bool smp_wait_down(void)
{
    u64 start = system_time_ns();

    while (hc_vcpu_op(VCPUOP_is_up, 1, 0) == 1 && system_time_ns() - start < SMP_WAIT_NS)
        hc_sched_op(SCHEDOP_yield, 0);
    return hc_vcpu_op(VCPUOP_is_up, 1, 0) == 0;
}

long smp_bind_ipi(unsigned vcpu_id, unsigned *port)
{
    struct evtchn_bind_ipi b = {.vcpu = vcpu_id};
    long rc = hc_event_channel_op(EVTCHNOP_bind_ipi, &b);

    *port = b.port;
    evtchn_mask_port(b.port); /* a number reused from an earlier check may be unmasked */
    return rc;
}

bool smp_port_pending(unsigned port)
{
    return (shinfo->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

void smp_port_clear(unsigned port)
{
    __atomic_fetch_and(&shinfo->evtchn_pending[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

void smp_task_probe(void)
{
    while (!smp_probe_stop) {
        smp_probe_seen = *smp_probe;
        smp_probe_reads++;
    }
}

bool smp_probe_wait(unsigned long n)
{
    unsigned long from = smp_probe_reads;
    u64 start = system_time_ns();

    while (smp_probe_reads - from < n && system_time_ns() - start < SMP_WAIT_NS)
        ;
    return smp_probe_reads - from >= n;
}

long smp_vcpu_where(unsigned id, struct pvx_domctl_getvcpuinfo *out)
{
    static struct pvx_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.cmd = PVX_DOMCTL_getvcpuinfo;
    op.interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    op.domain = 0;
    op.u.getvcpuinfo.vcpu = id;
    rc = HC1(__HYPERVISOR_domctl, &op);
    *out = op.u.getvcpuinfo;
    return rc;
}
