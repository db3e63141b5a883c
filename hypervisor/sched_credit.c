/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Credit scheduler core: which vCPU a physical CPU runs next, and for how
 * long.  Credit is CPU time in ns.  Every accounting period the core hands
 * out one period of CPU time per online CPU, split among the domains that
 * want to run in proportion to their weights, and within a domain evenly
 * among its vCPUs; a running vCPU spends credit at the rate it runs.  Each
 * CPU's run queue is three lists: BOOST (woke from blocking with credit
 * left), UNDER (credit left) and OVER (none).  A capped domain is parked
 * (taken off the queues) once it has run its cap for the period.
 *
 * The algorithm follows the published description of Xen's credit
 * scheduler; the code is pvx's own.  Design notes: docs/scheduler.md.
 */
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/sched_credit.h>

struct csched_pcpu {
    bool online;
    struct csched_vcpu *curr; /* NULL: the CPU runs its idle vCPU */
    struct csched_link runq[CSCHED_NR_PRIO];
    unsigned int nr_queued;
};

static struct {
    uint64_t tslice;
    uint64_t period;
    uint64_t next_acct; /* when the next accounting is due */
    uint64_t last_acct; /* when the last one ran (once next_acct is set) */
    unsigned int nr_cpus;
    struct csched_link doms;
    struct csched_pcpu pcpu[CSCHED_MAX_CPUS];
} cs;

/* ---- intrusive lists ---- */

static void link_init(struct csched_link *l)
{
    l->next = l->prev = l;
}

static void link_add_tail(struct csched_link *head, struct csched_link *l)
{
    l->prev = head->prev;
    l->next = head;
    head->prev->next = l;
    head->prev = l;
}

static void link_del(struct csched_link *l)
{
    l->prev->next = l->next;
    l->next->prev = l->prev;
    link_init(l);
}

#define runq_vcpu(l) container_of(l, struct csched_vcpu, runq_link)
#define dom_vcpu(l)  container_of(l, struct csched_vcpu, dom_link)
#define list_dom(l)  container_of(l, struct csched_dom, link)

/* ---- helpers ---- */

static struct csched_pcpu *pcpu(unsigned int cpu)
{
    BUG_ON(cpu >= CSCHED_MAX_CPUS || !cs.pcpu[cpu].online);
    return &cs.pcpu[cpu];
}

/*
 * Credit stays within one period of CPU time either way: a vCPU that sat
 * idle cannot hoard more than that, and one that ran while OVER (because
 * nothing with credit wanted the CPU) is not punished for longer than that
 * once competition returns.
 */
static int64_t credit_max(void)
{
    return (int64_t)cs.period;
}

static uint64_t cap_budget(const struct csched_dom *d)
{
    return (uint64_t)d->cap * cs.period / 100;
}

static enum csched_prio prio_of_credit(const struct csched_vcpu *v)
{
    return v->credit >= 0 ? CSCHED_PRI_UNDER : CSCHED_PRI_OVER;
}

static void runq_insert(struct csched_vcpu *v)
{
    struct csched_pcpu *pc = pcpu(v->cpu);

    ASSERT(v->runnable && !v->running && !v->queued && !v->dom->parked);
    link_add_tail(&pc->runq[v->prio], &v->runq_link);
    v->queued = true;
    pc->nr_queued++;
}

static void runq_remove(struct csched_vcpu *v)
{
    struct csched_pcpu *pc = pcpu(v->cpu);

    ASSERT(v->queued && pc->nr_queued);
    link_del(&v->runq_link);
    v->queued = false;
    pc->nr_queued--;
}

static bool cpu_allowed(const struct csched_vcpu *v, unsigned int cpu)
{
    return cpu < CSCHED_MAX_CPUS && cs.pcpu[cpu].online && (v->affinity >> cpu & 1);
}

static bool cpu_idle(unsigned int cpu)
{
    return !cs.pcpu[cpu].curr && !cs.pcpu[cpu].nr_queued;
}

/*
 * Where a vCPU that is about to be queued should wait: its own CPU if that
 * is allowed and idle; else an allowed idle CPU; else its own CPU if
 * allowed; else the allowed CPU with the shortest queue.  Busy CPUs even
 * out later by stealing (csched_do_schedule).
 */
