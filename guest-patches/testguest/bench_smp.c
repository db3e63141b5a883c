// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `bench smp` rows: what a second vCPU on another CPU costs and gains.
 * Needs this domain's vCPU 1 (dom0_max_vcpus=2), else every row says it is
 * unavailable, and a second CPU for it (with one, the rows are measured
 * with a note each, and the round trips wait for time slices).
 *
 * vCPU 1 (smp.c) is initialised once on our own page tables.  For a row,
 * vCPU 0 gives it a task and brings it up, checks that both truly run at
 * once (100 round trips through shared memory, no hypercall, in 200 ms:
 * on one CPU shared by both each would wait for a time slice; ten tries),
 * times its own side, then stops the task and waits until vCPU 1 is down
 * again.  A failed check is only noted (`note: bench: smp: <row>: ...`,
 * once per row): the row is still measured, as QEMU's two CPU threads may
 * have had to take turns on a busy host for a while.  vCPU 1 runs with events
 * masked: it watches its port's pending bit by hand, or sleeps on it with
 * SCHEDOP_poll; vCPU 0 takes its events through the ordinary upcall.
 *
 * The rows:
 *   smp_null_hypercall_alone / _both   xen_version(0) with vCPU 1 down, and
 *       while vCPU 1 makes the same hypercall in a loop on the other CPU
 *   smp_evtchn_roundtrip_running   EVTCHNOP_send to vCPU 1's IPI port while
 *       vCPU 1 spins on its pending bit; vCPU 1 answers on vCPU 0's IPI port,
 *       and the sample ends when vCPU 0's upcall for it has run (delivered
 *       to a running vCPU: the hypervisor interrupts vCPU 0's CPU)
 *   smp_evtchn_roundtrip_wake   the same with vCPU 1 asleep in SCHEDOP_poll
 *       on its port: the send wakes a blocked vCPU on the other CPU
 *   smp_tlb_flush_local / _multi   mmuext TLB_FLUSH_LOCAL, and
 *       TLB_FLUSH_MULTI naming vCPU 1 only, while vCPU 1 reads through a
 *       page on the other CPU (smp_task_probe)
 *   smp_invlpg_local / _multi   the same with INVLPG_LOCAL / INVLPG_MULTI
 *       of that page
 *   smp_uvm_invlpg_local / _all   update_va_mapping of that page (same
 *       frame) with UVMF_INVLPG | UVMF_LOCAL, and | UVMF_ALL
 *   smp_work_1vcpu / _2vcpus   a fixed CPU-bound computation on vCPU 0
 *       alone (vCPU 1 down), and on both at once: from the start signal
 *       until the later of the two finishes; their ratio gives the
 *       aggregate throughput of two vCPUs (2 x 1vcpu / 2vcpus)
 */
#include "bench.h"
#include "test.h"
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/vcpu.h>

#define WORK_ROUNDS  (1UL << 26) /* xorshift steps of one unit of work */
#define WORK_SAMPLES 5

static const char *smp_unavailable; /* why no row can run, once known */
static bool vcpu1_ready;
static volatile int task_stop;
static void (*volatile job)(void); /* vCPU 1's task after the ping-pong */
static volatile unsigned long ping, pong;
static volatile int ping_done;
static const char *current_row;    /* bench_current_op when apart_missed was reset */
static unsigned long apart_missed; /* this row's starts without both seen at once */
static unsigned port_a, port_b;    /* a: vCPU 1's, masked; b: vCPU 0's, unmasked */
static unsigned long missed;       /* round trips that timed out */
static unsigned long vcpu1_mask = 1UL << 1;
static u64 *probe_page;
static volatile int work_go, work_done1;
static volatile u64 work_end1, work_sink;

/* --- vCPU 1's tasks ------------------------------------------------------- */

/* Every round: answer pings until vCPU 0 has seen both of us run at once. */
static void vcpu1_task(void)
{
    while (!ping_done && !task_stop)
        if (ping != pong)
            pong = ping;
    if (!task_stop)
        job();
}

