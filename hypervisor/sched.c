/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPU scheduling and the scheduler-related hypercalls (sched_op,
 * set_timer_op, vcpu_op).  The decisions are the credit scheduler's
 * (sched_credit.c: per-domain weights and caps, time slices, a boost for
 * vCPUs waking from I/O); this file keeps it told which vCPUs can run and
 * carries out its choices.  Guest timers (singleshot, periodic, poll
 * timeouts) are software timers that raise VIRQ_TIMER or wake the vCPU.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/percpu.h>
#include <pvx/sched.h>
#include <pvx/param.h>
#include <pvx/sched_credit.h>
#include <pvx/smp.h>
#include <pvx/spinlock.h>
#include <pvx/time.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define DEFAULT_PERIOD MILLISECS(10) /* PV vCPUs tick at 100 Hz until told otherwise */
#define MAX_POLL_PORTS 128

/* Everything here runs under the hypervisor lock (docs/architecture.md). */
static struct vcpu *all_vcpus[NR_RUNQUEUE_MAX];
static unsigned int nr_all_vcpus;

/* Per CPU: the scheduler's slice timer, and "pick again on the way out". */
static struct timer slice_timer[NR_CPUS];
static bool need_resched[NR_CPUS];
/* The CPUs the scheduler runs vCPUs on, and whether they have started. */
static cpumask_t sched_cpus;
static volatile bool sched_started;

/* Run vCPUs on every CPU (default) or on the boot CPU only (sched-smp=0). */
static bool opt_sched_smp = true;
boolean_param("sched-smp", opt_sched_smp);

BUILD_BUG_ON(CSCHED_MAX_CPUS < NR_CPUS);

static void slice_timer_fn(void *data)
{
    need_resched[(uintptr_t)data] = true;
}

static void sched_init_cpu(unsigned int cpu)
{
    csched_init_cpu(cpu);
    init_timer(&slice_timer[cpu], slice_timer_fn, (void *)(uintptr_t)cpu, cpu);
    sched_cpus |= cpumask_of(cpu);
}

void sched_init(void)
{
    unsigned int me = arch_smp_processor_id();
    cpumask_t online = arch_cpu_online_map();
    unsigned int n = 0;

    BUG_ON(csched_init(NULL));
    sched_init_cpu(me);
    for (unsigned int cpu = 0; opt_sched_smp && cpu < NR_CPUS; cpu++)
        if (cpu != me && (online & cpumask_of(cpu)))
            sched_init_cpu(cpu);
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        n += !!(sched_cpus & cpumask_of(cpu));
    printk("sched: vCPUs run on %u CPU%s%s\n", n, n == 1 ? "" : "s",
           opt_sched_smp ? "" : " (sched-smp=0: the boot CPU only)");
}

uint64_t sched_cpu_mask(void)
{
    return sched_cpus;
}

/* Make @cpu pick again before it next returns to a guest: at once if it
 * is this one's exit path, else through its event-check IPI. */
static void sched_kick_cpu(unsigned int cpu)
{
    need_resched[cpu] = true;
    if (cpu != arch_smp_processor_id())
        arch_send_event_check(cpu);
}

/* The event-check IPI (under the hypervisor lock): timers another CPU set
 * on this CPU's heap may be due or earlier than its APIC was told. */
void sched_event_check(void)
{
    timer_expire(arch_smp_processor_id(), NOW());
}

void sched_init_domain(struct domain *d)
{
    csched_add_dom(&d->csched, d);
}

/* Tell the credit scheduler when v starts or stops being able to run. */
static void sched_update(struct vcpu *v)
{
    bool runnable = vcpu_runnable(v);

    if (runnable == v->csched.runnable)
        return;
    if (runnable ? csched_wake(&v->csched, NOW()) : csched_sleep(&v->csched, NOW()))
        sched_kick_cpu(v->csched.cpu);
}

void sched_domain_changed(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            sched_update(d->vcpus[i]);
}

/* set_timer_op's deadline wakes a blocked vCPU even when it bound no
 * VIRQ_TIMER (as Xen does); the periodic tick only raises the VIRQ. */
static void singleshot_fn(void *data)
{
    struct vcpu *v = data;

    send_guest_vcpu_virq(v, VIRQ_TIMER);
    if (v->blocked && !v->polling)
        vcpu_wake(v);
}