static unsigned int pick_cpu(const struct csched_vcpu *v)
{
    unsigned int best = CSCHED_MAX_CPUS;

    if (cpu_allowed(v, v->cpu) && cpu_idle(v->cpu))
        return v->cpu;
    for (unsigned int cpu = 0; cpu < CSCHED_MAX_CPUS; cpu++)
        if (cpu_allowed(v, cpu) && cpu_idle(cpu))
            return cpu;
    if (cpu_allowed(v, v->cpu))
        return v->cpu;
    for (unsigned int cpu = 0; cpu < CSCHED_MAX_CPUS; cpu++)
        if (cpu_allowed(v, cpu) &&
            (best == CSCHED_MAX_CPUS || cs.pcpu[cpu].nr_queued < cs.pcpu[best].nr_queued))
            best = cpu;
    /* No allowed CPU online (csched_set_affinity refuses such a set): any. */
    for (unsigned int cpu = 0; best == CSCHED_MAX_CPUS && cpu < CSCHED_MAX_CPUS; cpu++)
        if (cs.pcpu[cpu].online)
            best = cpu;
    BUG_ON(best == CSCHED_MAX_CPUS);
    return best;
}

/*
 * The best queued vCPU of one priority, or NULL: BOOST is plain FIFO; in
 * UNDER and OVER the one with the most credit goes first (the earliest
 * queued among equals), so credit differences are evened out within a
 * class too, not only by vCPUs crossing from UNDER to OVER.
 */
static struct csched_vcpu *runq_best_of(struct csched_link *q, const struct csched_vcpu *skip)
{
    struct csched_vcpu *best = NULL;

    for (struct csched_link *l = q->next; l != q; l = l->next) {
        struct csched_vcpu *v = runq_vcpu(l);

        if (v == skip)
            continue;
        if (v->prio == CSCHED_PRI_BOOST)
            return v;
        if (!best || v->credit > best->credit)
            best = v;
    }
    return best;
}

/* The best queued vCPU, or NULL.  Passes over `skip` when anything else is queued. */
static struct csched_vcpu *runq_best(struct csched_pcpu *pc, struct csched_vcpu *skip)
{
    for (unsigned int p = 0; p < CSCHED_NR_PRIO; p++) {
        struct csched_vcpu *v = runq_best_of(&pc->runq[p], skip);

        if (v)
            return v;
    }
    return skip && skip->queued ? skip : NULL;
}

/* Does a outrank b (b may be NULL)?  Higher priority, then more credit
 * within UNDER and OVER (BOOST stays first come, first served). */
static bool outranks(const struct csched_vcpu *a, const struct csched_vcpu *b)
{
    if (!b || a->prio < b->prio)
        return true;
    return a->prio == b->prio && a->prio != CSCHED_PRI_BOOST && a->credit > b->credit;
}

/*
 * Work stealing: take the best vCPU another CPU has queued that may run on
 * `cpu` and outranks `have` (this CPU's own best, or NULL).  So an idle
 * CPU takes work from a busy one, and each decision runs the most deserving
 * waiting vCPU of all CPUs: a heavy domain's vCPU is not stuck behind a
 * light one on one CPU while the other CPU runs lighter ones still.
 */
static struct csched_vcpu *steal(unsigned int cpu, const struct csched_vcpu *have)
{
    struct csched_vcpu *best = NULL;

    for (unsigned int o = 0; o < CSCHED_MAX_CPUS; o++) {
        struct csched_pcpu *pc = &cs.pcpu[o];

        if (o == cpu || !pc->online || !pc->nr_queued)
            continue;
        for (unsigned int p = 0; p < CSCHED_NR_PRIO; p++)
            for (struct csched_link *l = pc->runq[p].next; l != &pc->runq[p]; l = l->next) {
                struct csched_vcpu *v = runq_vcpu(l);

                if ((v->affinity >> cpu & 1) && outranks(v, have) && outranks(v, best))
                    best = v;
            }
    }
    if (best) {
        runq_remove(best);
        best->cpu = cpu;
        runq_insert(best);
    }
    return best;
}

