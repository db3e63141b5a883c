// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `bench` mode: microbenchmarks of PV operations, one line each:
 *     BENCH <name> median=<cycles> min=<cycles> max=<cycles> iters=<n>
 * or, when an operation cannot be measured on this hypervisor/configuration,
 *     BENCH <name> unavailable: <reason>
 * Cycles are rdtsc deltas (not serialising; the operations cost hundreds of
 * cycles or more).  Each operation runs BENCH_WARMUP times untimed, then `iters`
 * times (command line `iters=N`, 1 for a smoke run), each timed on its own.
 * scripts/bench.py boots this under pvx and Xen and builds the table.
 *
 * Most operations are timed here in the guest kernel around one call of
 * `run`.  The user-mode round trips are timed by the user program itself
 * (user.S, programs 6 and 7) around the `syscall` / `int $0x80`
 * instruction, so that entering and leaving user mode is not counted.
 */
#include "bench.h"
#include "test.h"
#include "traps.h"
#include <public/callback.h>
#include <public/event_channel.h>
#include <public/sched.h>

u64 bench_samples[BENCH_MAX_SAMPLES];
const char *bench_current_op;
static multicall_entry_t mc[32];
static unsigned bench_port;
static char reason[160];

const char *bench_why(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return reason;
}

/* --- hypercalls ---------------------------------------------------------- */

static void op_null(void)
{
    hc_xen_version(0, 0);
}

static const char *setup_multicall(void)
{
    memset(mc, 0, sizeof(mc));
    for (int i = 0; i < 32; i++)
        mc[i].op = __HYPERVISOR_xen_version;
    return NULL;
}

static void op_multicall(void)
{
    hc_multicall(mc, 32);
}

/*
 * mmu_update of 512 L1 entries in one call: a whole L1 table of the scratch
 * area, switched between two data frames on every call so that each entry
 * really changes (the old frame's reference dropped, the new one taken).
 */
#define MMU_VA (SCRATCH_BASE + 512 * PAGE_SIZE)
static mmu_update_t mmu_req[2][512];
static unsigned mmu_flip;

static const char *setup_mmu512(void)
{
    u8 *a = page_alloc(), *b = page_alloc();
    unsigned done = 0;
    long rc;
    u64 base;

    if ((rc = ensure_l1(MMU_VA)) != 0)
        return bench_why("cannot build the scratch page tables (%ld)", rc);
    base = pte_ma(MMU_VA);
    for (unsigned i = 0; i < 512; i++) {
        mmu_req[0][i].ptr = (base + 8 * i) | MMU_NORMAL_PT_UPDATE;
        mmu_req[0][i].val = ((u64)va_to_mfn(a) << PAGE_SHIFT) | PTE_KERN_RW;
        mmu_req[1][i].ptr = (base + 8 * i) | MMU_NORMAL_PT_UPDATE;
        mmu_req[1][i].val = ((u64)va_to_mfn(b) << PAGE_SHIFT) | PTE_KERN_RW;
    }
    rc = hc_mmu_update(mmu_req[0], 512, &done, DOMID_SELF);
    if (rc || done != 512)
        return bench_why("mmu_update of 512 entries failed (rc %ld, done %u)", rc, done);
    return NULL;
}

static void op_mmu512(void)
{
    mmu_flip ^= 1;
    hc_mmu_update(mmu_req[mmu_flip], 512, NULL, DOMID_SELF);
}

static u8 *uvm_page;

static const char *setup_uvm(void)
{
    uvm_page = page_alloc();
    return NULL;
}

static void op_uvm(void)
{
    set_pte_va(uvm_page, ((u64)va_to_mfn(uvm_page) << 12) | PTE_KERN_RW, UVMF_INVLPG);
}

static void op_tlb_flush(void)
{
    struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};

    hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* --- events and traps ---------------------------------------------------- */

static const char *setup_evtchn(void)
{
    struct evtchn_bind_ipi ipi = {.vcpu = 0};
    long rc = hc_event_channel_op(EVTCHNOP_bind_ipi, &ipi);

    if (rc)
        return bench_why("EVTCHNOP_bind_ipi failed (%ld)", rc);
    bench_port = ipi.port;
    evtchn_unmask_port(bench_port);
    return NULL;
}

