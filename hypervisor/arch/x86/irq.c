/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Legacy interrupt lines: the two 8259 PICs, wired to the boot CPU through
 * LINT0 (virtual-wire mode, as firmware leaves it).  pvx drives none of
 * these lines itself (its timer is the local APIC's); it hands them to dom0
 * as PIRQs (pirq.c).  A line is masked from the moment it fires until dom0
 * acknowledges it (PHYSDEVOP_eoi), so a level-triggered PCI line cannot
 * storm while dom0's handler has not run yet.
 */
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/processor.h>
#include <pvx/lib.h>
#include <pvx/pirq.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define ELCR      0x4d0 /* edge/level control, one bit per line (PIIX) */
#define PIC_EOI   0x20
#define READ_ISR  0x0b

static uint16_t pic_mask = 0xffff; /* every line masked (time.c programs the PICs so) */

static void write_mask(void)
{
    outb(PIC1_DATA, (uint8_t)pic_mask);
    outb(PIC2_DATA, (uint8_t)(pic_mask >> 8));
}

bool arch_irq_guest_usable(unsigned int irq)
{
    /* 0: the PIT (pvx's calibration clock); 2: the cascade; 4: COM1, pvx's
     * console. */
    return irq < NR_LEGACY_IRQS && irq != 0 && irq != 2 && irq != 4;
}

void arch_irq_mask(unsigned int irq)
{
    ASSERT(irq < NR_LEGACY_IRQS);
    pic_mask |= (uint16_t)(1u << irq);
    write_mask();
}

void arch_irq_unmask(unsigned int irq)
{
    ASSERT(arch_irq_guest_usable(irq));
    pic_mask &= (uint16_t) ~(1u << irq);
    if (irq >= 8)
        pic_mask &= (uint16_t) ~(1u << 2); /* the slave reaches the CPU through line 2 */
    write_mask();
}

bool arch_irq_level(unsigned int irq)
{
    return (inb((uint16_t)(ELCR + irq / 8)) >> (irq % 8)) & 1;
}

static bool in_service(unsigned int irq)
{
    uint16_t cmd = irq < 8 ? PIC1_CMD : PIC2_CMD;

    outb(cmd, READ_ISR);
    return (inb(cmd) >> (irq % 8)) & 1;
}

void arch_irq_dispatch(unsigned int vector)
{
    unsigned int irq = vector - PIC_VECTOR_BASE;

    ASSERT(irq < NR_LEGACY_IRQS);
    /* Lines 7 and 15 also carry the PICs' spurious interrupts: nothing is
     * in service then, and only a spurious 15 needs the master's EOI. */
    if ((irq == 7 || irq == 15) && !in_service(irq)) {
        if (irq == 15)
            outb(PIC1_CMD, PIC_EOI);
        return;
    }
    arch_irq_mask(irq);
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
    pirq_raise(irq);
}