static void dom_park(struct csched_dom *d)
{
    d->parked = true;
    for (struct csched_link *l = d->vcpus.next; l != &d->vcpus; l = l->next)
        if (dom_vcpu(l)->queued)
            runq_remove(dom_vcpu(l));
}

static void dom_unpark(struct csched_dom *d)
{
    d->parked = false;
    for (struct csched_link *l = d->vcpus.next; l != &d->vcpus; l = l->next) {
        struct csched_vcpu *v = dom_vcpu(l);

        if (v->runnable && !v->running && !v->queued) {
            v->cpu = pick_cpu(v);
            runq_insert(v);
        }
    }
}

/* Park or unpark d according to what it has used of its cap this period. */
static void dom_check_cap(struct csched_dom *d)
{
    bool over = d->cap && d->cap_used >= cap_budget(d);

    if (over && !d->parked)
        dom_park(d);
    else if (!over && d->parked)
        dom_unpark(d);
}

/* Charge the running v for the time since it was last charged. */
static void burn(struct csched_vcpu *v, uint64_t now)
{
    uint64_t delta;

    ASSERT(v->running);
    if (now <= v->last_charge)
        return;
    delta = now - v->last_charge;
    v->last_charge = now;
    v->credit -= (int64_t)delta;
    v->ran = true;
    /* A boost lasts until the vCPU is descheduled, so it is not lost mid-slice. */
    if (v->prio != CSCHED_PRI_BOOST)
        v->prio = prio_of_credit(v);
    if (v->credit < credit_max() / 2)
        v->sated = false; /* spending again: let it earn again */
    if (v->dom->cap) {
        v->dom->cap_used += delta;
        dom_check_cap(v->dom);
    }
}

/* ---- accounting ---- */

/* Wants the CPU: runnable now, or ran in the period that just ended. */
static bool vcpu_active(const struct csched_vcpu *v)
{
    return v->runnable || v->ran;
}

/* Earns this period: active, and not sitting on more credit than it can use. */
static bool vcpu_earns(const struct csched_vcpu *v)
{
    return vcpu_active(v) && !v->sated;
}

/*
 * A domain's weight is split evenly among its active vCPUs (in 1/256ths, so
 * the split stays exact enough in integers).  A sated vCPU forfeits its
 * part: the other earners share it, but its domain's other vCPUs get no
 * more than their own part, or a domain could win by having idle vCPUs.
 */
static uint64_t vcpu_weight(const struct csched_dom *d)
{
    return d->nr_active ? ((uint64_t)d->weight << 8) / d->nr_active : 0;
}

/* Sum of the weights of the earning vCPUs. */
static uint64_t count_earners(void)
{
    uint64_t total_weight = 0;

    for (struct csched_link *dl = cs.doms.next; dl != &cs.doms; dl = dl->next) {
        struct csched_dom *d = list_dom(dl);
        unsigned int earning = 0;

        d->nr_active = 0;
        for (struct csched_link *l = d->vcpus.next; l != &d->vcpus; l = l->next) {
            d->nr_active += vcpu_active(dom_vcpu(l));
            earning += vcpu_earns(dom_vcpu(l));
        }
        total_weight += vcpu_weight(d) * earning;
    }
    return total_weight;
}

static void vcpu_credit(struct csched_vcpu *v, int64_t amount)
{
    if (vcpu_earns(v))
        v->credit += amount;
    if (v->credit >= credit_max()) {
        v->credit = credit_max();
        v->sated = true;
    }
    if (v->credit < -credit_max())
        v->credit = -credit_max();
    v->ran = false;
    if (v->prio != CSCHED_PRI_BOOST)
        v->prio = prio_of_credit(v);
}

/* Hand out @elapsed's worth of CPU time (nr_cpus x @elapsed of credit, and
 * cap x @elapsed of the cap) for the time since the last accounting. */
