/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: platform_op(struct xen_platform_op *) -- host platform
 * control for the hardware domain (dom0 only).
 *
 * The caller fills cmd (XENPF_*), interface_version
 * (XENPF_INTERFACE_VERSION) and the matching member of u; results are
 * written back into the same member.  pvx provides the subset of
 * operations a Linux dom0 issues; EFI runtime services and processor
 * power-management uploads (XENPF_efi_runtime_call,
 * XENPF_set_processor_pminfo) are not part of pvx's interface and fail
 * with -ENOSYS.  The union is padded to 128 bytes either way.
 */
#ifndef PVX_PUBLIC_PLATFORM_H
#define PVX_PUBLIC_PLATFORM_H

#include "xen.h"

#define XENPF_INTERFACE_VERSION 0x03000001

/* settime32 / settime64: set wall-clock time.  All fields IN. */
#define XENPF_settime32 17
#define XENPF_settime64 62
#define XENPF_settime   XENPF_settime64
#define xenpf_settime   xenpf_settime64

/* add_memtype / del_memtype / read_memtype: MTRR-style ranges. */
#define XENPF_add_memtype  31
#define XENPF_del_memtype  32
#define XENPF_read_memtype 33

/* microcode_update: data IN (guest buffer), length IN. */
#define XENPF_microcode_update 35

/* platform_quirk: quirk_id IN (QUIRK_*). */
#define XENPF_platform_quirk     39
#define QUIRK_NOIRQBALANCING     1
#define QUIRK_IOAPIC_BAD_REGSEL  2
#define QUIRK_IOAPIC_GOOD_REGSEL 3

/* Not provided by pvx (see above); numbers kept reserved. */
#define XENPF_efi_runtime_call     49
#define XENPF_set_processor_pminfo 54

/* firmware_info: type IN (XEN_FW_*), index IN, u OUT. */
#define XENPF_firmware_info         50
#define XEN_FW_DISK_INFO            1 /* EDD data of BIOS disk `index` */
#define XEN_FW_DISK_MBR_SIGNATURE   2 /* MBR signature of BIOS disk `index` */
#define XEN_FW_VBEDDC_INFO          3 /* VBE DDC (EDID) data */
#define XEN_FW_EFI_INFO             4 /* EFI data, `index` = XEN_FW_EFI_* */
#define XEN_FW_EFI_VERSION          0
#define XEN_FW_EFI_CONFIG_TABLE     1
#define XEN_FW_EFI_VENDOR           2
#define XEN_FW_EFI_MEM_INFO         3
#define XEN_FW_EFI_RT_VERSION       4
#define XEN_FW_EFI_PCI_ROM          5
#define XEN_FW_EFI_APPLE_PROPERTIES 6
#define XEN_FW_KBD_SHIFT_FLAGS      5 /* BIOS keyboard shift flags */

/* enter_acpi_sleep: PM1 control values, sleep_state (S-state), flags.  IN. */
#define XENPF_enter_acpi_sleep    51
#define XENPF_ACPI_SLEEP_EXTENDED 0x00000001

/* change_freq: flags IN (0), cpu IN, freq IN (Hz). */
#define XENPF_change_freq 52

/* getidletime: cpumap IN/OUT, idletime OUT (ns per CPU), now OUT. */
#define XENPF_getidletime 53

/* get_cpuinfo: xen_cpuid IN; the rest OUT. */
#define XENPF_get_cpuinfo      55
#define XEN_PCPU_FLAGS_ONLINE  1
#define XEN_PCPU_FLAGS_INVALID 2

/* get_cpu_version: xen_cpuid IN; the rest OUT. */
#define XENPF_get_cpu_version 48

/* cpu_online / cpu_offline: cpuid IN. */
#define XENPF_cpu_online  56
#define XENPF_cpu_offline 57

/* cpu_hotadd / mem_hotadd: describe hot-added hardware.  All IN. */
#define XENPF_cpu_hotadd 58
#define XENPF_mem_hotadd 59

/* core_parking: type IN (SET/GET), idle_nums IN/OUT. */
#define XENPF_core_parking   60
#define XEN_CORE_PARKING_SET 1
#define XEN_CORE_PARKING_GET 2

/* resource_op: run entries (MSR reads/writes) on physical CPU `cpu`. */
#define XENPF_resource_op         61
#define XEN_RESOURCE_OP_MSR_READ  0
#define XEN_RESOURCE_OP_MSR_WRITE 1

/* get_symbol: symnum IN/OUT (iterator), namelen IN/OUT, name/address/type OUT. */
#define XENPF_get_symbol 63

