// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debug registers: set_debugreg/get_debugreg and `mov` to and from %dr0-7
 * (emulated for a PV kernel), the values Xen refuses or rewrites, and
 * breakpoints that fire: an instruction breakpoint and a data write
 * watchpoint in our own code, single-step with TF, each reporting its bit
 * in DR6.  Hostile: a watchpoint on a buffer the hypervisor writes for us
 * (its #DB hits inside the hypervisor and must not reach us or crash it),
 * and a watchpoint hit by `mov ss` just before a hypercall's `syscall`.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/physdev.h>
#include <public/version.h>

#define DR6_DEFAULT 0xffff0ff0UL
#define DR6_B0      0x1UL
#define DR6_B1      0x2UL
#define DR6_BS      0x4000UL
#define DR7_DEFAULT 0x400UL
#define DR7_GD      0x2000UL
#define DR7_L(n)    (1UL << ((n)*2))
/* R/W and LEN of breakpoint n: R/W 0 execute, 1 write, 2 I/O, 3 read/write. */
#define DR7_RW(n, rw)   ((unsigned long)(rw) << (16 + (n)*4))
#define DR7_LEN(n, len) ((unsigned long)(len) << (18 + (n)*4)) /* 0:1 1:2 3:4 2:8 bytes */
#define CR4_DE          0x8UL

static volatile u64 watched __aligned(8);
static char hv_buf[XEN_EXTRAVERSION_LEN] __aligned(64);
static volatile u64 db_count, db_dr6, db_rip;

#define MOV_TO_DR(n, v)   __asm__ volatile("mov %0, %%dr" #n : : "r"((u64)(v)) : "memory")
#define MOV_FROM_DR(n, v) __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v) : : "memory")

static u64 read_cr4(void)
{
    u64 v;

    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static void write_cr4(u64 v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/*
 * Our #DB handler for the breakpoint checks: note DR6 as the guest reads it
 * (get_debugreg), then disarm every breakpoint so that resuming at a
 * faulting instruction breakpoint does not hit it again, and stop
 * single-stepping.
 */
static bool on_debug(struct trap_ctx *t)
{
    if (t->vector != 1)
        return false;
    db_count++;
    db_dr6 = (u64)hc_get_debugreg(6);
    db_rip = t->rip;
    hc_set_debugreg(7, 0);
    t->rflags &= ~0x100UL;
    return true;
}

static void reset_debug_state(void)
{
    hc_set_debugreg(7, 0);
    hc_set_debugreg(6, 0);
    db_count = 0;
    db_dr6 = 0;
    db_rip = 0;
}

/* A mov to or from a debug register that must fault with vector vec. */
#define EXPECT_MOV_FAULT(name, vec, insn, ...)                                                     \
    do {                                                                                           \
        trap_expect(vec);                                                                          \
        __asm__ volatile("1: " insn "\n2:\n" EXTABLE_ENTRY(1b, 2b) : __VA_ARGS__);                 \
        trap_expect_clear();                                                                       \
        CHECK_EQ(name, last_trap.vector, vec);                                                     \
    } while (0)

static void check_hypercalls(void)
{
    u64 addr = (u64)&watched;

    CHECK_RC("set_dr0", hc_set_debugreg(0, addr), 0);
    CHECK_EQ("get_dr0", hc_get_debugreg(0), (long)addr);
    CHECK_RC("set_dr3", hc_set_debugreg(3, addr + 8), 0);
    CHECK_EQ("get_dr3", hc_get_debugreg(3), (long)(addr + 8));
    /* A breakpoint on the hypervisor's range or a non-canonical address. */
    CHECK_RC("set_dr1_hv_addr", hc_set_debugreg(1, HV_ADDR_XEN), -XEN_EPERM);
    CHECK_RC("set_dr1_m2p_addr", hc_set_debugreg(1, HV_ADDR_M2P), -XEN_EPERM);
    CHECK_RC("set_dr1_noncanonical", hc_set_debugreg(1, BAD_NONCANON), -XEN_EPERM);
    CHECK_RC("set_dr2_above_hv_range", hc_set_debugreg(2, 0xffff880000000000UL), 0);
    CHECK_EQ("dr1_unchanged_after_refusal", hc_get_debugreg(1), 0);

    /* DR6: upper half refused; reserved bits forced (bits 4-11, 16-31 one, 12 zero). */
    CHECK_RC("set_dr6_high", hc_set_debugreg(6, 1UL << 32), -XEN_EINVAL);
    CHECK_RC("set_dr6_zero", hc_set_debugreg(6, 0), 0);
    CHECK_EQ("dr6_reserved_ones", hc_get_debugreg(6), DR6_DEFAULT);
    hc_set_debugreg(6, 0x100f | DR6_BS);
    CHECK_EQ("dr6_keeps_status_bits", hc_get_debugreg(6), DR6_DEFAULT | 0xf | DR6_BS);
    hc_set_debugreg(6, 0);

    /* DR7: upper half refused, GD refused, bit 10 forced, bits 11-12 and 14-15 cleared. */
    CHECK_RC("set_dr7_high", hc_set_debugreg(7, 1UL << 40), -XEN_EINVAL);
    CHECK_RC("set_dr7_gd", hc_set_debugreg(7, DR7_GD), -XEN_EPERM);
    CHECK_RC("set_dr7_zero", hc_set_debugreg(7, 0), 0);
    CHECK_EQ("dr7_bit10_forced", hc_get_debugreg(7), DR7_DEFAULT);
    CHECK_RC("set_dr7_reserved", hc_set_debugreg(7, 0xd800), 0);
    CHECK_EQ("dr7_reserved_cleared", hc_get_debugreg(7), DR7_DEFAULT);
    /* Any length and type is kept while nothing is enabled; an I/O
     * breakpoint (R/W 10b) needs CR4.DE only once it is enabled. */
    CHECK_RC("set_dr7_io_disabled", hc_set_debugreg(7, DR7_RW(0, 2)), 0);
    CHECK_EQ("dr7_io_disabled_kept", hc_get_debugreg(7), DR7_DEFAULT | DR7_RW(0, 2));
    CHECK_RC("set_dr7_io_without_de", hc_set_debugreg(7, DR7_L(0) | DR7_RW(0, 2)), -XEN_EPERM);
    /* Xen enforces no alignment against the length: a misaligned 8-byte
     * watchpoint is accepted. */
    CHECK_RC("set_dr7_unaligned_len", hc_set_debugreg(7, DR7_L(3) | DR7_RW(3, 1) | DR7_LEN(3, 2)),
             0);
    hc_set_debugreg(7, 0);

    /* Without CR4.DE, DR4 and DR5 are DR6 and DR7. */
    CHECK_RC("set_dr4_is_dr6", hc_set_debugreg(4, 0x2), 0);
    CHECK_EQ("get_dr6_after_dr4", hc_get_debugreg(6), DR6_DEFAULT | 0x2);
    CHECK_EQ("get_dr4_is_dr6", hc_get_debugreg(4), DR6_DEFAULT | 0x2);
    CHECK_RC("set_dr5_is_dr7", hc_set_debugreg(5, 0), 0);
    CHECK_EQ("get_dr5_is_dr7", hc_get_debugreg(5), DR7_DEFAULT);
    CHECK_RC("set_dr5_gd", hc_set_debugreg(5, DR7_GD), -XEN_EPERM);
    hc_set_debugreg(6, 0);

    CHECK_RC("set_dr8", hc_set_debugreg(8, 0), -XEN_ENODEV);
    CHECK_RC("get_dr8", hc_get_debugreg(8), -XEN_ENODEV);
    CHECK_RC("set_dr_negative", hc_set_debugreg(-1L, 0), -XEN_ENODEV);

    /* With CR4.DE: DR4/DR5 are gone, and an I/O breakpoint is allowed (and
     * read back: Xen emulates it, it never reaches the real DR7). */
    write_cr4(read_cr4() | CR4_DE);
    CHECK("cr4_de_set", read_cr4() & CR4_DE);
    CHECK_RC("set_dr4_with_de", hc_set_debugreg(4, 0), -XEN_ENODEV);
    CHECK_RC("get_dr4_with_de", hc_get_debugreg(4), -XEN_ENODEV);
    CHECK_RC("get_dr5_with_de", hc_get_debugreg(5), -XEN_ENODEV);
    CHECK_RC("set_dr7_io_with_de", hc_set_debugreg(7, DR7_L(0) | DR7_RW(0, 2)), 0);
    CHECK_EQ("dr7_io_read_back", hc_get_debugreg(7), DR7_DEFAULT | DR7_L(0) | DR7_RW(0, 2));
    hc_set_debugreg(7, 0);
    write_cr4(read_cr4() & ~CR4_DE);
    CHECK("cr4_de_cleared", !(read_cr4() & CR4_DE));
    hc_set_debugreg(0, 0);
    hc_set_debugreg(2, 0);
    hc_set_debugreg(3, 0);
}

static void check_mov(void)
{
    u64 v = 0, addr = (u64)&watched;

    MOV_TO_DR(0, addr);
    CHECK_EQ("mov_dr0_to_hypercall", hc_get_debugreg(0), (long)addr);
    hc_set_debugreg(1, addr + 16);
    MOV_FROM_DR(1, v);
    CHECK_EQ("hypercall_to_mov_dr1", v, addr + 16);
    MOV_FROM_DR(7, v);
    CHECK_EQ("mov_from_dr7_default", v, DR7_DEFAULT);
    MOV_TO_DR(7, 0xd800);
    MOV_FROM_DR(7, v);
    CHECK_EQ("mov_dr7_reserved_cleared", v, DR7_DEFAULT);
    MOV_TO_DR(6, 0);
    MOV_FROM_DR(6, v);
    CHECK_EQ("mov_from_dr6_default", v, DR6_DEFAULT);
    MOV_FROM_DR(5, v);
    CHECK_EQ("mov_from_dr5_is_dr7", v, DR7_DEFAULT);

    /* Refusals: #GP for a value set_debugreg refuses, #UD for DR4/5 with CR4.DE. */
    EXPECT_MOV_FAULT("mov_dr0_hv_addr_gp", 13, "mov %0, %%dr0", : "r"(HV_ADDR_XEN));
    CHECK_EQ("mov_dr0_hv_addr_unchanged", hc_get_debugreg(0), (long)addr);
    EXPECT_MOV_FAULT("mov_dr7_gd_gp", 13, "mov %0, %%dr7", : "r"(DR7_GD));
    EXPECT_MOV_FAULT("mov_dr7_high_gp", 13, "mov %0, %%dr7", : "r"(1UL << 33));
    EXPECT_MOV_FAULT("mov_dr7_io_without_de_gp", 13, "mov %0, %%dr7",
                     : "r"(DR7_L(1) | DR7_RW(1, 2)));
    write_cr4(read_cr4() | CR4_DE);
    EXPECT_MOV_FAULT("mov_from_dr4_with_de_ud", 6, "mov %%dr4, %0", "=r"(v) :);
    EXPECT_MOV_FAULT("mov_to_dr5_with_de_ud", 6, "mov %0, %%dr5", : "r"(0UL));
    write_cr4(read_cr4() & ~CR4_DE);
    hc_set_debugreg(0, 0);
    hc_set_debugreg(1, 0);
}

/* The instruction the instruction breakpoint watches. */
void dbg_break_here(void);
__asm__(".pushsection .text\n"
        ".globl dbg_break_here\n"
        "dbg_break_here:\n"
        "    nop\n"
        "    ret\n"
        ".popsection\n");

/* One byte from or to port, through the hypervisor's emulation (ring 3
 * with IOPL 1); false if it faulted. */
static bool port_byte(bool out, u16 port)
{
    u8 v = 0;
    bool ok = false;

    if (out)
        __asm__ volatile("1: outb %b1, %w2\n movb $1, %0\n2:\n" EXTABLE_ENTRY(1b, 2b)
                         : "+r"(ok)
                         : "a"(v), "d"(port));
    else
        __asm__ volatile("1: inb %w2, %b1\n movb $1, %0\n2:\n" EXTABLE_ENTRY(1b, 2b)
                         : "+r"(ok), "+a"(v)
                         : "d"(port));
    return ok;
}

/*
 * An I/O breakpoint (CR4.DE, R/W 10b) over ports 0x80-0x81: the hypervisor
 * carries out the guest's port accesses, so it must raise the #DB itself,
 * after the access, with the breakpoint's bit in DR6, as Xen does.
 */
static void check_io_breakpoint(void)
{
    struct physdev_set_iopl iopl = {.iopl = 1};

    reset_debug_state();
    CHECK_RC("io_bp_iopl", hc_physdev_op(PHYSDEVOP_set_iopl, &iopl), 0);
    write_cr4(read_cr4() | CR4_DE);
    CHECK_RC("io_bp_set_dr2", hc_set_debugreg(2, 0x80), 0);
    CHECK_RC("io_bp_enable", hc_set_debugreg(7, DR7_L(2) | DR7_RW(2, 2) | DR7_LEN(2, 1)), 0);
    CHECK("io_bp_other_port_done", port_byte(false, 0x82));
    CHECK_EQ("io_bp_other_port_no_db", db_count, 0);
    CHECK("io_bp_in_done", port_byte(false, 0x81));
    CHECK_EQ("io_bp_in_db", db_count, 1);
    CHECK_EQ("io_bp_in_dr6", db_dr6 & 0xf, DR6_B0 << 2);
    /* Our handler disarmed it: arm it again for the write. */
    hc_set_debugreg(7, DR7_L(2) | DR7_RW(2, 2) | DR7_LEN(2, 1));
    CHECK("io_bp_out_done", port_byte(true, 0x80));
    CHECK_EQ("io_bp_out_db", db_count, 2);
    /* Disarmed (enable bit off): the port is quiet again. */
    hc_set_debugreg(7, DR7_RW(2, 2) | DR7_LEN(2, 1));
    CHECK("io_bp_disarmed_done", port_byte(false, 0x80));
    CHECK_EQ("io_bp_disarmed_no_db", db_count, 2);
    hc_set_debugreg(7, 0);
    hc_set_debugreg(2, 0);
    write_cr4(read_cr4() & ~CR4_DE);
    iopl.iopl = 0;
    hc_physdev_op(PHYSDEVOP_set_iopl, &iopl);
}

static void check_breakpoints(void)
{
    u64 code = (u64)dbg_break_here, data = (u64)&watched, before;

    trap_hook = on_debug;

    /* Instruction breakpoint: a fault at the instruction, B0 in DR6. */
    reset_debug_state();
    CHECK_RC("insn_bp_set_dr0", hc_set_debugreg(0, code), 0);
    CHECK_RC("insn_bp_enable", hc_set_debugreg(7, DR7_L(0) | DR7_RW(0, 0) | DR7_LEN(0, 0)), 0);
    dbg_break_here();
    CHECK_EQ("insn_bp_db_delivered", db_count, 1);
    CHECK_EQ("insn_bp_rip_is_insn", db_rip, code);
    CHECK_EQ("insn_bp_dr6", db_dr6, DR6_DEFAULT | DR6_B0);
    dbg_break_here();
    CHECK_EQ("insn_bp_disarmed", db_count, 1);

    /* Data write watchpoint (4 bytes) through mov: a trap after the write,
     * B1 in DR6; reads do not fire it. */
    reset_debug_state();
    MOV_TO_DR(1, data);
    MOV_TO_DR(7, DR7_L(1) | DR7_RW(1, 1) | DR7_LEN(1, 3));
    before = watched;
    CHECK_EQ("data_wp_read_no_db", db_count, 0);
    watched = before + 1;
    CHECK_EQ("data_wp_db_delivered", db_count, 1);
    CHECK_EQ("data_wp_write_done", watched, before + 1);
    CHECK("data_wp_rip_after_write", db_rip != 0 && db_rip != code);
    CHECK_EQ("data_wp_dr6", db_dr6, DR6_DEFAULT | DR6_B1);

    /* DR6 is the guest's to clear: a second hit ORs into what it left. */
    MOV_TO_DR(7, DR7_L(1) | DR7_RW(1, 1) | DR7_LEN(1, 3));
    hc_set_debugreg(6, DR6_B0);
    watched = before + 2;
    CHECK_EQ("data_wp_second_db", db_count, 2);
    CHECK_EQ("dr6_sticky_bits", db_dr6, DR6_DEFAULT | DR6_B0 | DR6_B1);

    /* Single-step: BS in DR6. */
    reset_debug_state();
    __asm__ volatile("pushfq\n orq $0x100, (%%rsp)\n popfq\n nop\n nop\n" : : : "memory", "cc");
    CHECK_EQ("single_step_db", db_count, 1);
    CHECK_EQ("single_step_dr6", db_dr6 & (DR6_BS | 0xf), DR6_BS);

    check_io_breakpoint();

    /*
     * Hostile: a write watchpoint on a buffer the hypervisor writes for us
     * (xen_version extraversion).  The hit is inside the hypervisor: it
     * must survive it, and the guest gets no #DB for it.
     */
    reset_debug_state();
    hc_set_debugreg(2, (u64)hv_buf);
    hc_set_debugreg(7, DR7_L(2) | DR7_RW(2, 1) | DR7_LEN(2, 3));
    CHECK_RC("hv_write_watched_buffer", hc_xen_version(XENVER_extraversion, hv_buf), 0);
    CHECK_EQ("hv_write_no_guest_db", db_count, 0);
    CHECK("hv_write_no_dr6_bit", !((u64)hc_get_debugreg(6) & 0xf));
    /* Still armed for the guest's own accesses afterwards. */
    ((volatile char *)hv_buf)[0] = 'x';
    CHECK_EQ("guest_write_after_hv_write_db", db_count, 1);

    /*
     * Hostile: `mov ss` from a watched word delays its #DB past the next
     * instruction, here the `syscall` of a hypercall: the #DB is raised at
     * the hypervisor's entry point, on the guest's stack pointer.  The
     * hypervisor must survive it; whether the guest then sees a #DB is
     * the hypervisor's business (Xen drops it).
     */
    reset_debug_state();
    {
        static volatile u64 ss_word __aligned(8);
        long rc;

        __asm__ volatile("mov %%ss, %0" : "=r"(ss_word));
        hc_set_debugreg(3, (u64)&ss_word);
        hc_set_debugreg(7, DR7_L(3) | DR7_RW(3, 3) | DR7_LEN(3, 1));
        __asm__ volatile("mov %[ss], %%ss\n"
                         "syscall\n"
                         : "=a"(rc)
                         : "a"((long)__HYPERVISOR_xen_version), "D"(XENVER_version),
                           "S"(0), [ss] "m"(ss_word)
                         : "rcx", "r11", "memory");
        hc_set_debugreg(7, 0);
        CHECK("movss_syscall_survived", rc > 0);
    }
    reset_debug_state();
    hc_set_debugreg(1, 0);
    hc_set_debugreg(2, 0);
    hc_set_debugreg(3, 0);
    trap_hook = NULL;
}

void t_debugreg(void)
{
    check_hypercalls();
    check_mov();
    check_breakpoints();
}
