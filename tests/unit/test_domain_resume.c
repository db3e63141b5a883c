/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: resuming a suspended domain in place (domain_resume.c, domctl
 * resumedomain).  The scheduler is faked: the test counts what the domain's
 * vCPUs are given back.
 */
#include "harness.h"

#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/sched.h>
#include <public/sched.h>

static struct domain dom;
static struct vcpu vcpus[3];
static unsigned int changed;

void vcpu_unpause(struct vcpu *v)
{
    assert_true(v->pause_count > 0);
    v->pause_count--;
}

void sched_domain_changed(struct domain *d)
{
    assert_ptr_equal(d, &dom);
    changed++;
}

/* A domain with vCPUs 0 and 2 (1 was never made), each paused once by its
 * shutdown for reason. */
static int setup(void **state)
{
    (void)state;
    memset(&dom, 0, sizeof(dom));
    memset(vcpus, 0, sizeof(vcpus));
    dom.domain_id = 7;
    strcpy(dom.name, "guest");
    dom.max_vcpus = 3;
    dom.vcpus[0] = &vcpus[0];
    dom.vcpus[2] = &vcpus[2];
    vcpus[0].pause_count = 1;
    vcpus[2].pause_count = 2; /* and once by something else, which stays */
    dom.state = DOMAIN_SHUTDOWN;
    dom.shutdown_code = SHUTDOWN_suspend;
    changed = 0;
    harness_log_reset();
    return 0;
}

static void test_resume_suspended(void **state)
{
    (void)state;
    assert_int_equal(domain_resume(&dom), 0);
    assert_int_equal(dom.state, DOMAIN_RUNNING);
    assert_int_equal(vcpus[0].pause_count, 0);
    assert_int_equal(vcpus[2].pause_count, 1);
    assert_int_equal(changed, 1);
    assert_true(harness_log_contains("domain 7 (guest): resumed after suspend"));
}

/* Resuming twice must not unpause twice: the second finds it running. */
static void test_resume_running_refused(void **state)
{
    (void)state;
    assert_int_equal(domain_resume(&dom), 0);
    assert_int_equal(domain_resume(&dom), -EINVAL);
    assert_int_equal(vcpus[2].pause_count, 1);
    assert_int_equal(changed, 1);
}

static void test_other_shutdowns_refused(void **state)
{
    const unsigned int reasons[] = {SHUTDOWN_poweroff, SHUTDOWN_reboot, SHUTDOWN_crash,
                                    SHUTDOWN_watchdog};

    (void)state;
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        dom.shutdown_code = reasons[i];
        assert_int_equal(domain_resume(&dom), -EINVAL);
        assert_int_equal(dom.state, DOMAIN_SHUTDOWN);
        assert_int_equal(vcpus[0].pause_count, 1);
    }
    assert_int_equal(changed, 0);
}

static void test_dying_refused(void **state)
{
    (void)state;
    dom.state = DOMAIN_DYING; /* shutdown_code still says suspend */
    assert_int_equal(domain_resume(&dom), -EINVAL);
    assert_int_equal(dom.state, DOMAIN_DYING);
    assert_int_equal(vcpus[0].pause_count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_resume_suspended, setup),
        cmocka_unit_test_setup(test_resume_running_refused, setup),
        cmocka_unit_test_setup(test_other_shutdowns_refused, setup),
        cmocka_unit_test_setup(test_dying_refused, setup),
    };

    return cmocka_run_group_tests_name("domain_resume", tests, NULL, NULL);
}