static void op_evtchn(void)
{
    struct evtchn_send s = {.port = bench_port};
    unsigned n = evt_count[bench_port];

    hc_event_channel_op(EVTCHNOP_send, &s);
    while (evt_count[bench_port] == n)
        __asm__ volatile("pause");
}

static void op_pagefault(void)
{
    trap_expect(14);
    __asm__ volatile("1: movb (%0), %%al\n2:\n" EXTABLE_ENTRY(1b, 2b)
                     :
                     : "r"(BAD_UNMAPPED)
                     : "rax", "memory");
}

/* --- guest user mode ----------------------------------------------------- */

#define USER_CODE  0x400000UL
#define USER_STACK 0x600000UL
#define USER_BUF   0x601000UL
#define BUF_PAGES  4 /* [0] = count, then up to 2047 deltas */

long enter_user(u64 rip, u64 rsp);
void user_exit(long value) __noreturn;
extern char user_page[];
extern u64 user_rdi, user_rsi;

static u8 ustack_kernel[16384] __aligned(16);
static u64 *ubuf; /* the kernel's view of the user buffer (contiguous pool pages) */

static void bench_on_syscall(struct trap_ctx *t)
{
    struct trap_regs *r = t->regs;

    if (r->rax == 2)
        user_exit((long)r->rdi);
    r->rax = 0;
    t->rip = t->rcx; /* back after the syscall, as sysret would */
    t->rflags = t->r11;
}

static void bench_on_user_trap(struct trap_ctx *t)
{
    if (t->vector == 0x80)
        return; /* the iret hypercall resumes after the int $0x80 */
    user_exit(-1000 - (long)t->vector);
}

/*
 * A user address space (code page, stack, the sample buffer), installed
 * with NEW_USER_BASEPTR, a kernel stack for traps from user mode, and the
 * syscall callback.  Done once for both user-mode operations.
 */
static const char *setup_user(void)
{
    static bool ready;
    struct callback_register cb;
    struct mmuext_op op;
    u64 *l4, *l3, *l2, *l1, *l1b;
    u8 *stack;
    long rc = 0;

    if (ready)
        return NULL;
    l4 = page_alloc();
    l3 = page_alloc();
    l2 = page_alloc();
    l1 = page_alloc();
    l1b = page_alloc();
    stack = page_alloc();
    ubuf = page_alloc();
    for (int i = 1; i < BUF_PAGES; i++)
        page_alloc(); /* pool pages are contiguous */
    l4[0] = ((u64)va_to_mfn(l3) << PAGE_SHIFT) | PTE_TABLE;
    l3[0] = ((u64)va_to_mfn(l2) << PAGE_SHIFT) | PTE_TABLE;
    l2[2] = ((u64)va_to_mfn(l1) << PAGE_SHIFT) | PTE_TABLE;
    l2[3] = ((u64)va_to_mfn(l1b) << PAGE_SHIFT) | PTE_TABLE;
    l1[0] = ((u64)va_to_mfn(user_page) << PAGE_SHIFT) | PTE_KERN_RO | _PAGE_USER;
    l1b[0] = ((u64)va_to_mfn(stack) << PAGE_SHIFT) | PTE_KERN_RW | _PAGE_USER;
    for (int i = 0; i < BUF_PAGES; i++)
        l1b[1 + i] =
            ((u64)va_to_mfn((u8 *)ubuf + i * PAGE_SIZE) << PAGE_SHIFT) | PTE_KERN_RW | _PAGE_USER;
    rc |= make_readonly(l1);
    rc |= make_readonly(l1b);
    rc |= make_readonly(l2);
    rc |= make_readonly(l3);
    rc |= make_readonly(l4);
    if (rc)
        return bench_why("cannot make the user page tables read-only (%ld)", rc);
    if ((rc = pin_table(4, l4)) != 0)
        return bench_why("cannot pin the user L4 (%ld)", rc);
    memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_NEW_USER_BASEPTR;
    op.arg1.mfn = va_to_mfn(l4);
    if ((rc = hc_mmuext_op(&op, 1, NULL, DOMID_SELF)) != 0)
        return bench_why("MMUEXT_NEW_USER_BASEPTR failed (%ld)", rc);
    rc = hc_stack_switch(FLAT_KERNEL_SS, (u64)(ustack_kernel + sizeof(ustack_kernel)));
    if (rc)
        return bench_why("stack_switch failed (%ld)", rc);
    memset(&cb, 0, sizeof(cb));
    cb.type = CALLBACKTYPE_syscall;
    cb.address = (unsigned long)syscall_callback;
    if ((rc = hc_callback_op(CALLBACKOP_register, &cb)) != 0)
        return bench_why("cannot register the syscall callback (%ld)", rc);
    ready = true;
    return NULL;
}

