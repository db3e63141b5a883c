/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-wide state and the table of contents of the test guest: which file
 * provides what.
 */
#ifndef TESTGUEST_GUEST_H
#define TESTGUEST_GUEST_H

#include "types.h"
#include "lib.h"
#include "hypercall.h"
#include <public/xen.h>
#include <public/grant_table.h>

#define VIRT_BASE 0xffffffff80000000UL

/* x86 page-table entry bits. */
#define _PAGE_PRESENT  0x001UL
#define _PAGE_RW       0x002UL
#define _PAGE_USER     0x004UL
#define _PAGE_PWT      0x008UL
#define _PAGE_PCD      0x010UL
#define _PAGE_ACCESSED 0x020UL
#define _PAGE_DIRTY    0x040UL
#define _PAGE_PSE      0x080UL
#define _PAGE_GLOBAL   0x100UL
#define _PAGE_NX       (1UL << 63)
#define PTE_ADDR_MASK  0x000ffffffffff000UL
#define PTE_KERN_RW    (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_KERN_RO    (_PAGE_PRESENT | _PAGE_ACCESSED)
#define PTE_TABLE      (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

/* main.c: what the builder handed over, and where we put things. */
extern start_info_t *si;
extern shared_info_t *shinfo;
extern struct vcpu_info *vcpu; /* current location of vcpu 0's vcpu_info */
extern unsigned long *p2m;     /* start_info.mfn_list */
extern u64 boot_rsp, boot_rsi; /* head.S: registers at entry */
extern u64 entry_rflags;
extern u8 entry_mask; /* vcpu_info upcall mask seen at entry */
extern char _image_start[], _image_end[];
extern char boot_stack[], boot_stack_top[];

