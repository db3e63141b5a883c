/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The `bench` mode's framework, shared by its tables (bench.c: one vCPU;
 * bench_smp.c: the rows needing a second vCPU).
 */
#ifndef TESTGUEST_BENCH_H
#define TESTGUEST_BENCH_H

#include "guest.h"

#define BENCH_MAX_SAMPLES 2001
#define BENCH_WARMUP      10

struct bench_op {
    const char *name;
    /* Prepare; NULL if ready, else why the operation cannot be measured. */
    const char *(*setup)(void);
    /* One operation, timed by bench_ops_run(). */
    void (*run)(void);
    /* Or: fill bench_samples[0..n) itself (NULL on success, else the reason). */
    const char *(*collect)(unsigned long n);
    /* At most this many samples (0: as many as asked), for long operations. */
    unsigned long max_iters;
};

extern u64 bench_samples[BENCH_MAX_SAMPLES];
extern const char *bench_current_op; /* the name of the operation being measured */

/* The reason an operation is unavailable, formatted into a static buffer. */
const char *bench_why(const char *fmt, ...) __printf(1, 2);

/* BENCH_WARMUP untimed calls of run(), then n timed: bench_samples[0..n). */
void bench_time(void (*run)(void), unsigned long n);

/* Run each operation and print its BENCH line. */
void bench_ops_run(const struct bench_op *ops, unsigned long nr_ops, unsigned long iters);

void bench_smp_run(unsigned long iters);

#endif
