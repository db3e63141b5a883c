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

bool apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
    uint64_t deadline = NOW() + MILLISECS(100);

    while (apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY)
        if (NOW() > deadline)
            return false;
        else
            cpu_relax();
    apic_write(APIC_ICR_HIGH, dest << 24);
    apic_write(APIC_ICR_LOW, icr_low); /* this write sends it */
    return true;
}

bool apic_irq_pending(void)
{
    if (!lapic)
        return false;
    /* IRR: 8 words of 32 vectors, 16 bytes apart; vectors 0-31 are never
     * interrupts. */
    for (unsigned int reg = APIC_IRR + 0x10; reg <= APIC_IRR + 0x70; reg += 0x10)
        if (apic_read(reg))
            return true;
    return false;
}
