/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Boot-time self-tests, run on the real machine (option `selftest`): the
 * parts that host unit tests cannot reach, i.e. the calibrated clock, the
 * timer interrupt driving software timers, and the allocators over real RAM.
 */
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/selftest.h>
#include <pvx/time.h>
#include <pvx/timer.h>

static unsigned int passed, failed;

static void check(bool ok, const char *what)
{
    printk("selftest: %s %s\n", ok ? "PASS" : "FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

#define NR_TEST_TIMERS 5

static struct {
    uint64_t deadline, fired_at;
    unsigned int order;
} fired[NR_TEST_TIMERS];
static unsigned int fired_count;

static void test_timer_fn(void *data)
{
    unsigned int i = (unsigned int)(uintptr_t)data;

    fired[i].fired_at = NOW();
    fired[i].order = fired_count++;
}

static void test_timers(void)
{
    static const unsigned int delay_ms[NR_TEST_TIMERS] = {25, 5, 15, 10, 20};
    struct timer timers[NR_TEST_TIMERS], cancelled;
    unsigned int cpu = arch_smp_processor_id();
    uint64_t start = NOW(), give_up;
    bool in_order = true, on_time = true;

    fired_count = 0;
    for (unsigned int i = 0; i < NR_TEST_TIMERS; i++) {
        init_timer(&timers[i], test_timer_fn, (void *)(uintptr_t)i, cpu);
        fired[i].deadline = start + MILLISECS(delay_ms[i]);
        fired[i].fired_at = 0;
        set_timer(&timers[i], fired[i].deadline);
    }
    init_timer(&cancelled, test_timer_fn, (void *)(uintptr_t)0, cpu);
    set_timer(&cancelled, start + MILLISECS(12));
    stop_timer(&cancelled);

    give_up = start + MILLISECS(2000);
    while (fired_count < NR_TEST_TIMERS && NOW() < give_up)
        arch_cpu_idle();
    check(fired_count == NR_TEST_TIMERS, "all software timers fired from the APIC interrupt");
    for (unsigned int i = 0; i < NR_TEST_TIMERS; i++) {
        /* Rank of this timer's delay among all delays = expected firing order. */
        unsigned int rank = 0;

        for (unsigned int j = 0; j < NR_TEST_TIMERS; j++)
            rank += delay_ms[j] < delay_ms[i];
        in_order &= fired[i].order == rank;
        on_time &= fired[i].fired_at >= fired[i].deadline;
    }
    check(in_order, "timers fired in deadline order");
    check(on_time, "no timer fired before its deadline");
    check(fired_count == NR_TEST_TIMERS && !timer_is_active(&cancelled),
          "a stopped timer did not fire");
}

static void test_clock(void)
{
    uint64_t a = NOW(), b;
    bool monotonic = true;

    for (unsigned int i = 0; i < 100000; i++) {
        b = NOW();
        monotonic &= b >= a;
        a = b;
    }
    check(monotonic, "the monotonic clock never goes back");
    check(a > 0, "the clock has started");
}

static void test_page_alloc(void)
{
    uint64_t before = page_alloc_free_pages();
    struct page_info *pages[12];
    bool ok = true;

    for (unsigned int order = 0; order < ARRAY_SIZE(pages); order++) {
        pages[order] = alloc_pages(order);
        ok &= pages[order] && !(page_to_mfn(pages[order]) & ((1ULL << order) - 1));
    }
    check(ok, "page allocator returns aligned blocks of orders 0-11");
    check(page_alloc_free_pages() == before - ((1ULL << ARRAY_SIZE(pages)) - 1),
          "free-page count drops by what was allocated");
    for (unsigned int order = 0; order < ARRAY_SIZE(pages); order++)
        if (pages[order])
            free_pages(pages[order], order);
    check(page_alloc_free_pages() == before, "freeing restores the free-page count");
}

static void test_xmalloc(void)
{
    static const size_t sizes[] = {1, 24, 100, 500, 2000, 3000, 10000, 70000};
    unsigned char *p[ARRAY_SIZE(sizes)];
    bool ok = true;

    for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
        p[i] = xmalloc_bytes(sizes[i]);
        ok &= p[i] != NULL && !((uintptr_t)p[i] & 15);
        if (p[i])
            memset(p[i], (int)i + 1, sizes[i]);
    }
    for (unsigned int i = 0; ok && i < ARRAY_SIZE(sizes); i++)
        for (size_t j = 0; j < sizes[i]; j++)
            ok &= p[i][j] == i + 1;
    check(ok, "xmalloc objects are 16-byte aligned and do not overlap");
    for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
        xfree(p[i]);
    check(xmalloc_bytes((size_t)1 << 50) == NULL, "an impossible xmalloc fails cleanly");
}

unsigned int run_selftests(void)
{
    passed = failed = 0;
    test_clock();
    test_timers();
    test_page_alloc();
    test_xmalloc();
    arch_run_selftests(check);
    printk("selftest: %u passed, %u failed\n", passed, failed);
    return failed;
}