/* Run user program `prog` (6: syscall, 7: int $0x80) for BENCH_WARMUP + n rounds. */
static const char *user_rounds(u64 prog, unsigned long n)
{
    const char *err = setup_user();
    long rc;

    if (err)
        return err;
    syscall_hook = bench_on_syscall;
    user_trap_hook = bench_on_user_trap;
    ubuf[0] = BENCH_WARMUP + n;
    user_rdi = prog;
    user_rsi = USER_BUF;
    rc = enter_user(USER_CODE, USER_STACK + PAGE_SIZE);
    user_rdi = user_rsi = 0;
    syscall_hook = NULL;
    user_trap_hook = NULL;
    events_enable();
    if (rc)
        return bench_why("the user program stopped with %ld (-1000 - vector: a trap)", rc);
    memcpy(bench_samples, &ubuf[1 + BENCH_WARMUP], n * sizeof(u64));
    return NULL;
}

static const char *collect_user_syscall(unsigned long n)
{
    return user_rounds(6, n);
}

static const char *collect_user_int80(unsigned long n)
{
    return user_rounds(7, n);
}

/* --- grants and events (self on both hypervisors, cross-domain on pvx) --- */

/*
 * Xen has no toolstack here and so no second domain, but a domain may grant
 * to itself and bind an interdomain channel to itself: those rows run on
 * both.  The rows needing another domain use a `benchpeer` domU (pvx only).
 */
#define SELF_MAP_REF  30
#define SELF_COPY_REF 31
#define COPY_TOTAL    (64UL << 20)
#define COPY_DESTS    16 /* destination frames, cycled */
#define COPY_BATCH    16 /* copies per hypercall in the batched row */
#define COPY_SAMPLES  5  /* one sample moves 64 MiB: a few are enough */

static long bench_peer = -1;
static unsigned peer_port, loop_port[2];
static volatile u32 *peer_mode;
static volatile u64 *peer_spins;
static grant_handle_t self_handle;
static gnttab_copy_t copy_ops[COPY_BATCH];
static unsigned long copy_dest[COPY_DESTS];

static const char *setup_self_grant(void)
{
    long rc;

    if (!(si->flags & SIF_INITDOMAIN))
        return bench_why("granting to ourselves needs our domain id: run as dom0");
    if ((rc = xd_gt_setup()) != 0)
        return bench_why("GNTTABOP_setup_table failed (%ld)", rc);
    return NULL;
}

static void op_grant_map_unmap(void)
{
    int16_t st;

    xd_map(0, SELF_MAP_REF, XD_VA(20), false, &st, &self_handle);
    xd_unmap(XD_VA(20), self_handle, &st);
}

static const char *setup_grant_map(void)
{
    const char *err = setup_self_grant();
    int16_t st, st2;
    long rc;

    if (err)
        return err;
    xd_grant(SELF_MAP_REF, 0, page_alloc(), false);
    rc = xd_map(0, SELF_MAP_REF, XD_VA(20), false, &st, &self_handle);
    if (rc || st)
        return bench_why("map_grant_ref of our own grant failed (rc %ld, status %d)", rc, st);
    rc = xd_unmap(XD_VA(20), self_handle, &st2);
    if (rc || st2)
        return bench_why("unmap_grant_ref failed (rc %ld, status %d)", rc, st2);
    return NULL;
}

