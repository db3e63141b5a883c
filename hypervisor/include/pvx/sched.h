/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scheduling (sched.c).  For now one CPU runs the vCPUs of all domains in
 * turn; a vCPU runs until it blocks, yields or its time slice ends.
 */
#ifndef PVX_SCHED_H
#define PVX_SCHED_H

#include <pvx/types.h>

struct vcpu;
struct domain;

#define NR_RUNQUEUE_MAX 1024 /* vCPUs the boot CPU can multiplex */

void sched_init(void);                    /* once, before the first domain */
void sched_init_domain(struct domain *d); /* a new domain (before its vCPUs) */
void sched_init_vcpu(struct vcpu *v);
/* Forget v / d for good (domain destruction); v must not be running. */
void sched_remove_vcpu(struct vcpu *v);
void sched_destroy_domain(struct domain *d); /* after all its vCPUs */
/* The domain's state changed (shutdown, crash): re-evaluate its vCPUs. */
void sched_domain_changed(struct domain *d);
/* Stop v from running (it may be running now: takes effect on exit). */
void vcpu_pause_nosync(struct vcpu *v);
void vcpu_unpause(struct vcpu *v);
bool vcpu_runnable(const struct vcpu *v);
/* Time-slice end or yield with another vCPU runnable (clears the yield). */
bool sched_should_switch(struct vcpu *v);

/* Pick the next vCPU and run it; never returns. */
void __noreturn schedule(void);
/* Start scheduling on this CPU (from the boot path). */
void __noreturn sched_start(void);

/* Update the guest-visible time of v (vcpu_time_info and wall clock). */
void update_vcpu_system_time(struct vcpu *v);

#endif
