/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: scheduler operations (sched_op(cmd, arg)).
 *
 *   SCHEDOP_yield            arg unused; give up the CPU voluntarily.
 *   SCHEDOP_block            arg unused; sleep until an event is pending.
 *                            Atomically re-enables event delivery, so the
 *                            guest clears evtchn_upcall_mask by blocking.
 *   SCHEDOP_shutdown         struct sched_shutdown: stop the whole domain.
 *   SCHEDOP_poll             struct sched_poll: sleep until one of the
 *                            listed ports is pending or the timeout passes.
 *   SCHEDOP_remote_shutdown  struct sched_remote_shutdown: shut down another
 *                            domain (privileged).
 *   SCHEDOP_shutdown_code    struct sched_shutdown: record the reason that
 *                            a later shutdown will report, without stopping.
 *   SCHEDOP_watchdog         struct sched_watchdog: arm/disarm a watchdog.
 *   SCHEDOP_pin_override     struct sched_pin_override (dom0 only).
 */
#ifndef PVX_PUBLIC_SCHED_H
#define PVX_PUBLIC_SCHED_H

#include "event_channel.h"

#define SCHEDOP_yield           0
#define SCHEDOP_block           1
#define SCHEDOP_shutdown        2
#define SCHEDOP_poll            3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code   5
#define SCHEDOP_watchdog        6
#define SCHEDOP_pin_override    7

#ifndef __ASSEMBLY__
/* reason IN: SHUTDOWN_* */
struct sched_shutdown {
    unsigned int reason;
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);

/*
 *   ports     IN  array of nr_ports ports of the caller
 *   nr_ports  IN
 *   timeout   IN  absolute system time in ns, 0 for none
 */
struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports;
    unsigned int nr_ports;
    uint32_t _pvx_pad0;
    uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);

/* domain_id IN, reason IN (SHUTDOWN_*) */
struct sched_remote_shutdown {
    domid_t domain_id;
    uint16_t _pvx_pad0;
    unsigned int reason;
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);

/*
 *   id       IN   0 to create a watchdog, else the watchdog to re-arm/stop;
 *                 OUT (as return value) the new id
 *   timeout  IN   seconds until the domain is shut down with
 *                 SHUTDOWN_watchdog; 0 destroys the watchdog
 */
struct sched_watchdog {
    uint32_t id;
    uint32_t timeout;
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);

/* pcpu IN: physical CPU to run the calling vCPU on, -1 to undo. */
struct sched_pin_override {
    int32_t pcpu;
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);
#endif

/* Shutdown reasons (also reported to the toolstack). */
#define SHUTDOWN_poweroff   0 /* halt and destroy */
#define SHUTDOWN_reboot     1 /* restart */
#define SHUTDOWN_suspend    2 /* saved for later resume */
#define SHUTDOWN_crash      3 /* the guest crashed */
#define SHUTDOWN_watchdog   4 /* a watchdog expired */
#define SHUTDOWN_soft_reset 5 /* reset state, keep memory */
#define SHUTDOWN_MAX        5

#endif /* PVX_PUBLIC_SCHED_H */
