/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console output: printk formats into a line buffer and writes it to the
 * serial port and to the log ring.  The ring keeps the last
 * CONSOLE_RING_SIZE bytes with a running byte count, so a reader holding a
 * position can tell how much it missed.
 *
 * Option: console=com1[,BAUD] | com2[,BAUD] | none   (default com1,115200)
 */
#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/param.h>
#include <pvx/event.h>
#include <pvx/time.h>
#include <pvx/timer.h>
#include <public/xen.h>

static char ring[CONSOLE_RING_SIZE];
static uint64_t ring_written;

static struct {
    bool serial;
    unsigned int index;
    unsigned int baud;
} console_cfg = {true, 0, 115200};

static int parse_console(const char *value)
{
    uint64_t baud = 115200;
    unsigned int index;
    const char *comma;

    if (!value)
        return -EINVAL;
    if (!strcmp(value, "none")) {
        console_cfg.serial = false;
        return 0;
    }
    if (!strncmp(value, "com1", 4))
        index = 0;
    else if (!strncmp(value, "com2", 4))
        index = 1;
    else
        return -EINVAL;
    comma = value + 4;
    if (*comma == ',') {
        if (parse_uint(comma + 1, &baud, false) || baud < 50 || baud > 115200 || 115200 % baud)
            return -EINVAL;
    } else if (*comma) {
        return -EINVAL;
    }
    console_cfg.serial = true;
    console_cfg.index = index;
    console_cfg.baud = (unsigned int)baud;
    return 0;
}
custom_param("console", parse_console);

void console_init(void)
{
    if (!console_cfg.serial)
        return;
    if (!arch_serial_init(console_cfg.index, console_cfg.baud)) {
        printk("console: com%u not present, output goes to the log ring only\n",
               console_cfg.index + 1);
        console_cfg.serial = false;
        return;
    }
    printk("console: com%u at %u baud\n", console_cfg.index + 1, console_cfg.baud);
}

static void ring_put(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        ring[(ring_written + i) % CONSOLE_RING_SIZE] = s[i];
    ring_written += len;
}

void console_write(const char *s, size_t len)
{
    unsigned long flags = arch_local_irq_save();

    ring_put(s, len);
    if (console_cfg.serial)
        arch_serial_write(s, len);
    arch_local_irq_restore(flags);
}

size_t console_ring_read(char *buf, size_t len, uint64_t *pos)
{
    unsigned long flags = arch_local_irq_save();
    uint64_t oldest = ring_written > CONSOLE_RING_SIZE ? ring_written - CONSOLE_RING_SIZE : 0;
    uint64_t p = *pos < oldest ? oldest : *pos;
    size_t n = 0;

    while (n < len && p < ring_written) {
        buf[n++] = ring[p % CONSOLE_RING_SIZE];
        p++;
    }
    *pos = p;
    arch_local_irq_restore(flags);
    return n;
}

uint64_t console_ring_written(void)
{
    return ring_written;
}

void vprintk(const char *fmt, va_list ap)
{
    char line[512];
    int n = vsnprintf(line, sizeof(line), fmt, ap);

    if (n >= (int)sizeof(line))
        n = sizeof(line) - 1;
    console_write(line, (size_t)n);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

/* ---- input ---- */

#define INPUT_RING_SIZE 1024
#define INPUT_POLL_NS   MILLISECS(10)

static char input_ring[INPUT_RING_SIZE];
static unsigned int input_head, input_tail; /* free-running */
static struct timer input_timer;

static void poll_input(void *data)
{
    bool got = false;
    char c;

    (void)data;
    while (arch_serial_getc(&c)) {
        if (input_head - input_tail < INPUT_RING_SIZE)
            input_ring[input_head++ % INPUT_RING_SIZE] = c;
        got = true;
    }
    if (got)
        send_global_virq(VIRQ_CONSOLE);
    console_rings_poll();
    set_timer(&input_timer, NOW() + INPUT_POLL_NS);
}

void console_input_start(void)
{
    init_timer(&input_timer, poll_input, NULL, arch_smp_processor_id());
    set_timer(&input_timer, NOW() + INPUT_POLL_NS);
}

size_t console_input_read(char *buf, size_t len)
{
    unsigned long flags = arch_local_irq_save();
    size_t n = 0;

    while (n < len && input_tail != input_head)
        buf[n++] = input_ring[input_tail++ % INPUT_RING_SIZE];
    arch_local_irq_restore(flags);
    return n;
}
