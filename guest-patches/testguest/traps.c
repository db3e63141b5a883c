// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trap delivery: the virtual IDT (set_trap_table), the callbacks, and the
 * C side of every bounce.  A check that expects a trap arms trap_expect()
 * and, for a fault, places its instruction in the exception table so the
 * handler resumes after it.  Anything unexpected fails the current group
 * and jumps back to its recovery point.
 */
#include "traps.h"
#include "test.h"
#include <public/callback.h>

volatile struct trap_record last_trap;
struct jmpbuf *trap_recovery;
void (*user_trap_hook)(struct trap_ctx *t);
void (*syscall_hook)(struct trap_ctx *t);
bool (*trap_hook)(struct trap_ctx *t);
struct trap_info trap_table[40];
struct trap_ctx last_event;
static volatile int expect_vec = -1;

struct extable_entry {
    u64 from, to;
};
extern const struct extable_entry __extable_start[], __extable_end[];

void trap_expect(unsigned vector)
{
    static const struct trap_record none = {.vector = ~0u};

    last_trap = none;
    expect_vec = (int)vector;
}

void trap_expect_clear(void)
{
    expect_vec = -1;
}

bool byte_store_faults(volatile u8 *p)
{
    trap_expect(14);
    __asm__ volatile("1: movb $1, (%0)\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(p) : "memory");
    trap_expect_clear();
    return last_trap.vector == 14;
}

static const struct extable_entry *extable_find(u64 rip)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
        if (e->from == rip)
            return e;
    return NULL;
}

static void record(const struct trap_ctx *t)
{
    last_trap.vector = t->vector;
    last_trap.count++;
    last_trap.nextra = t->nextra;
    last_trap.err = t->nextra == 1 ? t->extra[0] : 0;
    for (int i = 0; i < 4; i++)
        last_trap.extra[i] = t->extra[i];
    last_trap.rip = t->rip;
    last_trap.cs = t->cs;
    last_trap.rflags = t->rflags;
    last_trap.rsp = t->rsp;
    last_trap.ss = t->ss;
    last_trap.rcx = t->rcx;
    last_trap.r11 = t->r11;
    last_trap.frame = (u64)t->regs->frame;
    last_trap.cr2 = t->vector == 14 ? vcpu->arch.cr2 : 0;
    last_trap.mask_at_entry = t->mask_at_entry;
}

static void unexpected(struct trap_ctx *t)
{
    test_fail("unexpected_trap", "vector %u at rip 0x%lx cs 0x%lx err 0x%lx cr2 0x%lx rsp 0x%lx",
              t->vector, t->rip, t->cs, t->nextra == 1 ? t->extra[0] : 0,
              t->vector == 14 ? vcpu->arch.cr2 : 0, t->rsp);
    if (trap_recovery) {
        struct jmpbuf *jb = trap_recovery;
        trap_recovery = NULL;
        jb_jump(jb, 1);
    }
    guest_exit();
}

static void handle(struct trap_ctx *t)
{
    if (t->vector == VEC_EVENT) {
        last_event = *t;
        evtchn_upcall();
        return;
    }
    if (t->vector == VEC_SYSCALL && syscall_hook) {
        syscall_hook(t);
        return;
    }
    if (trap_hook && trap_hook(t))
        return;
    if (expect_vec >= 0 && (unsigned)expect_vec == t->vector) {
        const struct extable_entry *e = extable_find(t->rip);

        record(t);
        expect_vec = -1;
        if (e)
            t->rip = e->to;
        if (t->vector == 1)
            t->rflags &= ~0x100UL; /* stop single-stepping */
        return;
    }
    if ((t->cs & 3) == 3 && user_trap_hook) {
        record(t);
        user_trap_hook(t);
        return;
    }
    unexpected(t);
}

struct iret_context *trap_dispatch(struct trap_regs *r);
struct iret_context *trap_dispatch(struct trap_regs *r)
{
    struct trap_ctx t;
    u64 *f = r->frame;
    int n = (int)r->nextra;
    struct iret_context *c;

    memset(&t, 0, sizeof(t));
    t.mask_at_entry = vcpu->evtchn_upcall_mask;
    t.regs = r;
    t.vector = (unsigned)r->vector;
    t.nextra = n;
    t.rcx = f[0];
    t.r11 = f[1];
    for (int i = 0; i < n && i < 4; i++)
        t.extra[i] = f[2 + i];
    t.rip = f[2 + n];
    t.cs = f[3 + n];
    t.rflags = f[4 + n];
    t.rsp = f[5 + n];
    t.ss = f[6 + n];

    handle(&t);

    /* The iret_context ends where the frame ends: rip..ss stay in place. */
    c = (struct iret_context *)&f[n - 2];
    c->ss = t.ss;
    c->rsp = t.rsp;
    c->rflags = t.rflags;
    c->cs = t.cs;
    c->rip = t.rip;
    c->flags = 0;
    c->rcx = t.rcx;
    c->r11 = t.r11;
    c->rax = r->rax;
    return c;
}

void traps_init(void)
{
    struct callback_register cb;
    int n = 0;
    long rc;

    for (unsigned v = 0; v < 32; v++) {
        if (v == 2 || v == 15 || (v > 19 && v != 21))
            continue;
        trap_table[n].vector = (u8)v;
        /* int3 and into may be raised by `int n` from any ring. */
        trap_table[n].flags = (v == 3 || v == 4) ? 3 : 0;
        trap_table[n].cs = FLAT_KERNEL_CS;
        trap_table[n].address = exc_stub_table[v];
        n++;
    }
    trap_table[n++] = (struct trap_info){0x80, 3, FLAT_KERNEL_CS, 0, (unsigned long)soft_0x80};
    trap_table[n++] = (struct trap_info){0x81, 0, FLAT_KERNEL_CS, 0, (unsigned long)soft_0x81};
    trap_table[n++] = (struct trap_info){0x83, 1, FLAT_KERNEL_CS, 0, (unsigned long)soft_0x83};
    trap_table[n].address = 0;
    rc = hc_set_trap_table(trap_table);
    if (rc)
        printk("traps_init: set_trap_table: %ld\n", rc);

    memset(&cb, 0, sizeof(cb));
    cb.type = CALLBACKTYPE_event;
    cb.address = (unsigned long)event_callback;
    rc = hc_callback_op(CALLBACKOP_register, &cb);
    if (rc)
        printk("traps_init: register event callback: %ld\n", rc);
    cb.type = CALLBACKTYPE_failsafe;
    cb.address = (unsigned long)failsafe_callback;
    rc = hc_callback_op(CALLBACKOP_register, &cb);
    if (rc)
        printk("traps_init: register failsafe callback: %ld\n", rc);
}
