/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: serial input routed to one domain at a time (hypervisor/console.c)
 * and written into domUs' console rings (hypervisor/console_ring.c).  The
 * domains, frames and event channels are fakes; the rings live in the
 * harness's fake physical memory, so the tests read them as a guest would.
 */
#include "harness.h"
#include "timer_stub.h"

#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/event.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/time.h>
#include <pvx/timer.h>
#include <asm/pv/mm.h>
#include <public/io/console.h>

/* ---- fakes for what console.c and console_ring.c call ---- */

#define NR_FRAMES 8
static struct page_info frames[NR_FRAMES];
struct page_info *frame_table = frames;
uint64_t max_page = NR_FRAMES;

static unsigned int dom0_virqs;

/* Pages pvx wrote behind a guest's page tables (log-dirty mode). */
static unsigned int dirty_marks;
static const struct page_info *last_dirty;

void arch_logdirty_mark(const struct page_info *pg)
{
    dirty_marks++;
    last_dirty = pg;
}

void send_global_virq(unsigned int virq)
{
    assert_int_equal(virq, VIRQ_CONSOLE);
    dom0_virqs++;
}

int get_page_and_type(struct page_info *pg, struct domain *d, uint64_t type)
{
    assert_int_equal(type, PGT_writable_page);
    pg->owner = d;
    pg->count_info++;
    return 0;
}

void put_page_and_type(struct page_info *pg)
{
    assert_true(pg->count_info > 0);
    pg->count_info--;
}

#define CONSOLE_PORT 5
static unsigned int events[4]; /* console events raised, per domain id */

int evtchn_alloc_xen_port(struct domain *d, unsigned int vcpu, evtchn_xen_notify_fn fn)
{
    (void)d;
    (void)vcpu;
    (void)fn;
    return CONSOLE_PORT;
}

void evtchn_port_set_pending(struct domain *d, uint32_t port)
{
    assert_int_equal(port, CONSOLE_PORT);
    events[d->domain_id]++;
}

void domain_console_write(struct domain *d, const char *s, size_t len)
{
    (void)d;
    (void)s;
    (void)len;
}

static struct domain dom[4]; /* dom0 and three domUs */

struct domain *domain_lookup(domid_t id)
{
    return id < 4 ? &dom[id] : NULL;
}

/* ---- helpers ---- */

static struct xencons_interface *ring_of(unsigned int id)
{
    return arch_maddr_to_virt((paddr_t)dom[id].console_mfn << PAGE_SHIFT);
}

/* One poll of the serial line with these bytes typed. */
static void type(const char *s)
{
    harness_serial_input = s;
    stub_armed_timer->fn(stub_armed_timer->data);
    assert_int_equal(*harness_serial_input, '\0');
}

/* What the guest would read from its ring now (it consumes it). */
static size_t guest_read(unsigned int id, char *buf, size_t len)
{
    struct xencons_interface *r = ring_of(id);
    size_t n = 0;

    assert_true(r->in_prod - r->in_cons <= sizeof(r->in));
    while (r->in_cons != r->in_prod && n < len)
        buf[n++] = r->in[r->in_cons++ & (sizeof(r->in) - 1)];
    return n;
}

static uint64_t log_pos;

/* pvx's console output since the last call. */
static const char *new_log(void)
{
    static char out[4096];
    size_t n = console_ring_read(out, sizeof(out) - 1, &log_pos);

    out[n] = '\0';
    return out;
}

static void expect_input(unsigned int id, const char *want)
{
    char got[2048];
    size_t n;

    if (id == 0)
        n = console_input_read(got, sizeof(got));
    else
        n = guest_read(id, got, sizeof(got));
    got[n] = '\0';
    assert_int_equal(n, strlen(want));
    assert_memory_equal(got, want, n);
}

static void back_to_dom0(void)
{
    for (int i = 0; i < 4 && console_input_target() != 0; i++)
        type("\1\1\1");
    assert_int_equal(console_input_target(), 0);
    expect_input(0, "");
    new_log();
}

