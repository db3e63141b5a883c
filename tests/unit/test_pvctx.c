/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: a vCPU's context as VCPUOP_initialise and domctl
 * setvcpucontext give it and getvcpucontext reports it
 * (arch/x86/pv/context.c), on a second vCPU of the PV MMU harness's domain
 * with a real L4 as its page-table base.  The descriptor tables and the
 * way into the guest are not what is tested: they are stubbed here.
 */
#include "harness.h"

#include "pvmm_harness.h"

#include <asm/regs.h>
#include <asm/pv/traps.h>
#include <pvx/errno.h>
#include <pvx/arch.h>
#include <pvx/sched.h>
#include <public/xen.h>

static struct vcpu vcpu1; /* pvmm_dom's vCPU 1: not running */
static struct vcpu_guest_context ctx, out;
static struct pvmm_tree t;

/* ---- stubs: GDT/LDT (descriptors.c), time, guest entry ---- */

int pv_set_gdt(struct vcpu *v, const uint64_t *frames, uint64_t entries)
{
    return entries ? -EINVAL : 0;
}

void pv_release_descriptors(struct vcpu *v)
{
}

void pv_load_guest_gdt(struct vcpu *v, bool changed)
{
}

void pv_load_guest_ldt(struct vcpu *v)
{
}

void update_vcpu_system_time(struct vcpu *v)
{
}

void arch_exit_to_guest(struct cpu_user_regs *regs)
{
    fail_msg("no guest entry in this test");
}

void arch_enter_guest(struct cpu_user_regs *regs)
{
    fail_msg("no guest entry in this test");
    abort();
}

static int setup(void **state)
{
    (void)state;
    pvmm_setup();
    memset(&vcpu1, 0, sizeof(vcpu1));
    vcpu1.vcpu_id = 1;
    vcpu1.domain = &pvmm_dom;
    pvmm_dom.vcpus[1] = &vcpu1;
    pvmm_dom.max_vcpus = 2;
    pvmm_build_tree(&t, &pvmm_dom, PVMM_KERNEL_VA);
    /* A kernel-mode context on the harness's tree, as Linux builds one. */
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel;
    ctx.user_regs.rip = PVMM_KERNEL_VA;
    ctx.user_regs.rsp = PVMM_KERNEL_VA + PAGE_SIZE;
    ctx.user_regs.cs = FLAT_KERNEL_CS64 & ~3;
    ctx.user_regs.ss = FLAT_KERNEL_SS64 & ~3;
    ctx.kernel_ss = FLAT_KERNEL_SS64 & ~3;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = t.l4 << PAGE_SHIFT;
    return 0;
}

static uint64_t iopl_of(uint64_t rflags)
{
    return (rflags & X86_EFLAGS_IOPL) >> 12;
}

/* The context's IOPL field is the vCPU's virtual IOPL, as on Xen: Linux
 * starts each secondary vCPU with IOPL 1 this way. */
static void test_iopl_from_context(void **state)
{
    (void)state;
    ctx.user_regs.rflags = 1ULL << 12;
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    assert_int_equal(vcpu1.arch.iopl, 1);
    /* ... never the real flags the guest runs with (it runs in ring 3). */
    assert_int_equal(iopl_of(vcpu1.arch.user_regs.rflags), 0);
    assert_true(vcpu1.arch.user_regs.rflags & X86_EFLAGS_IF);
    /* The other vCPU keeps its own. */
    assert_int_equal(pvmm_vcpu.arch.iopl, 0);

    ctx.user_regs.rflags = 3ULL << 12;
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    assert_int_equal(vcpu1.arch.iopl, 3);
    /* A context without it takes it away (as a new context on Xen does). */
    ctx.user_regs.rflags = 0;
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    assert_int_equal(vcpu1.arch.iopl, 0);
}

/* getvcpucontext merges the virtual IOPL back into the flags it reports,
 * whether a context or PHYSDEVOP_set_iopl set it. */
static void test_iopl_reported(void **state)
{
    (void)state;
    ctx.user_regs.rflags = 1ULL << 12;
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    arch_get_vcpu_context(&vcpu1, &out);
    assert_int_equal(iopl_of(out.user_regs.rflags), 1);
    vcpu1.arch.iopl = 3; /* what PHYSDEVOP_set_iopl does on that vCPU */
    arch_get_vcpu_context(&vcpu1, &out);
    assert_int_equal(iopl_of(out.user_regs.rflags), 3);
    /* What getvcpucontext reports, setvcpucontext takes back unchanged. */
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &out), 0);
    assert_int_equal(vcpu1.arch.iopl, 3);
    vcpu1.arch.iopl = 0;
    arch_get_vcpu_context(&vcpu1, &out);
    assert_int_equal(iopl_of(out.user_regs.rflags), 0);
}

/* A context's debug registers go through set_debugreg's rules one by one:
 * what it refuses is left at its reset value and the call still succeeds
 * (as on Xen); I/O breakpoints need the context's CR4.DE. */
