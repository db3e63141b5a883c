/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain lifecycle: creation, lookup by id, shutdown requested by the guest,
 * and crash when the guest does something pvx cannot let it survive.  A
 * crash stops that domain only; pvx and every other domain go on.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/grant_table.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <pvx/shutdown.h>
#include <asm/pv/traps.h>
#include <public/sched.h>

static struct domain *domain_list;

struct domain *domain_lookup_any(domid_t id)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->domain_id == id)
            return d;
    return NULL;
}

struct domain *domain_next(domid_t id)
{
    struct domain *best = NULL;

    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->domain_id >= id && (!best || d->domain_id < best->domain_id))
            best = d;
    return best;
}

struct domain *domain_lookup(domid_t id)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->domain_id == id && d->state != DOMAIN_DYING)
            return d;
    return NULL;
}

int domain_lookup_for(struct domain *caller, domid_t id, struct domain **d)
{
    if (id == DOMID_SELF || id == caller->domain_id) {
        *d = caller;
        return 0;
    }
    *d = domain_lookup(id);
    if (!*d)
        return -ESRCH;
    if (!caller->is_privileged) {
        *d = NULL;
        return -EPERM; /* Xen's XSM_TARGET answer */
    }
    return 0;
}

static struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = xzalloc(struct vcpu);

    if (!v)
        return NULL;
    v->vcpu_id = id;
    v->domain = d;
    v->vcpu_info = &d->shared_info->vcpu_info[id];
    v->vcpu_info->evtchn_upcall_mask = 1; /* events start masked */
    arch_init_vcpu_fpu(v);
    v->soft_affinity = ~(uint64_t)0; /* every CPU, as on Xen */
    sched_init_vcpu(v);
    return v;
}

static void vcpu_free(struct vcpu *v)
{
    stop_timer(&v->singleshot_timer);
    stop_timer(&v->periodic_timer);
    stop_timer(&v->poll_timer);
    sched_remove_vcpu(v);
    xfree(v);
}

/* Undo a domain_create() that failed half-way (nothing else knows d). */
static void domain_free_partial(struct domain *d)
{
    for (unsigned int i = 0; i < MAX_VCPUS_PER_DOMAIN; i++)
        if (d->vcpus[i])
            vcpu_free(d->vcpus[i]);
    evtchn_domain_destroy(d);
    grant_table_domain_destroy(d); /* nothing if domain_destroy() did it */
    if (d->shared_info) {
        struct page_info *pg = mfn_to_page(d->shared_info_mfn);

        pg->owner = NULL;
        free_pages(pg, 0);
    }
    sched_destroy_domain(d);
    arch_domain_forget_cpus(d);
    xfree(d->memory_map);
    xfree(d);
}

int domain_set_max_vcpus(struct domain *d, unsigned int n)
{
    if (n == 0 || n > MAX_VCPUS_PER_DOMAIN || n < d->max_vcpus)
        return -EINVAL;
    for (unsigned int i = d->max_vcpus; i < n; i++) {
        d->vcpus[i] = vcpu_create(d, i);
        if (!d->vcpus[i])
            return -ENOMEM;
        /* A vCPU added to a paused domain stays paused with it. */
        for (unsigned int p = 0; p < d->ctl_pause_count; p++)
            vcpu_pause_nosync(d->vcpus[i]);
        d->max_vcpus = i + 1;
    }
    return 0;
}

struct domain *domain_create(domid_t id, const char *name, unsigned int max_vcpus, bool privileged)
{
    struct domain *d = NULL;
    struct page_info *si;

    if (max_vcpus == 0 || max_vcpus > MAX_VCPUS_PER_DOMAIN || domain_lookup_any(id))
        return NULL;
    d = xzalloc(struct domain);
    if (!d)
        return NULL;
    d->domain_id = id;
    strlcpy(d->name, name, sizeof(d->name));
    d->is_privileged = privileged;
    d->max_vcpus = max_vcpus;
    d->state = DOMAIN_RUNNING;
    d->max_maptrack_frames = GNTTAB_MAPTRACK_FRAMES_MAX; /* createdomain may lower it */

