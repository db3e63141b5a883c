/* SPDX-License-Identifier: GPL-2.0-only */
/* The 16550 UART on COM1/COM2, polled. */
#include <asm/processor.h>
#include <pvx/arch.h>

#define UART_THR 0 /* transmit holding */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_THRE 0x20

static const uint16_t com_ports[] = {0x3f8, 0x2f8};
static uint16_t uart_base;

bool arch_serial_init(unsigned int index, unsigned int baud)
{
    uint16_t base;
    unsigned int div;

    if (index >= sizeof(com_ports) / sizeof(com_ports[0]) || !baud)
        return false;
    base = com_ports[index];
    /* No UART answers with the value written to its scratch register. */
    outb(base + UART_SCR, 0x5a);
    if (inb(base + UART_SCR) != 0x5a)
        return false;
    div = 115200 / baud;
    outb(base + UART_IER, 0);
    outb(base + UART_LCR, 0x80);
    outb(base + UART_DLL, div & 0xff);
    outb(base + UART_DLM, div >> 8);
    outb(base + UART_LCR, 0x03); /* 8n1 */
    outb(base + UART_FCR, 0xc7); /* FIFOs on and cleared */
    outb(base + UART_MCR, 0x03); /* DTR, RTS */
    uart_base = base;
    return true;
}

static void put_byte(char c)
{
    for (unsigned int spins = 0; spins < 100000; spins++)
        if (inb(uart_base + UART_LSR) & LSR_THRE)
            break;
    outb(uart_base + UART_THR, (uint8_t)c);
}

void arch_serial_write(const char *s, size_t len)
{
    if (!uart_base)
        return;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            put_byte('\r');
        put_byte(s[i]);
    }
}

bool arch_serial_getc(char *c)
{
    if (!uart_base || !(inb(uart_base + UART_LSR) & 1)) /* data ready */
        return false;
    *c = (char)inb(uart_base + UART_THR); /* the receive buffer shares the offset */
    return true;
}
