/* SPDX-License-Identifier: GPL-2.0-only */
/* Local APIC, legacy PIC and PIT: interrupt vectors and the time hardware. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#define PIC_VECTOR_BASE      0x20 /* legacy 8259 lines, remapped and masked */
#define APIC_TIMER_VECTOR    0xf0
#define APIC_SPURIOUS_VECTOR 0xff

#ifndef __ASSEMBLY__
#include <pvx/types.h>

void apic_timer_interrupt(void);
void apic_eoi(void);
/* Is an interrupt waiting in this CPU's local APIC (interrupts off)? */
bool apic_irq_pending(void);
#endif

#endif