    /* shared_info is the domain's own page (so it may map it) but not RAM
     * in its pseudo-physical map. */
    si = domain_alloc_shared_page(d);
    if (!si)
        goto fail;
    d->shared_info_mfn = page_to_mfn(si);
    d->shared_info = arch_maddr_to_virt(d->shared_info_mfn << PAGE_SHIFT);
    memset(d->shared_info, 0, PAGE_SIZE);
    if (evtchn_domain_init(d) || grant_table_init(d))
        goto fail;
    sched_init_domain(d);
    for (unsigned int i = 0; i < max_vcpus; i++) {
        d->vcpus[i] = vcpu_create(d, i);
        if (!d->vcpus[i])
            goto fail;
    }
    d->next_in_list = domain_list;
    domain_list = d;
    return d;

fail:
    printk("domain %u (%s): out of memory while creating it\n", id, name);
    domain_free_partial(d);
    return NULL;
}

/* ---- toolstack pause ---- */

void domain_pause_by_ctl(struct domain *d)
{
    d->ctl_pause_count++;
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        vcpu_pause_nosync(d->vcpus[i]);
}

int domain_unpause_by_ctl(struct domain *d)
{
    if (!d->ctl_pause_count)
        return -EINVAL;
    d->ctl_pause_count--;
    d->has_run = true;
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        vcpu_unpause(d->vcpus[i]);
    return 0;
}

/* ---- destruction ---- */

static void domain_unlink_and_free(struct domain *d)
{
    for (struct domain **pp = &domain_list; *pp; pp = &(*pp)->next_in_list) {
        if (*pp == d) {
            *pp = d->next_in_list;
            break;
        }
    }
    printk("domain %u (%s): destroyed, all its memory returned\n", d->domain_id, d->name);
    domain_free_partial(d);
}

static bool reap(struct domain *d, struct page_info *pg)
{
    if (!d || d->state != DOMAIN_DYING || (pg->count_info & (PGC_count_mask | PGC_free)) ||
        (pg->type_info & PGT_count_mask))
        return false;
    domain_free_frame(d, pg);
    return true;
}

/* The last put of a dying domain's frame frees it, and with its last frame
 * the domain -- but not while domain_destroy() is still tearing it down
 * (dropping its page tables frees frames too): it decides at the end. */
bool domain_reap_page(struct page_info *pg)
{
    struct domain *d = pg->owner;

    if (!reap(d, pg))
        return false;
    if (!d->tot_pages && d->destroy_scanned)
        domain_unlink_and_free(d);
    return true;
}

void domain_destroy(struct domain *d)
{
    uint64_t kept = 0;

    ASSERT(d != current->domain);
    if (d->state == DOMAIN_DYING)
        return;
    d->state = DOMAIN_DYING;
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        vcpu_pause_nosync(d->vcpus[i]);
        stop_timer(&d->vcpus[i]->poll_timer);
    }
    sched_domain_changed(d);
    /* A vCPU still running on another CPU leaves it once that CPU takes the
     * hypervisor lock: wait for that before its page tables go.  Nobody
     * frees d meanwhile (only this function, or a put after it). */
    sched_sync_domain(d->domain_id);
    console_ring_detach(d);
    evtchn_domain_destroy(d); /* peers see their ends close */
    arch_domain_teardown(d);
    grant_table_domain_destroy(d);

    /* Every frame d still owns goes back, unless another domain holds a
     * reference (a grant or foreign mapping): those are freed by the last
     * put.  shared_info is one of them now. */
    d->shared_info = NULL;
    d->tot_pages = 0;
    for (mfn_t mfn = 0; mfn < max_page; mfn++) {
        struct page_info *pg = mfn_to_page(mfn);

        if (!page_owned_by(pg, d))
            continue;
        d->tot_pages++; /* counted, then freed by reap() unless still referenced */
        if (!reap(d, pg))
            kept++;
    }
    d->destroy_scanned = true;
    send_global_virq(VIRQ_DOM_EXC);
    if (kept) {
        printk("domain %u (%s): dying; %llu frame(s) still mapped by other domains\n", d->domain_id,
               d->name, (unsigned long long)kept);
        return;
    }
    domain_unlink_and_free(d);
}