static int setup(void **state)
{
    (void)state;
    harness_phys_init(NR_FRAMES * PAGE_SIZE);
    strcpy(dom[0].name, "dom0");
    strcpy(dom[1].name, "web");
    strcpy(dom[2].name, "db");
    strcpy(dom[3].name, "cache");
    for (unsigned int i = 0; i < 4; i++)
        dom[i].domain_id = (domid_t)i;
    /* Attached out of id order: switching still goes by id. */
    assert_int_equal(console_ring_attach(&dom[2], 2), 0);
    assert_int_equal(console_ring_attach(&dom[1], 1), 0);
    assert_int_equal(console_ring_attach(&dom[3], 3), 0);
    log_pos = console_ring_written();
    console_input_start();
    assert_non_null(stub_armed_timer);
    return 0;
}

/* ---- tests ---- */

static void test_starts_at_dom0(void **state)
{
    (void)state;
    assert_non_null(strstr(new_log(), "(pvx) console input: d0 (dom0); press Ctrl-A three times"));
    assert_int_equal(console_input_target(), 0);
    type("ls\r");
    expect_input(0, "ls\r");
    assert_int_equal(dom0_virqs, 1);
    for (unsigned int i = 1; i < 4; i++) {
        assert_int_equal(ring_of(i)->in_prod, 0);
        assert_int_equal(events[i], 0);
    }
}

static void test_cycle_in_id_order(void **state)
{
    unsigned int virqs = dom0_virqs;
    (void)state;

    back_to_dom0();
    type("\1\1\1");
    assert_int_equal(console_input_target(), 1);
    assert_non_null(strstr(new_log(), "(pvx) console input: d1 (web); press Ctrl-A"));
    type("hello\r");
    expect_input(1, "hello\r");
    assert_int_equal(events[1], 1); /* one event for the whole poll */
    type("\1\1\1");
    assert_non_null(strstr(new_log(), "console input: d2 (db)"));
    type("\1\1\1");
    assert_non_null(strstr(new_log(), "console input: d3 (cache)"));
    type("\1\1\1");
    assert_non_null(strstr(new_log(), "console input: d0 (dom0)"));
    assert_int_equal(console_input_target(), 0);
    /* dom0 saw none of it, not even the switch presses. */
    expect_input(0, "");
    assert_int_equal(dom0_virqs, virqs);
    expect_input(2, "");
    expect_input(3, "");
}

static void test_switch_mid_poll(void **state)
{
    (void)state;
    back_to_dom0();
    /* Bytes before the sequence go to the old target, bytes after to the new. */
    type("ab\1\1\1cd\1\1\1ef");
    expect_input(0, "ab");
    expect_input(1, "cd");
    expect_input(2, "ef");
}

static void test_fewer_presses_pass_through(void **state)
{
    unsigned int ev;
    (void)state;

    back_to_dom0();
    type("\1\1\1");
    ev = events[1];
    type("a\1b\1\1c");
    expect_input(1, "a\1b\1\1c");
    /* Presses held back at the end of a poll: still undecided, nothing sent. */
    type("x\1\1");
    expect_input(1, "x");
    type("y");
    expect_input(1, "\1\1y");
    /* A sequence split across polls still switches. */
    type("\1");
    type("\1\1");
    assert_int_equal(console_input_target(), 2);
    expect_input(1, "");
    assert_int_equal(events[1], ev + 3);
}

static void test_skips_dead_domains(void **state)
{
    (void)state;
    back_to_dom0();
    dom[2].state = DOMAIN_SHUTDOWN;
    type("\1\1\1\1\1\1");
    assert_int_equal(console_input_target(), 3); /* d1, then past d2 to d3 */
    type("\1\1\1");
    assert_int_equal(console_input_target(), 0);
    assert_null(strstr(new_log(), "d2 (db)"));
    dom[2].state = DOMAIN_RUNNING;
}

