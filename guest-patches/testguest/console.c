// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console output through console_io(CONSOLEIO_write).  Always the raw
 * `syscall` transport, so output keeps working while a check plays with the
 * hypercall page.  Lines are assembled in a buffer and written whole.
 */
#include "hypercall.h"
#include "lib.h"

void console_write(const char *s, size_t n)
{
    while (n) {
        size_t chunk = n > 512 ? 512 : n;

        hc_syscall(__HYPERVISOR_console_io, CONSOLEIO_write, chunk, (unsigned long)s, 0, 0);
        s += chunk;
        n -= chunk;
    }
}

void printk(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    console_write(buf, (size_t)n);
}