struct page_info *domain_alloc_page(struct domain *d)
{
    struct page_info *pg = alloc_pages(0);

    if (!pg)
        return NULL;
    pg->owner = d;
    pg->count_info = 0;
    pg->type_info = 0;
    d->tot_pages++;
    return pg;
}

struct page_info *domain_alloc_shared_page(struct domain *d)
{
    struct page_info *pg = domain_alloc_page(d);

    if (pg) {
        d->tot_pages--;                   /* pvx's pages shared with d are not d's memory */
        pg->count_info |= PGC_pvx_shared; /* d may map it, never give it back */
    }
    return pg;
}

int domain_frame_releasable(const struct domain *d, mfn_t mfn)
{
    const struct page_info *pg;

    if (mfn >= max_page)
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (!page_owned_by(pg, d) || (pg->count_info & PGC_pvx_shared))
        return -EINVAL; /* not d's to give: shared_info, grant-table frames */
    /* Still mapped or typed somewhere: the guest must drop it first. */
    if ((pg->count_info & PGC_count_mask) || (pg->type_info & PGT_count_mask))
        return -EBUSY;
    return 0;
}

void domain_free_frame(struct domain *d, struct page_info *pg)
{
    set_gpfn_from_mfn(page_to_mfn(pg), INVALID_M2P_ENTRY);
    free_pages(pg, 0); /* the allocator clears owner and type */
    d->tot_pages--;
}

int domain_release_page(struct domain *d, mfn_t mfn)
{
    int rc = domain_frame_releasable(d, mfn);

    if (!rc)
        domain_free_frame(d, mfn_to_page(mfn));
    return rc;
}

bool page_owned_by(const struct page_info *pg, const struct domain *d)
{
    return pg->owner == d && !(pg->count_info & (PGC_free | PGC_reserved | PGC_xen_heap));
}

uint64_t domain_cpu_time(const struct domain *d)
{
    uint64_t t = 0;

    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            t += d->vcpus[i]->cpu_time;
    return t;
}

static const char *shutdown_reason(unsigned int reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return "poweroff";
    case SHUTDOWN_reboot:
        return "reboot";
    case SHUTDOWN_suspend:
        return "suspend";
    case SHUTDOWN_crash:
        return "crash";
    case SHUTDOWN_watchdog:
        return "watchdog";
    default:
        return "unknown";
    }
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_code = reason;
    printk("domain %u (%s): shut down (%s) after %llu ms of CPU time\n", d->domain_id, d->name,
           shutdown_reason(reason), (unsigned long long)(domain_cpu_time(d) / 1000000));
    if (d->domain_id != 0)
        send_global_virq(VIRQ_DOM_EXC); /* tell the control domain */
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_pause_nosync(d->vcpus[i]);
    sched_domain_changed(d);
    if (d->domain_id == 0) {
        /* The control domain is the machine: its reason is pvx's exit status. */
        machine_shutdown(reason == SHUTDOWN_poweroff ? PVX_EXIT_OK
                         : reason == SHUTDOWN_reboot ? PVX_EXIT_REBOOT
                                                     : PVX_EXIT_FAIL);
    }
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;

    printk("domain %u (%s) crashed: ", d->domain_id, d->name);
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    if (current && current->domain == d)
        arch_dump_guest_state(current);
    domain_shutdown(d, SHUTDOWN_crash);
}

void domain_console_write(struct domain *d, const char *s, size_t len)
{
    /* dom0 owns the console: its bytes go out as they come (a shell prompt
     * has no newline).  Other domains' output is collected into lines so
     * each can be named. */
    if (d->domain_id == 0) {
        console_write(s, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        bool full = d->console_len == sizeof(d->console_line) - 1;

        if (s[i] != '\n' && !full) {
            if (s[i] != '\r')
                d->console_line[d->console_len++] = s[i];
            continue;
        }
        d->console_line[d->console_len] = '\0';
        printk("(d%u) %s\n", d->domain_id, d->console_line);
        d->console_len = 0;
        if (full && s[i] != '\n')
            i--; /* the byte that did not fit starts the next line */
    }
}
