/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary CPU bring-up.  The boot CPU finds the others in the firmware's
 * tables (the ACPI MADT, else the MP table), and starts each one in turn
 * with INIT and two STARTUP IPIs pointing at the real-mode trampoline
 * (boot/trampoline.S), which takes it to ap_high_entry on pvx's page tables
 * with the boot CPU's CR0, CR4 and EFER.  Everything a CPU needs (its stack
 * block with cpu_info and IST stacks, GDT, LDT, TSS, timer heap, XPTI root)
 * is allocated by the boot CPU before the IPIs, so the allocators only
 * ever run on one CPU here.  A CPU that does not check in within
 * AP_START_TIMEOUT is reported, put back into INIT and left out; its index
 * goes to the next CPU.  Checking in and giving up are one compare-and-swap
 * on ap_start.state, so a CPU that comes up at the deadline is either
 * counted or parks without touching anything the next CPU reuses.
 * `selftest-ap-stall=ID` makes the CPU with that APIC id stall before it
 * checks in, to exercise this path under QEMU.
 *
 * Started CPUs idle (halted with interrupts on, answering cross-CPU calls,
 * smp.c) until the boot CPU starts the scheduler, which then runs vCPUs on
 * them too (sched.c; not with sched-smp=0).
 */
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/hardening.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/param.h>
#include <pvx/percpu.h>
#include <pvx/sched.h>
#include <pvx/smp.h>
#include <pvx/time.h>
#include <pvx/timer.h>

#define AP_START_TIMEOUT MILLISECS(2000) /* generous: TCG emulates every CPU on few threads */

static unsigned int opt_maxcpus = NR_CPUS;
uint_param("maxcpus", opt_maxcpus);
static unsigned int opt_ap_stall = UINT32_MAX; /* APIC id of a CPU that never checks in */
uint_param("selftest-ap-stall", opt_ap_stall);

extern const char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_efer[];

/* Read by ap_high_entry on the starting CPU. */
uint64_t ap_boot_cr0, ap_boot_cr3, ap_boot_cr4, ap_boot_stack;

/*
 * ap_start.state: the attempt number in the high half (a CPU from an
 * earlier attempt cannot check in to this one), AP_WAITING, AP_GIVEN_UP or
 * AP_CHECKED_IN | the APIC id the CPU read itself in the low half.
 */
#define AP_WAITING        0u
#define AP_GIVEN_UP       1u
#define AP_CHECKED_IN     0x80000000u
#define AP_ATTEMPT(state) ((state) & ~(uint64_t)UINT32_MAX)

static struct {
    unsigned int cpu; /* the index the starting CPU takes */
    void *stack_block;
    bool stall; /* selftest-ap-stall= names this CPU */
    uint64_t state;
} ap_start;
static uint64_t ap_attempt;

static uint32_t cpu_apic_ids[NR_CPUS];
static unsigned int nr_online = 1;
static cpumask_t online_map = 1; /* the boot CPU */

uint64_t arch_cpu_online_map(void)
{
    return __atomic_load_n(&online_map, __ATOMIC_ACQUIRE);
}

void arch_send_call_ipi(uint64_t mask)
{
    for (unsigned int cpu = 0; cpu < nr_online; cpu++)
        if ((mask & cpumask_of(cpu)) &&
            !apic_send_ipi(cpu_apic_ids[cpu], APIC_DM_FIXED | IPI_CALL_VECTOR))
            printk("SMP: could not send a call IPI to CPU%u\n", cpu);
}

void arch_send_event_check(unsigned int cpu)
{
    if (cpu < nr_online &&
        !apic_send_ipi(cpu_apic_ids[cpu], APIC_DM_FIXED | IPI_EVENT_CHECK_VECTOR))
        printk("SMP: could not send an event check to CPU%u\n", cpu);
}

void arch_timer_kick(unsigned int cpu)
{
    arch_send_event_check(cpu);
}

void arch_flush_tlb_local(void)
{
    write_cr3(read_cr3());
}

void arch_cpu_relax(void)
{
    cpu_relax();
}

unsigned int smp_online_cpus(void)
{
    return nr_online;
}

