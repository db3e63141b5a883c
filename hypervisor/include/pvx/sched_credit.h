/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Credit scheduler core (sched_credit.c): weighted fair sharing of physical
 * CPUs among vCPUs, with per-domain weights and caps, a time slice, and a
 * wake-up boost for I/O-bound vCPUs.
 *
 * The core knows nothing of struct vcpu or struct domain: sched.c embeds a
 * struct csched_vcpu in each vCPU and a struct csched_dom in each domain and
 * finds its own objects again through the `owner` back pointers.  Every call
 * takes the current time explicitly, so the host unit tests drive the core
 * with a simulated clock.  The core does no locking: its caller serialises
 * all calls (one CPU today; later one lock around the core).
 *
 * Design, parameters and defaults: docs/scheduler.md.
 */
#ifndef PVX_SCHED_CREDIT_H
#define PVX_SCHED_CREDIT_H

#include <pvx/types.h>

#define CSCHED_MAX_CPUS 64 /* must cover NR_CPUS (percpu.h) */

#define CSCHED_DEFAULT_WEIGHT 256
#define CSCHED_MAX_WEIGHT     65535
#define CSCHED_DEFAULT_TSLICE (10ULL * 1000 * 1000)   /* ns */
#define CSCHED_DEFAULT_PERIOD (30ULL * 1000 * 1000)   /* ns: accounting period */
#define CSCHED_MIN_TSLICE     (100ULL * 1000)         /* ns */
#define CSCHED_MAX_PERIOD     (1000ULL * 1000 * 1000) /* ns */

/* "No deadline": the idle CPU needs no timer from the scheduler. */
#define CSCHED_NO_SLICE UINT64_MAX

/* Run queue priorities, highest first. */
enum csched_prio {
    CSCHED_PRI_BOOST, /* woke with credit left (not its first start): until descheduled */
    CSCHED_PRI_UNDER, /* credit >= 0 */
    CSCHED_PRI_OVER,  /* credit < 0: runs only when nothing better is runnable */
    CSCHED_NR_PRIO,
};

struct csched_link {
    struct csched_link *next, *prev;
};

struct csched_dom {
    void *owner;              /* the struct domain this belongs to */
    struct csched_link link;  /* in the core's list of domains */
    struct csched_link vcpus; /* its struct csched_vcpu::dom_link */
    unsigned int nr_vcpus;
    uint16_t weight;        /* relative share, 1..65535 */
    uint16_t cap;           /* % of one CPU per period, 0 = no cap */
    bool parked;            /* used its cap this period: nothing of it runs */
    uint64_t cap_used;      /* ns run this period (only tracked when capped) */
    unsigned int nr_active; /* scratch for the accounting pass */
};

struct csched_vcpu {
    void *owner; /* the struct vcpu this belongs to */
    struct csched_dom *dom;
    struct csched_link dom_link;
    struct csched_link runq_link;
    unsigned int cpu;  /* whose run queue it is on (or CPU it runs on) */
    uint64_t affinity; /* CPUs it may run on (hard affinity), a bit each */
    enum csched_prio prio;
    int64_t credit;       /* ns of CPU time it may still use */
    uint64_t last_charge; /* when it was last charged (while running) */
    bool added;           /* between csched_add_vcpu() and csched_remove_vcpu() */
    bool runnable;        /* awake: neither blocked nor paused */
    bool running;         /* the current vCPU of its CPU */
    bool queued;          /* on its CPU's run queue */
    bool yielding;        /* next decision passes over it if anything else is queued */
    bool has_run;         /* has ever been picked to run */
    bool ran;             /* consumed CPU time since the last accounting */
    bool sated;           /* hit the credit ceiling: earns nothing for now */
};

struct csched_config {
    uint64_t tslice_ns; /* 0 = CSCHED_DEFAULT_TSLICE */
    uint64_t period_ns; /* 0 = CSCHED_DEFAULT_PERIOD; at least the slice */
};

/* What a CPU runs next: a vCPU (NULL = idle) and for how long at most. */
struct csched_decision {
    struct csched_vcpu *next;
    uint64_t slice_ns; /* CSCHED_NO_SLICE: idle with nothing to wait for */
};

/* Reset the whole core (forgets every CPU, domain and vCPU). */
int csched_init(const struct csched_config *cfg);
void csched_init_cpu(unsigned int cpu);

void csched_add_dom(struct csched_dom *d, void *owner);
void csched_remove_dom(struct csched_dom *d);
/* Weight 1..65535; cap 0 (none) or 1..100 * max(1, vCPUs of d). -EINVAL otherwise. */
int csched_set_params(struct csched_dom *d, unsigned int weight, unsigned int cap);
void csched_get_params(const struct csched_dom *d, unsigned int *weight, unsigned int *cap);

/* A new vCPU starts not runnable, on run queue `cpu`; csched_wake() starts it. */
void csched_add_vcpu(struct csched_vcpu *v, struct csched_dom *d, unsigned int cpu, void *owner);
/* Forget v, even if it is running (its CPU then has no current vCPU). */
void csched_remove_vcpu(struct csched_vcpu *v);

/*
 * v became runnable (woke from blocking, or unpaused).  Returns true when
 * v's CPU should call csched_do_schedule() now (it is idle, or v outranks
 * the vCPU running there).
 */
bool csched_wake(struct csched_vcpu *v, uint64_t now);
/* v blocked or was paused.  Returns true when v is running: reschedule its CPU. */
bool csched_sleep(struct csched_vcpu *v, uint64_t now);
/*
 * Where v may run.  Returns true when v runs on a CPU the new set leaves
 * out: reschedule that CPU (v->cpu), which puts v on an allowed one.  A set
 * with no online CPU in it is -EINVAL and changes nothing (see
 * csched_set_affinity_checked).
 */
int csched_set_affinity(struct csched_vcpu *v, uint64_t mask, bool *resched);
/* The online CPUs the core schedules on, a bit each. */
uint64_t csched_online_mask(void);
/* Runnable vCPUs queued on `cpu` (not counting its running one). */
unsigned int csched_nr_queued(unsigned int cpu);
/* An idle CPU (nothing running or queued) that could run a vCPU queued on
 * `cpu`, or -1: the caller kicks it, and it steals (an idle CPU only looks
 * for work when woken). */
int csched_idle_cpu_for(unsigned int cpu);

/* The running v asks to let others run first; the caller reschedules. */
void csched_yield(struct csched_vcpu *v);

/* Deschedule the CPU's current vCPU (requeued if still runnable) and pick the next. */
struct csched_decision csched_do_schedule(unsigned int cpu, uint64_t now);
/* Periodic tick on `cpu`: charge its vCPU, account if due.  True: reschedule now. */
bool csched_tick(unsigned int cpu, uint64_t now);
/* Hand out credit if an accounting period has ended (do_schedule and tick call it). */
void csched_account(uint64_t now);

struct csched_vcpu *csched_current(unsigned int cpu);
uint64_t csched_tslice(void);
uint64_t csched_period(void);

#endif
