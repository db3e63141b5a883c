// SPDX-License-Identifier: GPL-2.0-only
/*
 * Emulated instructions: forced-emulation CPUID (the hypervisor leaves and
 * the PV feature policy), rdmsr/wrmsr on allowed and forbidden MSRs, reads
 * of control registers, port I/O under the virtual IOPL and the I/O bitmap.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/physdev.h>

static void xen_cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile(XEN_CPUID : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static bool msr_read(u32 msr, u64 *v)
{
    u32 lo = 0, hi = 0;

    trap_expect(13);
    __asm__ volatile("1: rdmsr\n2:\n" EXTABLE_ENTRY(1b, 2b) : "+a"(lo), "+d"(hi) : "c"(msr));
    trap_expect_clear();
    *v = ((u64)hi << 32) | lo;
    return last_trap.vector != 13;
}

static bool msr_write(u32 msr, u64 v)
{
    trap_expect(13);
    __asm__ volatile("1: wrmsr\n2:\n" EXTABLE_ENTRY(1b, 2b)
                     :
                     : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
    trap_expect_clear();
    return last_trap.vector != 13;
}

static bool port_in(u16 port, u8 *v)
{
    trap_expect(13);
    __asm__ volatile("1: inb %w1, %b0\n2:\n" EXTABLE_ENTRY(1b, 2b) : "+a"(*v) : "d"(port));
    trap_expect_clear();
    return last_trap.vector != 13;
}

static bool port_out(u16 port, u8 v)
{
    trap_expect(13);
    __asm__ volatile("1: outb %b0, %w1\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "a"(v), "d"(port));
    trap_expect_clear();
    return last_trap.vector != 13;
}

void t_emul(void)
{
    u32 a, b, c, d;
    u64 v, cr;
    u8 in = 0;

    xen_cpuid(0x40000000, &a, &b, &c, &d);
    CHECK("cpuid_xen_signature", b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e);
    CHECK("cpuid_max_leaf", a >= 0x40000002 && a < 0x40000100);
    xen_cpuid(0x40000001, &a, &b, &c, &d);
    CHECK_EQ("cpuid_version_leaf", a, hc_xen_version(0, 0));
    xen_cpuid(0x40000002, &a, &b, &c, &d);
    CHECK_EQ("cpuid_hypercall_pages", a, 1);
    xen_cpuid(1, &a, &b, &c, &d);
    CHECK("cpuid_hypervisor_bit", c & (1u << 31));
    CHECK("cpuid_pse_hidden", !(d & (1u << 3)));
    CHECK("cpuid_pge_hidden", !(d & (1u << 13)));
    CHECK("cpuid_vmx_hidden", !(c & (1u << 5)));
    CHECK("cpuid_x2apic_hidden", !(c & (1u << 21)));
    CHECK("cpuid_monitor_hidden", !(c & (1u << 3)));
    CHECK("cpuid_pcid_hidden", !(c & (1u << 17)));
    CHECK("cpuid_tsc_deadline_hidden", !(c & (1u << 24)));
    CHECK("cpuid_vme_hidden", !(d & (1u << 1)));
    CHECK("cpuid_fxsr_shown", d & (1u << 24));
    CHECK("cpuid_sse2_shown", d & (1u << 26));
    xen_cpuid(7, &a, &b, &c, &d);
    CHECK("cpuid_smep_hidden", !(b & (1u << 7)));
    CHECK("cpuid_smap_hidden", !(b & (1u << 20)));
    CHECK("cpuid_invpcid_hidden", !(b & (1u << 10)));
    xen_cpuid(0x80000001, &a, &b, &c, &d);
    CHECK("cpuid_lm_shown", d & (1u << 29));
    CHECK("cpuid_syscall_shown", d & (1u << 11));
    CHECK("cpuid_page1gb_hidden", !(d & (1u << 26)));
    xen_cpuid(0, &a, &b, &c, &d);
    CHECK("cpuid_leaf0_vendor", b != 0 && a >= 1);

    CHECK("rdmsr_apic_base", msr_read(0x1b, &v));
    CHECK_EQ("apic_base_bsp_enabled", v & 0xfffff900UL, 0xfee00900UL);
    CHECK("rdmsr_pat", msr_read(0x277, &v));
    CHECK_EQ("pat_value", v, 0x0000050100070406UL);
    CHECK("rdmsr_efer", msr_read(0xc0000080, &v));
    CHECK("efer_lma", v & (1u << 10));
    CHECK("rdmsr_unknown_gp", !msr_read(0x12345, &v));
    CHECK("wrmsr_unknown_gp", !msr_write(0x12345, 0));
    CHECK("wrmsr_gs_base", msr_write(0xc0000101, 0x7777000UL));
    CHECK("rdmsr_gs_base", msr_read(0xc0000101, &v) && v == 0x7777000UL);
    msr_write(0xc0000101, 0);
    CHECK("wrmsr_efer_change_gp", !msr_write(0xc0000080, 0));

    __asm__ volatile("mov %%cr0, %0" : "=r"(cr));
    CHECK("cr0_pe_pg", (cr & 1) && (cr & (1UL << 31)));
    CHECK("cr0_ts_clear", !(cr & 8));
    hc_fpu_taskswitch(1);
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr));
    CHECK("cr0_ts_after_fpu_taskswitch", cr & 8);
    __asm__ volatile("clts");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr));
    CHECK("clts_emulated", !(cr & 8));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr));
    CHECK("cr4_pae", cr & (1u << 5));
    CHECK("cr4_no_pge", !(cr & (1u << 7)));
    trap_expect(14);
    __asm__ volatile("1: movb (%0), %%al\n2:\n" EXTABLE_ENTRY(1b, 2b)
                     :
                     : "r"(BAD_UNMAPPED + 0x40)
                     : "rax", "memory");
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr));
    CHECK_EQ("cr2_last_fault", cr, BAD_UNMAPPED + 0x40);
    trap_expect(13);
    __asm__ volatile("1: mov %0, %%cr0\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(0UL));
    CHECK_EQ("write_cr0_pe_off_gp", last_trap.vector, 13);
    __asm__ volatile("wbinvd");
    test_pass("wbinvd_emulated");

    /* Port I/O: refused at IOPL 0, allowed after set_iopl, or by bitmap. */
    {
        struct physdev_set_iopl iopl = {.iopl = 0};
        struct physdev_set_iobitmap iob;
        static u8 bitmap[8192 / 8];

        CHECK("in_iopl0_gp", !port_in(0x80, &in));
        CHECK("out_iopl0_gp", !port_out(0x80, 0));
        iopl.iopl = 1;
        hc_physdev_op(PHYSDEVOP_set_iopl, &iopl);
        CHECK("in_iopl1", port_in(0x80, &in));
        CHECK("out_iopl1", port_out(0x80, 0x55));
        iopl.iopl = 0;
        hc_physdev_op(PHYSDEVOP_set_iopl, &iopl);
        memset(bitmap, 0xff, sizeof(bitmap));
        bitmap[0x80 / 8] &= (u8) ~(1u << (0x80 % 8));
        set_xen_guest_handle(iob.bitmap, bitmap);
        iob.nr_ports = 1024;
        hc_physdev_op(PHYSDEVOP_set_iobitmap, &iob);
        CHECK("in_bitmap_allowed", port_in(0x80, &in));
        CHECK("in_bitmap_denied", !port_in(0x81, &in));
        iob.nr_ports = 0;
        hc_physdev_op(PHYSDEVOP_set_iobitmap, &iob);
        CHECK("in_bitmap_off_gp", !port_in(0x80, &in));
    }
}