static void test_debugregs_from_context(void **state)
{
    (void)state;
    ctx.debugreg[0] = 0x1000;
    ctx.debugreg[1] = 0xffff830000000000ULL; /* pvx's range: refused */
    ctx.debugreg[6] = 0;
    ctx.debugreg[7] = 0x1 | (2ULL << 16); /* L0, an I/O breakpoint: needs DE */
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    arch_get_vcpu_context(&vcpu1, &out);
    assert_int_equal(out.debugreg[0], 0x1000);
    assert_int_equal(out.debugreg[1], 0);
    assert_int_equal(out.debugreg[6], 0xffff0ff0);
    assert_int_equal(out.debugreg[7], 0x400);

    ctx.ctrlreg[4] = 0x8; /* CR4.DE */
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    arch_get_vcpu_context(&vcpu1, &out);
    assert_int_equal(out.debugreg[7], 0x400 | 0x1 | (2ULL << 16));
    /* Never armed in the real DR7: pvx does not run I/O breakpoints. */
    assert_int_equal(vcpu1.arch.debugreg[7] & 0xff, 0);

    ctx.debugreg[7] = 0x2000; /* GD */
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    arch_get_vcpu_context(&vcpu1, &out);
    assert_int_equal(out.debugreg[7], 0x400);
}

/* DR4/DR5 alias DR6/DR7 only while the guest's CR4.DE is clear. */
static void test_debugreg_aliases(void **state)
{
    uint64_t v;

    (void)state;
    assert_int_equal(arch_set_vcpu_context(&vcpu1, &ctx), 0);
    assert_int_equal(pv_set_debugreg(&vcpu1, 4, 0x1), 0);
    assert_int_equal(pv_get_debugreg(&vcpu1, 6, &v), 0);
    assert_int_equal(v, 0xffff0ff1);
    assert_int_equal(pv_set_debugreg(&vcpu1, 5, 1ULL << 32), -EINVAL);
    assert_int_equal(pv_set_debugreg(&vcpu1, 7, 0xd800), 0);
    assert_int_equal(pv_get_debugreg(&vcpu1, 5, &v), 0);
    assert_int_equal(v, 0x400);
    vcpu1.arch.cr4_guest_bits = 0x8;
    assert_int_equal(pv_set_debugreg(&vcpu1, 4, 0), -ENODEV);
    assert_int_equal(pv_get_debugreg(&vcpu1, 5, &v), -ENODEV);
    assert_int_equal(pv_set_debugreg(&vcpu1, 8, 0), -ENODEV);
    assert_int_equal(pv_set_debugreg(&vcpu1, 0, 1ULL << 47), -EPERM);
    assert_int_equal(pv_set_debugreg(&vcpu1, 0, 0xffff880000000000ULL), 0);
}

/* VCPUOP_initialise with tables whose validation is preempted: -ERESTART
 * with nothing of the context applied, until a call with the same context
 * finds both tables validated (the kernel one kept from an earlier part). */
static void test_context_waits_for_tables(void **state)
{
    mfn_t ul4 = pvmm_alloc(&pvmm_dom), ul3 = pvmm_alloc(&pvmm_dom), ul2 = pvmm_alloc(&pvmm_dom);
    unsigned int restarts = 0;
    int rc;

    (void)state;
    /* Two more L1 tables under the kernel tree's L2, three under the user
     * tree's: an L2 stops between them. */
    for (unsigned int i = 1; i <= 2; i++)
        pvmm_table(t.l2)[i] = pvmm_pte(pvmm_alloc(&pvmm_dom), _PAGE_PRESENT);
    pvmm_table(ul4)[0] = pvmm_pte(ul3, _PAGE_PRESENT);
    pvmm_table(ul3)[0] = pvmm_pte(ul2, _PAGE_PRESENT);
    for (unsigned int i = 0; i < 3; i++)
        pvmm_table(ul2)[i] = pvmm_pte(pvmm_alloc(&pvmm_dom), _PAGE_PRESENT);
    ctx.ctrlreg[1] = ul4 << PAGE_SHIFT;
    for (;;) {
        pvmm_set_preempt_after(0);
        rc = arch_set_vcpu_context(&vcpu1, &ctx);
        if (rc != -ERESTART)
            break;
        restarts++;
        assert_true(restarts < 100);
        assert_int_equal(vcpu1.arch.user_regs.rip, 0);
        assert_int_equal(vcpu1.arch.kernel_sp, 0);
        assert_int_equal(vcpu1.arch.guest_table_user, 0);
    }
    assert_int_equal(rc, 0);
    assert_true(restarts >= 4);
    assert_int_equal(vcpu1.arch.user_regs.rip, PVMM_KERNEL_VA);
    assert_int_equal(vcpu1.arch.guest_table, t.l4);
    assert_int_equal(vcpu1.arch.guest_table_user, ul4);
    assert_int_equal(pvmm_trefs(t.l4), 1);
    assert_int_equal(pvmm_trefs(ul4), 1);
    assert_int_equal(pvmm_trefs(t.l2), 1);
    assert_true(pvmm_validated(ul2) && pvmm_validated(t.l2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_iopl_from_context, setup),
        cmocka_unit_test_setup(test_iopl_reported, setup),
        cmocka_unit_test_setup(test_debugregs_from_context, setup),
        cmocka_unit_test_setup(test_debugreg_aliases, setup),
        cmocka_unit_test_setup(test_context_waits_for_tables, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
