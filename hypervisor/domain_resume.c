/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A suspended domain runs again in place (domctl resumedomain): what the
 * toolstack does when a save is cancelled or failed (`xl save -c`, docs/
 * migration.md).  The guest learns it was cancelled from its
 * SCHEDOP_shutdown's return value, which the toolstack set in vCPU 0's rax
 * beforehand; pvx only undoes the shutdown.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <public/sched.h>

int domain_resume(struct domain *d)
{
    int rc = -EINVAL;

    /* Only a suspend is undone: a poweroff, reboot or crash is the guest's
     * last word, which the toolstack acts on. */
    if (d->state != DOMAIN_SHUTDOWN || d->shutdown_code != SHUTDOWN_suspend)
        goto out;
    d->state = DOMAIN_RUNNING;
    /* domain_shutdown() paused each vCPU once; give exactly that back. */
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_unpause(d->vcpus[i]);
    sched_domain_changed(d);
    printk("domain %u (%s): resumed after suspend\n", d->domain_id, d->name);
    rc = 0;
out:
    return rc;
}
