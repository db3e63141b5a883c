/* SPDX-License-Identifier: GPL-2.0-only */
/* Fakes for the arch hooks and console used by hypervisor code under test. */
#include "harness.h"

#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/percpu.h>

char harness_log[65536];
static size_t harness_log_len;
unsigned char *harness_phys;
uint64_t harness_phys_size;
uint64_t harness_timer_deadline;
unsigned int harness_timer_programs;

void harness_log_reset(void)
{
    harness_log_len = 0;
    harness_log[0] = '\0';
}

int harness_log_contains(const char *needle)
{
    return strstr(harness_log, needle) != NULL;
}

#ifndef HARNESS_OWN_PRINTK
void vprintk(const char *fmt, va_list ap)
{
    int n =
        vsnprintf(harness_log + harness_log_len, sizeof(harness_log) - harness_log_len, fmt, ap);

    if (n > 0)
        harness_log_len += (size_t)n;
    if (harness_log_len >= sizeof(harness_log))
        harness_log_len = sizeof(harness_log) - 1;
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}
#endif

void panic(const char *fmt, ...)
{
    static char msg[512]; /* outlives the longjmp of an expected failure */
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mock_assert(0, msg, __FILE__, __LINE__);
    abort(); /* not reached when the test expected the failure */
}

void harness_phys_init(uint64_t bytes)
{
    free(harness_phys);
    harness_phys = calloc(1, bytes);
    assert_non_null(harness_phys);
    harness_phys_size = bytes;
}

void *arch_maddr_to_virt(paddr_t ma)
{
    assert_true(ma < harness_phys_size);
    return harness_phys + ma;
}

paddr_t arch_virt_to_maddr(const void *va)
{
    const unsigned char *p = va;

    assert_true(p >= harness_phys && p < harness_phys + harness_phys_size);
    return (paddr_t)(p - harness_phys);
}

unsigned long arch_local_irq_save(void)
{
    return 0;
}

void arch_local_irq_restore(unsigned long flags)
{
    (void)flags;
}

void arch_local_irq_enable(void)
{
}

unsigned int harness_cpu;

unsigned int arch_smp_processor_id(void)
{
    return harness_cpu;
}

/* What hypervisor/percpu.c defines: the tests run as CPU 0. */
struct percpu percpu_data[NR_CPUS];

void arch_timer_program(uint64_t deadline)
{
    harness_timer_deadline = deadline;
    harness_timer_programs++;
}

/* Another CPU's timer heap changed: the tests only count these. */
unsigned int harness_timer_kicks;

void arch_timer_kick(unsigned int cpu)
{
    (void)cpu;
    harness_timer_kicks++;
}

bool arch_serial_init(unsigned int index, unsigned int baud)
{
    return index == 0 && baud > 0;
}

void arch_serial_write(const char *s, size_t len)
{
    (void)s;
    (void)len;
}

const char *harness_serial_input;

bool arch_serial_getc(char *c)
{
    if (!harness_serial_input || !*harness_serial_input)
        return false;
    *c = *harness_serial_input++;
    return true;
}

/* Not in every C library; the hypervisor's lib/string.c has its own. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