static void task_spin(void)
{
    while (!task_stop)
        ;
}

static void task_hypercalls(void)
{
    while (!task_stop)
        hc_xen_version(0, 0);
}

/* Answer each event on port a with one on port b. */
static void echo(void)
{
    if (smp_port_pending(port_a)) {
        smp_port_clear(port_a);
        xd_send(port_b);
    }
}

static void task_echo_running(void)
{
    while (!task_stop)
        echo();
}

static void task_echo_poll(void)
{
    evtchn_port_t port = port_a;
    struct sched_poll poll;

    memset(&poll, 0, sizeof(poll));
    set_xen_guest_handle(poll.ports, &port);
    poll.nr_ports = 1; /* no timeout: vCPU 0 sends on port a to stop us */
    while (!task_stop) {
        hc_sched_op(SCHEDOP_poll, &poll);
        echo();
    }
}

static u64 work(void)
{
    u64 x = 0x9e3779b97f4a7c15UL;

    for (unsigned long i = 0; i < WORK_ROUNDS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

static void task_work(void)
{
    while (!work_go && !task_stop)
        ;
    if (task_stop)
        return;
    work_sink = work();
    work_end1 = rdtsc();
    work_done1 = 1;
}

/* --- vCPU 0's side -------------------------------------------------------- */

/* 100 ping-pongs with vCPU 1 within 200 ms (ten tries: the host may be busy). */
static bool vcpu1_beside_us(void)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        u64 start = system_time_ns();
        bool ok = true;

        for (int i = 0; i < 100 && ok; i++) {
            unsigned long want = ping + 1;

            ping = want;
            while (pong != want && (ok = system_time_ns() - start < 200000000ULL))
                ;
        }
        if (ok)
            return true;
    }
    return false;
}

/* Bring vCPU 1 up on task, once it has shown that it runs beside us. */
static const char *vcpu1_start(void (*task)(void))
{
    static struct vcpu_guest_context ctx;
    long rc;

    if (smp_unavailable)
        return smp_unavailable;
    if (!vcpu1_ready) {
        smp_context(&ctx, cur_l4_mfn());
        if ((rc = hc_vcpu_op(VCPUOP_initialise, 1, &ctx)) != 0)
            return smp_unavailable = bench_why("VCPUOP_initialise of vCPU 1 failed (%ld)", rc);
        vcpu1_ready = true;
    }
    task_stop = ping_done = 0;
    ping = pong = 0;
    job = task;
    smp_task = vcpu1_task;
    if ((rc = hc_vcpu_op(VCPUOP_up, 1, 0)) != 0)
        return smp_unavailable = bench_why("VCPUOP_up of vCPU 1 failed (%ld)", rc);
    if (current_row != bench_current_op) {
        current_row = bench_current_op;
        apart_missed = 0;
    }
    if (!vcpu1_beside_us() && !apart_missed++) {
        struct pvx_domctl_getvcpuinfo w0, w1;

        /* Measured all the same, with a note: a busy host may run QEMU's
         * two CPU threads one at a time for a while. */
        printk("note: bench: smp: %s: vCPU 1 answered %lu of %lu pings in 2 s, not "
               "running at the same time as vCPU 0 (a busy host, or one CPU for both?)\n",
               current_row, pong, ping);
        if (on_pvx() && !smp_vcpu_where(0, &w0) && !smp_vcpu_where(1, &w1))
            printk("note: bench: smp: pvx had vCPU 0 on CPU %u, vCPU 1 on CPU %u%s\n", w0.cpu,
                   w1.cpu, w1.running ? " (running)" : "");
    }
    ping_done = 1;
    return NULL;
}

/* Stop vCPU 1's task (waking it on port a if it sleeps there) and wait
 * until it is down: NULL, or why not. */
