/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: nmi_op(cmd, arg) and the NMI reason bits that the
 * hypervisor reports in shared_info.arch.nmi_reason.
 *
 *   XENNMI_register_callback    struct xennmi_callback (IN); dom0 only
 *   XENNMI_unregister_callback  arg unused
 * 64-bit guests normally use CALLBACKOP_register with CALLBACKTYPE_nmi.
 */
#ifndef PVX_PUBLIC_NMI_H
#define PVX_PUBLIC_NMI_H

#include "xen.h"

#define _XEN_NMIREASON_io_error 0
#define XEN_NMIREASON_io_error  (1UL << _XEN_NMIREASON_io_error) /* I/O check */
#define _XEN_NMIREASON_pci_serr 1
#define XEN_NMIREASON_pci_serr  (1UL << _XEN_NMIREASON_pci_serr) /* PCI SERR */
#define _XEN_NMIREASON_unknown  2
#define XEN_NMIREASON_unknown   (1UL << _XEN_NMIREASON_unknown) /* anything else */

#define XENNMI_register_callback   0
#define XENNMI_unregister_callback 1

#ifndef __ASSEMBLY__
struct xennmi_callback {
    unsigned long handler_address; /* IN: entry point */
    unsigned long pad;             /* IN: must be 0 */
};
typedef struct xennmi_callback xennmi_callback_t;
DEFINE_XEN_GUEST_HANDLE(xennmi_callback_t);
#endif

#endif /* PVX_PUBLIC_NMI_H */
