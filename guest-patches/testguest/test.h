/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The check framework: every check prints one line, `PASS <name>` or
 * `FAIL <name>: <detail>`; the run ends with `N passed, N failed`.
 * Names are "<group>.<case>".  A group is a function run under a recovery
 * point: an unexpected trap inside it fails the group and the run goes on
 * with the next one.
 */
#ifndef TESTGUEST_TEST_H
#define TESTGUEST_TEST_H

#include "lib.h"
#include <public/errno.h>

extern unsigned tests_passed, tests_failed;
/* pcpus=N on the command line: how many physical CPUs the host gives (0: unknown). */
extern unsigned long opt_pcpus;
extern const char *current_group;

void test_pass(const char *name);
void test_fail(const char *name, const char *fmt, ...) __printf(2, 3);
/* A check whose precondition cannot be set up here: `SKIP <name>: <why>`,
 * counted with the passes (the contract was not contradicted). */
void test_skip(const char *name, const char *fmt, ...) __printf(2, 3);
const char *errname(long rc);
/* Running on pvx rather than Xen (XENVER_extraversion): only for checks
 * where Xen under QEMU's TCG cannot show what it does on hardware. */
bool on_pvx(void);

/* Check a condition; `name` is appended to the current group's name. */
#define CHECK(name, cond)                                                                          \
    do {                                                                                           \
        if (cond)                                                                                  \
            test_pass(name);                                                                       \
        else                                                                                       \
            test_fail(name, "%s", #cond);                                                          \
    } while (0)

/* Check two integers for equality, showing both on failure. */
#define CHECK_EQ(name, got, want)                                                                  \
    do {                                                                                           \
        long _g = (long)(got), _w = (long)(want);                                                  \
        if (_g == _w)                                                                              \
            test_pass(name);                                                                       \
        else                                                                                       \
            test_fail(name, "%s = %ld (0x%lx), want %ld (0x%lx)", #got, _g, _g, _w, _w);           \
    } while (0)

/* Check a hypercall return code: 0 or -XEN_Exxx, printed by name. */
#define CHECK_RC(name, got, want)                                                                  \
    do {                                                                                           \
        long _g = (long)(got), _w = (long)(want);                                                  \
        if (_g == _w)                                                                              \
            test_pass(name);                                                                       \
        else                                                                                       \
            test_fail(name, "rc %ld (%s), want %ld (%s)", _g, errname(_g), _w, errname(_w));       \
    } while (0)

/* One named group of checks. */
struct test_group {
    const char *name;
    void (*run)(void);
};

/* Addresses no guest may touch: inside the hypervisor's reserved range. */
#define HV_ADDR_M2P  0xffff800000000000UL /* read-only M2P: readable, not writable */
#define HV_ADDR_XEN  0xffff830000000000UL /* hypervisor direct map: never accessible */
#define BAD_NONCANON 0x0000800000000000UL /* first non-canonical address */
#define BAD_UNMAPPED 0x0000000000100000UL /* canonical, unmapped in our page tables */

/* t_domains.c */
void mode_domu(const char *name);
void mode_tooldomu(const char *name, unsigned long mem_mib, unsigned long maxmem_mib, bool suspend);
void mode_idle(unsigned long ms);
void mode_spin(unsigned long from_ms, unsigned long to_ms);
void mode_coninput(void); /* t_coninput.c */
/* t_xdom.c */
void mode_xdom(const char *role, long peer, long third);
void mode_reap(unsigned long count, unsigned long ms, long destroy);
void mode_benchpeer(long peer);
/* t_stress.c, t_stress0.c: the SMP stress run */
void mode_stress(const char *role, long peer, unsigned long ms);
void mode_stress0(unsigned long n, const char *victims, unsigned long ms);
/* t_domctl.c: pvx's console log (sysctl readconsole), NUL-terminated; NULL if refused */
const char *hv_log(void);
long xd_bench_attach(u16 peer, unsigned *port, volatile u32 **mode, volatile u64 **spins);

#endif
