/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Protections against the guests pvx runs (docs/architecture.md, "CPU
 * hardening"):
 *
 *   hardening.c  what the CPU has and is vulnerable to, the command-line
 *                switches (smep=, smap=, xpti=, pv-l1tf=), SMEP and SMAP
 *                in CR4 with the STAC/CLAC sites (asm/smap.h) patched in
 *   xpti.c       Meltdown isolation: per-CPU root page tables that map of
 *                pvx only the entry area while a guest runs
 *   pv/mm.c      the L1TF check of non-present guest entries (below)
 */
#ifndef ASM_HARDENING_H
#define ASM_HARDENING_H

#include <pvx/types.h>

struct domain;

struct cpu_hardening {
    bool smep, smap;    /* on in CR4 */
    bool meltdown;      /* the CPU may leak supervisor data to ring 3 */
    bool xpti;          /* root tables in use for guests */
    bool l1tf;          /* the CPU may read the L1D through non-present entries */
    bool l1tf_dom0;     /* check dom0's non-present entries */
    bool l1tf_domu;     /* check every other domain's */
    uint64_t l1tf_mask; /* address bits the L1D looks at */
    uint64_t l1tf_safe; /* addresses from here up hold nothing cacheable */
};
extern struct cpu_hardening hardening;

/* Once the page allocator is up, before any guest: CR4 bits, STAC/CLAC
 * sites, XPTI tables for the boot CPU; prints what is on. */
void arch_hardening_init(void);

/* XPTI (xpti.c). */
/* Build @cpu's root table: the entry area of @stack_block and its tables. */
int xpti_init_cpu(unsigned int cpu, void *stack_block);
/* The exit path (entry.S), on the full tables: ready this CPU's root table
 * for the guest L4 in CR3 and return its CR3, or 0 with XPTI off. */
uint64_t xpti_exit(void);
/* A guest L4 entry changed: root tables copy the guest slots afresh. */
void xpti_guest_l4_changed(void);

/*
 * L1TF: a non-present entry a PV guest writes at @level (1-4) that would
 * let a speculative walk read memory the guest does not own: an address
 * below the safe limit (0 aside), or PSE above level 1 (a huge page from
 * frame 0).  Only when the CPU is affected and d is checked (pv-l1tf=).
 */
bool pv_l1tf_unsafe(const struct domain *d, unsigned int level, uint64_t pte);

#endif