static void periodic_fn(void *data)
{
    struct vcpu *v = data;

    send_guest_vcpu_virq(v, VIRQ_TIMER);
    if (v->periodic_period)
        set_timer(&v->periodic_timer, v->periodic_timer.expires + v->periodic_period);
}

static void poll_timeout_fn(void *data)
{
    vcpu_wake(data);
}

void sched_init_vcpu(struct vcpu *v)
{
    unsigned int cpu = arch_smp_processor_id();

    init_timer(&v->singleshot_timer, singleshot_fn, v, cpu);
    init_timer(&v->periodic_timer, periodic_fn, v, cpu);
    init_timer(&v->poll_timer, poll_timeout_fn, v, cpu);
    v->periodic_period = DEFAULT_PERIOD;
    BUG_ON(nr_all_vcpus == NR_RUNQUEUE_MAX);
    all_vcpus[nr_all_vcpus++] = v;
    csched_add_vcpu(&v->csched, &v->domain->csched, cpu, v);
}

void sched_remove_vcpu(struct vcpu *v)
{
    for (unsigned int i = 0; i < nr_all_vcpus; i++) {
        if (all_vcpus[i] != v)
            continue;
        all_vcpus[i] = all_vcpus[--nr_all_vcpus];
        break;
    }
    if (v->csched.added)
        csched_remove_vcpu(&v->csched);
}

void sched_destroy_domain(struct domain *d)
{
    if (d->csched.owner) /* added by sched_init_domain */
        csched_remove_dom(&d->csched);
}

int sched_set_affinity(struct vcpu *v, uint64_t mask)
{
    bool resched;
    int rc = csched_set_affinity(&v->csched, mask & sched_cpus, &resched);

    if (!rc && resched)
        sched_kick_cpu(v->csched.cpu);
    return rc;
}

uint64_t sched_get_affinity(const struct vcpu *v)
{
    return v->csched.affinity;
}

unsigned int sched_vcpu_cpu(const struct vcpu *v)
{
    return v->csched.cpu;
}

/* Should the running vCPU give way?  The slice timer, a wake-up that
 * preempts, or a yield said so. */
bool sched_should_switch(struct vcpu *v)
{
    unsigned int cpu = arch_smp_processor_id();

    (void)v;
    return need_resched[cpu];
}

bool vcpu_runnable(const struct vcpu *v)
{
    return v->online && !v->blocked && !v->pause_count && v->domain->state == DOMAIN_RUNNING;
}

/*
 * A paused vCPU of a running domain keeps its single-shot timer, as on Xen:
 * a deadline that falls due during the pause raises VIRQ_TIMER and unblocks
 * the vCPU, which runs it once unpaused.  Stopping it would lose the
 * deadline, and a tickless guest (Linux) that believes its next event is
 * programmed would then wait forever.  A domain that shut down or is dying
 * gets no more timer events.
 */
void vcpu_pause_nosync(struct vcpu *v)
{
    v->pause_count++;
    stop_timer(&v->periodic_timer);
    if (v->domain->state != DOMAIN_RUNNING)
        stop_timer(&v->singleshot_timer);
    sched_update(v);
}

void vcpu_unpause(struct vcpu *v)
{
    if (v->pause_count && !--v->pause_count && v->online && v->periodic_period)
        set_timer(&v->periodic_timer, NOW() + v->periodic_period);
    sched_update(v);
}

void vcpu_block(struct vcpu *v)
{
    v->blocked = true;
    /* An event that is already pending means there is nothing to wait for. */
    if (v->vcpu_info->evtchn_upcall_pending)
        v->blocked = false;
    sched_update(v);
}

void vcpu_wake(struct vcpu *v)
{
    v->blocked = false;
    v->polling = false;
    stop_timer(&v->poll_timer);
    sched_update(v);
}

/* An event for v: wake it, or if it runs on another CPU, make that CPU
 * enter pvx so its exit path delivers the upcall now. */
void vcpu_kick(struct vcpu *v)
{
    if (v->blocked)
        vcpu_wake(v);
    else if (v->csched.running && v->csched.cpu != arch_smp_processor_id())
        arch_send_event_check(v->csched.cpu);
}

/* Is a vCPU of d running on a CPU other than this one?  (It leaves it only
 * once that CPU takes the hypervisor lock and sees it cannot run.) */
bool sched_domain_running_elsewhere(const struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];

        if (v && v->csched.running && v->csched.cpu != arch_smp_processor_id())
            return true;
    }
    return false;
}

