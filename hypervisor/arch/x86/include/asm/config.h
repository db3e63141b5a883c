/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86-64 virtual memory layout.  pvx lives in the range that Xen's 64-bit
 * PV ABI reserves for the hypervisor, L4 slots 256-271
 * (0xffff800000000000-0xffff87ffffffffff); everything else belongs to guests.
 *
 *   slot 256  0xffff800000000000  read-only M2P, mapped into guests
 *   slot 257  0xffff808000000000  read-write M2P (hypervisor view)
 *   slot 258  0xffff810000000000  hypervisor image (virtual = this + physical)
 *   slot 259  0xffff818000000000  per-domain area (GDT/LDT windows)
 *   slot 260  0xffff820000000000  ioremap area (local APIC, ...)
 *   slot 261  0xffff828000000000  frame table
 *   262-271   0xffff830000000000  direct map of all RAM (5 TiB)
 *
 * Included from assembly: constants only.
 */
#ifndef ASM_CONFIG_H
#define ASM_CONFIG_H

#define L4_SLOT_VA(s) (0xffff000000000000 | ((s) << 39))

#define PVX_VIRT_START        0xffff800000000000
#define PVX_VIRT_END          0xffff880000000000
#define RO_MPT_VIRT_START     0xffff800000000000
#define RO_MPT_VIRT_END       0xffff804000000000
#define RDWR_MPT_VIRT_START   0xffff808000000000
#define PVX_IMAGE_VIRT_BASE   0xffff810000000000
#define PERDOMAIN_VIRT_START  0xffff818000000000
#define IOREMAP_VIRT_START    0xffff820000000000
#define FRAMETABLE_VIRT_START 0xffff828000000000
#define DIRECTMAP_VIRT_START  0xffff830000000000
#define DIRECTMAP_VIRT_END    0xffff880000000000

#define PVX_FIRST_L4_SLOT 256
#define PVX_LAST_L4_SLOT  271

/* The image is linked to run at PVX_IMAGE_VIRT_BASE + its load address. */
#define PVX_LOAD_ADDRESS 0x100000

/* Per-CPU stacks: STACK_SIZE-aligned blocks, cpu_info at the top. */
#define STACK_ORDER 3
#define STACK_SIZE  (4096 << STACK_ORDER)
/* Pages inside a stack block: 0 guard, 1 #DF and #DB, 2 NMI, 3 #MC, 4-7
 * primary.  #DB shares #DF's page: a #DF halts pvx, so it never returns
 * into a #DB it interrupted, and #DB leaves it at once for a guest's #DB. */
#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3
#define IST_DB  4

#endif