#ifndef __ASSEMBLY__
struct xenpf_settime32 {
    uint32_t secs;
    uint32_t nsecs;
    uint64_t system_time; /* system time at which secs/nsecs were true */
};
typedef struct xenpf_settime32 xenpf_settime32_t;

struct xenpf_settime64 {
    uint64_t secs;
    uint32_t nsecs;
    uint32_t mbz; /* must be zero */
    uint64_t system_time;
};
typedef struct xenpf_settime64 xenpf_settime64_t;
typedef struct xenpf_settime xenpf_settime_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_settime_t);

/* mfn, nr_mfns, type IN; handle, reg OUT. */
struct xenpf_add_memtype {
    xen_pfn_t mfn;
    uint64_t nr_mfns;
    uint32_t type;
    uint32_t handle;
    uint32_t reg;
    uint32_t _pvx_pad0;
};
typedef struct xenpf_add_memtype xenpf_add_memtype_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_add_memtype_t);

/* handle, reg IN. */
struct xenpf_del_memtype {
    uint32_t handle;
    uint32_t reg;
};
typedef struct xenpf_del_memtype xenpf_del_memtype_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_del_memtype_t);

/* reg IN; mfn, nr_mfns, type OUT. */
struct xenpf_read_memtype {
    uint32_t reg;
    uint32_t _pvx_pad0;
    xen_pfn_t mfn;
    uint64_t nr_mfns;
    uint32_t type;
    uint32_t _pvx_pad1;
};
typedef struct xenpf_read_memtype xenpf_read_memtype_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_read_memtype_t);

struct xenpf_microcode_update {
    XEN_GUEST_HANDLE(const_void) data;
    uint32_t length;
    uint32_t _pvx_pad0;
};
typedef struct xenpf_microcode_update xenpf_microcode_update_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_microcode_update_t);

struct xenpf_platform_quirk {
    uint32_t quirk_id;
};
typedef struct xenpf_platform_quirk xenpf_platform_quirk_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_platform_quirk_t);

struct xenpf_firmware_info {
    uint32_t type;
    uint32_t index;
    union {
        struct {
            uint8_t device;  /* BIOS drive number */
            uint8_t version; /* EDD version */
            uint16_t interface_support;
            uint16_t legacy_max_cylinder;
            uint8_t legacy_max_head;
            uint8_t legacy_sectors_per_track;
            XEN_GUEST_HANDLE(void) edd_params; /* buffer; first u16 = its size */
        } disk_info;
        struct {
            uint8_t device;
            uint8_t _pvx_pad0[3];
            uint32_t mbr_signature;
        } disk_mbr_signature;
        struct {
            uint8_t capabilities;
            uint8_t edid_transfer_time;
            uint8_t _pvx_pad0[6];
            XEN_GUEST_HANDLE(uint8) edid; /* 128-byte buffer */
        } vbeddc_info;
        union xenpf_efi_info {
            uint32_t version;
            struct {
                uint64_t addr;
                uint32_t nent;
                uint32_t _pvx_pad0;
            } cfg;
            struct {
                uint32_t revision;
                uint32_t bufsz;
                XEN_GUEST_HANDLE(void) name;
            } vendor;
            struct {
                uint64_t addr;
                uint64_t size;
                uint64_t attr;
                uint32_t type;
                uint32_t _pvx_pad0;
            } mem;
            struct {
                uint16_t segment;
                uint8_t bus;
                uint8_t devfn;
                uint16_t vendor;
                uint16_t devid;
                uint64_t address;
                xen_ulong_t size;
            } pci_rom;
            struct {
                uint64_t address;
                xen_ulong_t size;
            } apple_properties;
        } efi_info;
        uint8_t kbd_shift_flags;
    } u;
};
typedef struct xenpf_firmware_info xenpf_firmware_info_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_firmware_info_t);

struct xenpf_enter_acpi_sleep {
    uint16_t val_a;
    uint16_t val_b;
    uint32_t sleep_state;
    uint32_t flags; /* XENPF_ACPI_SLEEP_* */
};
typedef struct xenpf_enter_acpi_sleep xenpf_enter_acpi_sleep_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_enter_acpi_sleep_t);

struct xenpf_change_freq {
    uint32_t flags;
    uint32_t cpu;
    uint64_t freq;
};
typedef struct xenpf_change_freq xenpf_change_freq_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_change_freq_t);

/*
 *   cpumap_bitmap   IN: CPUs of interest; OUT: CPUs reported
 *   cpumap_nr_cpus  IN: bits in the bitmap
 *   idletime        OUT: per CPU, ns idle
 *   now             OUT: system time of the sample
 */