/*
 * Wait until no vCPU of d (which must not be able to run any more: paused,
 * shut down or dying) runs on another CPU: kick those CPUs and let go of
 * the hypervisor lock meanwhile, so they can take it and switch away.
 * Everything the caller knew may have changed when this returns, d
 * itself may be gone: callers look their domain up again by @domid.
 * Returns false if d no longer exists.
 */
bool sched_sync_domain(uint16_t domid)
{
    for (;;) {
        struct domain *d = domain_lookup_any(domid);
        unsigned int depth;
        uint64_t until;

        if (!d)
            return false;
        if (!sched_domain_running_elsewhere(d))
            return true;
        for (unsigned int i = 0; i < d->max_vcpus; i++) {
            struct vcpu *v = d->vcpus[i];

            if (v && v->csched.running && v->csched.cpu != arch_smp_processor_id())
                sched_kick_cpu(v->csched.cpu);
        }
        depth = hv_unlock_for_wait();
        until = NOW() + MICROSECS(50);
        while (NOW() < until)
            spin_wait_hook();
        hv_relock_after_wait(depth);
    }
}

void schedule(void)
{
    struct vcpu *prev = current;
    struct vcpu *next;
    uint64_t now = NOW();
    unsigned int cpu = arch_smp_processor_id();

    ASSERT(hv_lock_held());
    arch_local_irq_save();
    if (prev) {
        arch_save_vcpu(prev);
        prev->cpu_time += now - prev->last_run_start;
        arch_set_current(NULL);
    }
    for (;;) {
        struct csched_decision dec = csched_do_schedule(cpu, NOW());
        unsigned int depth;

        need_resched[cpu] = false;
        if (dec.slice_ns != CSCHED_NO_SLICE)
            set_timer(&slice_timer[cpu], NOW() + dec.slice_ns);
        else
            stop_timer(&slice_timer[cpu]);
        if (dec.next && vcpu_runnable(dec.next->owner)) {
            next = dec.next->owner;
            break;
        }
        if (dec.next) { /* a missed update: tell the scheduler and pick again */
            csched_sleep(dec.next, NOW());
            continue;
        }
        /* Idle: off every guest's page tables (a dying domain's may be
         * freed meanwhile), and without the lock, so the others go on.  An
         * interrupt, or another CPU's event check, ends the halt. */
        arch_idle_enter();
        depth = hv_unlock_for_wait();
        if (!need_resched[cpu])
            arch_cpu_idle();
        arch_local_irq_save();
        hv_relock_after_wait(depth);
    }
    /* Work left waiting here while another CPU idles (it was kicked but
     * this CPU took the vCPU first, say): wake that CPU to steal it. */
    if (csched_nr_queued(cpu)) {
        int idle = csched_idle_cpu_for(cpu);

        if (idle >= 0)
            sched_kick_cpu((unsigned int)idle);
    }
    /* prev's time was accounted up to now above, even if it runs on. */
    next->last_run_start = NOW();
    arch_run_vcpu(next);
}

void sched_start(void)
{
    hv_lock(); /* held from here on but in guests and idle (docs/architecture.md) */
    for (unsigned int i = 0; i < nr_all_vcpus; i++) {
        if (all_vcpus[i]->online && all_vcpus[i]->periodic_period)
            set_timer(&all_vcpus[i]->periodic_timer, NOW() + all_vcpus[i]->periodic_period);
        sched_update(all_vcpus[i]);
    }
    __atomic_store_n(&sched_started, true, __ATOMIC_RELEASE);
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu != arch_smp_processor_id() && (sched_cpus & cpumask_of(cpu)))
            arch_send_event_check(cpu);
    schedule();
}

void sched_start_secondary(void)
{
    unsigned int cpu = arch_smp_processor_id();

    /* Until the boot CPU starts scheduling (or for good, if this CPU does
     * not run vCPUs) only cross-CPU calls wake it. */
    while (!__atomic_load_n(&sched_started, __ATOMIC_ACQUIRE) || !(sched_cpus & cpumask_of(cpu)))
        arch_cpu_idle();
    arch_local_irq_save();
    hv_lock();
    schedule();
}

