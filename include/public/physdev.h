/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: physdev_op(cmd, arg) -- physical device and IRQ control.
 *
 * Most operations are for the hardware domain (dom0).  The one every PV
 * kernel uses is PHYSDEVOP_set_iopl, which gives the kernel a virtual I/O
 * privilege level so its port I/O does not fault.
 */
#ifndef PVX_PUBLIC_PHYSDEV_H
#define PVX_PUBLIC_PHYSDEV_H

#include "xen.h"

/* eoi: signal end of interrupt for a physical IRQ.  irq IN. */
#define PHYSDEVOP_eoi 12

/* pirq_eoi_gmfn: register a bitmap page of IRQs needing EOI.  gmfn IN. */
#define PHYSDEVOP_pirq_eoi_gmfn_v1 17
#define PHYSDEVOP_pirq_eoi_gmfn_v2 28
#define PHYSDEVOP_pirq_eoi_gmfn    PHYSDEVOP_pirq_eoi_gmfn_v2

/* irq_status_query: irq IN, flags OUT (XENIRQSTAT_*). */
#define PHYSDEVOP_irq_status_query 5
#define _XENIRQSTAT_needs_eoi      (0)
#define XENIRQSTAT_needs_eoi       (1U << _XENIRQSTAT_needs_eoi) /* EOI with PHYSDEVOP_eoi */
#define _XENIRQSTAT_shared         (1)
#define XENIRQSTAT_shared          (1U << _XENIRQSTAT_shared) /* shared with another domain */

/* set_iopl: iopl IN (0-3): privilege level allowed to use port I/O. */
#define PHYSDEVOP_set_iopl 6

/* set_iobitmap: bitmap IN (guest address), nr_ports IN.  Per-port access. */
#define PHYSDEVOP_set_iobitmap 7

/* apic_read / apic_write: IO-APIC register access (dom0).  physbase, reg IN; value IN/OUT. */
#define PHYSDEVOP_apic_read  8
#define PHYSDEVOP_apic_write 9

/* alloc_irq_vector / free_irq_vector: irq IN, vector OUT. */
#define PHYSDEVOP_alloc_irq_vector 10
#define PHYSDEVOP_free_irq_vector  11

/* map_pirq type values */
#define MAP_PIRQ_TYPE_MSI       0x0
#define MAP_PIRQ_TYPE_GSI       0x1
#define MAP_PIRQ_TYPE_UNKNOWN   0x2
#define MAP_PIRQ_TYPE_MSI_SEG   0x3
#define MAP_PIRQ_TYPE_MULTI_MSI 0x4

/*
 * map_pirq: give <domid> a pirq for a GSI or an MSI.
 *   domid IN, type IN, index IN (GSI number), pirq IN/OUT (-1: allocate),
 *   bus/devfn IN (MSI: device; MSI_SEG: bus has the segment in bits 16+),
 *   entry_nr IN (MSI-X entry / multi-MSI count), table_base IN (MSI-X BAR).
 * unmap_pirq: domid IN, pirq IN.
 */
#define PHYSDEVOP_map_pirq   13
#define PHYSDEVOP_unmap_pirq 14

/* manage_pci_add/remove(_ext), restore_msi: PCI device bookkeeping (dom0). */
#define PHYSDEVOP_manage_pci_add     15
#define PHYSDEVOP_manage_pci_remove  16
#define PHYSDEVOP_restore_msi        19
#define PHYSDEVOP_manage_pci_add_ext 20

/* setup_gsi: gsi IN, triggering IN, polarity IN (ACPI encodings). */
#define PHYSDEVOP_setup_gsi 21

/* get_free_pirq: type IN (MAP_PIRQ_TYPE_*), pirq OUT. */
#define PHYSDEVOP_get_free_pirq 23

/* pci_mmcfg_reserved: report an MMCONFIG region (dom0).  All fields IN. */
#define XEN_PCI_MMCFG_RESERVED       0x1
#define PHYSDEVOP_pci_mmcfg_reserved 24

/* pci_device_add: flags are XEN_PCI_DEV_*; optarr[0] is the PXM with _PXM. */
#define XEN_PCI_DEV_EXTFN        0x1
#define XEN_PCI_DEV_VIRTFN       0x2
#define XEN_PCI_DEV_PXM          0x4
#define PHYSDEVOP_pci_device_add 25

/* These take a struct physdev_pci_device (seg/bus/devfn IN). */
#define PHYSDEVOP_pci_device_remove 26
#define PHYSDEVOP_restore_msi_ext   27
#define PHYSDEVOP_prepare_msix      30
#define PHYSDEVOP_release_msix      31

/* dbgp_op: USB debug port handover (dom0). */
#define PHYSDEVOP_DBGP_RESET_PREPARE 1
#define PHYSDEVOP_DBGP_RESET_DONE    2
#define PHYSDEVOP_DBGP_BUS_UNKNOWN   0
#define PHYSDEVOP_DBGP_BUS_PCI       1
#define PHYSDEVOP_dbgp_op            29

/* Obsolete operation number, kept reserved. */
#define PHYSDEVOP_IRQ_UNMASK_NOTIFY 4

