/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 early setup and the small arch hooks: CPU identity, interrupt flag,
 * idle, shutdown and the deliberate faults used by tests.
 */
#include <asm/acpi.h>
#include <pvx/shutdown.h>
#include <asm/config.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/param.h>
#include <pvx/percpu.h>
#include <pvx/smp.h>
#include <pvx/time.h>

extern char cpu0_stack[];
void multiboot_parse(struct bootinfo *bi);

#define DEBUG_EXIT_PORT 0xf4 /* QEMU isa-debug-exit, as the test harness configures it */

/* The test device answers reads of its port with 0; an I/O port nothing
 * decodes reads as all ones, on QEMU as on real machines.  So pvx writes
 * its status there only where the device is. */
static bool debug_exit_present(void)
{
    return inb(DEBUG_EXIT_PORT) != 0xff;
}

void test_device_report(void)
{
    if (debug_exit_present())
        printk("QEMU's isa-debug-exit at %#x: shutdown ends the emulator with its status\n",
               DEBUG_EXIT_PORT);
}

void arch_early_setup(struct bootinfo *bi)
{
    struct cpu_info *ci = get_cpu_info();

    arch_serial_init(0, 115200); /* until the command line says otherwise */
    ci->processor_id = 0;
    ci->percpu = per_cpu(0);
    idt_init();
    desc_init_cpu(0, cpu0_stack);
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    multiboot_parse(bi);
}

unsigned int arch_smp_processor_id(void)
{
    return get_cpu_info()->processor_id;
}

unsigned long arch_local_irq_save(void)
{
    unsigned long flags;

    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

void arch_local_irq_restore(unsigned long flags)
{
    if (flags & X86_EFLAGS_IF)
        __asm__ volatile("sti" : : : "memory");
}

void arch_local_irq_enable(void)
{
    __asm__ volatile("sti" : : : "memory");
}

void arch_cpu_idle(void)
{
    /* sti takes effect after the next instruction: no wake-up is lost. */
    __asm__ volatile("sti; hlt" : : : "memory");
}

static void raise_fault(void *data)
{
    const char *kind = data;

    if (!strcmp(kind, "ud")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(kind, "pf")) {
        __asm__ volatile("movq $1, 0x8" : : : "memory"); /* low half: unmapped in pvx */
    } else if (!strcmp(kind, "gp")) {
        uint64_t v;
        /* A non-canonical address: #GP(0) on every CPU and emulator. */
        __asm__ volatile("movabs 0x8000000000000000, %0" : "=a"(v) : : "memory");
    } else if (!strcmp(kind, "de")) {
        __asm__ volatile("xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; divl %%ecx"
                         :
                         :
                         : "rax", "rcx", "rdx");
    } else if (!strcmp(kind, "df")) {
        /* A #PF whose frame cannot be pushed escalates to #DF on the IST stack. */
        __asm__ volatile("mov $0x10, %%rsp; pushq $0" : : : "memory");
    } else {
        printk("selftest: unknown fault kind '%s' (use ud, pf, gp, de or df)\n", kind);
        return;
    }
    printk("selftest: the '%s' fault did not happen\n", kind);
}

/* KIND, or KIND@CPU: the fault on that CPU, from a cross-CPU call, so that
 * the crash path runs with the boot CPU among the CPUs it stops. */
void arch_selftest_fault(const char *spec)
{
    const char *at = strchr(spec, '@');
    size_t len = MIN(at ? (size_t)(at - spec) : strlen(spec), (size_t)7);
    uint64_t cpu;
    char kind[8];

    memcpy(kind, spec, len);
    kind[len] = '\0';
    if (!at) {
        printk("selftest: triggering a deliberate '%s' fault\n", kind);
        raise_fault(kind);
        return;
    }
    if (parse_uint(at + 1, &cpu, false) || cpu >= NR_CPUS ||
        !(arch_cpu_online_map() & cpumask_of(cpu))) {
        printk("selftest: '%s': no such online CPU; no fault\n", spec);
        return;
    }
    printk("selftest: triggering a deliberate '%s' fault on CPU %u\n", kind, (unsigned int)cpu);
    if (cpu == arch_smp_processor_id()) {
        raise_fault(kind);
        return;
    }
    /* Taken there, the fault stops this CPU too, with a stop NMI, while
     * it waits here for the call to finish. */
    smp_call_function_mask(cpumask_of(cpu), raise_fault, kind);
    printk("selftest: CPU %u did not take the machine down\n", (unsigned int)cpu);
}

void __noreturn arch_shutdown(unsigned int status, bool reboot)
{
    __asm__ volatile("cli");
    /* The others first, with their state if this is a crash. */
    smp_stop_other_cpus(status == PVX_EXIT_PANIC);
    /* Under QEMU's isa-debug-exit this ends the emulator with 2*status+1. */
    if (debug_exit_present())
        outb(DEBUG_EXIT_PORT, (uint8_t)status);
    if (reboot) {
        acpi_reset();
        /* Still here: pulse the reset line through the keyboard controller. */
        for (unsigned int i = 0; i < 100000 && (inb(0x64) & 2); i++)
            cpu_relax();
        outb(0x64, 0xfe);
        /* Still here: reset through the PCI reset control register. */
        outb(0xcf9, 0x06);
    } else if (status == PVX_EXIT_OK) {
        /* dom0 powered off: so does the machine, as on Xen. */
        acpi_power_off();
    }
    for (;;)
        __asm__ volatile("cli; hlt");
}
