// SPDX-License-Identifier: GPL-2.0-only
/*
 * A second vCPU: VCPUOP_initialise with a context of our own (same page
 * tables, its own stack), VCPUOP_up, is_up, and the vCPU taking itself
 * down and being brought up again where it stopped.  Both vCPUs share the
 * one physical CPU pvx schedules them on; each keeps its own SSE registers.
 * Runs only where this domain has a vCPU 1 (pvx with dom0_max_vcpus=2).
 */
#include "guest.h"
#include "test.h"
#include <public/sched.h>
#include <public/vcpu.h>

#define SSE_MINE   0x0123456789abcdefUL
#define SSE_THEIRS 0x1111111122222222UL

static volatile unsigned long smp_rounds;
static volatile unsigned long smp_seen_xmm;
static u8 smp_stack[8192] __attribute__((aligned(16)));

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

/* vCPU 1: runs with events masked and no trap handlers, so it must not fault. */
static void __attribute__((noreturn)) smp_main(void)
{
    for (;;) {
        smp_seen_xmm = get_xmm0(); /* its own register, untouched by vCPU 0 */
        set_xmm0(SSE_THEIRS);
        smp_rounds++;
        hc_vcpu_op(VCPUOP_down, 1, 0); /* returns when brought up again */
    }
}

static bool wait_rounds(unsigned long n)
{
    for (int i = 0; i < 1000 && smp_rounds < n; i++)
        hc_sched_op(SCHEDOP_yield, 0);
    return smp_rounds >= n;
}

static bool wait_down(void)
{
    for (int i = 0; i < 1000 && hc_vcpu_op(VCPUOP_is_up, 1, 0) == 1; i++)
        hc_sched_op(SCHEDOP_yield, 0);
    return hc_vcpu_op(VCPUOP_is_up, 1, 0) == 0;
}

void t_smp(void)
{
    static struct vcpu_guest_context ctx;

    if (hc_vcpu_op(VCPUOP_is_up, 1, 0) == -XEN_ENOENT) {
        printk("note: smp: this domain has one vCPU; nothing to check\n");
        return;
    }
    CHECK_RC("vcpu1_starts_down", hc_vcpu_op(VCPUOP_is_up, 1, 0), 0);
    CHECK_RC("up_before_initialise", hc_vcpu_op(VCPUOP_up, 1, 0), -XEN_EINVAL);

    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel;
    ctx.user_regs.rip = (unsigned long)smp_main;
    ctx.user_regs.rsp = (unsigned long)(smp_stack + sizeof(smp_stack) - 8);
    ctx.user_regs.cs = FLAT_KERNEL_CS64;
    ctx.user_regs.ss = FLAT_KERNEL_SS64;
    ctx.kernel_ss = FLAT_KERNEL_SS64;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = cur_l4_mfn() << PAGE_SHIFT;

    ctx.user_regs.rip = BAD_NONCANON;
    CHECK_RC("initialise_noncanonical_rip", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
    ctx.user_regs.rip = (unsigned long)smp_main;
    ctx.ctrlreg[3] = va_to_mfn(smp_stack) << PAGE_SHIFT; /* ordinary memory, not a table */
    CHECK("initialise_bad_cr3", hc_vcpu_op(VCPUOP_initialise, 1, &ctx) < 0);
    ctx.ctrlreg[3] = cur_l4_mfn() << PAGE_SHIFT;
    /* Selectors with RPL 0, as Linux passes its __KERNEL_CS/__KERNEL_DS: a
     * guest kernel runs in ring 3, so they mean RPL 3. */
    ctx.user_regs.cs = FLAT_KERNEL_CS64 & ~3;
    ctx.user_regs.ss = ctx.kernel_ss = FLAT_KERNEL_SS64 & ~3;
    CHECK_RC("initialise", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
    CHECK_RC("initialise_twice", hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EEXIST);
    CHECK_RC("still_down_until_up", hc_vcpu_op(VCPUOP_is_up, 1, 0), 0);

    set_xmm0(SSE_MINE);
    CHECK_RC("up", hc_vcpu_op(VCPUOP_up, 1, 0), 0);
    CHECK("vcpu1_ran", wait_rounds(1));
    CHECK("vcpu1_went_down", wait_down());
    CHECK_EQ("vcpu1_fresh_sse_state", smp_seen_xmm, 0); /* reset state: xmm0 clear */
    CHECK_EQ("vcpu0_sse_kept", get_xmm0(), SSE_MINE);

    CHECK_RC("up_again", hc_vcpu_op(VCPUOP_up, 1, 0), 0);
    CHECK("vcpu1_resumed", wait_rounds(2));
    CHECK("vcpu1_down_again", wait_down());
    CHECK_EQ("vcpu1_sse_kept", smp_seen_xmm, SSE_THEIRS);
    CHECK_EQ("vcpu0_sse_kept_again", get_xmm0(), SSE_MINE);
    CHECK_RC("is_up_bad_vcpu", hc_vcpu_op(VCPUOP_is_up, 40, 0), -XEN_ENOENT);
}
