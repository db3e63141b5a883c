// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test guest's C entry: take over from the domain builder, set up the
 * minimum (shared_info mapping, trap table, callbacks), then run the mode
 * named on the command line:
 *   suite (default)   every check group, then `N passed, N failed`
 *   bench             microbenchmarks (bench.c), `iters=N` samples each; `bench smp`:
 *                     only the rows needing a second vCPU (bench_smp.c)
 *   domu[=NAME]       checks as an unprivileged boot-time domain (t_domains.c)
 *   tooldomu=NAME     checks as a domain `xl create` built (t_tooldomu.c)
 *   idle=MS           stay up MS milliseconds, then power off
 *   spin=A:B          burn CPU from A to B ms of system time, report the count
 *   coninput          report each line of console input received (t_coninput.c)
 *   xdom=a|b|c        grants and events between domUs (t_xdom.c; peer=N third=N)
 *   reap=N            dom0: wait for N domain shutdowns (at most idle=MS), power off;
 *                     destroy=D: destroy domain D (domctl) once it has shut down
 *   benchpeer         the other domain of bench's cross-domain rows (peer=N)
 * Options: hypercall=syscall|page (transport for the checks), seed=N and
 * fuzz=N (random-hypercall fuzz seed and call count), only=g1+g2 (groups; ',' also works
 * where the loader allows it).
 * A `bench` mode slots into the same mode table.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/sched.h>

start_info_t *si;
shared_info_t *shinfo;
struct vcpu_info *vcpu;
unsigned long *p2m;
u64 entry_rflags;
u8 entry_mask;
enum hc_transport hc_transport = HC_SYSCALL;

static u8 shared_info_area[PAGE_SIZE] __page_aligned;
static char cmdline[MAX_GUEST_CMDLINE];
static unsigned long opt_seed = 1, opt_fuzz = 3000, opt_iters = 1001;
unsigned long opt_pcpus; /* pcpus=N: the host's physical CPUs, 0 = unknown */
static const char *opt_only;

static const struct test_group groups[] = {
    {"boot", t_boot},           {"version", t_version},
    {"console", t_console},     {"hcall", t_hcall},
    {"multicall", t_multicall}, {"mmu", t_mmu},
    {"mmuext", t_mmuext},       {"uvm", t_uvm},
    {"ptwr", t_ptwr},           {"traps", t_traps},
    {"callbacks", t_callbacks}, {"events", t_events},
    {"time", t_time},           {"sched", t_sched},
    {"vcpu", t_vcpu},           {"seg", t_seg},
    {"memory", t_memory},       {"grant", t_grant},
    {"misc", t_misc},           {"emul", t_emul},
    {"user", t_user},           {"hostile", t_hostile},
    {"domctl", t_domctl},       {"smp", t_smp},
    {"xgrant", t_xgrant},       {"xmaps", t_xmaps},
    {"debugreg", t_debugreg},   {"gntv2", t_gntv2},
};

/* Find `key=` in the command line; returns the value or NULL. */
static const char *opt(const char *key)
{
    size_t n = strlen(key);

    for (const char *p = cmdline; *p;) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, n) && (p[n] == '=' || p[n] == ' ' || !p[n]))
            return p[n] == '=' ? p + n + 1 : p + n;
        while (*p && *p != ' ')
            p++;
    }
    return NULL;
}

static bool word_in_list(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = list; p && *p && *p != ' ';) {
        if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == '+' || p[n] == ' ' || !p[n]))
            return true;
        while (*p && *p != ',' && *p != '+' && *p != ' ')
            p++;
        if (*p == ',' || *p == '+')
            p++;
    }
    return false;
}

static void run_group(const struct test_group *g)
{
    struct jmpbuf jb;

    current_group = g->name;
    if (jb_set(&jb) == 0) {
        trap_recovery = &jb;
        g->run();
    } else {
        printk("note: group %s aborted by an unexpected trap\n", g->name);
    }
    trap_recovery = NULL;
    trap_expect_clear();
    trap_hook = NULL;
    user_trap_hook = NULL;
    syscall_hook = NULL;
    events_enable();
}

void guest_exit(void)
{
    struct sched_shutdown sd;

    printk("%u passed, %u failed\n", tests_passed, tests_failed);
    /* `reboot`: ask for a reboot instead of a power-off when all passed. */
    sd.reason = tests_failed ? SHUTDOWN_crash : opt("reboot") ? SHUTDOWN_reboot : SHUTDOWN_poweroff;
    for (;;)
        hc_syscall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&sd, 0, 0, 0);
}

static void mode_suite(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
        if (!opt_only || word_in_list(opt_only, groups[i].name))
            run_group(&groups[i]);
    if (!opt_only || word_in_list(opt_only, "fuzz")) {
        struct jmpbuf jb;

        current_group = "fuzz";
        if (jb_set(&jb) == 0) {
            trap_recovery = &jb;
            t_fuzz(opt_seed, opt_fuzz);
        }
        trap_recovery = NULL;
    }
    /* Last, and never by default: the domain cannot go back to 2-level. */
    if (opt_only && word_in_list(opt_only, "fifo"))
        run_group(&(const struct test_group){"fifo", t_fifo});
}

