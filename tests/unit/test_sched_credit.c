/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: hypervisor/sched_credit.c with a simulated clock.  A small
 * event-driven simulator plays the part of sched.c and of the guests: CPU
 * hogs that never block, and I/O-bound vCPUs that run briefly and block.
 * Run times, wake-to-run latencies and waits are measured by the simulator,
 * not taken from the core, so a core that misschedules fails here.
 */
#include "harness.h"

#include <pvx/errno.h>
#include <pvx/sched_credit.h>

#define MS(x)   ((uint64_t)(x)*1000 * 1000)
#define US(x)   ((uint64_t)(x)*1000)
#define NV      128
#define NO_TIME UINT64_MAX

enum kind { HOG, IO };

struct sim_vcpu {
    struct csched_vcpu cs;
    enum kind kind;
    uint64_t io_run, io_sleep; /* IO: runs io_run, then blocks for io_sleep */
    uint64_t left;             /* IO: run time left before it blocks */
    uint64_t wake_at;          /* blocked: when its event arrives */
    bool runnable;             /* the simulator's own view */
    bool woke;                 /* woke and has not run since */
    uint64_t woke_time, max_latency;
    uint64_t ready_since, max_wait;
    uint64_t ran;
};

static struct sim_vcpu sv[NV];
static struct csched_dom sd[NV];
static unsigned int nr_sv;
static uint64_t sim_now;
static struct sim_vcpu *cur;
static uint64_t slice_end;
static uint64_t idle_ns;

static int reset(void **state)
{
    (void)state;
    memset(sv, 0, sizeof(sv));
    memset(sd, 0, sizeof(sd));
    nr_sv = 0;
    sim_now = 0;
    cur = NULL;
    slice_end = NO_TIME;
    idle_ns = 0;
    assert_int_equal(csched_init(NULL), 0);
    csched_init_cpu(0);
    return 0;
}

/* Domain i with the default parameters. */
static struct csched_dom *new_dom(unsigned int i)
{
    csched_add_dom(&sd[i], &sd[i]);
    return &sd[i];
}

/* A vCPU of domain d; it starts runnable. */
static struct sim_vcpu *new_vcpu(struct csched_dom *d, enum kind kind, uint64_t run, uint64_t sleep)
{
    struct sim_vcpu *s = &sv[nr_sv++];

    assert_true(nr_sv <= NV);
    csched_add_vcpu(&s->cs, d, 0, s);
    s->kind = kind;
    s->io_run = s->left = run;
    s->io_sleep = sleep;
    s->wake_at = NO_TIME;
    s->runnable = true;
    s->ready_since = sim_now;
    csched_wake(&s->cs, sim_now);
    return s;
}

static void set_params(struct csched_dom *d, unsigned int weight, unsigned int cap)
{
    assert_int_equal(csched_set_params(d, weight, cap), 0);
}

static void resched(void)
{
    struct csched_decision dec;

    if (cur && cur->runnable)
        cur->ready_since = sim_now;
    dec = csched_do_schedule(0, sim_now);
    cur = dec.next ? dec.next->owner : NULL;
    slice_end = dec.slice_ns == CSCHED_NO_SLICE ? NO_TIME : sim_now + dec.slice_ns;
    assert_true(dec.slice_ns > 0);
    assert_true(dec.slice_ns == CSCHED_NO_SLICE || dec.slice_ns <= csched_tslice() ||
                (!cur && dec.slice_ns <= csched_period()));
    if (!cur)
        return;
    /* Never a blocked or paused vCPU. */
    assert_true(cur->runnable);
    assert_ptr_equal(csched_current(0), &cur->cs);
    cur->max_wait = MAX(cur->max_wait, sim_now - cur->ready_since);
    if (cur->woke) {
        cur->woke = false;
        cur->max_latency = MAX(cur->max_latency, sim_now - cur->woke_time);
    }
}

static uint64_t next_event(void)
{
    uint64_t t = slice_end;

    if (cur && cur->kind == IO)
        t = MIN(t, sim_now + cur->left);
    for (unsigned int i = 0; i < nr_sv; i++)
        if (!sv[i].runnable)
            t = MIN(t, sv[i].wake_at);
    return t;
}

