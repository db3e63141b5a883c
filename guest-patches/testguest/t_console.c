// SPDX-License-Identifier: GPL-2.0-only
/* console_io: write and read for dom0, and the error paths. */
#include "guest.h"
#include "test.h"

void t_console(void)
{
    static const char msg[] = "note: console_io write check\n";
    char big[300];
    char in[64];

    CHECK_RC("write_rc", hc_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0);
    CHECK_RC("write_zero_len", hc_console_io(CONSOLEIO_write, 0, 0), 0);
    /* A long write is copied in chunks (and may be preempted). */
    memset(big, '.', sizeof(big));
    memcpy(big, "note: ", 6);
    big[sizeof(big) - 1] = '\n';
    CHECK_RC("write_long", hc_console_io(CONSOLEIO_write, sizeof(big), big), 0);
    CHECK_RC("write_null", hc_console_io(CONSOLEIO_write, 16, 0), -XEN_EFAULT);
    CHECK_RC("write_hv_addr", hc_console_io(CONSOLEIO_write, 16, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("write_noncanon", hc_console_io(CONSOLEIO_write, 16, BAD_NONCANON), -XEN_EFAULT);
    CHECK_RC("write_unmapped", hc_console_io(CONSOLEIO_write, 16, BAD_UNMAPPED), -XEN_EFAULT);
    /* Nobody types on the serial line: a read returns 0 bytes. */
    CHECK_RC("read_empty", hc_console_io(CONSOLEIO_read, sizeof(in), in), 0);
    CHECK_RC("read_too_big", hc_console_io(CONSOLEIO_read, 0x80000000UL, in), -XEN_E2BIG);
    CHECK_RC("unknown_cmd", hc_console_io(2, 0, 0), -XEN_ENOSYS);
    CHECK_RC("unknown_cmd_high", hc_console_io(0xffffffffUL, 0, 0), -XEN_ENOSYS);
}