struct xenpf_getidletime {
    XEN_GUEST_HANDLE(uint8) cpumap_bitmap;
    uint32_t cpumap_nr_cpus;
    uint32_t _pvx_pad0;
    XEN_GUEST_HANDLE(uint64) idletime;
    uint64_t now;
};
typedef struct xenpf_getidletime xenpf_getidletime_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_getidletime_t);

struct xenpf_pcpuinfo {
    uint32_t xen_cpuid;
    uint32_t max_present; /* highest present CPU id */
    uint32_t flags;       /* XEN_PCPU_FLAGS_* */
    uint32_t apic_id;
    uint32_t acpi_id;
};
typedef struct xenpf_pcpuinfo xenpf_pcpuinfo_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_pcpuinfo_t);

struct xenpf_pcpu_version {
    uint32_t xen_cpuid;
    uint32_t max_present;
    char vendor_id[12];
    uint32_t family;
    uint32_t model;
    uint32_t stepping;
};
typedef struct xenpf_pcpu_version xenpf_pcpu_version_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_pcpu_version_t);

struct xenpf_cpu_ol {
    uint32_t cpuid;
};
typedef struct xenpf_cpu_ol xenpf_cpu_ol_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_cpu_ol_t);

struct xenpf_cpu_hotadd {
    uint32_t apic_id;
    uint32_t acpi_id;
    uint32_t pxm;
};
typedef struct xenpf_cpu_hotadd xenpf_cpu_hotadd_t;

struct xenpf_mem_hotadd {
    uint64_t spfn;
    uint64_t epfn;
    uint32_t pxm;
    uint32_t flags;
};
typedef struct xenpf_mem_hotadd xenpf_mem_hotadd_t;

struct xenpf_core_parking {
    uint32_t type;
    uint32_t idle_nums;
};
typedef struct xenpf_core_parking xenpf_core_parking_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_core_parking_t);

/* u.cmd IN (XEN_RESOURCE_OP_*), u.ret OUT; idx IN (MSR); val IN/OUT. */
struct xenpf_resource_entry {
    union {
        uint32_t cmd;
        int32_t ret;
    } u;
    uint32_t rsvd;
    uint64_t idx;
    uint64_t val;
};
typedef struct xenpf_resource_entry xenpf_resource_entry_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_resource_entry_t);

struct xenpf_resource_op {
    uint32_t nr_entries;
    uint32_t cpu;
    XEN_GUEST_HANDLE(xenpf_resource_entry_t) entries;
};
typedef struct xenpf_resource_op xenpf_resource_op_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_resource_op_t);

struct xenpf_symdata {
    uint32_t namelen;
    uint32_t symnum;
    XEN_GUEST_HANDLE(char) name;
    uint64_t address;
    char type;
    uint8_t _pvx_pad0[7];
};
typedef struct xenpf_symdata xenpf_symdata_t;
DEFINE_XEN_GUEST_HANDLE(xenpf_symdata_t);

struct xen_platform_op {
    uint32_t cmd;               /* IN: XENPF_* */
    uint32_t interface_version; /* IN: XENPF_INTERFACE_VERSION */
    union {
        xenpf_settime_t settime;
        xenpf_settime32_t settime32;
        xenpf_settime64_t settime64;
        xenpf_add_memtype_t add_memtype;
        xenpf_del_memtype_t del_memtype;
        xenpf_read_memtype_t read_memtype;
        xenpf_microcode_update_t microcode;
        xenpf_platform_quirk_t platform_quirk;
        xenpf_firmware_info_t firmware_info;
        xenpf_enter_acpi_sleep_t enter_acpi_sleep;
        xenpf_change_freq_t change_freq;
        xenpf_getidletime_t getidletime;
        xenpf_pcpuinfo_t pcpu_info;
        xenpf_pcpu_version_t pcpu_version;
        xenpf_cpu_ol_t cpu_ol;
        xenpf_cpu_hotadd_t cpu_add;
        xenpf_mem_hotadd_t mem_add;
        xenpf_core_parking_t core_parking;
        xenpf_resource_op_t resource_op;
        xenpf_symdata_t symdata;
        uint8_t pad[128];
    } u;
};
typedef struct xen_platform_op xen_platform_op_t;
DEFINE_XEN_GUEST_HANDLE(xen_platform_op_t);
#endif /* !__ASSEMBLY__ */

#endif /* PVX_PUBLIC_PLATFORM_H */