static void run_for(struct sim_vcpu *s, uint64_t delta)
{
    if (!s) {
        idle_ns += delta;
        return;
    }
    s->ran += delta;
    if (s->kind == IO)
        s->left -= delta;
}

/* Play the guests and sched.c until `until`. */
static void simulate(uint64_t until)
{
    resched();
    while (sim_now < until) {
        uint64_t t = MIN(next_event(), until);
        bool need = false;

        run_for(cur, t - sim_now);
        sim_now = t;
        if (cur && cur->kind == IO && !cur->left) {
            cur->runnable = false;
            cur->wake_at = sim_now + cur->io_sleep;
            cur->left = cur->io_run;
            need |= csched_sleep(&cur->cs, sim_now);
            assert_true(need);
        }
        for (unsigned int i = 0; i < nr_sv; i++) {
            struct sim_vcpu *s = &sv[i];

            if (!s->runnable && s->wake_at == sim_now) {
                s->runnable = true;
                s->wake_at = NO_TIME;
                s->woke = true;
                s->woke_time = s->ready_since = sim_now;
                need |= csched_wake(&s->cs, sim_now);
            }
        }
        if (sim_now == slice_end || need)
            resched();
    }
}

static double ratio(uint64_t a, uint64_t b)
{
    return (double)a / (double)b;
}

/* ---- fairness ---- */

static void test_weights_1_to_2(void **state)
{
    struct sim_vcpu *a, *b;

    (void)state;
    a = new_vcpu(new_dom(0), HOG, 0, 0);
    b = new_vcpu(new_dom(1), HOG, 0, 0);
    set_params(&sd[0], 256, 0);
    set_params(&sd[1], 512, 0);
    simulate(MS(3000));
    assert_int_equal(a->ran + b->ran, MS(3000)); /* work conserving */
    printf("  weights 256:512 over 3 s: %.1f ms : %.1f ms (ratio %.3f)\n", a->ran / 1e6,
           b->ran / 1e6, ratio(b->ran, a->ran));
    assert_true(ratio(b->ran, a->ran) > 2.0 * 0.9 && ratio(b->ran, a->ran) < 2.0 * 1.1);
}

static void test_weights_multi_vcpu(void **state)
{
    struct sim_vcpu *v[4];
    uint64_t d0, d1;

    (void)state;
    /* Weight is per domain: two vCPUs of a 512 domain get as much as one 512 vCPU would. */
    new_dom(0);
    new_dom(1);
    set_params(&sd[1], 512, 0);
    v[0] = new_vcpu(&sd[0], HOG, 0, 0);
    v[1] = new_vcpu(&sd[1], HOG, 0, 0);
    v[2] = new_vcpu(&sd[1], HOG, 0, 0);
    v[3] = new_vcpu(&sd[0], HOG, 0, 0);
    simulate(MS(6000));
    d0 = v[0]->ran + v[3]->ran;
    d1 = v[1]->ran + v[2]->ran;
    printf("  2 vCPUs each, weights 256:512: %.3f\n", ratio(d1, d0));
    assert_true(ratio(d1, d0) > 1.8 && ratio(d1, d0) < 2.2);
    /* and the domain's vCPUs share its part evenly */
    assert_true(ratio(v[1]->ran, v[2]->ran) > 0.9 && ratio(v[1]->ran, v[2]->ran) < 1.1);
    assert_true(ratio(v[0]->ran, v[3]->ran) > 0.9 && ratio(v[0]->ran, v[3]->ran) < 1.1);
}

/* Run `s` and count its run time per accounting period, checking the cap in each. */
static void check_cap_per_period(struct sim_vcpu *s, unsigned int cap, unsigned int periods)
{
    uint64_t period = csched_period();
    uint64_t budget = cap * period / 100;

    for (unsigned int p = 0; p < periods; p++) {
        uint64_t before = s->ran;

        simulate(sim_now + period);
        /* Exact per period: the slice of a capped vCPU ends where its budget does. */
        assert_true(s->ran - before <= budget);
        if (p > 0)
            assert_true(s->ran - before >= budget * 95 / 100);
    }
}