/* 64 MiB from our own grant into our own frames, `batch` 4 KiB copies per call. */
static bool copy_64m(unsigned batch)
{
    unsigned long calls = COPY_TOTAL / PAGE_SIZE / batch, k = 0;

    for (unsigned long c = 0; c < calls; c++) {
        for (unsigned i = 0; i < batch; i++, k++)
            copy_ops[i].dest.u.gmfn = copy_dest[k % COPY_DESTS];
        if (hc_grant_table_op(GNTTABOP_copy, copy_ops, batch) || copy_ops[0].status)
            return false;
    }
    return true;
}

static const char *collect_copy(unsigned long n, unsigned batch)
{
    const char *err = setup_self_grant();
    static void *src;

    if (err)
        return err;
    if (!src) {
        src = page_alloc();
        for (int i = 0; i < COPY_DESTS; i++)
            copy_dest[i] = va_to_mfn(page_alloc());
        xd_grant(SELF_COPY_REF, 0, src, true);
    }
    for (unsigned i = 0; i < COPY_BATCH; i++) {
        xd_copy_ptr(&copy_ops[i].source, true, 0, SELF_COPY_REF, 0);
        xd_copy_ptr(&copy_ops[i].dest, false, DOMID_SELF, copy_dest[0], 0);
        copy_ops[i].len = PAGE_SIZE;
        copy_ops[i].flags = GNTCOPY_source_gref;
    }
    if (!copy_64m(batch))
        return bench_why("GNTTABOP_copy failed (status %d)", copy_ops[0].status);
    for (unsigned long k = 0; k < n; k++) {
        u64 t0 = rdtsc();

        copy_64m(batch);
        bench_samples[k] = rdtsc() - t0;
    }
    return NULL;
}

static const char *collect_copy_4k(unsigned long n)
{
    return collect_copy(n, 1);
}

static const char *collect_copy_batched(unsigned long n)
{
    return collect_copy(n, COPY_BATCH);
}

static const char *setup_loopback(void)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    struct evtchn_bind_interdomain b = {.remote_dom = DOMID_SELF};
    long rc;

    if ((rc = hc_event_channel_op(EVTCHNOP_alloc_unbound, &a)) != 0)
        return bench_why("EVTCHNOP_alloc_unbound failed (%ld)", rc);
    b.remote_port = a.port;
    if ((rc = hc_event_channel_op(EVTCHNOP_bind_interdomain, &b)) != 0)
        return bench_why("EVTCHNOP_bind_interdomain to ourselves failed (%ld)", rc);
    loop_port[0] = a.port;
    loop_port[1] = b.local_port;
    evtchn_unmask_port(loop_port[0]);
    evtchn_unmask_port(loop_port[1]);
    return NULL;
}

/* A message each way through the loopback channel, each seen by the upcall. */
static void op_loopback(void)
{
    for (int i = 0; i < 2; i++) {
        unsigned n = evt_count[loop_port[i ^ 1]];

        xd_send(loop_port[i]);
        while (evt_count[loop_port[i ^ 1]] == n)
            __asm__ volatile("pause");
    }
}

static const char *no_peer(void)
{
    return bench_why("no Xen counterpart: needs a second domain (pvx: a benchpeer domU; "
                     "Xen has no toolstack here to start one)");
}

static const char *setup_pingpong(void)
{
    if (bench_peer < 0)
        return no_peer();
    *peer_mode = 0; /* echo */
    return NULL;
}

/* Ping the peer domain and block until its answer's upcall ran. */
static void op_pingpong(void)
{
    unsigned n = evt_count[peer_port];

    xd_send(peer_port);
    while (evt_count[peer_port] == n)
        hc_sched_op(SCHEDOP_block, 0);
}

/* One SCHEDOP_yield that runs the peer (spinning on yield) and comes back:
 * two switches between domains. */
static const char *collect_ctxsw(unsigned long n)
{
    unsigned long missed = 0;

    if (bench_peer < 0)
        return no_peer();
    *peer_mode = 1; /* spin */
    xd_send(peer_port);
    for (int w = 0; w < BENCH_WARMUP; w++)
        hc_sched_op(SCHEDOP_yield, 0);
    for (unsigned long k = 0; k < n; k++) {
        u64 s = *peer_spins, t0 = rdtsc();

        hc_sched_op(SCHEDOP_yield, 0);
        bench_samples[k] = rdtsc() - t0;
        missed += *peer_spins == s;
    }
    *peer_mode = 0;
    xd_send(peer_port);
    if (missed)
        return bench_why("SCHEDOP_yield came back %lu of %lu times without running the peer",
                         missed, n);
    return NULL;
}