static void dom_account(struct csched_dom *d, uint64_t total_weight, uint64_t elapsed)
{
    /* elapsed <= 1 s and weights < 2^24: the product fits in 64 bits */
    int64_t each =
        total_weight ? (int64_t)(elapsed * cs.nr_cpus * vcpu_weight(d) / total_weight) : 0;
    uint64_t cap_due = (uint64_t)d->cap * elapsed / 100;

    for (struct csched_link *l = d->vcpus.next; l != &d->vcpus; l = l->next)
        vcpu_credit(dom_vcpu(l), each);
    /* Usage beyond the budget (a late timer) is debt paid off by later
     * accountings; unused budget is not saved up. */
    if (d->cap)
        d->cap_used = d->cap_used > cap_due ? d->cap_used - cap_due : 0;
    dom_check_cap(d);
}

/* Move queued vCPUs whose priority changed to the tail of their new list, keeping their order. */
static void runq_resort(struct csched_pcpu *pc)
{
    for (unsigned int p = 0; p < CSCHED_NR_PRIO; p++) {
        struct csched_link *l = pc->runq[p].next;

        while (l != &pc->runq[p]) {
            struct csched_vcpu *v = runq_vcpu(l);

            l = l->next;
            if (v->prio != p) {
                link_del(&v->runq_link);
                link_add_tail(&pc->runq[v->prio], &v->runq_link);
            }
        }
    }
}

void csched_account(uint64_t now)
{
    uint64_t total_weight, elapsed;

    if (now < cs.next_acct)
        return;
    /* Running vCPUs pay for this period before the new credit is handed out. */
    for (unsigned int cpu = 0; cpu < CSCHED_MAX_CPUS; cpu++)
        if (cs.pcpu[cpu].online && cs.pcpu[cpu].curr)
            burn(cs.pcpu[cpu].curr, now);
    /* What has passed since the last accounting, not a fixed period: when
     * the host does not run this machine for a while, no decision and so
     * no accounting happens, and the vCPUs running meanwhile were charged
     * all of it.  Bounded, as a long idle stretch earns nothing more. */
    elapsed = cs.next_acct ? MIN(now - cs.last_acct, CSCHED_MAX_PERIOD) : cs.period;
    cs.last_acct = now;
    total_weight = count_earners();
    for (struct csched_link *dl = cs.doms.next; dl != &cs.doms; dl = dl->next)
        dom_account(list_dom(dl), total_weight, elapsed);
    for (unsigned int cpu = 0; cpu < CSCHED_MAX_CPUS; cpu++)
        if (cs.pcpu[cpu].online)
            runq_resort(&cs.pcpu[cpu]);
    /* Stay on the period grid; after a long idle stretch, start a new one. */
    cs.next_acct += cs.period;
    if (cs.next_acct <= now)
        cs.next_acct = now + cs.period;
}

/* ---- setup ---- */

int csched_init(const struct csched_config *cfg)
{
    uint64_t tslice = cfg && cfg->tslice_ns ? cfg->tslice_ns : CSCHED_DEFAULT_TSLICE;
    uint64_t period = cfg && cfg->period_ns ? cfg->period_ns : CSCHED_DEFAULT_PERIOD;

    if (tslice < CSCHED_MIN_TSLICE || period < tslice || period > CSCHED_MAX_PERIOD)
        return -EINVAL;
    memset(&cs, 0, sizeof(cs));
    cs.tslice = tslice;
    cs.period = period;
    cs.next_acct = 0; /* the first decision hands out the first period's credit */
    link_init(&cs.doms);
    return 0;
}

void csched_init_cpu(unsigned int cpu)
{
    struct csched_pcpu *pc;

    BUG_ON(cpu >= CSCHED_MAX_CPUS || cs.pcpu[cpu].online);
    BUG_ON(!cs.period); /* csched_init() first */
    pc = &cs.pcpu[cpu];
    for (unsigned int p = 0; p < CSCHED_NR_PRIO; p++)
        link_init(&pc->runq[p]);
    pc->curr = NULL;
    pc->nr_queued = 0;
    pc->online = true;
    cs.nr_cpus++;
}

void csched_add_dom(struct csched_dom *d, void *owner)
{
    memset(d, 0, sizeof(*d));
    d->owner = owner;
    d->weight = CSCHED_DEFAULT_WEIGHT;
    link_init(&d->vcpus);
    link_add_tail(&cs.doms, &d->link);
}

