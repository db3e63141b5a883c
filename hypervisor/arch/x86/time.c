/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time: the TSC is the clock.  At boot it is calibrated against the PIT
 * (a fixed 1.193182 MHz reference); the local APIC timer, calibrated against
 * the TSC, is the one-shot interrupt behind the software timers.
 *
 * now_ns() scales TSC ticks with the same (mul, shift) pair that guests get
 * in vcpu_time_info: ns = ((ticks << shift) * mul) >> 32 (a negative shift
 * shifts right), with mul in [2^31, 2^32).
 */
#include <asm/apic.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/percpu.h>
#include <pvx/time.h>
#include <pvx/timer.h>
#include <pvx/domain.h>
#include <pvx/sched.h>
#include <pvx/guest_access.h>

#define PIT_HZ       1193182
#define PIT_CH2_DATA 0x42
#define PIT_MODE     0x43
#define PIT_GATE     0x61
#define CALIBRATE_MS 50

static uint64_t tsc_hz, tsc_at_boot, apic_hz;
static uint32_t tsc_mul;
static int tsc_shift;

/* Count TSC ticks across CALIBRATE_MS of PIT channel 2 counting down. */
static uint64_t calibrate_tsc(void)
{
    uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint64_t start, end;
    unsigned long spins = 0;

    outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01); /* gate on, speaker off */
    outb(PIT_MODE, 0xb0);                           /* ch2, lo/hi, mode 0, binary */
    outb(PIT_CH2_DATA, count & 0xff);
    outb(PIT_CH2_DATA, count >> 8);
    start = rdtsc();
    while (!(inb(PIT_GATE) & 0x20))
        if (++spins > 1000000000UL)
            panic("the PIT does not count; cannot calibrate the TSC");
    end = rdtsc();
    return (end - start) * 1000 / CALIBRATE_MS;
}

/* Choose (mul, shift) so ticks scale to ns with mul a 32-bit fraction. */
static void set_scale(uint64_t hz)
{
    int shift = 0;

    while (hz > 2000000000ULL) {
        hz >>= 1;
        shift--;
    }
    while (hz <= 1000000000ULL) {
        hz <<= 1;
        shift++;
    }
    tsc_mul = (uint32_t)div128_64((unsigned __int128)1000000000ULL << 32, hz);
    tsc_shift = shift;
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
    if (tsc_shift < 0)
        ticks >>= -tsc_shift;
    else
        ticks <<= tsc_shift;
    return (uint64_t)(((unsigned __int128)ticks * tsc_mul) >> 32);
}

uint64_t now_ns(void)
{
    if (!tsc_mul)
        return 0;
    return ticks_to_ns(rdtsc() - tsc_at_boot);
}

static void pic_remap_and_mask(void)
{
    /* ICW1-4: remap the two 8259s to PIC_VECTOR_BASE, then mask every line. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, PIC_VECTOR_BASE);
    outb(0xa1, PIC_VECTOR_BASE + 8);
    outb(0x21, 4);
    outb(0xa1, 2);
    outb(0x21, 1);
    outb(0xa1, 1);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

void arch_time_init(void)
{
    uint64_t t0, start_count = 0xffffffffu, elapsed;

    tsc_hz = calibrate_tsc();
    if (tsc_hz < 10000000)
        panic("TSC runs at %llu Hz; too slow to keep time", (unsigned long long)tsc_hz);
    set_scale(tsc_hz);
    tsc_at_boot = rdtsc();

    pic_remap_and_mask();
    apic_init_boot();

    /* Calibrate the APIC timer against the (now known) TSC. */
    apic_write(APIC_TMICT, (uint32_t)start_count);
    t0 = now_ns();
    while (now_ns() - t0 < MILLISECS(10))
        cpu_relax();
    elapsed = start_count - apic_read(APIC_TMCCT);
    apic_hz = elapsed * 100;
    apic_write(APIC_TMICT, 0);
    if (!apic_hz)
        panic("the local APIC timer does not count");
    apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR); /* one-shot, unmasked */

    printk("Time: TSC %llu.%03llu MHz (scale mul %#x shift %d), APIC timer %llu.%03llu MHz\n",
           (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
           tsc_mul, tsc_shift, (unsigned long long)(apic_hz / 1000000),
           (unsigned long long)(apic_hz / 1000 % 1000));
}

/* The deadline each CPU's timer counts down to (0: not counting).  The
 * heap's head is often re-set to the same deadline; under TCG each APIC
 * write costs as much as a hundred instructions, so an unchanged one is
 * not written again. */
static uint64_t armed_deadline[NR_CPUS];