static void test_cap_competing(void **state)
{
    struct sim_vcpu *a, *b;

    (void)state;
    a = new_vcpu(new_dom(0), HOG, 0, 0);
    b = new_vcpu(new_dom(1), HOG, 0, 0);
    set_params(&sd[0], 256, 25);
    check_cap_per_period(a, 25, 100);
    printf("  cap 25%% vs uncapped hog: %.1f%% / %.1f%%\n", 100.0 * ratio(a->ran, sim_now),
           100.0 * ratio(b->ran, sim_now));
    assert_true(ratio(a->ran, sim_now) > 0.24 && ratio(a->ran, sim_now) <= 0.25);
    assert_int_equal(a->ran + b->ran, sim_now); /* b takes the rest: nothing idles */
}

static void test_cap_alone(void **state)
{
    struct sim_vcpu *a;

    (void)state;
    a = new_vcpu(new_dom(0), HOG, 0, 0);
    set_params(&sd[0], 256, 25);
    check_cap_per_period(a, 25, 100);
    printf("  cap 25%% alone: %.1f%% run, %.1f%% idle\n", 100.0 * ratio(a->ran, sim_now),
           100.0 * ratio(idle_ns, sim_now));
    assert_true(ratio(a->ran, sim_now) > 0.24 && ratio(a->ran, sim_now) <= 0.25);
    assert_int_equal(a->ran + idle_ns, sim_now);
}

/*
 * On an emulated machine the host sometimes does not run the CPU for a
 * while: the vCPU that was running is charged the gap, and no decision (so
 * no accounting) happens in it.  Gaps of 5-120 ms (up to four periods) hit
 * the capped vCPU at random: that is debt, paid off at the cap's rate by
 * the accountings after it, so the cap still holds on average, neither
 * more (the gap forgiven) nor less (the gap's own budget lost).
 */
static void test_cap_under_late_timers(void **state)
{
    struct sim_vcpu *a, *b;
    uint64_t stalled = 0;

    (void)state;
    srand(7);
    a = new_vcpu(new_dom(0), HOG, 0, 0);
    b = new_vcpu(new_dom(1), HOG, 0, 0);
    set_params(&sd[0], 256, 25);
    while (sim_now < MS(60000)) {
        simulate(sim_now + MS(1 + (unsigned int)rand() % 40));
        if (cur == a && rand() % 2 == 0) {
            uint64_t gap = MS(5 + (unsigned int)rand() % 116);

            run_for(cur, gap);
            sim_now += gap;
            stalled += gap;
        }
    }
    simulate(sim_now + MS(200)); /* the last gap is paid off */
    printf("  cap 25%% with late timers (%.0f%% of the time in gaps): %.1f%% / %.1f%%\n",
           100.0 * ratio(stalled, sim_now), 100.0 * ratio(a->ran, sim_now),
           100.0 * ratio(b->ran, sim_now));
    assert_true(stalled > sim_now / 10);
    assert_true(ratio(a->ran, sim_now) > 0.24 && ratio(a->ran, sim_now) < 0.26);
}

static void test_cap_two_vcpus_and_removal(void **state)
{
    struct sim_vcpu *a0, *a1, *b;

    (void)state;
    /* A cap of 150 lets a two-vCPU domain use 1.5 CPUs; on one CPU it is no limit. */
    new_dom(0);
    a0 = new_vcpu(&sd[0], HOG, 0, 0);
    a1 = new_vcpu(&sd[0], HOG, 0, 0);
    b = new_vcpu(new_dom(1), HOG, 0, 0);
    set_params(&sd[0], 256, 150);
    set_params(&sd[0], 256, 50); /* the cap is per domain, shared by its vCPUs */
    simulate(MS(3000));
    assert_true(ratio(a0->ran + a1->ran, sim_now) > 0.49 &&
                ratio(a0->ran + a1->ran, sim_now) <= 0.5);
    /* Removing the cap releases the domain: from now on 1:1 by weight. */
    set_params(&sd[0], 256, 0);
    a0->ran = a1->ran = b->ran = 0;
    simulate(sim_now + MS(3000));
    printf("  cap removed: %.3f\n", ratio(a0->ran + a1->ran, b->ran));
    assert_true(ratio(a0->ran + a1->ran, b->ran) > 0.9 && ratio(a0->ran + a1->ran, b->ran) < 1.1);
}