static long sched_poll(struct vcpu *v, uint64_t arg)
{
    struct sched_poll poll;
    uint32_t wait_port;
    int rc;

    if (copy_from_guest(&poll, arg, sizeof(poll)))
        return -EFAULT;
    if (poll.nr_ports > MAX_POLL_PORTS)
        return -EINVAL;
    /* Ports are taken in order: one already pending, or an upcall the vCPU
     * can take now, ends the call (event_channel.c). */
    rc = evtchn_poll_ports(v, guest_handle_addr(poll.ports), poll.nr_ports, &wait_port);
    if (rc)
        return rc < 0 ? rc : 0;
    if (poll.timeout && poll.timeout <= NOW())
        return 0;
    v->polling = true;
    v->poll_port = wait_port;
    v->blocked = true;
    sched_update(v);
    if (poll.timeout)
        set_timer(&v->poll_timer, poll.timeout);
    return 0;
}

long do_sched_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    switch (cmd) {
    case SCHEDOP_yield:
        csched_yield(&v->csched);
        need_resched[arch_smp_processor_id()] = true;
        return 0;
    case SCHEDOP_block:
        v->vcpu_info->evtchn_upcall_mask = 0; /* blocking enables events */
        vcpu_block(v);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;

        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(d, s.reason);
        return 0;
    }
    case SCHEDOP_shutdown_code: {
        struct sched_shutdown s;

        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        d->shutdown_code = s.reason;
        return 0;
    }
    case SCHEDOP_poll:
        return sched_poll(v, arg);
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown rs;
        struct domain *target;

        if (!d->is_privileged)
            return -EPERM;
        if (copy_from_guest(&rs, arg, sizeof(rs)))
            return -EFAULT;
        target = domain_lookup(rs.domain_id);
        if (!target)
            return -ESRCH;
        if (rs.reason > SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(target, rs.reason);
        return 0;
    }
    default:
        return -ENOSYS;
    }
}

/* Xen's rule: a deadline in the past fires now; a negative one or one more
 * than 2^50 ns away becomes 100 ms from now. */
static uint64_t sane_deadline(int64_t timeout)
{
    uint64_t now = NOW();

    if (timeout < 0 || (uint64_t)timeout > now + (1ULL << 50))
        return now + MILLISECS(100);
    return (uint64_t)timeout;
}

long do_set_timer_op(uint64_t timeout, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    if (timeout == 0)
        stop_timer(&v->singleshot_timer);
    else
        set_timer(&v->singleshot_timer, sane_deadline((int64_t)timeout));
    return 0;
}

static long register_vcpu_info(struct vcpu *v, uint64_t arg)
{
    struct domain *d = v->domain;
    struct vcpu_register_vcpu_info info;
    struct vcpu_info *new_vi;
    struct page_info *pg;

    if (copy_from_guest(&info, arg, sizeof(info)))
        return -EFAULT;
    if (info.offset & 7 || info.offset > PAGE_SIZE - sizeof(struct vcpu_info))
        return -ENXIO; /* misaligned, or would cross into the next page */
    if (v->vcpu_info_registered)
        return -EINVAL;
    if (info.mfn >= max_page)
        return -EINVAL;
    pg = mfn_to_page(info.mfn);
    if (!arch_get_writable_page(pg, d))
        return -EINVAL;
    new_vi = (struct vcpu_info *)((char *)arch_maddr_to_virt(info.mfn << PAGE_SHIFT) + info.offset);
    *new_vi = *v->vcpu_info;
    v->vcpu_info = new_vi;
    v->vcpu_info_registered = true;
    /* Make the guest rescan every event word once. */
    new_vi->evtchn_pending_sel = ~0ULL;
    new_vi->evtchn_upcall_pending = 1;
    update_vcpu_system_time(v);
    return 0;
}

static void write_runstate(struct vcpu *v)
{
    struct vcpu_runstate_info rs = {0};

    if (!v->arch.runstate_guest)
        return;
    rs.state = RUNSTATE_running;
    rs.state_entry_time = v->last_run_start;
    rs.time[RUNSTATE_running] = v->cpu_time + (NOW() - v->last_run_start);
    copy_to_guest(v->arch.runstate_guest, &rs, sizeof(rs)); /* best effort, as the ABI says */
}