static const struct bench_op ops[] = {
    {"null_hypercall", NULL, op_null, NULL, 0},
    {"multicall_32_null", setup_multicall, op_multicall, NULL, 0},
    {"mmu_update_512", setup_mmu512, op_mmu512, NULL, 0},
    {"update_va_mapping_invlpg", setup_uvm, op_uvm, NULL, 0},
    {"mmuext_tlb_flush_local", NULL, op_tlb_flush, NULL, 0},
    {"evtchn_send_self_upcall", setup_evtchn, op_evtchn, NULL, 0},
    {"page_fault_bounce", NULL, op_pagefault, NULL, 0},
    {"user_syscall_roundtrip", NULL, NULL, collect_user_syscall, 0},
    {"user_int80_iret_roundtrip", NULL, NULL, collect_user_int80, 0},
    {"grant_map_unmap_self", setup_grant_map, op_grant_map_unmap, NULL, 0},
    {"grant_copy_64m_4k_self", NULL, NULL, collect_copy_4k, COPY_SAMPLES},
    {"grant_copy_64m_batched_self", NULL, NULL, collect_copy_batched, COPY_SAMPLES},
    {"evtchn_loopback_roundtrip", setup_loopback, op_loopback, NULL, 0},
    {"evtchn_xdom_pingpong", setup_pingpong, op_pingpong, NULL, 0},
    {"context_switch", NULL, NULL, collect_ctxsw, 0},
};

static void sort(u64 *a, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        u64 v = a[i];
        unsigned j = i;

        for (; j && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

void bench_time(void (*run)(void), unsigned long n)
{
    for (int w = 0; w < BENCH_WARMUP; w++)
        run();
    for (unsigned long k = 0; k < n; k++) {
        u64 t0 = rdtsc();

        run();
        bench_samples[k] = rdtsc() - t0;
    }
}

void bench_ops_run(const struct bench_op *table, unsigned long nr_ops, unsigned long all_iters)
{
    if (all_iters < 1)
        all_iters = 1;
    if (all_iters > BENCH_MAX_SAMPLES)
        all_iters = BENCH_MAX_SAMPLES;
    for (unsigned long i = 0; i < nr_ops; i++) {
        const struct bench_op *op = &table[i];
        const char *err;
        unsigned long iters = all_iters;

        bench_current_op = op->name;
        err = op->setup ? op->setup() : NULL;

        if (op->max_iters && iters > op->max_iters)
            iters = op->max_iters;
        if (!err && op->collect)
            err = op->collect(iters);
        else if (!err)
            bench_time(op->run, iters);
        trap_expect_clear();
        if (err) {
            printk("BENCH %s unavailable: %s\n", op->name, err);
            continue;
        }
        sort(bench_samples, (unsigned)iters);
        printk("BENCH %s median=%lu min=%lu max=%lu iters=%lu\n", op->name,
               bench_samples[iters / 2], bench_samples[0], bench_samples[iters - 1], iters);
    }
}

void bench_run(unsigned long all_iters, long peer, bool smp)
{
    if (all_iters < 1)
        all_iters = 1;
    if (all_iters > BENCH_MAX_SAMPLES)
        all_iters = BENCH_MAX_SAMPLES;
    if (smp) {
        printk("note: bench: %lu iterations per operation, tsc %lu kHz\n", all_iters, tsc_khz());
        bench_smp_run(all_iters);
        return;
    }
    /* Meet the peer first, so that its boot does not overlap any timing. */
    if (peer >= 0) {
        long rc = xd_bench_attach((domid_t)peer, &peer_port, &peer_mode, &peer_spins);

        if (rc)
            printk("note: bench: no benchpeer in domain %ld (%ld)\n", peer, rc);
        else
            bench_peer = peer;
    }
    printk("note: bench: %lu iterations per operation, tsc %lu kHz\n", all_iters, tsc_khz());
    bench_ops_run(ops, ARRAY_SIZE(ops), all_iters);
}
