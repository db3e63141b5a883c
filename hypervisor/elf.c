/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ELF64 PV kernel parser.  Xen's notes may sit in PT_NOTE segments or
 * SHT_NOTE sections; pvx reads the PT_NOTE segments (every Xen PV kernel
 * in use emits them) and falls back to sections.  The load layout follows
 * the PV loader convention: segments are placed by p_paddr, relative to the
 * lowest p_paddr, starting at VIRT_BASE + (pstart - PADDR_OFFSET).
 */
#include <pvx/elf.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <public/elfnote.h>
#include <public/features.h>

#define EI_NIDENT 16
#define ET_EXEC   2
#define EM_X86_64 62
#define PT_LOAD   1
#define PT_NOTE   4
#define SHT_NOTE  7

struct elf64_ehdr {
    uint8_t e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf64_shdr {
    uint32_t sh_name, sh_type;
    uint64_t sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info;
    uint64_t sh_addralign, sh_entsize;
};

struct elf_note {
    uint32_t namesz, descsz, type;
};

/* True when [off, off+len) lies inside the image. */
static bool in_image(const struct pv_kernel_info *k, uint64_t off, uint64_t len)
{
    return off <= k->size && len <= k->size - off;
}

static const struct {
    const char *name;
    unsigned int bit;
} feature_names[] = {
    {"writable_page_tables", XENFEAT_writable_page_tables},
    {"writable_descriptor_tables", XENFEAT_writable_descriptor_tables},
    {"auto_translated_physmap", XENFEAT_auto_translated_physmap},
    {"supervisor_mode_kernel", XENFEAT_supervisor_mode_kernel},
    {"pae_pgdir_above_4gb", XENFEAT_pae_pgdir_above_4gb},
    {"hvm_callback_vector", XENFEAT_hvm_callback_vector},
    {"dom0", XENFEAT_dom0},
};

/* FEATURES is "name|name|!name": '!' marks a feature the kernel requires. */
static int parse_features(struct pv_kernel_info *k, const char *s, size_t len, const char **why)
{
    size_t i = 0;

    while (i < len && s[i]) {
        bool required = false;
        size_t start, n;
        unsigned int f;

        if (s[i] == '!') {
            required = true;
            i++;
        }
        start = i;
        while (i < len && s[i] && s[i] != '|')
            i++;
        n = i - start;
        for (f = 0; f < ARRAY_SIZE(feature_names); f++)
            if (strlen(feature_names[f].name) == n && !memcmp(feature_names[f].name, s + start, n))
                break;
        if (f == ARRAY_SIZE(feature_names)) {
            if (required) {
                *why = "the kernel requires a feature pvx does not know";
                return -EINVAL;
            }
        } else if (required) {
            k->features_required |= 1u << feature_names[f].bit;
        }
        if (i < len && s[i] == '|')
            i++;
    }
    return 0;
}

static void note_string(char *dst, size_t size, const uint8_t *desc, uint32_t len)
{
    size_t n = strnlen((const char *)desc, len);

    if (n >= size)
        n = size - 1;
    memcpy(dst, desc, n);
    dst[n] = '\0';
}

static uint64_t note_int(const uint8_t *desc, uint32_t len)
{
    uint64_t v = 0;

    if (len == 4 || len == 8 || len == 2 || len == 1)
        memcpy(&v, desc, len);
    return v;
}

struct note_state {
    bool any, have_virt_base, have_paddr_offset, have_entry;
};

static int parse_notes(struct pv_kernel_info *k, uint64_t off, uint64_t size, struct note_state *st,
                       const char **why)
{
    uint64_t end = off + size;

    while (off + sizeof(struct elf_note) <= end) {
        struct elf_note n;
        const uint8_t *name, *desc;
        uint64_t namesz, descsz;

        memcpy(&n, k->image + off, sizeof(n));
        namesz = ROUNDUP((uint64_t)n.namesz, 4);
        descsz = ROUNDUP((uint64_t)n.descsz, 4);
        if (sizeof(n) + namesz + descsz > end - off) {
            *why = "an ELF note runs past its segment";
            return -EINVAL;
        }
        name = k->image + off + sizeof(n);
        desc = name + namesz;
        off += sizeof(n) + namesz + descsz;
        if (n.namesz != 4 || memcmp(name, "Xen", 4))
            continue;
        st->any = true;
        switch (n.type) {
        case XEN_ELFNOTE_ENTRY:
            k->entry = note_int(desc, n.descsz);
            st->have_entry = true;
            break;
        case XEN_ELFNOTE_HYPERCALL_PAGE:
            k->hypercall_page = note_int(desc, n.descsz);
            break;
        case XEN_ELFNOTE_VIRT_BASE:
            k->virt_base = note_int(desc, n.descsz);
            st->have_virt_base = true;
            break;
        case XEN_ELFNOTE_PADDR_OFFSET:
            k->paddr_offset = note_int(desc, n.descsz);
            st->have_paddr_offset = true;
            break;
        case XEN_ELFNOTE_XEN_VERSION:
            note_string(k->xen_version, sizeof(k->xen_version), desc, n.descsz);
            break;
        case XEN_ELFNOTE_GUEST_OS:
            note_string(k->guest_os, sizeof(k->guest_os), desc, n.descsz);
            break;
        case XEN_ELFNOTE_GUEST_VERSION:
            note_string(k->guest_version, sizeof(k->guest_version), desc, n.descsz);
            break;
        case XEN_ELFNOTE_LOADER:
            note_string(k->loader, sizeof(k->loader), desc, n.descsz);
            break;
        case XEN_ELFNOTE_FEATURES:
            if (parse_features(k, (const char *)desc, n.descsz, why))
                return -EINVAL;
            break;
        case XEN_ELFNOTE_SUPPORTED_FEATURES:
            k->features_supported = (uint32_t)note_int(desc, n.descsz);
            break;
        case XEN_ELFNOTE_INIT_P2M:
            k->init_p2m = note_int(desc, n.descsz);
            break;
        case XEN_ELFNOTE_MOD_START_PFN:
            k->mod_start_pfn = note_int(desc, n.descsz) != 0;
            break;
        default:
            break; /* unknown notes are ignored, as the ABI says */
        }
    }
    return 0;
}

static int find_notes(struct pv_kernel_info *k, const struct elf64_ehdr *eh, struct note_state *st,
                      const char **why)
{
    for (unsigned int i = 0; i < eh->e_phnum; i++) {
        struct elf64_phdr ph;

        memcpy(&ph, k->image + eh->e_phoff + (uint64_t)i * eh->e_phentsize, sizeof(ph));
        if (ph.p_type != PT_NOTE)
            continue;
        if (!in_image(k, ph.p_offset, ph.p_filesz)) {
            *why = "a PT_NOTE segment lies outside the image";
            return -EINVAL;
        }
        if (parse_notes(k, ph.p_offset, ph.p_filesz, st, why))
            return -EINVAL;
    }
    if (st->any || !eh->e_shnum)
        return 0;
    if (eh->e_shentsize < sizeof(struct elf64_shdr) ||
        !in_image(k, eh->e_shoff, (uint64_t)eh->e_shnum * eh->e_shentsize))
        return 0;
    for (unsigned int i = 0; i < eh->e_shnum; i++) {
        struct elf64_shdr sh;

        memcpy(&sh, k->image + eh->e_shoff + (uint64_t)i * eh->e_shentsize, sizeof(sh));
        if (sh.sh_type != SHT_NOTE || !in_image(k, sh.sh_offset, sh.sh_size))
            continue;
        if (parse_notes(k, sh.sh_offset, sh.sh_size, st, why))
            return -EINVAL;
    }
    return 0;
}

static int read_segments(struct pv_kernel_info *k, const struct elf64_ehdr *eh, const char **why)
{
    k->pstart = UINT64_MAX;
    k->pend = 0;
    for (unsigned int i = 0; i < eh->e_phnum; i++) {
        struct elf64_phdr ph;
        struct elf_segment *s;

        memcpy(&ph, k->image + eh->e_phoff + (uint64_t)i * eh->e_phentsize, sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || !in_image(k, ph.p_offset, ph.p_filesz) ||
            ph.p_paddr + ph.p_memsz < ph.p_paddr) {
            *why = "a PT_LOAD segment is larger than the file or wraps around";
            return -EINVAL;
        }
        if (k->nr_segments == ELF_MAX_SEGMENTS) {
            *why = "the kernel has too many PT_LOAD segments";
            return -EINVAL;
        }
        s = &k->segments[k->nr_segments++];
        s->paddr = ph.p_paddr;
        s->memsz = ph.p_memsz;
        s->filesz = ph.p_filesz;
        s->offset = ph.p_offset;
        k->pstart = MIN(k->pstart, ph.p_paddr);
        k->pend = MAX(k->pend, ph.p_paddr + ph.p_memsz);
    }
    if (!k->nr_segments) {
        *why = "the kernel has no loadable segment";
        return -EINVAL;
    }
    return 0;
}

int elf_parse_pv_kernel(const void *image, size_t size, struct pv_kernel_info *k, const char **why)
{
    struct note_state st = {0};
    struct elf64_ehdr eh;

    memset(k, 0, sizeof(*k));
    k->image = image;
    k->size = size;
    if (size < sizeof(eh) || memcmp(image, "\177ELF", 4)) {
        *why = "not an ELF file";
        return -ENOEXEC;
    }
    memcpy(&eh, image, sizeof(eh));
    if (eh.e_ident[4] != 2 || eh.e_ident[5] != 1 || eh.e_machine != EM_X86_64) {
        *why = "not a 64-bit little-endian x86-64 ELF (pvx runs 64-bit PV guests only)";
        return -ENOEXEC;
    }
    if (eh.e_type != ET_EXEC) {
        *why = "not an executable ELF";
        return -ENOEXEC;
    }
    if (eh.e_phentsize < sizeof(struct elf64_phdr) || eh.e_phnum == 0 ||
        !in_image(k, eh.e_phoff, (uint64_t)eh.e_phnum * eh.e_phentsize)) {
        *why = "the ELF program headers are missing or truncated";
        return -ENOEXEC;
    }
    if (read_segments(k, &eh, why) || find_notes(k, &eh, &st, why))
        return -EINVAL;
    if (!st.any) {
        *why = "no Xen ELF notes: this is not a Xen PV kernel";
        return -EINVAL;
    }
    if (strncmp(k->xen_version, "xen-3.0", 7)) {
        *why = "XEN_VERSION note missing or not \"xen-3.0\"";
        return -EINVAL;
    }
    if (strcmp(k->loader, "generic") && strcmp(k->guest_os, "linux")) {
        *why = "neither LOADER=generic nor GUEST_OS=linux";
        return -EINVAL;
    }
    if (st.have_paddr_offset && !st.have_virt_base) {
        *why = "PADDR_OFFSET given without VIRT_BASE";
        return -EINVAL;
    }
    if (!st.have_entry)
        k->entry = eh.e_entry;
    k->virt_kstart = k->pstart + k->virt_base - k->paddr_offset;
    k->virt_kend = k->pend + k->virt_base - k->paddr_offset;
    if (k->virt_kstart < k->virt_base || k->virt_kend < k->virt_kstart) {
        *why = "the image does not fit above VIRT_BASE";
        return -EINVAL;
    }
    if (k->entry < k->virt_kstart || k->entry >= k->virt_kend) {
        *why = "the entry point lies outside the image";
        return -EINVAL;
    }
    if (k->hypercall_page &&
        (k->hypercall_page < k->virt_kstart || k->hypercall_page >= k->virt_kend ||
         (k->hypercall_page & (PAGE_SIZE - 1)))) {
        *why = "HYPERCALL_PAGE is not a page inside the image";
        return -EINVAL;
    }
    return 0;
}