long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg, uint64_t a4, uint64_t a5)
{
    struct vcpu *cur = current;
    struct domain *d = cur->domain;
    struct vcpu *v;

    if (vcpuid >= d->max_vcpus || !d->vcpus[vcpuid])
        return -ENOENT;
    v = d->vcpus[vcpuid];

    switch (cmd) {
    case VCPUOP_is_up:
        return v->online;
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;

        if (copy_from_guest(&area, arg, sizeof(area)))
            return -EFAULT;
        if (area.addr.p && !guest_range_ok(area.addr.p, sizeof(struct vcpu_runstate_info)))
            return -EINVAL;
        v->arch.runstate_guest = area.addr.p;
        write_runstate(v);
        return 0;
    }
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info rs = {0};
        /* Another vCPU may be running too, on another CPU, as on Xen. */
        bool running = v == cur || v->csched.running;

        rs.state = running            ? RUNSTATE_running
                   : vcpu_runnable(v) ? RUNSTATE_runnable
                   : v->online        ? RUNSTATE_blocked
                                      : RUNSTATE_offline;
        rs.state_entry_time = v->last_run_start;
        rs.time[RUNSTATE_running] = v->cpu_time + (running ? NOW() - v->last_run_start : 0);
        return copy_to_guest(arg, &rs, sizeof(rs)) ? -EFAULT : 0;
    }
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer t;

        if (copy_from_guest(&t, arg, sizeof(t)))
            return -EFAULT;
        if (t.period_ns < MILLISECS(1))
            return -EINVAL;
        v->periodic_period = t.period_ns;
        set_timer(&v->periodic_timer, NOW() + t.period_ns);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        v->periodic_period = 0;
        stop_timer(&v->periodic_timer);
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t;

        if (v != cur)
            return -EINVAL;
        if (copy_from_guest(&t, arg, sizeof(t)))
            return -EFAULT;
        /* VCPU_SSHOTTMR_future is accepted and ignored, as Xen 4.17 does:
         * a deadline in the past simply fires at once. */
        set_timer(&v->singleshot_timer, sane_deadline((int64_t)t.timeout_abs_ns));
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (v != cur)
            return -EINVAL;
        stop_timer(&v->singleshot_timer);
        return 0;
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case VCPUOP_send_nmi:
        if (arg)
            return -EINVAL;
        arch_send_nmi(v);
        vcpu_kick(v);
        return 0;
    case VCPUOP_register_vcpu_time_memory_area: {
        struct vcpu_register_time_memory_area area;

        if (copy_from_guest(&area, arg, sizeof(area)))
            return -EFAULT;
        if (area.addr.p && !guest_range_ok(area.addr.p, sizeof(struct vcpu_time_info)))
            return -EINVAL;
        v->arch.time_area_guest = area.addr.p;
        update_vcpu_system_time(v);
        return 0;
    }
    case VCPUOP_initialise: {
        static struct vcpu_guest_context ctxt; /* too big for the stack; the hypervisor lock */
        int rc;

        /* Xen reads the context before looking at the vCPU. */
        if (copy_from_guest(&ctxt, arg, sizeof(ctxt)))
            return -EFAULT;
        if (v->initialised)
            return -EEXIST;
        rc = arch_set_vcpu_context(v, &ctxt);
        /* Validating the new page tables stopped half way: the guest's call
         * runs again (reading the context again) and goes on with them.  The
         * vCPU stays uninitialised until then, as on Xen. */
        if (rc == -ERESTART)
            return hypercall_create_continuation(__HYPERVISOR_vcpu_op, cmd, vcpuid, arg, 0, 0);
        if (!rc)
            v->initialised = true;
        return rc;
    }
    case VCPUOP_up:
        if (!v->initialised)
            return -EINVAL;
        if (!v->online) {
            v->online = true;
            if (v->periodic_period)
                set_timer(&v->periodic_timer, NOW() + v->periodic_period);
            sched_update(v);
        }
        return 0;
    case VCPUOP_down: {
        bool others_up = false;

        for (unsigned int i = 0; i < d->max_vcpus; i++)
            others_up |= i != vcpuid && d->vcpus[i]->online;
        if (!others_up) {
            /* The last vCPU going down stops the domain, as on Xen. */
            domain_shutdown(d, SHUTDOWN_poweroff);
            return 0;
        }
        if (v->online) {
            v->online = false;
            stop_timer(&v->periodic_timer);
            stop_timer(&v->singleshot_timer);
            sched_update(v);
            if (v == cur)
                need_resched[arch_smp_processor_id()] = true;
        }
        return 0;
    }
    default:
        return -ENOSYS;
    }
}
