/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Local APIC (xAPIC, through its MMIO page), legacy PIC and PIT: interrupt
 * vectors, register offsets and the accessors apic.c and time.c share.
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#define PIC_VECTOR_BASE        0x20 /* legacy 8259 lines, remapped and masked */
#define APIC_TIMER_VECTOR      0xf0
#define IPI_CALL_VECTOR        0xf1 /* smp_call_function_interrupt() */
#define IPI_EVENT_CHECK_VECTOR 0xf2 /* "look again": run queue or timers changed (sched.c) */
#define APIC_SPURIOUS_VECTOR   0xff

#define APIC_ID         0x020
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_IRR        0x200 /* 8 words of 32 vectors, 16 bytes apart */
#define APIC_ICR_LOW    0x300
#define APIC_ICR_HIGH   0x310
#define APIC_LVT_TIMER  0x320
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3e0
#define APIC_LVT_MASKED (1u << 16)

/* ICR: delivery modes and the busy bit. */
#define APIC_DM_FIXED       0x00000000u
#define APIC_DM_NMI         0x00000400u
#define APIC_DM_INIT        0x00000500u
#define APIC_DM_STARTUP     0x00000600u
#define APIC_ICR_BUSY       0x00001000u
#define APIC_ICR_ASSERT     0x00004000u
#define APIC_ICR_LEVEL_TRIG 0x00008000u

#ifndef __ASSEMBLY__
#include <pvx/types.h>

extern volatile uint32_t *lapic; /* this CPU's local APIC (same address on every CPU) */

static inline uint32_t apic_read(unsigned int reg)
{
    return lapic[reg / 4];
}

static inline void apic_write(unsigned int reg, uint32_t v)
{
    lapic[reg / 4] = v;
}

/* Map the local APIC and enable it on the boot CPU (time.c, before
 * calibrating its timer). */
void apic_init_boot(void);
/* Enable this (secondary) CPU's local APIC: spurious vector, timer one-shot
 * at the boot CPU's divisor, unmasked. */
void apic_init_secondary(void);
/* This CPU's APIC id. */
uint32_t apic_id(void);
/* Send an IPI (ICR low word @icr_low) to APIC @dest; false if the previous
 * one was still being delivered after a while. */
bool apic_send_ipi(uint32_t dest, uint32_t icr_low);
void apic_timer_interrupt(void);
void apic_eoi(void);
/* Is an interrupt waiting in this CPU's local APIC (interrupts off)? */
bool apic_irq_pending(void);
#endif

#endif
