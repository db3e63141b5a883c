/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Locks (spinlock.c; the discipline is in docs/architecture.md, "Locking").
 *
 * The hypervisor lock serializes all of pvx's own code: every entry from a
 * guest takes it, the return to a guest and the idle halt drop it, so
 * guests run in parallel while pvx runs on one CPU at a time.  It is
 * recursive for this CPU (an interrupt taken while idle, a fault pvx
 * fixes up) and nothing else ever sleeps on it.
 *
 * spinlock_t is for the few things taken outside it or inside it on a
 * strict order: each lock has a level, and a CPU may only take a lock whose
 * level is above every level it holds (checked unless NDEBUG).  Every spin
 * (the hypervisor lock's included) answers pending cross-CPU calls, so a
 * CPU spinning with interrupts off never blocks a caller that holds what
 * it waits for.
 */
#ifndef PVX_SPINLOCK_H
#define PVX_SPINLOCK_H

#include <pvx/types.h>

/* Levels, lowest taken first.  The hypervisor lock is level 0. */
enum lock_level {
    LOCK_LEVEL_HV = 0,   /* the hypervisor lock */
    LOCK_LEVEL_CALL = 1, /* smp.c: the cross-CPU call slot */
    LOCK_LEVEL_DUMP = 2, /* one CPU's crash report at a time */
    LOCK_LEVEL_MAX = 8,
};

typedef struct {
    int locked;
    uint8_t level;
    const char *name;
} spinlock_t;

#define SPINLOCK_INIT(nm, lvl)                                                                     \
    {                                                                                              \
        0, (lvl), (nm)                                                                             \
    }

void spin_lock(spinlock_t *l);
bool spin_trylock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
/* Does this CPU hold a lock of this level (debug builds; true without them)? */
bool spin_level_held(unsigned int level);

/* The hypervisor lock. */
void hv_lock(void);                    /* take it, or nest if this CPU holds it */
void hv_unlock(void);                  /* undo one hv_lock() */
bool hv_lock_held(void);               /* by this CPU */
void hv_unlock_all(void);              /* return to a guest: drop every nesting level */
unsigned int hv_unlock_for_wait(void); /* drop it to let others in; returns the depth */
void hv_relock_after_wait(unsigned int depth);

/* Hooks the arch (or the unit-test harness) provides: what a spinning CPU
 * does meanwhile (answer cross-CPU calls) and this CPU's held-level set. */
void spin_wait_hook(void);

#endif
