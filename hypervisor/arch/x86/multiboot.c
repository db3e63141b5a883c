/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the boot loader's information (multiboot1 from QEMU -kernel,
 * multiboot2 from GRUB) into struct bootinfo.  Runs on the boot page
 * tables, which map the first 4 GiB in the direct map; anything the loader
 * put above that is refused with a message.
 */
#include <asm/mm.h>
#include <pvx/bootinfo.h>
#include <pvx/lib.h>

#define MB1_BOOT_MAGIC 0x2badb002
#define MB2_BOOT_MAGIC 0x36d76289

#define MB1_INFO_MEM     (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS    (1u << 3)
#define MB1_INFO_MMAP    (1u << 6)
#define MB1_INFO_LOADER  (1u << 9)

struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
} __packed;

struct mb1_module {
    uint32_t mod_start, mod_end, string, reserved;
} __packed;

struct mb1_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __packed;

struct mb2_tag {
    uint32_t type, size;
};

uint32_t multiboot_magic, multiboot_info_pa;

#define LOW_LIMIT GiB(4)

/* The loader's data, if it lies where the boot page tables reach. */
static const void *low_ptr(uint64_t pa, uint64_t len)
{
    if (!pa || pa + len > LOW_LIMIT || pa + len < pa)
        return NULL;
    return maddr_to_virt(pa);
}

static void copy_string(char *dst, size_t size, uint64_t pa)
{
    const char *s = low_ptr(pa, 1);
    size_t n = 0;

    if (!s) {
        dst[0] = '\0';
        return;
    }
    while (n + 1 < size && pa + n < LOW_LIMIT && s[n]) {
        dst[n] = s[n];
        n++;
    }
    dst[n] = '\0';
}

static void add_module(struct bootinfo *bi, uint64_t start, uint64_t end, uint64_t string_pa)
{
    struct boot_module *m;

    if (bi->nr_modules == BOOT_MAX_MODULES) {
        printk("multiboot: more than %u modules, ignoring the rest\n", BOOT_MAX_MODULES);
        return;
    }
    m = &bi->modules[bi->nr_modules++];
    m->start = start;
    m->size = end >= start ? end - start : 0;
    if (end < start)
        m->start = end + 1; /* let the module checks reject it as wrapping */
    copy_string(m->cmdline, sizeof(m->cmdline), string_pa);
}

static void parse_mb1(struct bootinfo *bi, const struct mb1_info *mbi)
{
    bi->protocol = 1;
    if (mbi->flags & MB1_INFO_LOADER)
        copy_string(bi->loader, sizeof(bi->loader), mbi->boot_loader_name);
    if (mbi->flags & MB1_INFO_CMDLINE)
        copy_string(bi->cmdline, sizeof(bi->cmdline), mbi->cmdline);
    if (mbi->flags & MB1_INFO_MMAP) {
        uint64_t off = 0;

        while (off + sizeof(struct mb1_mmap) <= mbi->mmap_length) {
            const struct mb1_mmap *e = low_ptr(mbi->mmap_addr + off, sizeof(*e));

            if (!e)
                break;
            if (e820_add(&bi->mem, e->addr, e->len, e->type)) {
                printk("multiboot: memory map has more than %u entries, rest ignored\n", E820_MAX);
                break;
            }
            off += e->size + 4;
        }
    } else if (mbi->flags & MB1_INFO_MEM) {
        e820_add(&bi->mem, 0, (uint64_t)mbi->mem_lower << 10, E820_RAM);
        e820_add(&bi->mem, MiB(1), (uint64_t)mbi->mem_upper << 10, E820_RAM);
    }
    if (mbi->flags & MB1_INFO_MODS) {
        const struct mb1_module *mods =
            low_ptr(mbi->mods_addr, (uint64_t)mbi->mods_count * sizeof(*mods));

        for (uint32_t i = 0; mods && i < mbi->mods_count; i++)
            add_module(bi, mods[i].mod_start, mods[i].mod_end, mods[i].string);
    }
}

static void parse_mb2(struct bootinfo *bi, uint64_t info_pa)
{
    const uint32_t *hdr = low_ptr(info_pa, 8);
    uint32_t total;
    uint64_t off = 8;

    bi->protocol = 2;
    if (!hdr)
        return;
    total = hdr[0];
    if (!low_ptr(info_pa, total))
        return;
    while (off + sizeof(struct mb2_tag) <= total) {
        const struct mb2_tag *t = maddr_to_virt(info_pa + off);
        const uint8_t *body = (const uint8_t *)(t + 1);

        if (t->type == 0 || t->size < 8 || off + t->size > total)
            break;
        switch (t->type) {
        case 1: /* command line */
            copy_string(bi->cmdline, sizeof(bi->cmdline), info_pa + off + 8);
            break;
        case 2: /* loader name */
            copy_string(bi->loader, sizeof(bi->loader), info_pa + off + 8);
            break;
        case 3: { /* module: start, end, string */
            const uint32_t *m = (const uint32_t *)body;
            add_module(bi, m[0], m[1], info_pa + off + 16);
            break;
        }
        case 6: { /* memory map: entry_size, entry_version, entries */
            uint32_t esize = ((const uint32_t *)body)[0];

            if (esize < 20)
                break;
            for (uint64_t e = 16; e + esize <= t->size; e += esize) {
                const struct {
                    uint64_t addr, len;
                    uint32_t type;
                } __packed *ent = (const void *)((const uint8_t *)t + e);

                if (e820_add(&bi->mem, ent->addr, ent->len, ent->type))
                    break;
            }
            break;
        }
        default:
            break;
        }
        off += ROUNDUP(t->size, 8);
    }
}

static void strip_first_word(char *s)
{
    char *p = s;

    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    memmove(s, p, strlen(p) + 1);
}

/* Fill bi from the loader's data; a loader we do not know is fatal. */
void multiboot_parse(struct bootinfo *bi);
void multiboot_parse(struct bootinfo *bi)
{
    strlcpy(bi->loader, "unknown", sizeof(bi->loader));
    if (multiboot_magic == MB1_BOOT_MAGIC) {
        const struct mb1_info *mbi = low_ptr(multiboot_info_pa, sizeof(*mbi));

        if (!mbi)
            panic("multiboot1 information at %#x is unreachable", multiboot_info_pa);
        parse_mb1(bi, mbi);
    } else if (multiboot_magic == MB2_BOOT_MAGIC) {
        parse_mb2(bi, multiboot_info_pa);
    } else {
        panic("not started by a multiboot loader (magic %#x); boot pvx with GRUB "
              "(multiboot2) or qemu -kernel (multiboot1)",
              multiboot_magic);
    }
    if (bi->mem.nr == 0)
        panic("the boot loader passed no memory map");
    /* Multiboot1 loaders (QEMU, GRUB) put the image's own path first;
     * GRUB's multiboot2 passes only the options. */
    if (bi->protocol == 1)
        strip_first_word(bi->cmdline);
}