static void test_target_dies(void **state)
{
    (void)state;
    back_to_dom0();
    type("\1\1\1");
    assert_int_equal(console_input_target(), 1);
    dom[1].state = DOMAIN_SHUTDOWN;
    /* The next poll gives input back to dom0 and says so. */
    type("pwd\r");
    assert_int_equal(console_input_target(), 0);
    assert_non_null(strstr(new_log(), "console input: d0 (dom0), d1 is gone; press Ctrl-A"));
    expect_input(0, "pwd\r");
    dom[1].state = DOMAIN_RUNNING;
}

static void test_ring_full_drops(void **state)
{
    static char big[1500], got[2048];
    struct xencons_interface *r = ring_of(1);
    unsigned int ev;
    (void)state;

    back_to_dom0();
    type("\1\1\1");
    /* Start near the index wrap, so the copy crosses the end of `in`. */
    r->in_cons = r->in_prod = 0xfffffff0u;
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = (char)('a' + i % 26);
    ev = events[1];
    dirty_marks = 0;
    type(big);
    /* pvx wrote the ring page: a guest being migrated sends it again. */
    assert_true(dirty_marks > 0);
    assert_ptr_equal(last_dirty, mfn_to_page(dom[1].console_mfn));
    /* The guest reads nothing: exactly a ring-full arrives, the rest is dropped. */
    assert_int_equal(r->in_prod - r->in_cons, sizeof(r->in));
    assert_int_equal(console_ring_input_dropped(&dom[1]), sizeof(big) - 1 - sizeof(r->in));
    assert_non_null(strstr(new_log(), "(pvx) d1's console input ring is full"));
    /* A full ring takes nothing more and raises no event. */
    ev = events[1];
    type("zz");
    assert_int_equal(events[1], ev);
    assert_int_equal(console_ring_input_dropped(&dom[1]), sizeof(big) - 1 - sizeof(r->in) + 2);
    /* The guest frees 100 bytes: the next 100 typed fit, in order. */
    assert_int_equal(guest_read(1, got, 100), 100);
    assert_memory_equal(got, big, 100);
    type(big + 1024); /* 475 more */
    assert_int_equal(guest_read(1, got, sizeof(got)), sizeof(r->in));
    assert_memory_equal(got, big + 100, 924);
    assert_memory_equal(got + 924, big + 1024, 100);
}

static void test_corrupt_index(void **state)
{
    struct xencons_interface *r = ring_of(3);
    char before[sizeof(r->in)];
    uint64_t dropped = console_ring_input_dropped(&dom[3]);
    (void)state;

    back_to_dom0();
    type("\1\1\1\1\1\1\1\1\1");
    assert_int_equal(console_input_target(), 3);
    /* A guest claiming to have read more than was written gets nothing. */
    r->in_cons = r->in_prod + 5000;
    memcpy(before, r->in, sizeof(before));
    type("hi");
    assert_memory_equal(r->in, before, sizeof(before));
    assert_int_equal(console_ring_input_dropped(&dom[3]), dropped + 2);
    r->in_cons = r->in_prod;
}

static void test_detached_domain_is_skipped(void **state)
{
    (void)state;
    back_to_dom0();
    assert_int_equal(frames[2].count_info, 1);
    console_ring_detach(&dom[2]);
    assert_int_equal(frames[2].count_info, 0); /* pvx's reference is gone */
    type("\1\1\1\1\1\1");
    assert_int_equal(console_input_target(), 3);
    assert_null(console_ring_find(2));
    assert_int_equal(console_ring_input(&dom[2], "x", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_at_dom0),
        cmocka_unit_test(test_cycle_in_id_order),
        cmocka_unit_test(test_switch_mid_poll),
        cmocka_unit_test(test_fewer_presses_pass_through),
        cmocka_unit_test(test_skips_dead_domains),
        cmocka_unit_test(test_target_dies),
        cmocka_unit_test(test_ring_full_drops),
        cmocka_unit_test(test_corrupt_index),
        cmocka_unit_test(test_detached_domain_is_skipped),
    };
    return cmocka_run_group_tests_name("console_input", tests, setup, NULL);
}