static const char *vcpu1_stop(void)
{
    u64 start = system_time_ns();

    task_stop = 1;
    smp_probe_stop = 1;
    while (hc_vcpu_op(VCPUOP_is_up, 1, 0) == 1) {
        if (system_time_ns() - start > 5000000000ULL)
            return smp_unavailable = bench_why("vCPU 1 did not go down after its task");
        if (job == task_echo_poll)
            xd_send(port_a);
        hc_sched_op(SCHEDOP_yield, 0);
    }
    return NULL;
}

/* Time run() (warm-up rounds first) with vCPU 1 on task; then stop it. */
static const char *timed_with(void (*task)(void), void (*run)(void), unsigned long n)
{
    const char *err = vcpu1_start(task);

    if (err)
        return err;
    missed = 0;
    bench_time(run, n);
    err = vcpu1_stop();
    if (!err && missed)
        err = bench_why("%lu round trips got no answer within a second", missed);
    return err;
}

static void op_null(void)
{
    hc_xen_version(0, 0);
}

static const char *collect_null_alone(unsigned long n)
{
    /* vCPU 1 up and down once first: the same state as in the next row. */
    const char *err = vcpu1_start(task_spin);

    if (err || (err = vcpu1_stop()) != NULL)
        return err;
    bench_time(op_null, n);
    return NULL;
}

static const char *collect_null_both(unsigned long n)
{
    return timed_with(task_hypercalls, op_null, n);
}

static const char *setup_ports(void)
{
    static bool bound;
    long rc;

    if (smp_unavailable)
        return smp_unavailable;
    if (!smp_has_vcpu1())
        return smp_unavailable = bench_why("this domain has one vCPU (boot it with "
                                           "dom0_max_vcpus=2)");
    if (bound)
        return NULL;
    if ((rc = smp_bind_ipi(1, &port_a)) != 0 || (rc = smp_bind_ipi(0, &port_b)) != 0)
        return bench_why("EVTCHNOP_bind_ipi failed (%ld)", rc);
    evtchn_unmask_port(port_b);
    bound = true;
    return NULL;
}

/* Send to vCPU 1; done when the upcall for its answer has run here. */
static void op_roundtrip(void)
{
    unsigned seen = evt_count[port_b];
    u64 t0 = rdtsc(), limit = tsc_khz() * 1000;

    xd_send(port_a);
    while (evt_count[port_b] == seen)
        if (rdtsc() - t0 > limit) {
            missed++;
            break;
        }
}

static const char *collect_rt_running(unsigned long n)
{
    return timed_with(task_echo_running, op_roundtrip, n);
}

static const char *collect_rt_wake(unsigned long n)
{
    return timed_with(task_echo_poll, op_roundtrip, n);
}

/* TLB maintenance while vCPU 1 reads through probe_page on its CPU. */
static void mmuext_one(unsigned cmd)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.linear_addr = (unsigned long)probe_page;
    set_xen_guest_handle(op.arg2.vcpumask, &vcpu1_mask);
    hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static void op_flush_local(void)
{
    mmuext_one(MMUEXT_TLB_FLUSH_LOCAL);
}

static void op_flush_multi(void)
{
    mmuext_one(MMUEXT_TLB_FLUSH_MULTI);
}

static void op_invlpg_local(void)
{
    mmuext_one(MMUEXT_INVLPG_LOCAL);
}

static void op_invlpg_multi(void)
{
    mmuext_one(MMUEXT_INVLPG_MULTI);
}

static void op_uvm_local(void)
{
    set_pte_va(probe_page, ((u64)va_to_mfn(probe_page) << PAGE_SHIFT) | PTE_KERN_RW,
               UVMF_INVLPG | UVMF_LOCAL);
}

static void op_uvm_all(void)
{
    set_pte_va(probe_page, ((u64)va_to_mfn(probe_page) << PAGE_SHIFT) | PTE_KERN_RW,
               UVMF_INVLPG | UVMF_ALL);
}

