/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fakes for the PV MMU tests (test_pvmm*.c): two domains and a running vCPU,
 * a frame table over harness.c's fake physical memory (frames below 1 MiB
 * are reserved, as firmware is on a real machine), a guest virtual window
 * behind copy_from_guest/copy_to_guest, and recorders for every arch hook
 * the MMU calls (flushes, CR3 loads, LDT reloads, the M2P, continuations).
 */
#ifndef PVMM_HARNESS_H
#define PVMM_HARNESS_H

#include <asm/pv/mm.h>
#include <pvx/domain.h>

#define PVMM_PHYS_BYTES (16ULL << 20)
#define PVMM_NR_FRAMES  (PVMM_PHYS_BYTES >> PAGE_SHIFT)

/* Guest memory the copy helpers can reach: [GUEST_WIN, GUEST_WIN + size). */
#define PVMM_GUEST_WIN      0x0000000010000000ULL
#define PVMM_GUEST_WIN_SIZE (64 * 1024)
extern uint8_t pvmm_guest_win[PVMM_GUEST_WIN_SIZE];

extern struct domain pvmm_dom;   /* the caller, id 1, unprivileged */
extern struct domain pvmm_other; /* another domain, id 2 */
extern struct vcpu pvmm_vcpu;    /* pvmm_dom's vCPU 0, current */

/* Recorders. */
extern unsigned int pvmm_remote_flushes; /* pv_flush_tlb_others*() calls */
extern unsigned int pvmm_tlb_flushes, pvmm_invlpgs, pvmm_ptbase_loads, pvmm_ldt_reloads,
    pvmm_cache_flushes;
extern uint64_t pvmm_last_invlpg;
/* Called by both TLB flush recorders when set (pvmm_setup clears it). */
extern void (*pvmm_flush_hook)(void);
extern uint64_t pvmm_m2p[PVMM_NR_FRAMES];
/* hypercall_preempt_check() turns true after this many calls (-1: never). */
extern int pvmm_preempt_after;
/* Set pvmm_preempt_after and start counting the calls afresh. */
void pvmm_set_preempt_after(int n);
extern unsigned int pvmm_reaped; /* domain_reap_page() calls that freed a frame */
extern unsigned int pvmm_continuations;
extern uint64_t pvmm_cont_args[6]; /* nr, a1..a5 of the last continuation */
#define PVMM_CONTINUATION_RC 0x5151

/* Fresh memory, frame table and domains; the vCPU runs in kernel mode. */
void pvmm_setup(void);
/* A zeroed frame owned by d. */
mfn_t pvmm_alloc(struct domain *d);
pte_t *pvmm_table(mfn_t mfn);
uint64_t pvmm_refs(mfn_t mfn);  /* general count */
uint64_t pvmm_trefs(mfn_t mfn); /* type count */
uint64_t pvmm_type(mfn_t mfn);  /* PGT_* type field */
bool pvmm_validated(mfn_t mfn);
bool pvmm_pinned(mfn_t mfn);

static inline pte_t pvmm_pte(mfn_t mfn, uint64_t flags)
{
    return (mfn << PAGE_SHIFT) | flags;
}

/*
 * A four-level tree mapping va: l4 -> l3 -> l2 -> l1, whose slot for va
 * maps data[0] read-write (data[1..3] in the following slots); slot 511 of
 * the l1 maps the l1 itself read-only, at PVMM_L1_SELF_VA(va).
 */
struct pvmm_tree {
    mfn_t l4, l3, l2, l1, data[4];
    uint64_t va;
};
#define PVMM_KERNEL_VA      0xffff880000000000ULL /* slot 272, first guest slot above pvx */
#define PVMM_L1_SELF_VA(va) (((va) & ~((1ULL << L2_SHIFT) - 1)) + 511 * PAGE_SIZE)
void pvmm_build_tree(struct pvmm_tree *t, struct domain *d, uint64_t va);
/* Pin the tree's L4 and make it the running vCPU's base pointer, through
 * mmuext_op as the guest would. */
void pvmm_pin_and_load(const struct pvmm_tree *t);

/* arch_logdirty_mark() calls, and the page of the last (tests other than
 * test_logdirty, which links the real one). */
extern unsigned int pvmm_dirty_marks;
extern const struct page_info *pvmm_last_dirty;

/* Calls of xpti_guest_l4_changed(): every L4 write and promotion. */
extern unsigned int pvmm_l4_changes;

/* Stage guest memory: returns the guest address of a copy of buf. */
uint64_t pvmm_guest_put(unsigned int offset, const void *buf, size_t len);

#endif