/* Interrupts off for good: only INIT, or the stop NMI once the machine goes
 * down, ends this. */
static void __noreturn park_cpu(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

static uint64_t ap_state(void)
{
    return __atomic_load_n(&ap_start.state, __ATOMIC_ACQUIRE);
}

void __noreturn start_secondary(void);
void __noreturn start_secondary(void)
{
    unsigned int cpu = ap_start.cpu;
    uint64_t waiting = AP_ATTEMPT(ap_state()) | AP_WAITING;

    ASSERT(arch_smp_processor_id() == cpu); /* cpu_info set up by prepare_cpu() */
    desc_init_cpu(cpu, ap_start.stack_block);
    apic_init_secondary();
    if (ap_start.stall)
        park_cpu(); /* selftest-ap-stall=: a CPU that hangs on its way up */
    /* Too late if the boot CPU gave up: this CPU's index, stack and tables
     * are the next CPU's now, so touch nothing more. */
    if (!__atomic_compare_exchange_n(&ap_start.state, &waiting,
                                     AP_ATTEMPT(waiting) | AP_CHECKED_IN | apic_id(), false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        park_cpu();
    /* Idle until the scheduler runs vCPUs here (sched-smp=0: for good). */
    sched_start_secondary();
}

/* Everything @cpu needs before it runs a single instruction of pvx. */
static int prepare_cpu(unsigned int cpu)
{
    struct page_info *stack = alloc_pages(STACK_ORDER);
    struct cpu_info *ci;
    int rc;

    if (!stack)
        return -ENOMEM;
    ap_start.stack_block = maddr_to_virt(page_to_mfn(stack) << PAGE_SHIFT);
    ci = (struct cpu_info *)((char *)ap_start.stack_block + STACK_SIZE) - 1;
    memset(ci, 0, sizeof(*ci));
    ci->processor_id = cpu;
    ci->percpu = per_cpu(cpu);
    rc = desc_alloc_cpu(cpu);
    if (!rc && timer_init_cpu(cpu))
        rc = -ENOMEM;
    if (!rc && hardening.xpti)
        rc = xpti_init_cpu(cpu, ap_start.stack_block);
    if (rc) {
        free_pages(stack, STACK_ORDER); /* the tables stay for the next try */
        return rc;
    }
    ap_boot_stack = (uint64_t)ci;
    ap_start.cpu = cpu;
    ap_attempt += (uint64_t)1 << 32;
    __atomic_store_n(&ap_start.state, ap_attempt | AP_WAITING, __ATOMIC_RELEASE);
    return 0;
}

static void wait_ns(uint64_t ns)
{
    uint64_t end = NOW() + ns;

    while (NOW() < end)
        cpu_relax();
}

static bool checked_in(void)
{
    return ap_state() & AP_CHECKED_IN;
}

/* INIT, then STARTUP twice (the second is ignored by a CPU that took the
 * first), as the MP specification's universal start-up algorithm says.
 * True once the CPU checked in, with *seen the APIC id it read. */
static bool start_cpu(uint32_t id, uint32_t *seen)
{
    const uint32_t sipi = APIC_DM_STARTUP | (AP_TRAMPOLINE_PA >> PAGE_SHIFT);
    const uint32_t init = APIC_DM_INIT | APIC_ICR_ASSERT | APIC_ICR_LEVEL_TRIG;
    uint64_t deadline, state = ap_state();

    ap_start.stall = id == opt_ap_stall;
    if (apic_send_ipi(id, init)) {
        wait_ns(MILLISECS(10));
        for (unsigned int i = 0; i < 2 && !checked_in(); i++) {
            if (!apic_send_ipi(id, sipi))
                break;
            wait_ns(MICROSECS(200));
        }
        deadline = NOW() + AP_START_TIMEOUT;
        while (!checked_in() && NOW() < deadline)
            cpu_relax();
    }
    if (__atomic_compare_exchange_n(&ap_start.state, &state, AP_ATTEMPT(state) | AP_GIVEN_UP, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        /* It can no longer check in.  Hold it in INIT, and give the INIT
         * time to land, so that it cannot run on into the stack and tables
         * the next CPU gets. */
        apic_send_ipi(id, init);
        wait_ns(MILLISECS(10));
        return false;
    }
    *seen = (uint32_t)state & ~AP_CHECKED_IN; /* it checked in, if only just now */
    return true;
}

void smp_boot_cpus(void)
{
    static uint32_t ids[MAX_FIRMWARE_CPUS];
    const char *source = "ACPI MADT";
    uint32_t boot_id = apic_id();
    unsigned int limit = MIN(MAX(opt_maxcpus, 1u), (unsigned int)NR_CPUS);
    int nr = acpi_find_cpus(ids, MAX_FIRMWARE_CPUS, &source);

    if (nr < 0) {
        source = "MP table";
        nr = mptable_find_cpus(ids, MAX_FIRMWARE_CPUS);
    }
    cpu_apic_ids[0] = boot_id;
    if (nr <= 0) {
        printk("SMP: no MADT or MP table lists the CPUs; using the boot CPU only\n");
        return;
    }
    printk("SMP: %d CPU%s listed in the %s; using at most %u (maxcpus=)\n", nr, nr == 1 ? "" : "s",
           source, limit);

    memcpy(maddr_to_virt(AP_TRAMPOLINE_PA), ap_trampoline_start,
           (size_t)(ap_trampoline_end - ap_trampoline_start));
    *(uint32_t *)maddr_to_virt(AP_TRAMPOLINE_PA + (ap_trampoline_efer - ap_trampoline_start)) =
        (uint32_t)rdmsr(MSR_EFER) & ~EFER_LMA;
    ap_boot_cr0 = read_cr0();
    ap_boot_cr3 = idle_l4_maddr;
    ap_boot_cr4 = read_cr4();

    for (int i = 0; i < nr && nr_online < limit; i++) {
        unsigned int cpu = nr_online;
        uint32_t seen;

        if (ids[i] == boot_id)
            continue;
        if (ids[i] > 0xfe) {
            printk("SMP: APIC id %u needs x2APIC mode; CPU left out\n", ids[i]);
            continue;
        }
        if (prepare_cpu(cpu)) {
            printk("SMP: out of memory for CPU%u; no more CPUs started\n", cpu);
            break;
        }
        /* Not online, not counted, its index the next CPU's: no call,
         * shootdown, stop NMI or vCPU is ever meant for it. */
        if (!start_cpu(ids[i], &seen)) {
            printk("SMP: CPU with APIC id %u did not start; left out\n", ids[i]);
            continue;
        }
        /* What the CPU read from its own APIC: proof that it ran pvx. */
        cpu_apic_ids[cpu] = seen;
        __atomic_fetch_or(&online_map, cpumask_of(cpu), __ATOMIC_RELEASE);
        nr_online++;
        printk("SMP: CPU%u up (APIC id %u%s)\n", cpu, seen,
               seen == ids[i] ? "" : ", not the firmware's");
    }
    printk("SMP: %u of %d CPU%s online\n", nr_online, nr, nr == 1 ? "" : "s");
}

/* ---- stopping the other CPUs when the machine goes down ---- */

static volatile int stop_mode;                       /* STOP_* */
static volatile unsigned int stopping_cpu = NR_CPUS; /* the one that set stop_mode */
static volatile unsigned int nr_stopped;
static volatile int dump_lock;
enum { STOP_NONE, STOP_QUIET, STOP_DUMP };

void smp_stop_other_cpus(bool dump)
{
    unsigned int others = nr_online - 1, me = arch_smp_processor_id();
    int none = STOP_NONE;
    uint64_t deadline;

    if (!others)
        return;
    /* Any CPU may go down first (a crash on CPU2 while CPU0 powers off):
     * one wins, and a loser only waits for the winner's NMI, so that one
     * CPU alone reports the end and writes the exit status. */
    if (!__atomic_compare_exchange_n(&stop_mode, &none, dump ? STOP_DUMP : STOP_QUIET, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        if (stopping_cpu == me)
            return; /* called again on the way down (a panic in the crash path) */
        park_cpu();
    }
    stopping_cpu = me;
    smp_wmb();
    /* Each online CPU by its id: a shorthand would also reach the CPUs
     * left in wait-for-STARTUP, which an NMI may wake into garbage. */
    for (unsigned int cpu = 0; cpu < nr_online; cpu++)
        if (cpu != me && !apic_send_ipi(cpu_apic_ids[cpu], APIC_DM_NMI))
            printk("SMP: could not send the stop NMI to CPU%u\n", cpu);
    deadline = NOW() + MILLISECS(dump ? 2000 : 200);
    while (nr_stopped < others && NOW() < deadline)
        cpu_relax();
    if (nr_stopped < others)
        printk("SMP: %u of %u other CPUs did not stop\n", others - nr_stopped, others);
}

bool smp_nmi_stop(const struct cpu_user_regs *regs)
{
    if (stop_mode == STOP_NONE)
        return false;
    if (stop_mode == STOP_DUMP) {
        /* One CPU's report at a time; the CPU that asked only waits. */
        while (__atomic_exchange_n(&dump_lock, 1, __ATOMIC_ACQUIRE))
            cpu_relax();
        printk("*** CPU%u stopped:\n", arch_smp_processor_id());
        dump_cpu_state(regs);
        __atomic_store_n(&dump_lock, 0, __ATOMIC_RELEASE);
    }
    __atomic_fetch_add(&nr_stopped, 1, __ATOMIC_RELEASE);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- boot-time self-tests (`selftest`) ---- */

static void note_cpu(void *data)
{
    volatile uint32_t *ran = data;

    ran[arch_smp_processor_id()] = apic_id() + 1;
}

static void read_probe(void *data)
{
    volatile uint64_t *probe = data;

    probe[1] = *(volatile const uint64_t *)probe[0];
}

void arch_run_selftests(void (*check)(bool ok, const char *what))
{
    static volatile uint32_t ran[NR_CPUS];
    struct page_info *a, *b;
    volatile uint64_t probe[2];
    uint64_t *va, *pa_a, *pa_b;
    bool ok = true;

    if (nr_online < 2) {
        printk("selftest: one CPU: cross-CPU checks skipped\n");
        return;
    }
    smp_call_function_mask(~(cpumask_t)0, note_cpu, (void *)ran);
    for (unsigned int cpu = 0; cpu < nr_online; cpu++)
        ok &= cpu == arch_smp_processor_id() ? ran[cpu] == 0 : ran[cpu] == cpu_apic_ids[cpu] + 1;
    check(ok, "every other CPU, and only they, ran the call before it returned");

    /* A TLB shootdown: CPU1 caches a translation, CPU0 points the page
     * elsewhere and shoots down; CPU1 must then read the new page. */
    a = alloc_pages(0);
    b = alloc_pages(0);
    if (!a || !b) {
        check(false, "TLB shootdown: two pages to map");
        return;
    }
    pa_a = maddr_to_virt(page_to_mfn(a) << PAGE_SHIFT);
    pa_b = maddr_to_virt(page_to_mfn(b) << PAGE_SHIFT);
    *pa_a = 0xaaaa;
    *pa_b = 0xbbbb;
    va = ioremap(page_to_mfn(a) << PAGE_SHIFT, PAGE_SIZE);
    probe[0] = (uint64_t)va;
    smp_call_function_mask(cpumask_of(1), read_probe, (void *)probe);
    check(probe[1] == 0xaaaa, "TLB shootdown: CPU1 reads the first page through the mapping");
    map_pages((uint64_t)va, page_to_mfn(b) << PAGE_SHIFT, 1, PAGE_HYPERVISOR_UC);
    flush_tlb_mask(cpumask_of(1));
    smp_call_function_mask(cpumask_of(1), read_probe, (void *)probe);
    check(probe[1] == 0xbbbb, "TLB shootdown: after it, CPU1 reads the new page");
    map_pages((uint64_t)va, 0, 1, 0); /* nothing left mapping the pages */
    flush_tlb_mask(arch_cpu_online_map());
    free_pages(a, 0);
    free_pages(b, 0);
}

void arch_smp_init(void)
{
    smp_boot_cpus();
}
