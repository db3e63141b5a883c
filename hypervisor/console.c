/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console output: printk formats into a line buffer and writes it to the
 * serial port and to the log ring.  The ring keeps the last
 * CONSOLE_RING_SIZE bytes with a running byte count, so a reader holding a
 * position can tell how much it missed.
 *
 * Console input: the serial line is polled and its bytes go to one domain
 * at a time (see console.h); Ctrl-A three times switches, as on Xen.
 *
 * Option: console=com1[,BAUD] | com2[,BAUD] | none   (default com1,115200)
 */
#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
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

static char input_ring[INPUT_RING_SIZE];    /* dom0's, read by CONSOLEIO_read */
static unsigned int input_head, input_tail; /* free-running */
static uint64_t input_dropped;              /* dom0's bytes that found it full */
static struct timer input_timer;

/* Where input goes.  An id, not a pointer: the domain may be destroyed
 * between polls, and is looked up again each time. */
static domid_t input_target;
static unsigned int switch_presses; /* Ctrl-As in a row, held back until we know */

/* A domU's bytes are gathered over one poll so it gets one event. */
static char domu_buf[64];
static size_t domu_len;

static void announce_target(const char *why)
{
    struct domain *d = input_target ? console_ring_find(input_target) : domain_lookup(0);

    printk("(pvx) console input: d%u (%s)%s; press Ctrl-A three times to switch\n", input_target,
           d ? d->name : "?", why);
}

static void flush_domu(void)
{
    struct domain *d = console_ring_find(input_target);

    /* A target that died since the poll began loses these bytes. */
    if (d && domu_len)
        console_ring_input(d, domu_buf, domu_len);
    domu_len = 0;
}

static void deliver(char c, bool *dom0_got)
{
    if (input_target == 0) {
        if (input_head - input_tail < INPUT_RING_SIZE)
            input_ring[input_head++ % INPUT_RING_SIZE] = c;
        else
            input_dropped++;
        *dom0_got = true;
        return;
    }
    domu_buf[domu_len++] = c;
    if (domu_len == sizeof(domu_buf))
        flush_domu();
}

static void switch_target(void)
{
    struct domain *next;

    flush_domu(); /* what was typed before the switch belongs to the old target */
    next = console_ring_next(input_target);
    input_target = next ? next->domain_id : 0;
    announce_target("");
}

static void input_byte(char c, bool *dom0_got)
{
    if (c == CONSOLE_SWITCH_CHAR) {
        if (++switch_presses == CONSOLE_SWITCH_PRESSES) {
            switch_presses = 0;
            switch_target();
        }
        return;
    }
    /* Fewer presses than a switch: they were meant for the target. */
    for (; switch_presses; switch_presses--)
        deliver(CONSOLE_SWITCH_CHAR, dom0_got);
    deliver(c, dom0_got);
}

static void poll_input(void *data)
{
    bool got = false;
    char c;

    (void)data;
    if (input_target && !console_ring_find(input_target)) {
        /* The target shut down: give input back to dom0 rather than drop it. */
        domid_t gone = input_target;
        char why[24];

        input_target = 0;
        snprintf(why, sizeof(why), ", d%u is gone", gone);
        announce_target(why);
    }
    while (arch_serial_getc(&c))
        input_byte(c, &got);
    flush_domu();
    if (got)
        send_global_virq(VIRQ_CONSOLE);
    console_rings_poll();
    set_timer(&input_timer, NOW() + INPUT_POLL_NS);
}

void console_input_start(void)
{
    /* Only worth a line when there is somewhere to switch to. */
    if (console_ring_next(0))
        announce_target("");
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

domid_t console_input_target(void)
{
    return input_target;
}
