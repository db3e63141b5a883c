/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Segment selectors.  pvx uses the selector values of Xen's ABI: guests
 * see flat ring-3 segments at 0xe023 (32-bit code), 0xe02b (data) and
 * 0xe033 (64-bit code), so the hypervisor's GDT entries live at index 0xe000/8
 * onwards, after the 14 pages a PV guest may fill with its own descriptors.
 */
#ifndef ASM_DESC_H
#define ASM_DESC_H

/* FIRST_RESERVED_GDT_ENTRY and the FLAT_RING3_* selectors come from the ABI. */
#include <public/xen.h>

#define GDT_ENTRIES 8192 /* 16 pages: 64 KiB */

#define __HYPERVISOR_CS 0xe008
#define __HYPERVISOR_DS 0xe010
#define TSS_SELECTOR    0xe040
#define LDT_SELECTOR    0xe050

#ifndef __ASSEMBLY__
#include <pvx/types.h>

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7]; /* IST1..IST7 at ist[0..6] */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

/* Allocate secondary CPU @cpu's GDT, LDT and TSS: 0 or -ENOMEM. */
int desc_alloc_cpu(unsigned int cpu);
/* Load this CPU's (@cpu's) GDT, TSS (stacks from @stack_block) and the IDT. */
void desc_init_cpu(unsigned int cpu, void *stack_block);
/* This CPU's GDT (guest entries below FIRST_RESERVED_GDT_ENTRY). */
uint64_t *this_cpu_gdt(void);
/* This CPU's LDT: the running vCPU's checked descriptors are copied here. */
#define LDT_ENTRIES 8192
uint64_t *this_cpu_ldt(void);
void idt_init(void);

/* The tables the CPU reads on every guest entry, which XPTI keeps mapped
 * (each on pages of its own): this CPU's GDT, LDT and TSS, and the IDT. */
struct desc_tables {
    const void *gdt, *ldt, *tss, *idt;
    size_t gdt_size, ldt_size, tss_size, idt_size;
};
void desc_cpu_tables(unsigned int cpu, struct desc_tables *t);
#endif

#endif