/* ---- wake-up boost ---- */

static void test_wake_boost(void **state)
{
    struct sim_vcpu *io;

    (void)state;
    new_vcpu(new_dom(0), HOG, 0, 0);
    new_vcpu(new_dom(1), HOG, 0, 0);
    io = new_vcpu(new_dom(2), IO, US(300), MS(7));
    simulate(MS(5000));
    printf("  I/O vCPU vs 2 hogs: ran %.1f ms, worst wake-to-run %.3f ms\n", io->ran / 1e6,
           io->max_latency / 1e6);
    /* It asks for 300 us every 7.3 ms and gets it, as soon as it wakes. */
    assert_true(io->max_latency <= US(100));
    assert_true(io->max_latency <= csched_tslice());
    assert_true(io->ran >= MS(5000) * 300 / 7300 * 95 / 100);
}

static void test_boost_needs_credit(void **state)
{
    struct sim_vcpu *hog, *v;
    struct csched_vcpu *other;

    (void)state;
    /* Boost is for vCPUs with credit: one that is OVER wakes without it. */
    hog = new_vcpu(new_dom(0), HOG, 0, 0);
    v = new_vcpu(new_dom(1), HOG, 0, 0);
    simulate(MS(100));
    other = cur == hog ? &v->cs : &hog->cs;
    csched_sleep(other, sim_now);
    other->credit = -MS(5);
    csched_wake(other, sim_now);
    assert_int_equal(other->prio, CSCHED_PRI_OVER);
    csched_sleep(other, sim_now);
    other->credit = MS(5);
    csched_wake(other, sim_now);
    assert_int_equal(other->prio, CSCHED_PRI_BOOST);
}

/* ---- correctness ---- */

static void test_idle_and_blocked(void **state)
{
    struct csched_decision dec;
    struct csched_vcpu v;
    struct csched_dom d;

    (void)state;
    dec = csched_do_schedule(0, 0);
    assert_null(dec.next);
    assert_int_equal(dec.slice_ns, CSCHED_NO_SLICE);

    csched_add_dom(&d, NULL);
    csched_add_vcpu(&v, &d, 0, NULL);
    assert_null(csched_do_schedule(0, MS(1)).next); /* added but not woken */
    assert_true(csched_wake(&v, MS(2)));            /* the CPU is idle: go */
    assert_ptr_equal(csched_do_schedule(0, MS(2)).next, &v);
    assert_true(csched_sleep(&v, MS(3))); /* running: reschedule */
    assert_null(csched_do_schedule(0, MS(3)).next);
    assert_false(csched_sleep(&v, MS(4))); /* already asleep */
    assert_true(csched_wake(&v, MS(5)));
    assert_false(csched_wake(&v, MS(5))); /* already awake */
    /* Woke again before its CPU rescheduled: it simply stays current. */
    assert_ptr_equal(csched_do_schedule(0, MS(5)).next, &v);
    csched_sleep(&v, MS(6));
    assert_false(csched_wake(&v, MS(6)));
    assert_ptr_equal(csched_do_schedule(0, MS(7)).next, &v);
    csched_remove_vcpu(&v); /* while running */
    assert_null(csched_current(0));
    assert_null(csched_do_schedule(0, MS(8)).next);
    csched_remove_dom(&d);
}

