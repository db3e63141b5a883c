/* SPDX-License-Identifier: GPL-2.0-only */
/* panic(): a hypervisor invariant broke.  Report once and stop. */
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/shutdown.h>

void panic(const char *fmt, ...)
{
    static bool in_panic;
    va_list ap;

    arch_local_irq_save();
    if (in_panic)
        machine_halt(); /* a panic while panicking: do not recurse */
    in_panic = true;
    printk("\n*** pvx PANIC: ");
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    arch_backtrace();
    printk("*** pvx: halting\n");
    machine_halt();
}
