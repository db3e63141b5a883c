/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checked copies to and from guest memory (pvx/guest_access.h).  The range
 * check keeps every access out of pvx's own address range; the exception
 * fixup on `rep movsb`/`rep stosb` turns a fault on a missing or read-only
 * guest page into a short count.  Supervisor writes honour read-only guest
 * mappings because CR0.WP is set.  With SMAP on, these copies are the only
 * code that opens the user-access window (STAC ... CLAC, asm/smap.h), and
 * both the normal and the fault path close it at label 3.
 */
#include <asm/config.h>
#include <asm/extable.h>
#include <asm/smap.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>

extern const uint64_t __start_ex_table[], __stop_ex_table[];

uint64_t search_exception_table(uint64_t rip)
{
    for (const uint64_t *e = __start_ex_table; e < __stop_ex_table; e += 2)
        if (e[0] == rip)
            return e[1];
    return 0;
}

bool guest_range_ok(uint64_t va, size_t len)
{
    uint64_t end = va + len;

    if (end < va)
        return false;
    if (len == 0)
        return true;
    /* Lower canonical half, or the upper half above pvx's slots. */
    if (end <= 0x0000800000000000ULL)
        return true;
    return va >= PVX_VIRT_END;
}

/*
 * Returns the number of bytes NOT copied.  Whole quadwords first, then the
 * tail: as fast as a byte copy on hardware and eight times fewer steps for
 * emulators.  A fault in the quadword part leaves rcx quadwords (plus the
 * tail) uncopied; a fault in the tail leaves rcx bytes.
 */
static size_t copy_raw(void *dst, const void *src, size_t n)
{
    size_t left = n / 8, tail = n % 8;

    __asm__ volatile(ASM_STAC "1: rep movsq\n"
                              "   mov %[tail], %%rcx\n"
                              "2: rep movsb\n"
                              "3:\n\t" ASM_CLAC ".pushsection .fixup, \"ax\"\n"
                              "4: lea (%[tail], %%rcx, 8), %%rcx\n"
                              "   jmp 3b\n"
                              ".popsection\n" _ASM_EXTABLE(1b, 4b) _ASM_EXTABLE(2b, 3b)
                     : "+D"(dst), "+S"(src), "+c"(left)
                     : [tail] "r"(tail)
                     : "memory");
    return left;
}

static size_t clear_raw(void *dst, size_t n)
{
    size_t left = n / 8, tail = n % 8;

    __asm__ volatile(ASM_STAC "1: rep stosq\n"
                              "   mov %[tail], %%rcx\n"
                              "2: rep stosb\n"
                              "3:\n\t" ASM_CLAC ".pushsection .fixup, \"ax\"\n"
                              "4: lea (%[tail], %%rcx, 8), %%rcx\n"
                              "   jmp 3b\n"
                              ".popsection\n" _ASM_EXTABLE(1b, 4b) _ASM_EXTABLE(2b, 3b)
                     : "+D"(dst), "+c"(left)
                     : [tail] "r"(tail), "a"(0)
                     : "memory");
    return left;
}

int copy_from_guest(void *dst, uint64_t guest_va, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    return copy_raw(dst, (const void *)guest_va, len) ? -EFAULT : 0;
}

int copy_to_guest(uint64_t guest_va, const void *src, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    return copy_raw((void *)guest_va, src, len) ? -EFAULT : 0;
}

int clear_guest(uint64_t guest_va, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    return clear_raw((void *)guest_va, len) ? -EFAULT : 0;
}