static void test_remove_from_queue(void **state)
{
    struct sim_vcpu *s[3], *gone = NULL;
    uint64_t rest = 0;

    (void)state;
    new_dom(0);
    for (unsigned int i = 0; i < 3; i++)
        s[i] = new_vcpu(&sd[0], HOG, 0, 0);
    simulate(MS(100));
    for (unsigned int i = 0; i < 3; i++)
        if (s[i] != cur)
            gone = s[i];
    assert_true(gone->cs.queued); /* waiting, not running: the queue must let go of it */
    csched_remove_vcpu(&gone->cs);
    assert_false(gone->cs.queued);
    gone->runnable = false; /* the simulator fails the test if it ever runs again */
    gone->wake_at = NO_TIME;
    for (unsigned int i = 0; i < 3; i++)
        s[i]->ran = 0;
    simulate(sim_now + MS(1000));
    assert_int_equal(gone->ran, 0);
    for (unsigned int i = 0; i < 3; i++)
        rest += s[i]->ran;
    assert_int_equal(rest, MS(1000));
    assert_int_equal(sd[0].nr_vcpus, 2);
}

static void test_yield(void **state)
{
    struct csched_vcpu a, b;
    struct csched_dom d;

    (void)state;
    csched_add_dom(&d, NULL);
    csched_add_vcpu(&a, &d, 0, NULL);
    csched_add_vcpu(&b, &d, 0, NULL);
    csched_wake(&a, 0);
    csched_wake(&b, 0);
    assert_ptr_equal(csched_do_schedule(0, 0).next, &a);
    /* b is OVER, a is not: yield still hands the CPU over, once. */
    b.credit = -MS(1);
    b.prio = CSCHED_PRI_OVER;
    csched_yield(&a);
    assert_ptr_equal(csched_do_schedule(0, US(10)).next, &b);
    assert_ptr_equal(csched_do_schedule(0, US(20)).next, &a);
    csched_sleep(&b, US(30));
    csched_yield(&a); /* nobody else: keeps running */
    assert_ptr_equal(csched_do_schedule(0, US(40)).next, &a);
}

static void test_tick(void **state)
{
    struct csched_vcpu a, b;
    struct csched_dom da, db;

    (void)state;
    csched_add_dom(&da, NULL);
    csched_add_dom(&db, NULL);
    csched_add_vcpu(&a, &da, 0, NULL);
    csched_add_vcpu(&b, &db, 0, NULL);
    csched_wake(&a, 0);
    csched_wake(&b, 0);
    assert_ptr_equal(csched_do_schedule(0, 0).next, &a); /* both get 15 ms of credit */
    assert_false(csched_tick(0, MS(2)));                 /* both UNDER: a keeps its slice */
    /* a runs on past its credit (the caller ignored the slice): b has credit, preempt. */
    assert_true(csched_tick(0, MS(20)));
    assert_ptr_equal(csched_do_schedule(0, MS(20)).next, &b);
    /* A cap bites at the tick too: 10% is 3 ms a period. */
    assert_int_equal(csched_set_params(&db, 256, 10), 0);
    assert_false(csched_tick(0, MS(21)));
    assert_true(csched_tick(0, MS(24)));
    assert_true(db.parked);
    assert_ptr_equal(csched_do_schedule(0, MS(24)).next, &a);
    assert_true(csched_sleep(&a, MS(25)));
    assert_null(csched_do_schedule(0, MS(25)).next);
    assert_false(csched_tick(0, MS(26))); /* idle, nothing queued */
    assert_true(csched_tick(0, MS(30)));  /* the new period unparks b */
    assert_ptr_equal(csched_do_schedule(0, MS(30)).next, &b);
}