/* mm.c: frames, M2P/P2M and the page-table walker. */
static inline unsigned long va_to_pfn(const void *va)
{
    return ((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT;
}
static inline unsigned long pfn_to_mfn(unsigned long pfn)
{
    return p2m[pfn];
}
static inline unsigned long va_to_mfn(const void *va)
{
    return pfn_to_mfn(va_to_pfn(va));
}
static inline u64 va_to_ma(const void *va)
{
    return (va_to_mfn(va) << PAGE_SHIFT) | ((unsigned long)va & (PAGE_SIZE - 1));
}
static inline unsigned long m2p(unsigned long mfn)
{
    return ((const volatile unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}
void mm_init(void);
void *page_alloc(void); /* a zeroed, RW-mapped pool page */
unsigned long pool_pages_left(void);
void *mfn_to_va(unsigned long mfn);       /* NULL if not in our mapping */
u64 *pte_of(unsigned long va, int level); /* entry mapping va at level 1..4 */
u64 pte_ma(unsigned long va);             /* machine address of va's L1 entry */
long set_pte_va(const void *va, u64 pte, unsigned long flags); /* update_va_mapping */
long make_readonly(void *va);
long make_writable(void *va);
long ensure_l1(unsigned long va); /* build missing L3/L2/L1 for va */
long map_frame(unsigned long va, unsigned long mfn, u64 flags);
long unmap_va(unsigned long va);
void flush_va(unsigned long va);     /* mmuext INVLPG_LOCAL */
long pin_table(int level, void *va); /* mmuext PIN_Lx */
long unpin_table(void *va);
unsigned long cur_l4_mfn(void);
extern u64 *kernel_l4; /* VA of the active kernel L4 */
/*
 * A page-table tree big enough that validating it takes the hypervisor a
 * while (preemptible validation): one L3, BT_L2 L2 tables, BT_L2 * BT_L1
 * L1 tables whose 512 entries all map one data page read-only.  Built once
 * (pool pages, read-only, nothing pinned); bigtree_set_bad() puts a
 * writable mapping of the first L1 table into the last slot-300 entry of
 * the last L1 (or takes it out again): invalid once that L1 is a table.
 */
#define BT_L2 4
#define BT_L1 24
struct bigtree {
    u64 *l3, *l2[BT_L2], *l1[BT_L2][BT_L1];
};
struct bigtree *bigtree_get(void);
long bigtree_set_bad(struct bigtree *bt, bool bad);
/* Are all of the tree's pages free of any page-table type (each can be
 * mapped writable)?  Leaves them read-only again. */
bool bigtree_all_writable(struct bigtree *bt);
#define SCRATCH_BASE 0xffffffffc0000000UL /* L3 slot 511: built by the checks */

/* traps.c: trap table, bounce frames, expected traps. */
struct trap_record {
    unsigned vector, count;
    int nextra;
    u64 err, rip, cs, rflags, rsp, ss, rcx, r11, cr2, frame;
    u8 mask_at_entry; /* vcpu_info upcall mask when the handler was entered */
    u64 extra[4];
};
extern volatile struct trap_record last_trap;
void traps_init(void);
void trap_expect(unsigned vector); /* arm: the next trap of this vector is a check */
void trap_expect_clear(void);
/* A one-byte store to p page-faults (the fault is caught, the store skipped). */
bool byte_store_faults(volatile u8 *p);
extern struct jmpbuf *trap_recovery; /* longjmp target for unexpected traps */
/* Execute `insn` with an exception-table fixup that resumes after it. */
#define EXTABLE_ENTRY(from, to)                                                                    \
    ".pushsection .extable, \"a\"\n .quad " #from ", " #to "\n .popsection\n"

/* events.c: event channels and the upcall. */
typedef void (*evtchn_handler_t)(unsigned port);
#define NR_EVT_PORTS 8192 /* counted ports: 2-level's 4096 and FIFO's first 8192 */
extern volatile unsigned evt_count[NR_EVT_PORTS];
extern volatile unsigned upcalls;
void events_init(void);
void evtchn_set_handler(unsigned port, evtchn_handler_t h);
void evtchn_mask_port(unsigned port);
void evtchn_unmask_port(unsigned port); /* local unmask, hypercall if pending */
void evtchn_upcall(void);
/* Switch the upcall and mask/unmask to FIFO (t_fifo.c has made the
 * hypercalls): vCPU 0's control block, the event words (every port the
 * hypervisor can link has one: the array pages are consecutive here).
 * evtchn_fifo_use(0, 0) goes back to 2-level (after EVTCHNOP_reset). */
void evtchn_fifo_use(void *control_block, u32 *words);
#define FIFO_TAKEN_MAX 64
extern unsigned fifo_taken[FIFO_TAKEN_MAX];
extern unsigned fifo_ntaken;
static inline void events_enable(void)
{
    barrier();
    vcpu->evtchn_upcall_mask = 0;
    barrier();
    if (vcpu->evtchn_upcall_pending)
        hc_xen_version(0, 0); /* any hypercall gets the upcall delivered */
}
static inline void events_disable(void)
{
    vcpu->evtchn_upcall_mask = 1;
    barrier();
}

/* time.c: pvclock. */
u64 rdtsc(void);
u64 system_time_ns(void);
u64 tsc_khz(void);
/* On vCPU 0: block until system time @deadline (ns) or an event, whichever
 * comes first (callers loop on their condition), with events enabled as
 * SCHEDOP_block leaves them.  The timeout is armed by the call that blocks
 * (SCHEDOP_poll on no port), so a deadline that passes just before cannot be
 * lost, as it can between set_timer_op and SCHEDOP_block when no VIRQ_TIMER
 * is bound. */
void block_until_or_event(u64 deadline);

/* The check groups (t_*.c). */
void t_boot(void);
void t_version(void);
void t_console(void);
void t_hcall(void);
void t_multicall(void);
void t_mmu(void);
void t_mmuext(void);
void t_uvm(void);
void t_ptwr(void);
void t_traps(void);
void t_callbacks(void);
void t_events(void);
/* t_events.c: the domain's port serviced by the hypervisor (0: none), and
 * bind_vcpu on it (its result; 1 or 2 if the vCPU check or the port's
 * binding went wrong). */
unsigned xen_serviced_port(void);
long bind_vcpu_xen_port(unsigned port);
void t_time(void);
void t_sched(void);
void t_vcpu(void);
void t_domctl(void);
void t_smp(void);
void t_seg(void);
void t_memory(void);
void t_grant(void);
void t_misc(void);
void t_emul(void);
void t_user(void);
void t_hostile(void);
void t_xgrant(void);
void t_xmaps(void);
void t_debugreg(void);
void t_gntv2(void);
void t_fuzz(unsigned long seed, unsigned long count);
void t_fifo(void); /* switches the domain to FIFO for good: runs last, only when named */

/* bench.c: the `bench` mode (peer: a domain running `benchpeer`, or -1;
 * smp: only the rows needing a second vCPU, bench_smp.c). */
void bench_run(unsigned long iters, long peer, bool smp);

/* smp.c: vCPU 1, shared by t_smp.c and bench_smp.c.  smp_context() fills
 * an initial context on the L4 l4_mfn whose vCPU loops: run smp_task (set
 * by vCPU 0 before VCPUOP_up), count smp_rounds, VCPUOP_down. */
struct vcpu_guest_context;
extern void (*volatile smp_task)(void);
extern volatile unsigned long smp_rounds;
extern u8 smp_stack[8192];
bool smp_has_vcpu1(void);
unsigned int smp_absent_vcpu(void); /* the lowest vCPU id this domain lacks */
void smp_context(struct vcpu_guest_context *ctx, unsigned long l4_mfn);
/* How long the smp_wait_* helpers wait for vCPU 1 at most.  They return as
 * soon as it has done its part, so the limit only sets how long a failure
 * takes; it is generous because under multi-threaded TCG on a loaded host
 * vCPU 1's host thread may not run for a second or more. */
#define SMP_WAIT_NS 10000000000ULL
bool smp_wait_rounds(unsigned long n); /* vCPU 1 has finished n rounds (yields a while) */
bool smp_wait_down(void);              /* vCPU 1 is down (yields a while) */
long smp_bind_ipi(unsigned vcpu_id, unsigned *port); /* bound to vcpu_id, masked */
bool smp_port_pending(unsigned port);
void smp_port_clear(unsigned port);
/* The probe task: read *smp_probe into smp_probe_seen, counting the reads,
 * until smp_probe_stop; smp_probe_wait(n): n more reads within SMP_WAIT_NS. */
extern volatile u64 *volatile smp_probe;
extern volatile u64 smp_probe_seen;
extern volatile unsigned long smp_probe_reads, smp_probe_stop;
void smp_task_probe(void);
bool smp_probe_wait(unsigned long n);
/* Where our vCPU id is, as pvx reports it (its domctl getvcpuinfo; not Xen's). */
struct pvx_domctl_getvcpuinfo;
long smp_vcpu_where(unsigned id, struct pvx_domctl_getvcpuinfo *out);

/* xdom.c: grants and events between domains (t_xdom.c, bench.c). */
#define XD_GT_VA (SCRATCH_BASE + 2048 * PAGE_SIZE)         /* our grant table frame */
#define XD_VA(n) (SCRATCH_BASE + (2056 + (n)) * PAGE_SIZE) /* others' pages mapped here */
long xd_gt_setup(void);                                    /* one frame, mapped RW */
#define XD_GT_MAX_FRAMES 8                                 /* room below XD_VA(0) */
long xd_gt_grow(unsigned nr); /* nr frames, mapped RW in a row at XD_GT_VA */
volatile grant_entry_v1_t *xd_gte(grant_ref_t ref);
void xd_grant(grant_ref_t ref, domid_t to, const void *page, bool readonly);
u16 xd_cmpxchg_flags(grant_ref_t ref, u16 expect, u16 val); /* returns the old flags */
bool xd_end_access(grant_ref_t ref);                        /* revoke, as Linux does */
long xd_map(domid_t dom, grant_ref_t ref, unsigned long va, bool readonly, int16_t *status,
            grant_handle_t *handle);
long xd_unmap(unsigned long va, grant_handle_t handle, int16_t *status);
void xd_copy_ptr(struct gnttab_copy_ptr *p, bool by_ref, domid_t dom, unsigned long ref_or_frame,
                 u16 offset);
/* One GNTTABOP_copy between dom's grant ref (at gref_off) and one of our
 * frames, either way: the element's status, 99 if the hypercall failed. */
int16_t xd_copy_one(bool to_gref, domid_t dom, grant_ref_t ref, u16 gref_off, const void *frame,
                    u16 frame_off, u16 len);
/* Map dom's ref at va, retrying (yield) until granted or ms elapse: 0 or the error. */
long xd_attach(domid_t dom, grant_ref_t ref, unsigned long va, unsigned long ms,
               grant_handle_t *handle);
bool xd_wait_event(unsigned port, unsigned seen, unsigned long ms); /* false: timed out */
long xd_send(unsigned port);

/* The `xdom` run's fixed grant references (t_xdom.c, t_xtrans.c). */
#define XD_MBOX_REF  10
#define XD_INFO_REF  11 /* c: its event port for b */
#define XD_THIRD_REF 13 /* a: granted to the third domain, not to b */
#define XD_COPY_REF  15
#define XD_WAIT_MS   20000 /* generous: four guests share one emulated CPU */

/* Wait (yielding) until cond holds; false on timeout. */
#define XD_WAIT_FOR(cond, ms)                                                                      \
    ({                                                                                             \
        u64 _d = system_time_ns() + (u64)(ms)*1000000ULL;                                          \
        bool _ok;                                                                                  \
        while (!(_ok = (cond)) && system_time_ns() < _d)                                           \
            hc_sched_op(SCHEDOP_yield, 0);                                                         \
        _ok;                                                                                       \
    })

/* t_xtrans.c: transitive grants in the `xdom` run (pvx only: several domUs). */
long xt_v2_setup(void); /* our table to v2, its status frame mapped */
void xt_grant(grant_ref_t ref, domid_t to, const void *page, u16 flags);
u16 xt_status(grant_ref_t ref); /* our v2 entry's busy bits */
u16 xt_flags(grant_ref_t ref);  /* our v2 entry's flags */
void xt_a_grant(domid_t c, u8 *page);
void xt_a(domid_t c, u8 *page, volatile u32 *a_step, const volatile u32 *b_step);
void xt_a_after_c_destroyed(domid_t c);
void xt_b(domid_t a, domid_t c, const volatile u32 *a_step, volatile u32 *b_step);
void xt_b_after_c_destroyed(domid_t c);
void xt_c_grant(domid_t a, domid_t b);
void xt_c_steps(void);

#endif
