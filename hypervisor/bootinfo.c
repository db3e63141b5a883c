/* SPDX-License-Identifier: GPL-2.0-only */
/* Checks on what the boot loader handed over. */
#include <pvx/bootinfo.h>
#include <pvx/lib.h>

struct bootinfo bootinfo;

static bool overlaps(paddr_t s1, paddr_t e1, paddr_t s2, paddr_t e2)
{
    return s1 < e2 && s2 < e1;
}

unsigned int bootinfo_check_modules(struct bootinfo *bi, paddr_t image_start, paddr_t image_end)
{
    unsigned int dropped = 0, j = 0;

    for (unsigned int i = 0; i < bi->nr_modules; i++) {
        struct boot_module *m = &bi->modules[i];
        paddr_t end = m->start + m->size;
        const char *why = NULL;

        if (m->size == 0)
            why = "it is empty";
        else if (end < m->start)
            why = "its range wraps around";
        else if (!e820_is_ram(&bi->mem, m->start, end))
            why = "it does not lie in RAM";
        else if (overlaps(m->start, end, image_start, image_end))
            why = "it overlaps the hypervisor image";
        for (unsigned int k = 0; !why && k < j; k++)
            if (overlaps(m->start, end, bi->modules[k].start,
                         bi->modules[k].start + bi->modules[k].size))
                why = "it overlaps another module";
        if (why) {
            printk("module %u ('%s') ignored: %s\n", i, m->cmdline, why);
            dropped++;
            continue;
        }
        bi->modules[j++] = *m;
    }
    bi->nr_modules = j;
    return dropped;
}
