// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest user mode: a user page table installed with NEW_USER_BASEPTR, an
 * iret to ring-3 user mode, `syscall` from user bounced to the syscall
 * callback (frame and return), traps from user mode (error code U bit, CS
 * RPL 3, the kernel stack from stack_switch) and isolation from the kernel.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/callback.h>

#define USER_CODE  0x400000UL
#define USER_STACK 0x600000UL
#define USER_DATA  0x601000UL

long enter_user(u64 rip, u64 rsp);
void user_exit(long value) __noreturn;
extern char user_page[], user_page_end[];
extern u64 user_rdi, user_rsi;

static u8 kstack[16384] __aligned(16);
static struct trap_ctx last_syscall;
static unsigned nsyscalls;

static void on_syscall(struct trap_ctx *t)
{
    struct trap_regs *r = t->regs;

    nsyscalls++;
    last_syscall = *t;
    if (r->rax == 2)
        user_exit((long)r->rdi);
    if (r->rax == 1)
        r->rax = r->rdi + 1;
    else
        r->rax = 0;
    /* Return to user: rip/rflags from rcx/r11, as sysret would. */
    t->rip = t->rcx;
    t->rflags = t->r11;
}

static void on_user_trap(struct trap_ctx *t)
{
    user_exit(-1000 - (long)t->vector);
}

/* Build the user address space: L4 -> L3 -> L2 -> L1 with three pages. */
static long build_user_tables(u64 **l4out, u8 **data)
{
    u64 *l4 = page_alloc(), *l3 = page_alloc(), *l2 = page_alloc(), *l1 = page_alloc();
    u8 *stack = page_alloc(), *d = page_alloc();
    long rc = 0;

    l4[0] = ((u64)va_to_mfn(l3) << 12) | PTE_TABLE;
    l3[0] = ((u64)va_to_mfn(l2) << 12) | PTE_TABLE;
    l2[2] = ((u64)va_to_mfn(l1) << 12) | PTE_TABLE;
    l1[0] = ((u64)va_to_mfn(user_page) << 12) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    l2[3] = 0;
    /* Stack at 0x600000 and a read-only data page above it: a second L1. */
    {
        u64 *l1b = page_alloc();
        l2[3] = ((u64)va_to_mfn(l1b) << 12) | PTE_TABLE;
        l1b[0] = ((u64)va_to_mfn(stack) << 12) | PTE_KERN_RW | _PAGE_USER;
        l1b[1] = ((u64)va_to_mfn(d) << 12) | PTE_KERN_RO | _PAGE_USER;
        rc |= make_readonly(l1b);
    }
    rc |= make_readonly(l1);
    rc |= make_readonly(l2);
    rc |= make_readonly(l3);
    rc |= make_readonly(l4);
    if (!rc)
        rc = pin_table(4, l4);
    *l4out = l4;
    *data = d;
    return rc;
}

