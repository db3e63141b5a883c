/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: ELF note types a PV kernel uses to describe itself.
 *
 * The notes have owner name "Xen".  The loader reads them from PT_NOTE
 * segments (falling back to SHT_NOTE sections).  "int" notes carry a 32- or
 * 64-bit little-endian number, "str" notes a NUL-terminated string.
 * docs/abi.md lists which ones pvx's builder honours.
 */
#ifndef PVX_PUBLIC_ELFNOTE_H
#define PVX_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_INFO               0  /* unused */
#define XEN_ELFNOTE_ENTRY              1  /* int: entry point (default e_entry) */
#define XEN_ELFNOTE_HYPERCALL_PAGE     2  /* int: va the builder fills with stubs */
#define XEN_ELFNOTE_VIRT_BASE          3  /* int: va of the start of the mapping */
#define XEN_ELFNOTE_PADDR_OFFSET       4  /* int: va - paddr offset of the image */
#define XEN_ELFNOTE_XEN_VERSION        5  /* str: must be "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS           6  /* str: e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION      7  /* str: informative */
#define XEN_ELFNOTE_LOADER             8  /* str: "generic" */
#define XEN_ELFNOTE_PAE_MODE           9  /* str: 32-bit only */
#define XEN_ELFNOTE_FEATURES           10 /* str: XENFEAT names, '|'-separated, '!' = required */
#define XEN_ELFNOTE_BSD_SYMTAB         11 /* str: "yes" to load the symbol table */
#define XEN_ELFNOTE_HV_START_LOW       12 /* int: 32-bit only */
#define XEN_ELFNOTE_L1_MFN_VALID       13 /* mask, value: save/restore hint */
#define XEN_ELFNOTE_SUSPEND_CANCEL     14 /* int: supports suspend cancellation */
#define XEN_ELFNOTE_INIT_P2M           15 /* int: va at which to map the p2m list */
#define XEN_ELFNOTE_MOD_START_PFN      16 /* int: accepts an unmapped initrd by pfn */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* u32 bitmap of XENFEAT_* supported */
#define XEN_ELFNOTE_PHYS32_ENTRY       18 /* int: PVH entry; ignored for PV */
#define XEN_ELFNOTE_MAX                XEN_ELFNOTE_PHYS32_ENTRY

/* Notes found in crash dumps and core files, not in kernels. */
#define XEN_ELFNOTE_CRASH_INFO              0x1000001
#define XEN_ELFNOTE_CRASH_REGS              0x1000002
#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif /* PVX_PUBLIC_ELFNOTE_H */