#ifndef __ASSEMBLY__
struct physdev_eoi {
    uint32_t irq;
};
typedef struct physdev_eoi physdev_eoi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_eoi_t);

struct physdev_pirq_eoi_gmfn {
    xen_pfn_t gmfn;
};
typedef struct physdev_pirq_eoi_gmfn physdev_pirq_eoi_gmfn_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pirq_eoi_gmfn_t);

struct physdev_irq_status_query {
    uint32_t irq;
    uint32_t flags;
};
typedef struct physdev_irq_status_query physdev_irq_status_query_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_status_query_t);

struct physdev_set_iopl {
    uint32_t iopl;
};
typedef struct physdev_set_iopl physdev_set_iopl_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iopl_t);

struct physdev_set_iobitmap {
    XEN_GUEST_HANDLE(uint8) bitmap;
    uint32_t nr_ports;
    uint32_t _pvx_pad0;
};
typedef struct physdev_set_iobitmap physdev_set_iobitmap_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iobitmap_t);

struct physdev_apic {
    unsigned long apic_physbase;
    uint32_t reg;
    uint32_t value;
};
typedef struct physdev_apic physdev_apic_t;
DEFINE_XEN_GUEST_HANDLE(physdev_apic_t);

struct physdev_irq {
    uint32_t irq;
    uint32_t vector;
};
typedef struct physdev_irq physdev_irq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_t);

struct physdev_map_pirq {
    domid_t domid;
    uint16_t _pvx_pad0;
    int type;
    int index;
    int pirq;
    int bus;
    int devfn;
    int entry_nr;
    uint32_t _pvx_pad1;
    uint64_t table_base;
};
typedef struct physdev_map_pirq physdev_map_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_map_pirq_t);

struct physdev_unmap_pirq {
    domid_t domid;
    uint16_t _pvx_pad0;
    int pirq;
};
typedef struct physdev_unmap_pirq physdev_unmap_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_unmap_pirq_t);

struct physdev_manage_pci {
    uint8_t bus;
    uint8_t devfn;
};
typedef struct physdev_manage_pci physdev_manage_pci_t;
DEFINE_XEN_GUEST_HANDLE(physdev_manage_pci_t);

struct physdev_restore_msi {
    uint8_t bus;
    uint8_t devfn;
};
typedef struct physdev_restore_msi physdev_restore_msi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_restore_msi_t);

struct physdev_manage_pci_ext {
    uint8_t bus;
    uint8_t devfn;
    uint16_t _pvx_pad0;
    uint32_t is_extfn;
    uint32_t is_virtfn;
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn; /* the physical function of a virtual one */
    uint16_t _pvx_pad1;
};
typedef struct physdev_manage_pci_ext physdev_manage_pci_ext_t;
DEFINE_XEN_GUEST_HANDLE(physdev_manage_pci_ext_t);

/* Argument of the obsolete physdev_op_compat hypercall. */
struct physdev_op {
    uint32_t cmd;
    uint32_t _pvx_pad0;
    union {
        physdev_irq_status_query_t irq_status_query;
        physdev_set_iopl_t set_iopl;
        physdev_set_iobitmap_t set_iobitmap;
        physdev_apic_t apic_op;
        physdev_irq_t irq_op;
    } u;
};
typedef struct physdev_op physdev_op_t;
DEFINE_XEN_GUEST_HANDLE(physdev_op_t);

struct physdev_setup_gsi {
    int gsi;
    uint8_t triggering;
    uint8_t polarity;
    uint16_t _pvx_pad0;
};
typedef struct physdev_setup_gsi physdev_setup_gsi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_setup_gsi_t);

struct physdev_get_free_pirq {
    int type;
    uint32_t pirq;
};
typedef struct physdev_get_free_pirq physdev_get_free_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_get_free_pirq_t);

struct physdev_pci_mmcfg_reserved {
    uint64_t address;
    uint16_t segment;
    uint8_t start_bus;
    uint8_t end_bus;
    uint32_t flags;
};
typedef struct physdev_pci_mmcfg_reserved physdev_pci_mmcfg_reserved_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_mmcfg_reserved_t);

struct physdev_pci_device_add {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
    uint32_t flags;
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;
    uint16_t _pvx_pad0;
    PVX_EXTENSION uint32_t optarr[XEN_FLEX_ARRAY_DIM];
};
typedef struct physdev_pci_device_add physdev_pci_device_add_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_device_add_t);

struct physdev_pci_device {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
};
typedef struct physdev_pci_device physdev_pci_device_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_device_t);

struct physdev_dbgp_op {
    uint8_t op;  /* PHYSDEVOP_DBGP_RESET_* */
    uint8_t bus; /* PHYSDEVOP_DBGP_BUS_* */
    union {
        physdev_pci_device_t pci;
    } u;
};
typedef struct physdev_dbgp_op physdev_dbgp_op_t;
DEFINE_XEN_GUEST_HANDLE(physdev_dbgp_op_t);
#endif /* !__ASSEMBLY__ */

#endif /* PVX_PUBLIC_PHYSDEV_H */