static void test_params(void **state)
{
    struct csched_vcpu v[3];
    struct csched_dom d;
    unsigned int w, c;

    (void)state;
    csched_add_dom(&d, NULL);
    csched_get_params(&d, &w, &c);
    assert_int_equal(w, CSCHED_DEFAULT_WEIGHT);
    assert_int_equal(c, 0);
    assert_int_equal(csched_set_params(&d, 0, 0), -EINVAL);
    assert_int_equal(csched_set_params(&d, 65536, 0), -EINVAL);
    assert_int_equal(csched_set_params(&d, 65535, 0), 0);
    assert_int_equal(csched_set_params(&d, 1, 0), 0);
    /* With no vCPUs yet, or one, a cap is at most one whole CPU. */
    assert_int_equal(csched_set_params(&d, 1, 101), -EINVAL);
    assert_int_equal(csched_set_params(&d, 1, 100), 0);
    for (unsigned int i = 0; i < 3; i++)
        csched_add_vcpu(&v[i], &d, 0, NULL);
    assert_int_equal(csched_set_params(&d, 1, 300), 0);
    assert_int_equal(csched_set_params(&d, 1, 301), -EINVAL);
    csched_get_params(&d, &w, &c);
    assert_int_equal(w, 1); /* a refused call changes nothing */
    assert_int_equal(c, 300);

    struct csched_config bad = {.tslice_ns = MS(20), .period_ns = MS(10)};
    assert_int_equal(csched_init(&bad), -EINVAL);
    bad.tslice_ns = 10;
    assert_int_equal(csched_init(&bad), -EINVAL);
}

static void test_invariants(void **state)
{
    struct csched_vcpu v;
    struct csched_dom d;

    (void)state;
    expect_assert_failure(csched_do_schedule(1, 0)); /* CPU 1 never initialised */
    expect_assert_failure(csched_init_cpu(0));       /* twice */
    csched_add_dom(&d, NULL);
    expect_assert_failure(csched_add_vcpu(&v, &d, 5, NULL));
    csched_add_vcpu(&v, &d, 0, NULL);
    expect_assert_failure(csched_remove_dom(&d)); /* it still has a vCPU */
    csched_remove_vcpu(&v);
    expect_assert_failure(csched_remove_vcpu(&v)); /* twice */
    csched_remove_dom(&d);
}

static void test_second_cpu_queue(void **state)
{
    struct csched_vcpu a, b;
    struct csched_dom d;
    bool resched;

    (void)state;
    /* Hard affinity: a vCPU pinned to CPU 1 never runs on CPU 0, even idle. */
    csched_init_cpu(1);
    csched_add_dom(&d, NULL);
    csched_add_vcpu(&a, &d, 0, NULL);
    csched_add_vcpu(&b, &d, 1, NULL);
    assert_int_equal(csched_set_affinity(&a, 1, &resched), 0);
    assert_int_equal(csched_set_affinity(&b, 2, &resched), 0);
    assert_int_equal(csched_set_affinity(&b, 4, &resched), -EINVAL); /* CPU 2 is not online */
    assert_int_equal(b.affinity, 2);
    csched_wake(&b, 0);
    assert_null(csched_do_schedule(0, 0).next);
    assert_ptr_equal(csched_do_schedule(1, 0).next, &b);
    csched_wake(&a, 0);
    assert_ptr_equal(csched_do_schedule(0, 0).next, &a);
    assert_ptr_equal(csched_do_schedule(1, csched_period()).next, &b);
    assert_ptr_equal(csched_do_schedule(0, csched_period()).next, &a);
    /* Re-pinning the running b to CPU 0: its CPU must reschedule, and it
     * then waits on CPU 0. */
    assert_int_equal(csched_set_affinity(&b, 1, &resched), 0);
    assert_true(resched);
    assert_null(csched_do_schedule(1, csched_period() + 1).next);
    assert_int_equal(b.cpu, 0);
    assert_ptr_equal(csched_do_schedule(0, csched_period() + 2).next, &b);
}

/* A vCPU waking while its CPU is busy goes to an idle CPU; an idle CPU
 * steals queued work from a busy one. */