void t_user(void)
{
    struct callback_register cb;
    struct mmuext_op op;
    u64 *ul4;
    u8 *data;
    long rc;

    CHECK_EQ("user_code_one_page", user_page_end - user_page, PAGE_SIZE);
    CHECK_RC("build_and_pin_user_l4", build_user_tables(&ul4, &data), 0);
    memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_NEW_USER_BASEPTR;
    op.arg1.mfn = va_to_mfn(ul4);
    CHECK_RC("new_user_baseptr", hc_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
    CHECK_RC("stack_switch", hc_stack_switch(FLAT_KERNEL_SS, (u64)(kstack + sizeof(kstack))), 0);
    memset(&cb, 0, sizeof(cb));
    cb.type = CALLBACKTYPE_syscall;
    cb.address = (unsigned long)syscall_callback;
    CHECK_RC("register_syscall_callback", hc_callback_op(CALLBACKOP_register, &cb), 0);
    syscall_hook = on_syscall;
    user_trap_hook = on_user_trap;

    nsyscalls = 0;
    rc = enter_user(USER_CODE, USER_STACK + PAGE_SIZE);
    CHECK_EQ("syscall_roundtrip_value", rc, 42);
    CHECK_EQ("syscall_count", nsyscalls, 2);
    CHECK_EQ("syscall_frame_cs_user", last_syscall.cs & 3, 3);
    CHECK("syscall_frame_rsp_user",
          last_syscall.rsp > USER_STACK && last_syscall.rsp <= USER_STACK + PAGE_SIZE);
    CHECK("syscall_frame_on_kernel_stack",
          (u64)last_syscall.regs > (u64)kstack &&
              (u64)last_syscall.regs < (u64)kstack + sizeof(kstack));
    CHECK("syscall_rcx_is_user_rip",
          last_syscall.rcx >= USER_CODE && last_syscall.rcx < USER_CODE + PAGE_SIZE);
    CHECK_EQ("syscall_frame_rip_is_rcx", last_syscall.rip, last_syscall.rcx);
    CHECK("syscall_r11_is_user_rflags", last_syscall.r11 & 0x200);
    CHECK_EQ("syscall_callback_unmasked_entry", last_syscall.mask_at_entry, 0);
    CHECK_EQ("back_in_kernel_mode_cs", ({
                 u16 cs;
                 __asm__ volatile("mov %%cs, %0" : "=r"(cs));
                 cs;
             }),
             FLAT_KERNEL_CS);

    user_rdi = 5;
    CHECK_EQ("user_syscall_rcx_is_next_rip", enter_user(USER_CODE, USER_STACK + PAGE_SIZE), 0);
    user_rdi = 0;
    cb.flags = CALLBACKF_mask_events;
    hc_callback_op(CALLBACKOP_register, &cb);
    rc = enter_user(USER_CODE, USER_STACK + PAGE_SIZE - 8);
    CHECK_EQ("second_entry_works", rc, 42);
    CHECK_EQ("syscall_callback_mask_events_entry", last_syscall.mask_at_entry, 1);
    events_enable();

    /* Traps from user mode.  The user program picks its test from rdi. */
    {
        static const struct {
            const char *name;
            u64 test, arg;
            long want;
            u64 err;
        } cases[] = {
            {"user_int3", 1, 0, -1003, 0},
            {"user_read_kernel_pf", 2, VIRT_BASE, -1014, 4 /* U, not present */},
            {"user_cli_gp", 3, 0, -1013, 0},
            {"user_write_ro_pf", 4, USER_DATA, -1014, 7 /* U|W|P */},
            {"user_int80_dpl3", 8, 0, -1000 - 0x80, 0},
            {"user_int83_dpl1_gp", 9, 0, -1013, 0x83 * 8 + 2},
            {"user_mov_dr7_gp", 10, 0, -1013, 0},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
            user_rdi = cases[i].test;
            user_rsi = cases[i].arg;
            rc = enter_user(USER_CODE, USER_STACK + PAGE_SIZE);
            CHECK_EQ(cases[i].name, rc, cases[i].want);
            if (cases[i].want == -1014) {
                char n[64];
                snprintf(n, sizeof(n), "%s_err", cases[i].name);
                CHECK_EQ(n, last_trap.err, cases[i].err);
            }
            if (cases[i].test == 9) {
                /* Xen under TCG passes TCG's n * 16 + 2 on (docs/testguest.md). */
                char n[64];
                snprintf(n, sizeof(n), "%s_err", cases[i].name);
                CHECK(n, last_trap.err == cases[i].err ||
                             (!on_pvx() && last_trap.err == 0x83 * 16 + 2));
            }
            {
                char n[64];
                snprintf(n, sizeof(n), "%s_cs_rpl3", cases[i].name);
                CHECK_EQ(n, last_trap.cs & 3, 3);
                snprintf(n, sizeof(n), "%s_frame_on_kernel_stack", cases[i].name);
                CHECK(n, last_trap.frame > (u64)kstack &&
                             last_trap.frame < (u64)kstack + sizeof(kstack));
                snprintf(n, sizeof(n), "%s_user_rsp", cases[i].name);
                CHECK(n, last_trap.rsp > USER_STACK && last_trap.rsp <= USER_STACK + PAGE_SIZE);
            }
        }
        user_rdi = user_rsi = 0;
    }

    /* Without a syscall callback, a user syscall is turned into #UD. */
    syscall_hook = NULL;
    cb.address = 0;
    hc_callback_op(CALLBACKOP_register, &cb);
    rc = enter_user(USER_CODE, USER_STACK + PAGE_SIZE);
    CHECK_EQ("syscall_without_callback_ud", rc, -1006);
    CHECK("ud_rip_at_syscall", *(const u16 *)(user_page + (last_trap.rip - USER_CODE)) == 0x050f);

    op.arg1.mfn = 0;
    CHECK_RC("clear_user_baseptr", hc_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
    user_trap_hook = NULL;
}
