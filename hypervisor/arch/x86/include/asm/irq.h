/* SPDX-License-Identifier: GPL-2.0-only */
/* Legacy interrupt lines handed to dom0 as PIRQs (irq.c). */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <pvx/types.h>

#define NR_LEGACY_IRQS 16

/* May a guest have this line (not one pvx drives)? */
bool arch_irq_guest_usable(unsigned int irq);
void arch_irq_mask(unsigned int irq);
void arch_irq_unmask(unsigned int irq);
/* Is the line level-triggered (as firmware set the ELCR)? */
bool arch_irq_level(unsigned int irq);
/* An interrupt arrived on a legacy vector: mask, acknowledge, raise it. */
void arch_irq_dispatch(unsigned int vector);

#endif