void csched_remove_dom(struct csched_dom *d)
{
    BUG_ON(d->nr_vcpus); /* remove its vCPUs first */
    link_del(&d->link);
}

int csched_set_params(struct csched_dom *d, unsigned int weight, unsigned int cap)
{
    unsigned int max_cap = 100 * MAX(1U, d->nr_vcpus);

    if (weight < 1 || weight > CSCHED_MAX_WEIGHT || cap > MIN(max_cap, UINT16_MAX))
        return -EINVAL;
    d->weight = (uint16_t)weight;
    if (cap != d->cap) {
        d->cap = (uint16_t)cap;
        if (!cap)
            d->cap_used = 0;
        dom_check_cap(d); /* a raised or removed cap releases a parked domain at once */
    }
    return 0;
}

void csched_get_params(const struct csched_dom *d, unsigned int *weight, unsigned int *cap)
{
    *weight = d->weight;
    *cap = d->cap;
}

void csched_add_vcpu(struct csched_vcpu *v, struct csched_dom *d, unsigned int cpu, void *owner)
{
    (void)pcpu(cpu); /* must be an online CPU */
    memset(v, 0, sizeof(*v));
    v->owner = owner;
    v->dom = d;
    v->cpu = cpu;
    v->affinity = ~(uint64_t)0;
    v->prio = CSCHED_PRI_UNDER;
    link_init(&v->runq_link);
    link_add_tail(&d->vcpus, &v->dom_link);
    d->nr_vcpus++;
    v->added = true;
}

void csched_remove_vcpu(struct csched_vcpu *v)
{
    BUG_ON(!v->added);
    if (v->queued)
        runq_remove(v);
    if (v->running) {
        pcpu(v->cpu)->curr = NULL;
        v->running = false;
    }
    link_del(&v->dom_link);
    v->dom->nr_vcpus--;
    v->added = false;
    v->runnable = false;
}

/* ---- state changes ---- */

bool csched_wake(struct csched_vcpu *v, uint64_t now)
{
    struct csched_vcpu *curr;

    BUG_ON(!v->added);
    if (v->runnable)
        return false;
    v->runnable = true;
    if (v->running)
        return false; /* slept and woke before its CPU rescheduled: still current */
    /*
     * Waking with credit left is what I/O-bound vCPUs do: let them in first.
     * Not a vCPU's first start: a new domain's vCPUs would all go ahead of
     * every waiting I/O-bound one.
     */
    v->prio = prio_of_credit(v);
    if (v->prio == CSCHED_PRI_UNDER && v->has_run)
        v->prio = CSCHED_PRI_BOOST;
    if (v->dom->parked)
        return false; /* runs when the next period unparks its domain */
    v->cpu = pick_cpu(v);
    runq_insert(v);
    curr = pcpu(v->cpu)->curr;
    if (!curr)
        return true;
    burn(curr, now); /* its priority as of now */
    return curr->dom->parked || v->prio < curr->prio;
}

bool csched_sleep(struct csched_vcpu *v, uint64_t now)
{
    BUG_ON(!v->added);
    if (!v->runnable)
        return false;
    v->runnable = false;
    v->yielding = false;
    if (v->queued)
        runq_remove(v);
    return v->running;
}

void csched_yield(struct csched_vcpu *v)
{
    BUG_ON(!v->added);
    if (v->running)
        v->yielding = true;
}

/* ---- decisions ---- */

static void deschedule(struct csched_pcpu *pc, uint64_t now)
{
    struct csched_vcpu *prev = pc->curr;

    burn(prev, now);
    prev->running = false;
    pc->curr = NULL;
    if (prev->prio == CSCHED_PRI_BOOST)
        prev->prio = prio_of_credit(prev);
    if (prev->runnable && !prev->dom->parked) {
        if (!cpu_allowed(prev, prev->cpu))
            prev->cpu = pick_cpu(prev); /* its affinity changed while it ran */
        runq_insert(prev);
    }
}

/* How long next may run before the scheduler must look again. */
static uint64_t slice_for(const struct csched_vcpu *next, uint64_t now)
{
    uint64_t slice = cs.tslice;
    const struct csched_dom *d = next->dom;

    ASSERT(!d->parked && (!d->cap || d->cap_used < cap_budget(d)));
    if (d->cap)
        slice = MIN(slice, cap_budget(d) - d->cap_used); /* parked as soon as it is used */
    return MIN(slice, cs.next_acct - now);
}

