/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scheduling (sched.c).  Every CPU the scheduler uses (all online ones,
 * unless sched-smp=0) runs vCPUs from its own run queue; a vCPU runs until
 * it blocks, yields or its time slice ends.  All of it runs under the
 * hypervisor lock.
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
/* A secondary CPU's idle loop: schedules once the boot CPU has started. */
void __noreturn sched_start_secondary(void);
/* The event-check IPI arrived (hypervisor lock held). */
void sched_event_check(void);
/* The CPUs vCPUs may run on. */
uint64_t sched_cpu_mask(void);
/* Is a vCPU of d running on another CPU? */
bool sched_domain_running_elsewhere(const struct domain *d);
/* Wait (dropping the hypervisor lock) until no vCPU of domain @domid runs on
 * another CPU; false if the domain is gone meanwhile.  For a domain whose
 * vCPUs cannot run any more (paused, shut down, dying). */
bool sched_sync_domain(uint16_t domid);
/* Hard affinity of v (Xen's vcpu-pin): -EINVAL if no CPU in @mask runs vCPUs. */
int sched_set_affinity(struct vcpu *v, uint64_t mask);
uint64_t sched_get_affinity(const struct vcpu *v);
/* The physical CPU v runs or waits on. */
unsigned int sched_vcpu_cpu(const struct vcpu *v);

/* Update the guest-visible time of v (vcpu_time_info and wall clock). */
void update_vcpu_system_time(struct vcpu *v);

#endif
