// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `bench` mode: microbenchmarks of PV operations, each timed with
 * rdtsc per operation after a warm-up, reported as one line
 *     BENCH <name> median=<cycles> min=<cycles> max=<cycles> iters=<n>
 * (issue 6 adds the remaining operations and the host-side table).
 * `iters=N` on the command line sets the sample count (1 for a smoke run).
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/event_channel.h>

#define MAX_SAMPLES 2001

static u64 samples[MAX_SAMPLES];
static multicall_entry_t mc[32];
static unsigned bench_port;

struct bench_op {
    const char *name;
    void (*setup)(void);
    void (*run)(void);
};

static void op_null(void)
{
    hc_xen_version(0, 0);
}

static void setup_multicall(void)
{
    memset(mc, 0, sizeof(mc));
    for (int i = 0; i < 32; i++)
        mc[i].op = __HYPERVISOR_xen_version;
}

static void op_multicall(void)
{
    hc_multicall(mc, 32);
}

static void op_tlb_flush(void)
{
    struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};

    hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static u8 *uvm_page;

static void setup_uvm(void)
{
    uvm_page = page_alloc();
}

static void op_uvm(void)
{
    set_pte_va(uvm_page, ((u64)va_to_mfn(uvm_page) << 12) | PTE_KERN_RW, UVMF_INVLPG);
}

static void setup_evtchn(void)
{
    struct evtchn_bind_ipi ipi = {.vcpu = 0};

    hc_event_channel_op(EVTCHNOP_bind_ipi, &ipi);
    bench_port = ipi.port;
    evtchn_unmask_port(bench_port);
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

static const struct bench_op ops[] = {
    {"null_hypercall", NULL, op_null},
    {"multicall_32_null", setup_multicall, op_multicall},
    {"update_va_mapping_invlpg", setup_uvm, op_uvm},
    {"mmuext_tlb_flush_local", NULL, op_tlb_flush},
    {"evtchn_send_self_upcall", setup_evtchn, op_evtchn},
    {"page_fault_bounce", NULL, op_pagefault},
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

void bench_run(unsigned long iters)
{
    if (iters < 1)
        iters = 1;
    if (iters > MAX_SAMPLES)
        iters = MAX_SAMPLES;
    printk("note: bench: %lu iterations per operation, tsc %lu kHz\n", iters, tsc_khz());
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        const struct bench_op *op = &ops[i];

        if (op->setup)
            op->setup();
        for (int w = 0; w < 10; w++)
            op->run();
        for (unsigned long k = 0; k < iters; k++) {
            u64 t0 = rdtsc();

            op->run();
            samples[k] = rdtsc() - t0;
        }
        sort(samples, (unsigned)iters);
        printk("BENCH %s median=%lu min=%lu max=%lu iters=%lu\n", op->name, samples[iters / 2],
               samples[0], samples[iters - 1], iters);
    }
    trap_expect_clear();
}
