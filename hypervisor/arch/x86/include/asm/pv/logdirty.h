/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-dirty mode for PV domains (arch/x86/pv/logdirty.c): which pages a
 * domain writes while the toolstack copies it to another host
 * (PVX_DOMCTL_logdirty, docs/migration.md).
 *
 * While the mode is on, pvx write-protects the domain's writable L1 entries
 * that map its own frames and remembers each slot it protected (a 512-bit
 * mask per L1 table).  The first write through such a kernel entry faults
 * into pvx, which makes it writable again and marks the page; a user entry
 * stays read-only, as the guest (which reads its page tables) has seen it,
 * and the guest's own write fault goes to the guest, whose rewrite of the
 * entry marks the page.  A protected entry holds the references of a
 * read-only one (no writable type reference), so the MMU's release paths
 * need no change; making it writable again takes the type reference like
 * any new writable entry.
 *
 * Each L1 table pvx changes so is marked too (the stream carries tables as
 * the guest could last read them).  Every other writer marks the pages it
 * writes: a writable type reference taken or dropped (a new or vanishing
 * writable mapping, anyone's), an update of one of the domain's page
 * tables, a type change or pin, grant copies, populated pages.  Writes through writable references that stay
 * (vcpu_info, event arrays, rings mapped by dom0, backends' grant maps) are
 * caught by FINAL, which marks every page with a writable type reference.
 */
#ifndef ASM_PV_LOGDIRTY_H
#define ASM_PV_LOGDIRTY_H

#include <pvx/mm.h>
#include <pvx/types.h>

struct domain;
struct page_info;
struct vcpu;

/* The domctl (ENABLE, CLEAN, FINAL, OFF) is arch_logdirty_domctl(), in
 * pvx/arch.h. */
/* A write fault at va (error code ec) by v, from the guest or from pvx
 * writing guest memory: true when it was log-dirty's own protection (or a
 * stale translation of an entry made writable again), now writable. */
bool logdirty_fault(struct vcpu *v, uint64_t va, uint32_t ec);
/* Mark the page of frame pg dirty if its owner is tracked. */
void logdirty_mark_page(const struct page_info *pg);
/* Slot of L1 table l1pg is being rewritten by its owner: it is no longer
 * protected.  The table page is marked. */
void logdirty_slot_written(const struct page_info *l1pg, unsigned int slot);
/* L1 table pg stops being one (demoted): its protected kernel entries get
 * their writable bit back in memory, where the guest left it. */
void logdirty_table_released(struct page_info *pg);
/* The domain goes away: drop the tracking state. */
void logdirty_teardown(struct domain *d);

#endif