static void test_placement_and_stealing(void **state)
{
    struct csched_vcpu a, b, c;
    struct csched_dom d;
    bool resched;

    (void)state;
    csched_init_cpu(1);
    csched_add_dom(&d, NULL);
    csched_add_vcpu(&a, &d, 0, NULL);
    csched_add_vcpu(&b, &d, 0, NULL);
    csched_add_vcpu(&c, &d, 0, NULL);
    csched_wake(&a, 0);
    assert_ptr_equal(csched_do_schedule(0, 0).next, &a);
    /* CPU 0 is busy, CPU 1 idle: b waits on CPU 1. */
    assert_true(csched_wake(&b, 0));
    assert_int_equal(b.cpu, 1);
    assert_ptr_equal(csched_do_schedule(1, 0).next, &b);
    /* Both busy: c stays on CPU 0's queue, and no CPU idles to take it... */
    assert_false(csched_wake(&c, 0) && c.cpu == 1);
    assert_int_equal(c.cpu, 0);
    assert_int_equal(csched_idle_cpu_for(0), -1);
    /* ...until CPU 1 has nothing (b blocks) and takes it. */
    assert_true(csched_sleep(&b, 1));
    assert_ptr_equal(csched_do_schedule(1, 1).next, &c);
    assert_int_equal(c.cpu, 1);
    assert_int_equal(csched_nr_queued(0), 0);
    /* CPU 1 goes idle while b waits on CPU 0: CPU 1 is the one to kick,
     * once b may run there. */
    assert_true(csched_sleep(&c, 2));
    assert_null(csched_do_schedule(1, 2).next);
    assert_int_equal(csched_set_affinity(&b, 1, &resched), 0);
    csched_wake(&b, 2);
    assert_int_equal(b.cpu, 0);
    assert_int_equal(csched_idle_cpu_for(0), -1); /* b may not run on CPU 1 */
    assert_int_equal(csched_set_affinity(&b, 3, &resched), 0);
    assert_int_equal(b.cpu, 0); /* still allowed where it waits */
    assert_int_equal(csched_idle_cpu_for(0), 1);
}

/* A late timer lets a vCPU overrun; its debt is bounded, so it is not shut out for long. */
static void test_overrun_debt_bounded(void **state)
{
    struct sim_vcpu *late;
    uint64_t before;

    (void)state;
    new_vcpu(new_dom(0), HOG, 0, 0);
    new_vcpu(new_dom(1), HOG, 0, 0);
    simulate(MS(300));
    late = cur;
    run_for(cur, MS(1000)); /* its slice timer fired a second late */
    sim_now += MS(1000);
    /* It owes a second, but credit has a floor of one period: it is back within a few. */
    simulate(sim_now + MS(200));
    before = late->ran;
    simulate(sim_now + MS(100));
    assert_true(late->ran > before);
}

/* ---- many domains ---- */

static void test_100_domains(void **state)
{
    const unsigned int n = 100;
    uint64_t min_ran = NO_TIME, max_ran = 0, max_wait = 0, total = 0;

    (void)state;
    for (unsigned int i = 0; i < n; i++) {
        new_dom(i);
        /* every fifth an I/O-bound one, the rest hogs */
        if (i % 5 == 4)
            new_vcpu(&sd[i], IO, US(50), MS(10 + i % 7));
        else
            new_vcpu(&sd[i], HOG, 0, 0);
    }
    simulate(MS(20000));
    for (unsigned int i = 0; i < n; i++) {
        total += sv[i].ran;
        max_wait = MAX(max_wait, sv[i].max_wait);
        if (sv[i].kind == HOG) {
            min_ran = MIN(min_ran, sv[i].ran);
            max_ran = MAX(max_ran, sv[i].ran);
        } else {
            /* behind at most the other I/O vCPUs' short bursts */
            assert_true(sv[i].max_latency <= US(1000));
        }
    }
    printf("  100 domains, 20 s: hogs ran %.1f..%.1f ms, longest wait %.1f ms\n", min_ran / 1e6,
           max_ran / 1e6, max_wait / 1e6);
    assert_int_equal(total, MS(20000));
    /* No starvation: a runnable vCPU waits at most about one slice per competitor. */
    assert_true(max_wait <= 2 * n * csched_tslice());
    assert_true(ratio(max_ran, min_ran) < 1.2);
}

