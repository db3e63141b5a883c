/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local APIC in xAPIC mode: one MMIO page at the address MSR_APIC_BASE
 * names, the same on every CPU (each CPU sees its own APIC there).  pvx
 * uses it for its one-shot timer (time.c) and for the INIT and STARTUP
 * IPIs that start secondary CPUs (smpboot.c).
 */
#include <asm/apic.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/time.h>

volatile uint32_t *lapic;

#define APIC_BASE_ENABLE (1u << 11)
#define APIC_SVR_ENABLE  0x100
#define APIC_TDCR_DIV1   0xb

static void apic_enable_this_cpu(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
    apic_write(APIC_TDCR, APIC_TDCR_DIV1);
}

void apic_init_boot(void)
{
    lapic = ioremap(rdmsr(MSR_APIC_BASE) & PAGE_MASK, PAGE_SIZE);
    apic_enable_this_cpu();
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
}

void apic_init_secondary(void)
{
    ASSERT(lapic);
    apic_enable_this_cpu();
    apic_write(APIC_TMICT, 0);
    apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR); /* one-shot, unmasked */
}

uint32_t apic_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

/* The two ICR writes are one send: an interrupt between them whose handler
 * sent an IPI of its own would redirect this one, so they run with
 * interrupts off (the boot CPU's self-tests run with them on). */
bool apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
    uint64_t deadline = NOW() + MILLISECS(100);
    unsigned long flags = arch_local_irq_save();
    bool sent = false;

    while (apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY)
        if (NOW() > deadline)
            goto out;
        else
            cpu_relax();
    apic_write(APIC_ICR_HIGH, dest << 24);
    apic_write(APIC_ICR_LOW, icr_low); /* this write sends it */
    sent = true;
out:
    arch_local_irq_restore(flags);
    return sent;
}

/* Every vector the local APIC delivers to pvx is in 0xe0-0xff, the IRR's
 * last word; the 8259s' lines arrive as ExtINT through LINT0, which skips
 * the IRR. */
_Static_assert(APIC_TIMER_VECTOR >= 0xe0 && IPI_CALL_VECTOR >= 0xe0 &&
                   IPI_EVENT_CHECK_VECTOR >= 0xe0,
               "apic_irq_pending() reads only the IRR word of vectors 0xe0-0xff");

bool apic_irq_pending(void)
{
    if (!lapic)
        return false;
    /* One MMIO read: long hypercalls ask once per item, and under TCG each
     * read costs as much as a hundred instructions. */
    return apic_read(APIC_IRR + 0x70) != 0;
}
