// SPDX-License-Identifier: GPL-2.0-only
/*
 * dom0's side of the SMP stress run (t_stress.c), `stress0=N victims=A+B
 * ms=MS`: domUs 1..N run the stress; once every one says it is under way
 * (its grants busy or mapped a few times), dom0 lets them go on for a while
 * and destroys the victims with domctl, mid-run.
 * It destroys the others as they power off (a crash is a failed run), and
 * at the end checks that no domU is left, that the free memory is exactly
 * what pvx logged before it built the boot domains ("N pages free before
 * boot domains"), that dom0 itself took nothing meanwhile, and that pvx
 * still answers.  dom0 allocates nothing here: it polls with domctl and
 * sleeps on its timer, no ports, no grants.
 */
#include "guest.h"
#include "test.h"
#include <public/domctl.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <public/version.h>

#define ST_MAX_DOMUS 16
#define FREE_LINE    " pages free before boot domains"

static struct pvx_domctl dc;
static struct pvx_sysctl sc;

static long info(domid_t id, struct pvx_domctl_getdomaininfo *out)
{
    long rc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = PVX_DOMCTL_getdomaininfo;
    dc.interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    dc.domain = id;
    rc = HC1(__HYPERVISOR_domctl, &dc);
    *out = dc.u.getdomaininfo;
    return rc ? rc : out->domain == id ? 0 : -XEN_ESRCH; /* the next one is not it */
}

static long destroy(domid_t id)
{
    memset(&dc, 0, sizeof(dc));
    dc.cmd = PVX_DOMCTL_destroydomain;
    dc.interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    dc.domain = id;
    return HC1(__HYPERVISOR_domctl, &dc);
}

static u64 free_pages(void)
{
    memset(&sc, 0, sizeof(sc));
    sc.cmd = PVX_SYSCTL_physinfo;
    sc.interface_version = PVX_SYSCTL_INTERFACE_VERSION;
    return HC1(__HYPERVISOR_sysctl, &sc) ? 0 : sc.u.physinfo.free_pages;
}

static void sleep_ms(unsigned long ms)
{
    u64 until = system_time_ns() + ms * 1000000ULL;

    while (system_time_ns() < until)
        block_until_or_event(until);
}

/* The number pvx logged before it built the boot domains, 0 if absent. */
static u64 free_before_boot_domains(void)
{
    const char *log = hv_log(), *at = log ? strstr(log, FREE_LINE) : NULL;
    u64 n = 0, scale = 1;

    while (at && at > log && at[-1] >= '0' && at[-1] <= '9') {
        n += (u64)(*--at - '0') * scale;
        scale *= 10;
    }
    return n;
}

static bool under_way(unsigned id)
{
    char what[32];
    const char *log = hv_log();

    snprintf(what, sizeof(what), "(d%u) stress: ", id);
    for (const char *p = log; p && (p = strstr(p, what)) != NULL; p++)
        if (!strncmp(p + strlen(what) + 2, "under way", 9))
            return true;
    return false;
}

static bool all_under_way(unsigned long n)
{
    for (unsigned i = 1; i <= n; i++)
        if (!under_way(i))
            return false;
    return true;
}

void mode_stress0(unsigned long n, const char *victims, unsigned long ms)
{
    struct pvx_domctl_getdomaininfo di;
    u64 free0 = free_before_boot_domains(), start = system_time_ns(), dom0_pages;
    unsigned long powered_off = 0, crashed = 0, killed = 0, nvictims = 0;
    bool victim[ST_MAX_DOMUS + 1] = {false}, left = true;
    char id[8];

    current_group = "stress";
    if (n < 2 || n > ST_MAX_DOMUS) {
        test_fail("dom0.args", "stress0=N: 2..%u domUs", ST_MAX_DOMUS);
        return;
    }
    for (unsigned i = 1; i <= n; i++) {
        snprintf(id, sizeof(id), "%u", i);
        for (const char *p = victims; p && *p && *p != ' ';) {
            if (!strncmp(p, id, strlen(id)) &&
                (p[strlen(id)] == '+' || p[strlen(id)] == ' ' || !p[strlen(id)]))
                victim[i] = true;
            while (*p && *p != '+' && *p != ' ')
                p++;
            p += *p == '+';
        }
        nvictims += victim[i];
    }
    CHECK("dom0.free_before_logged", free0 > 0);
    CHECK_RC("dom0.info_self", info(0, &di), 0);
    dom0_pages = di.tot_pages;

    /* The victims: destroyed a third of a run later than every domU said
     * it was under way (their peers have seen them at work). */
    CHECK("dom0.all_under_way", XD_WAIT_FOR(all_under_way(n), XD_WAIT_MS));
    sleep_ms(ms / 3);
    for (unsigned i = 1; i <= n; i++) {
        if (!victim[i])
            continue;
        CHECK("dom0.victim_still_running",
              !info((domid_t)i, &di) && !(di.flags & (PVX_DOMINF_shutdown | PVX_DOMINF_dying)));
        CHECK_RC("dom0.destroy_victim_mid_run", destroy((domid_t)i), 0);
        killed++;
    }
    printk("stress: dom0 destroyed %lu domain(s) mid-run at %lu ms\n", killed,
           (unsigned long)((system_time_ns() - start) / 1000000));

    /* The others: destroyed once they have shut down, until none is left. */
    for (u64 until = system_time_ns() + 6ULL * XD_WAIT_MS * 1000000ULL;
         left && system_time_ns() < until;) {
        left = false;
        for (unsigned i = 1; i <= n; i++) {
            if (info((domid_t)i, &di))
                continue;
            left = true;
            if ((di.flags & PVX_DOMINF_shutdown) && !(di.flags & PVX_DOMINF_dying)) {
                if (di.shutdown_reason == SHUTDOWN_poweroff)
                    powered_off++;
                else
                    crashed++;
                CHECK_RC("dom0.destroy_after_shutdown", destroy((domid_t)i), 0);
            }
        }
        if (left)
            sleep_ms(20);
    }
    printk("stress: dom0 saw %lu power-off(s), %lu other shutdown(s), after %lu ms\n", powered_off,
           crashed, (unsigned long)((system_time_ns() - start) / 1000000));
    CHECK("dom0.no_domu_left", !left);
    CHECK_EQ("dom0.survivors_powered_off", powered_off, n - nvictims);
    CHECK_EQ("dom0.free_pages_back_exactly", free_pages(), free0);
    CHECK("dom0.own_pages_unchanged", !info(0, &di) && di.tot_pages == dom0_pages);
    CHECK("dom0.pvx_answers", hc_xen_version(XENVER_version, 0) > 0 && free_pages() > 0);
}