static void test_100_domains_mixed_weights(void **state)
{
    const unsigned int n = 100;
    double worst = 1.0;
    uint64_t wsum = 0;

    (void)state;
    for (unsigned int i = 0; i < n; i++) {
        new_dom(i);
        set_params(&sd[i], 128 << (i % 4), 0); /* 128, 256, 512, 1024 */
        wsum += 128 << (i % 4);
        new_vcpu(&sd[i], HOG, 0, 0);
    }
    simulate(MS(30000));
    for (unsigned int i = 0; i < n; i++) {
        double expect = 30000e6 * (128 << (i % 4)) / wsum;
        double r = sv[i].ran / expect;

        worst = MAX(worst, MAX(r, 1 / r));
        assert_true(sv[i].max_wait <= 4 * n * csched_tslice());
    }
    printf("  100 domains weights 128..1024, 30 s: worst share error %.1f%%\n", 100 * (worst - 1));
    assert_true(worst < 1.15);
}

/* Random operations against a model: never a non-runnable vCPU, never idle when one is. */
static void test_random_ops(void **state)
{
    const unsigned int nd = 6, nvc = 16;
    struct csched_vcpu *curr = NULL;
    bool run[16] = {0};
    unsigned int dom_of[16];
    uint64_t now = 0;

    (void)state;
    srand(42);
    for (unsigned int i = 0; i < nd; i++)
        new_dom(i);
    for (unsigned int i = 0; i < nvc; i++) {
        dom_of[i] = i % nd;
        csched_add_vcpu(&sv[i].cs, &sd[dom_of[i]], 0, &sv[i]);
    }
    for (unsigned int step = 0; step < 200000; step++) {
        unsigned int i = (unsigned int)rand() % nvc;
        struct csched_decision dec;
        bool any = false;

        now += (uint64_t)(rand() % 3000) * 1000;
        switch (rand() % 6) {
        case 0:
            csched_wake(&sv[i].cs, now);
            run[i] = true;
            break;
        case 1:
            csched_sleep(&sv[i].cs, now);
            run[i] = false;
            break;
        case 2:
            if (curr)
                csched_yield(curr);
            break;
        case 3:
            csched_set_params(&sd[dom_of[i]], 1 + (unsigned int)rand() % 2000,
                              (unsigned int)rand() % 4 ? 0 : 5 + (unsigned int)rand() % 90);
            break;
        case 4:
            csched_tick(0, now);
            break;
        default:
            dec = csched_do_schedule(0, now);
            curr = dec.next;
            if (curr) {
                unsigned int k = (unsigned int)((struct sim_vcpu *)curr->owner - sv);

                assert_true(run[k]);
                assert_false(curr->dom->parked);
            }
            for (unsigned int k = 0; k < nvc; k++)
                any |= run[k] && !sv[k].cs.dom->parked;
            assert_true(any == (curr != NULL)); /* work conserving */
            if (!curr && any)
                fail();
            break;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_weights_1_to_2, reset),
        cmocka_unit_test_setup(test_weights_multi_vcpu, reset),
        cmocka_unit_test_setup(test_cap_competing, reset),
        cmocka_unit_test_setup(test_cap_alone, reset),
        cmocka_unit_test_setup(test_cap_under_late_timers, reset),
        cmocka_unit_test_setup(test_cap_two_vcpus_and_removal, reset),
        cmocka_unit_test_setup(test_wake_boost, reset),
        cmocka_unit_test_setup(test_boost_needs_credit, reset),
        cmocka_unit_test_setup(test_idle_and_blocked, reset),
        cmocka_unit_test_setup(test_remove_from_queue, reset),
        cmocka_unit_test_setup(test_yield, reset),
        cmocka_unit_test_setup(test_tick, reset),
        cmocka_unit_test_setup(test_params, reset),
        cmocka_unit_test_setup(test_invariants, reset),
        cmocka_unit_test_setup(test_second_cpu_queue, reset),
        cmocka_unit_test_setup(test_placement_and_stealing, reset),
        cmocka_unit_test_setup(test_overrun_debt_bounded, reset),
        cmocka_unit_test_setup(test_100_domains, reset),
        cmocka_unit_test_setup(test_100_domains_mixed_weights, reset),
        cmocka_unit_test_setup(test_random_ops, reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