/* A domain id option (peer=N, third=N), -1 when absent. */
static long opt_domid(const char *key)
{
    const char *v = opt(key);

    return v && *v >= '0' && *v <= '9' ? (long)parse_ulong(v, NULL) : -1;
}

static void mode_bench(void)
{
    bench_run(opt_iters, opt_domid("peer"), opt("smp") != NULL);
}

static void mode_xdom_run(void)
{
    const char *v = opt("xdom");

    mode_xdom(v ? v : "", opt_domid("peer"), opt_domid("third"));
}

static void mode_reap_run(void)
{
    const char *v = opt("reap"), *idle = opt("idle");

    mode_reap(v ? parse_ulong(v, NULL) : 1, idle ? parse_ulong(idle, NULL) : 60000,
              opt_domid("destroy"));
}

static void mode_benchpeer_run(void)
{
    mode_benchpeer(opt_domid("peer"));
}

static void mode_domu_run(void)
{
    const char *v = opt("domu");
    char name[32] = "a domU";
    size_t n = 0;

    while (v && v[n] && v[n] != ' ' && n + 1 < sizeof(name))
        n++;
    if (n) {
        memcpy(name, v, n);
        name[n] = '\0';
    }
    mode_domu(name);
}

static void mode_tooldomu_run(void)
{
    const char *v = opt("tooldomu"), *mem = opt("mem"), *maxmem = opt("maxmem");
    char name[32] = "";
    size_t n = 0;

    while (v && v[n] && v[n] != ' ' && n + 1 < sizeof(name))
        n++;
    memcpy(name, v ? v : "", n);
    name[n] = '\0';
    mode_tooldomu(name, mem ? parse_ulong(mem, NULL) : 0, maxmem ? parse_ulong(maxmem, NULL) : 0,
                  opt("suspend") != NULL);
}

static void mode_spin_run(void)
{
    const char *v = opt("spin"), *rest;
    unsigned long from = v ? parse_ulong(v, &rest) : 0;
    unsigned long to = v && *rest == ':' ? parse_ulong(rest + 1, NULL) : from + 1000;

    mode_spin(from, to);
}

static void mode_idle_run(void)
{
    const char *v = opt("idle");

    mode_idle(v ? parse_ulong(v, NULL) : 1000);
}

static unsigned long opt_ms(void)
{
    const char *v = opt("ms");

    return v ? parse_ulong(v, NULL) : 3000;
}

static void mode_stress_run(void)
{
    const char *v = opt("stress");

    mode_stress(v ? v : "", opt_domid("peer"), opt_ms());
}

static void mode_stress0_run(void)
{
    const char *v = opt("stress0");

    mode_stress0(v ? parse_ulong(v, NULL) : 0, opt("victims"), opt_ms());
}

static const struct {
    const char *name;
    void (*run)(void);
} modes[] = {
    {"suite", mode_suite},       {"bench", mode_bench},
    {"domu", mode_domu_run},     {"idle", mode_idle_run},
    {"spin", mode_spin_run},     {"xdom", mode_xdom_run},
    {"reap", mode_reap_run},     {"benchpeer", mode_benchpeer_run},
    {"coninput", mode_coninput}, {"tooldomu", mode_tooldomu_run},
    {"stress", mode_stress_run}, {"stress0", mode_stress0_run},
};

void guest_main(start_info_t *start);
void guest_main(start_info_t *start)
{
    const char *v;
    void (*mode)(void) = mode_suite;
    long rc;

    __asm__ volatile("pushfq; popq %0" : "=r"(entry_rflags));
    si = start;
    p2m = (unsigned long *)si->mfn_list;
    memcpy(cmdline, si->cmd_line, sizeof(cmdline) - 1);

    printk("pvx-testguest: start_info %p magic %s cmdline \"%s\"\n", (void *)si, si->magic,
           cmdline);

    rc = hc_update_va_mapping((unsigned long)shared_info_area, si->shared_info | PTE_KERN_RW,
                              UVMF_INVLPG);
    if (rc) {
        printk("cannot map shared_info: %ld\n", rc);
        guest_exit();
    }
    shinfo = (shared_info_t *)shared_info_area;
    vcpu = &shinfo->vcpu_info[0];
    entry_mask = vcpu->evtchn_upcall_mask;

    mm_init();
    events_init();
    traps_init();

    if ((v = opt("hypercall")) && !strncmp(v, "page", 4))
        hc_transport = HC_PAGE;
    if ((v = opt("seed")))
        opt_seed = parse_ulong(v, NULL);
    if ((v = opt("fuzz")))
        opt_fuzz = parse_ulong(v, NULL);
    if ((v = opt("iters")))
        opt_iters = parse_ulong(v, NULL);
    if ((v = opt("pcpus")))
        opt_pcpus = parse_ulong(v, NULL);
    opt_only = opt("only");
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
        if (opt(modes[i].name))
            mode = modes[i].run;

    printk("pvx-testguest: transport %s, seed %lu, fuzz %lu\n",
           hc_transport == HC_PAGE ? "page" : "syscall", opt_seed, opt_fuzz);
    events_enable();
    mode();
    guest_exit();
}
