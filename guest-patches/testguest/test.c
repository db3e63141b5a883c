// SPDX-License-Identifier: GPL-2.0-only
/* PASS/FAIL bookkeeping for the check framework. */
#include "test.h"
#include "guest.h"
#include <public/version.h>

unsigned tests_passed, tests_failed;
const char *current_group = "boot";

void test_pass(const char *name)
{
    tests_passed++;
    printk("PASS %s.%s\n", current_group, name);
}

/* One result line, "WORD group.name: detail". */
static void report(const char *word, const char *name, const char *fmt, va_list ap)
{
    char buf[400];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    printk("%s %s.%s: %s\n", word, current_group, name, buf);
}

void test_skip(const char *name, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("SKIP", name, fmt, ap);
    va_end(ap);
    tests_passed++;
}

void test_fail(const char *name, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("FAIL", name, fmt, ap);
    va_end(ap);
    tests_failed++;
}

const char *errname(long rc)
{
    static const struct {
        long e;
        const char *n;
    } names[] = {
        {0, "OK"},
        {-XEN_EPERM, "EPERM"},
        {-XEN_ENOENT, "ENOENT"},
        {-XEN_ESRCH, "ESRCH"},
        {-XEN_ENXIO, "ENXIO"},
        {-XEN_E2BIG, "E2BIG"},
        {-XEN_EBADF, "EBADF"},
        {-XEN_EAGAIN, "EAGAIN"},
        {-XEN_ENOMEM, "ENOMEM"},
        {-XEN_EACCES, "EACCES"},
        {-XEN_EFAULT, "EFAULT"},
        {-XEN_EBUSY, "EBUSY"},
        {-XEN_EEXIST, "EEXIST"},
        {-XEN_EXDEV, "EXDEV"},
        {-XEN_ENODEV, "ENODEV"},
        {-XEN_ENOTSOCK, "ENOTSOCK"},
        {-XEN_EINVAL, "EINVAL"},
        {-XEN_ENOSPC, "ENOSPC"},
        {-XEN_ERANGE, "ERANGE"},
        {-XEN_ENOSYS, "ENOSYS"},
        {-XEN_EOPNOTSUPP, "EOPNOTSUPP"},
        {-XEN_ENODATA, "ENODATA"},
        {-XEN_ETIME, "ETIME"},
        {-XEN_EOVERFLOW, "EOVERFLOW"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].e == rc)
            return names[i].n;
    return rc > 0 ? "positive" : "?";
}

bool on_pvx(void)
{
    static xen_extraversion_t extra;

    hc_xen_version(XENVER_extraversion, extra);
    return strstr(extra, "pvx") != NULL;
}
