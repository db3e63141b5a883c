/* SPDX-License-Identifier: MIT */
/*
 * pvx-dom0-check [privcmd|evtchn|gnt|foreign|all]: run the named /dev/xen checks
 * (all by default); the exit status is the number of failed checks.
 *
 * pvx-dom0-check free-pages: print pvx's free memory in pages (`xl info`
 * rounds it to MiB; the toolstack test wants every page back).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pvxctl.h"

static int free_pages(void)
{
    struct pvx_sysctl_physinfo pi;
    struct pvxctl *x;

    if (pvxctl_open(&x)) {
        fprintf(stderr, "%s\n", pvxctl_open_error());
        return 1;
    }
    if (pvxctl_physinfo(x, &pi)) {
        fprintf(stderr, "%s\n", pvxctl_error(x));
        pvxctl_close(x);
        return 1;
    }
    printf("%llu\n", (unsigned long long)pi.free_pages);
    pvxctl_close(x);
    return 0;
}

int check_report(const char *name, bool ok, const char *fmt, ...)
{
    va_list ap;

    printf("pvx-dom0: check %s %s ", name, ok ? "PASS" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(void);
    } checks[] = {{"privcmd", check_privcmd},
                  {"evtchn", check_evtchn},
                  {"gnt", check_gnt},
                  {"foreign", check_foreign}};
    const char *want = argc > 1 ? argv[1] : "all";
    int failed = 0, ran = 0;
    size_t i;

    if (!strcmp(want, "free-pages"))
        return free_pages();
    for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        if (strcmp(want, "all") && strcmp(want, checks[i].name))
            continue;
        failed += checks[i].fn();
        ran++;
    }
    if (!ran) {
        fprintf(stderr, "usage: pvx-dom0-check [privcmd|evtchn|gnt|foreign|all|free-pages]\n");
        return 2;
    }
    return failed;
}
