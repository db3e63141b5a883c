/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV MMU: frame ownership, reference counts and page types, and the
 * validation that lets guests write their own page tables without ever
 * mapping memory they must not.
 *
 * Every frame has a general reference count (count_info & PGC_count_mask:
 * mappings and other uses) and a type with a type count (type_info).  Types
 * are exclusive: a frame is at most one of L1..L4 page table, segment
 * descriptor page, or writable page at a time, and changes type only when
 * its type count is 0.  Taking the first type reference of a page-table type
 * validates the page ("promote"), recursively taking references for what its
 * entries point at; dropping the last one releases them ("demote").  So a
 * frame mapped writable anywhere can never be a page table, and vice versa.
 *
 * Validating an L2-L4 table may be preempted (the preemptible variants,
 * used by the hypercalls): the table is left "partial" (PGT_partial, type
 * count 1, page_info.nr_validated = the first unchecked entry) and the
 * caller answers -ERESTART, which the hypercall turns into a continuation.
 * The next request for the same type resumes where it stopped; any other
 * type is refused meanwhile, as for a table being validated.
 *
 *   arch/x86/pv/mm.c       reference counts, types, promote/demote, entry checks
 *   arch/x86/pv/mm-hypercalls.c  mmu_update, mmuext_op, update_va_mapping
 *   arch/x86/pv/ptwr.c     writable page tables: emulate a guest kernel's write
 *                          to its own L1 page (VMASST_TYPE_writable_pagetables)
 *   arch/x86/m2p.c         the machine-to-phys table (owned by the lead)
 *
 * Guest-visible rules follow Xen's 64-bit PV ABI (../shared/docs
 * pv-abi-checklist.md section 4): allowed flag masks per level, L4 slots
 * 256-271 belong to pvx (contents of the guest's entries there are ignored
 * and replaced by pvx's), present L1 entries without _PAGE_USER get
 * _PAGE_USER | _PAGE_GUEST_KERNEL, L2-L4 entries get _PAGE_USER, no
 * superpages, page tables mapped read-only only.
 */
#ifndef ASM_PV_MM_H
#define ASM_PV_MM_H

#include <asm/page.h>
#include <pvx/mm.h>

struct domain;
struct vcpu;
struct cpu_user_regs;

/* type_info layout */
#define PGT_type_shift    60
#define PGT_type_mask     (15ULL << PGT_type_shift)
#define PGT_none          (0ULL << PGT_type_shift)
#define PGT_l1_page_table (1ULL << PGT_type_shift)
#define PGT_l2_page_table (2ULL << PGT_type_shift)
#define PGT_l3_page_table (3ULL << PGT_type_shift)
#define PGT_l4_page_table (4ULL << PGT_type_shift)
#define PGT_seg_desc_page (5ULL << PGT_type_shift)
#define PGT_writable_page (7ULL << PGT_type_shift)
#define PGT_pinned        (1ULL << 59) /* MMUEXT_PIN_*: holds one type reference */
#define PGT_validated     (1ULL << 58) /* contents checked for the current type */
/* Validation was preempted: entries below page_info.nr_validated hold their
 * references, the rest are unchecked; the one type reference belongs to this
 * state (no caller holds it) until validation resumes. */
#define PGT_partial    (1ULL << 57)
#define PGT_count_mask ((1ULL << 48) - 1)

#define _PAGE_GUEST_KERNEL (1ULL << 52) /* software bit: a guest-kernel-only mapping */
/* Software bit of L1 entries written by GNTTABOP_map_grant_ref: reserved to
 * pvx (a guest can never write it), so a grant mapping is recognisable. */
#define _PAGE_GNTTAB (1ULL << 62)

/* General references: fail (false) if pg is not owned by d or is free. */
bool get_page(struct page_info *pg, struct domain *d);
void put_page(struct page_info *pg);

/* Type references: get validates on the 0 -> 1 transition.  Return 0 or a
 * negative errno (-EINVAL wrong/conflicting type or invalid contents). */
int get_page_type(struct page_info *pg, uint64_t type);
/* The same, but a long validation of an L2-L4 table may stop with -ERESTART
 * (no reference taken; the table, or one below it, is left partial). */
int get_page_type_preemptible(struct page_info *pg, uint64_t type);
void put_page_type(struct page_info *pg);
int get_page_and_type(struct page_info *pg, struct domain *d, uint64_t type);
void put_page_and_type(struct page_info *pg);

/*
 * Pin / unpin (MMUEXT_PIN_Lx_TABLE, MMUEXT_UNPIN_TABLE) and install a new
 * kernel or user base (MMUEXT_NEW_BASEPTR / NEW_USER_BASEPTR, mfn 0 = none
 * for the user base).  The domain builder uses pv_pin_table() on the L4 it
 * built to validate the whole bootstrap tree.  With preemptible, -ERESTART
 * means nothing changed yet: call again (a continuation) to go on.
 */
int pv_pin_table(struct domain *d, mfn_t mfn, uint64_t type, bool preemptible);
int pv_unpin_table(struct domain *d, mfn_t mfn);
int pv_set_guest_table(struct vcpu *v, mfn_t mfn, bool user, bool preemptible);

/* A guest kernel's write fault on a present page: emulate it if it is a
 * write to one of its own L1 page-table pages and the domain enabled
 * writable page tables.  Returns true if handled (RIP advanced). */
bool pv_ptwr_fault(struct vcpu *v, uint64_t addr, struct cpu_user_regs *regs);

/* Drop every reference a dying domain's page tables hold, partial ones
 * included (teardown). */
void pv_mm_domain_teardown(struct domain *d);

/*
 * Shared by mm.c, mm-hypercalls.c and ptwr.c (the MMU's own interface).
 */
/* The level (1-4) of a page-table type, 0 for any other type. */
unsigned int pgt_level(uint64_t type_info);
/* Frame mfn with a general reference for d, or NULL (free, foreign,
 * hypervisor memory, out of range). */
struct page_info *pv_get_page_from_mfn(mfn_t mfn, struct domain *d);
/*
 * Replace entry slot of the validated page table table (owned by d) with
 * nval: check nval for the table's level, take the references it needs,
 * write it (keeping the old A/D bits with preserve_ad), then release what the
 * old entry held.  L4 slots 256-271 are refused.  0 or a negative errno; the
 * entry is unchanged on error.  An L2-L4 entry naming a table whose
 * validation is preempted gives -ERESTART (never an L1 entry).
 */
int pv_mod_pt_entry(struct domain *d, struct page_info *table, unsigned int slot, pte_t nval,
                    bool preserve_ad);
/* As pv_mod_pt_entry(), with an L1 entry naming a frame of pg_owner's. */
int pv_mod_pt_entry_foreign(struct domain *d, struct page_info *table, unsigned int slot,
                            pte_t nval, bool preserve_ad, struct domain *pg_owner);
/* The L1 page and slot that map va in v's kernel page tables (the walk a
 * guest kernel's own accesses take).  -EINVAL if va is not a guest address
 * or the walk does not reach a validated L1 page.  No reference is taken. */
int pv_find_guest_l1e(struct vcpu *v, uint64_t va, struct page_info **l1pg, unsigned int *slot);

/*
 * Grant mappings (grant_map.c) write L1 entries whose references they took
 * themselves: a general reference on the granter's frame, plus a
 * PGT_writable_page type reference when the entry is writable, exactly what
 * an ordinary entry holds.  So whichever way the entry goes away (grant
 * unmap, a guest's mmu_update over it, the table's demotion) releasing it is
 * the same put.
 */
/* The L1 page and slot of the entry at machine address ma: an 8-byte
 * aligned entry of a validated, in-use L1 page of d.  -EINVAL otherwise. */
int pv_l1e_from_maddr(struct domain *d, uint64_t ma, struct page_info **l1pg, unsigned int *slot);
/* Write nval (adjusted as a guest L1 entry if present) into slot of the L1
 * page and return the old entry.  Takes and releases no reference. */
pte_t pv_l1e_xchg(struct page_info *l1pg, unsigned int slot, pte_t nval);
/* Release the references an L1 entry holds (nothing for a non-present one). */
void pv_put_l1e_refs(pte_t e);

/* Provided by the arch core (not the MMU): */
/* Copy pvx's own L4 slots (256-271) into a guest L4 page. */
void arch_init_guest_l4(struct domain *d, pte_t *l4);
/* Machine-to-phys table: pfn of mfn, or INVALID_M2P_ENTRY. */
#define INVALID_M2P_ENTRY (~0ULL)
void set_gpfn_from_mfn(mfn_t mfn, uint64_t pfn);
uint64_t get_gpfn_from_mfn(mfn_t mfn);
/* May d map I/O frame mfn (not RAM the allocator manages)?  Only the
 * control domain, and never pvx's own memory or its interrupt controllers. */
bool arch_iomem_mappable(const struct domain *d, mfn_t mfn);
/* The machine frame holding M2P entry `entry`. */
mfn_t m2p_frame(uint64_t entry);
/* Flush this CPU's TLB (whole or one page) for the running guest.  Guest
 * user mappings carry _PAGE_GLOBAL (as on Xen): with CR4.PGE on, a full
 * flush must drop global entries too. */
void flush_tlb_local(void);
void flush_tlb_one_local(uint64_t va);
/* This CPU loads d's page tables (NULL: pvx's idle tables): pv/tlb.c. */
void pv_tlb_switch(struct domain *d);
/* Flush the TLBs of the other CPUs that may hold d's translations (its
 * dirty_cpumask), and return once they have: after a change another vCPU
 * of d, running elsewhere, may have cached (pv/context.c). */
void pv_flush_tlb_others(const struct domain *d);
/* The same for every other CPU that has some guest's page tables loaded
 * (a frame changing type may be mapped by any domain). */
void pv_flush_tlb_others_all(void);
/* Load v's page-table base (kernel or user L4, by its mode) into CR3 if v is
 * running on this CPU, flushing global entries; called after
 * v->arch.guest_table changed and before the old L4 loses its reference. */
void pv_write_ptbase(struct vcpu *v);
/* MMUEXT_SET_LDT changed v->arch.ldt_base/ldt_ents: drop the mappings of the
 * old LDT and reload LDTR for the new one (lazily mapped on fault). */
void pv_ldt_changed(struct vcpu *v);
/* Write back and invalidate this CPU's caches (wbinvd). */
void flush_cache_local(void);

#endif
