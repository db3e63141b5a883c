/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prints the xenstore error table of io/xs_wire.h.  Compiled against pvx's
 * and Xen's headers; tests/suites.d/10-abi-headers.sh requires identical
 * output (same names, same order, same errno values).
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include "io/xs_wire.h"

int main(void)
{
    unsigned int i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        printf("%u %d %s\n", i, xsd_errors[i].errnum, xsd_errors[i].errstring);
    return 0;
}