static const char *with_probe(void (*run)(void), unsigned long n)
{
    const char *err;

    if (!probe_page)
        probe_page = page_alloc();
    smp_probe = probe_page;
    smp_probe_stop = 0;
    if ((err = vcpu1_start(smp_task_probe)) != NULL)
        return err;
    if (!smp_probe_wait(100)) {
        vcpu1_stop();
        return bench_why("vCPU 1 does not read the probe page");
    }
    bench_time(run, n);
    return vcpu1_stop();
}

static const char *collect_flush_local(unsigned long n)
{
    return with_probe(op_flush_local, n);
}

static const char *collect_flush_multi(unsigned long n)
{
    return with_probe(op_flush_multi, n);
}

static const char *collect_invlpg_local(unsigned long n)
{
    return with_probe(op_invlpg_local, n);
}

static const char *collect_invlpg_multi(unsigned long n)
{
    return with_probe(op_invlpg_multi, n);
}

static const char *collect_uvm_local(unsigned long n)
{
    return with_probe(op_uvm_local, n);
}

static const char *collect_uvm_all(unsigned long n)
{
    return with_probe(op_uvm_all, n);
}

/* One unit of work on vCPU 0, vCPU 1 down (one warm-up round first). */
static const char *collect_work_1(unsigned long n)
{
    const char *err = vcpu1_start(task_spin);

    if (err || (err = vcpu1_stop()) != NULL)
        return err;
    for (unsigned long k = 0; k <= n; k++) {
        u64 t0 = rdtsc();

        work_sink = work();
        bench_samples[k ? k - 1 : 0] = rdtsc() - t0;
    }
    return NULL;
}

/* One unit each on both vCPUs at once, until the later one is done. */
static const char *collect_work_2(unsigned long n)
{
    for (unsigned long k = 0; k <= n; k++) {
        const char *err;
        u64 t0, end0, limit = 60 * tsc_khz() * 1000;

        work_go = work_done1 = 0;
        if ((err = vcpu1_start(task_work)) != NULL)
            return err;
        t0 = rdtsc();
        work_go = 1;
        work_sink = work();
        end0 = rdtsc();
        while (!work_done1 && rdtsc() - t0 < limit)
            ;
        if (!work_done1) {
            vcpu1_stop();
            return bench_why("vCPU 1 did not finish its work within a minute");
        }
        if ((err = vcpu1_stop()) != NULL)
            return err;
        bench_samples[k ? k - 1 : 0] = (end0 > work_end1 ? end0 : work_end1) - t0;
    }
    return NULL;
}

static const struct bench_op smp_ops[] = {
    {"smp_null_hypercall_alone", setup_ports, NULL, collect_null_alone, 0},
    {"smp_null_hypercall_both", setup_ports, NULL, collect_null_both, 0},
    {"smp_evtchn_roundtrip_running", setup_ports, NULL, collect_rt_running, 0},
    {"smp_evtchn_roundtrip_wake", setup_ports, NULL, collect_rt_wake, 0},
    {"smp_tlb_flush_local", setup_ports, NULL, collect_flush_local, 0},
    {"smp_tlb_flush_multi", setup_ports, NULL, collect_flush_multi, 0},
    {"smp_invlpg_local", setup_ports, NULL, collect_invlpg_local, 0},
    {"smp_invlpg_multi", setup_ports, NULL, collect_invlpg_multi, 0},
    {"smp_uvm_invlpg_local", setup_ports, NULL, collect_uvm_local, 0},
    {"smp_uvm_invlpg_all", setup_ports, NULL, collect_uvm_all, 0},
    {"smp_work_1vcpu", setup_ports, NULL, collect_work_1, WORK_SAMPLES},
    {"smp_work_2vcpus", setup_ports, NULL, collect_work_2, WORK_SAMPLES},
};

void bench_smp_run(unsigned long iters)
{
    printk("note: bench: smp: one unit of work is %lu xorshift steps\n", WORK_ROUNDS);
    bench_ops_run(smp_ops, ARRAY_SIZE(smp_ops), iters);
}