void arch_timer_program(uint64_t deadline)
{
    unsigned int cpu = arch_smp_processor_id();
    uint64_t now, delta, count;

    if (!lapic)
        return;
    if (deadline == armed_deadline[cpu])
        return;
    armed_deadline[cpu] = deadline == UINT64_MAX ? 0 : deadline;
    if (deadline == UINT64_MAX) {
        apic_write(APIC_TMICT, 0);
        return;
    }
    now = now_ns();
    delta = deadline > now ? deadline - now : 0;
    if (delta > SECONDS(10))
        delta = SECONDS(10); /* fires early; timer_expire() re-arms */
    count = div128_64((unsigned __int128)delta * apic_hz, 1000000000ULL);
    if (count == 0)
        count = 1;
    if (count > 0xffffffffu)
        count = 0xffffffffu; /* fires early; timer_expire() re-arms */
    apic_write(APIC_TMICT, (uint32_t)count);
}

void apic_timer_interrupt(void)
{
    unsigned int cpu = arch_smp_processor_id();

    armed_deadline[cpu] = 0; /* it fired: the next deadline must be written */
    apic_eoi();
    timer_expire(cpu, now_ns());
}

/* ---- guest time ---- */

static uint64_t boot_wallclock_sec; /* UTC seconds at system time 0 */
static uint32_t boot_wallclock_nsec;

static unsigned int cmos_read(unsigned int reg)
{
    outb(0x70, (uint8_t)reg);
    return inb(0x71);
}

static unsigned int bcd(unsigned int v)
{
    return (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned int y, unsigned int m, unsigned int d)
{
    static const unsigned int before_month[] = {0,   31,  59,  90,  120, 151,
                                                181, 212, 243, 273, 304, 334};
    uint64_t days =
        (uint64_t)(y - 1970) * 365 + (y - 1969) / 4 - (y - 1901) / 100 + (y - 1601) / 400;

    days += before_month[(m - 1) % 12] + d - 1;
    if (m > 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        days++;
    return days;
}

void wallclock_init(void);
void wallclock_init(void)
{
    unsigned int sec, min, hour, day, mon, year, b;

    for (unsigned int i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)
        cpu_relax(); /* an update is in progress */
    sec = cmos_read(0x00);
    min = cmos_read(0x02);
    hour = cmos_read(0x04);
    day = cmos_read(0x07);
    mon = cmos_read(0x08);
    year = cmos_read(0x09);
    b = cmos_read(0x0b);
    if (!(b & 4)) { /* BCD */
        sec = bcd(sec);
        min = bcd(min);
        hour = bcd(hour & 0x7f) | (hour & 0x80);
        day = bcd(day);
        mon = bcd(mon);
        year = bcd(year);
    }
    if (!(b & 2) && (hour & 0x80))
        hour = (hour & 0x7f) % 12 + 12;
    hour &= 0x7f;
    if (mon < 1 || mon > 12 || day < 1 || day > 31) {
        printk("Time: the RTC reads nonsense; wall clock starts at 1970\n");
        return;
    }
    boot_wallclock_sec = days_since_epoch(2000 + year, mon, day) * 86400 + hour * 3600 + min * 60 +
                         sec - now_ns() / 1000000000ULL;
    printk("Time: wall clock %04u-%02u-%02u %02u:%02u:%02u UTC\n", 2000 + year, mon, day, hour, min,
           sec);
}

void update_vcpu_system_time(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    struct shared_info *si = v->domain->shared_info;
    uint64_t tsc = rdtsc(), wc;

    /* Odd version: readers retry until it is even and unchanged. */
    t->version = (t->version + 1) | 1;
    __asm__ volatile("" ::: "memory");
    t->tsc_timestamp = tsc;
    t->system_time = ticks_to_ns(tsc - tsc_at_boot);
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = (int8_t)tsc_shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __asm__ volatile("" ::: "memory");
    t->version++;
    /* The guest's own copy, best effort (it may have unmapped it). */
    if (v->arch.time_area_guest)
        copy_to_guest(v->arch.time_area_guest, t, sizeof(*t));

    si->wc_version = (si->wc_version + 1) | 1;
    __asm__ volatile("" ::: "memory");
    wc = boot_wallclock_sec + (uint64_t)v->domain->time_offset_seconds;
    si->wc_sec = (uint32_t)wc;
    si->wc_sec_hi = (uint32_t)(wc >> 32);
    si->wc_nsec = boot_wallclock_nsec;
    __asm__ volatile("" ::: "memory");
    si->wc_version++;
}

void arch_set_wallclock(uint64_t secs, uint32_t nsecs, uint64_t system_time)
{
    /* UTC at system time 0: what the control domain's clock says, minus the
     * system time at which it said so. */
    uint64_t ns = secs * 1000000000ULL + nsecs;

    ns = ns > system_time ? ns - system_time : 0;
    boot_wallclock_sec = ns / 1000000000ULL;
    boot_wallclock_nsec = (uint32_t)(ns % 1000000000ULL);
}

uint32_t arch_cpu_khz(void)
{
    return (uint32_t)(tsc_hz / 1000);
}