static bool any_parked(void)
{
    for (struct csched_link *dl = cs.doms.next; dl != &cs.doms; dl = dl->next)
        if (list_dom(dl)->parked)
            return true;
    return false;
}

struct csched_decision csched_do_schedule(unsigned int cpu, uint64_t now)
{
    struct csched_pcpu *pc = pcpu(cpu);
    struct csched_vcpu *prev = pc->curr;
    struct csched_decision dec = {NULL, CSCHED_NO_SLICE};
    struct csched_vcpu *next;

    csched_account(now);
    if (prev)
        deschedule(pc, now);
    next = runq_best(pc, prev && prev->yielding ? prev : NULL);
    /* A yielding prev may have gone to another CPU's queue (its affinity
     * changed): only this CPU's queue counts here. */
    if (next && next->cpu != cpu)
        next = runq_best(pc, NULL);
    if (prev)
        prev->yielding = false;
    {
        struct csched_vcpu *stolen = steal(cpu, next);

        if (stolen)
            next = stolen;
    }
    if (!next) {
        /* Idle; a parked domain comes back at the next accounting. */
        if (any_parked())
            dec.slice_ns = cs.next_acct - now;
        return dec;
    }
    runq_remove(next);
    next->running = true;
    next->has_run = true;
    next->last_charge = now;
    pc->curr = next;
    dec.next = next;
    dec.slice_ns = slice_for(next, now);
    ASSERT(dec.slice_ns > 0);
    return dec;
}

bool csched_tick(unsigned int cpu, uint64_t now)
{
    struct csched_pcpu *pc = pcpu(cpu);
    struct csched_vcpu *curr;
    struct csched_vcpu *best;

    csched_account(now);
    curr = pc->curr;
    if (!curr)
        return pc->nr_queued != 0;
    burn(curr, now);
    if (curr->dom->parked)
        return true;
    best = runq_best(pc, NULL);
    return best && best->prio < curr->prio;
}

int csched_set_affinity(struct csched_vcpu *v, uint64_t mask, bool *resched)
{
    uint64_t online = csched_online_mask();

    BUG_ON(!v->added);
    *resched = false;
    if (!(mask & online))
        return -EINVAL;
    v->affinity = mask;
    if (cpu_allowed(v, v->cpu))
        return 0;
    if (v->queued) {
        runq_remove(v);
        v->cpu = pick_cpu(v);
        runq_insert(v);
        *resched = cs.pcpu[v->cpu].curr == NULL;
    } else if (v->running) {
        *resched = true; /* its CPU deschedules it, then it is queued where allowed */
    } else {
        v->cpu = pick_cpu(v);
    }
    return 0;
}

uint64_t csched_online_mask(void)
{
    uint64_t mask = 0;

    for (unsigned int cpu = 0; cpu < CSCHED_MAX_CPUS; cpu++)
        if (cs.pcpu[cpu].online)
            mask |= (uint64_t)1 << cpu;
    return mask;
}

unsigned int csched_nr_queued(unsigned int cpu)
{
    return pcpu(cpu)->nr_queued;
}

int csched_idle_cpu_for(unsigned int cpu)
{
    uint64_t wanted = 0;
    struct csched_pcpu *pc = pcpu(cpu);

    for (unsigned int p = 0; p < CSCHED_NR_PRIO; p++)
        for (struct csched_link *l = pc->runq[p].next; l != &pc->runq[p]; l = l->next)
            wanted |= runq_vcpu(l)->affinity;
    for (unsigned int o = 0; o < CSCHED_MAX_CPUS; o++)
        if (o != cpu && cs.pcpu[o].online && cpu_idle(o) && (wanted >> o & 1))
            return (int)o;
    return -1;
}

struct csched_vcpu *csched_current(unsigned int cpu)
{
    return pcpu(cpu)->curr;
}

uint64_t csched_tslice(void)
{
    return cs.tslice;
}

uint64_t csched_period(void)
{
    return cs.period;
}
