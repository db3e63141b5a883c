/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: the PV network protocol (netfront <-> netback).
 *
 * Two rings: TX carries packets from the guest (requests name granted
 * buffers, responses report completion), RX carries packets to the guest
 * (requests offer empty granted buffers, responses say what was filled).
 * A packet may span several slots (flag *_more_data) and may be followed by
 * extra-info slots (flag *_extra_info) for GSO, multicast or hash data.  An
 * optional control ring negotiates hashing.  Ring references and event
 * channels are exchanged through xenstore ("tx-ring-ref", "rx-ring-ref",
 * "event-channel", ...).
 */
#ifndef PVX_PUBLIC_IO_NETIF_H
#define PVX_PUBLIC_IO_NETIF_H

#include "ring.h"
#include "../grant_table.h"

/* A backend must accept packets spanning at least this many TX slots. */
#define XEN_NETIF_NR_SLOTS_MIN 18

/* ---- Control ring ---- */

#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4     0
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4      (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP 1
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP  (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6     2
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6      (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP 3
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP  (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)

#define XEN_NETIF_CTRL_HASH_ALGORITHM_NONE     0
#define XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ 1

#define XEN_NETIF_CTRL_TYPE_INVALID               0
#define XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS        1
#define XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS        2
#define XEN_NETIF_CTRL_TYPE_SET_HASH_KEY          3
#define XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE 4
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE 5
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING      6
#define XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM    7
#define XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE 8
#define XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING      9
#define XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING      10

#define XEN_NETIF_CTRL_STATUS_SUCCESS           0
#define XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED     1
#define XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER 2
#define XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW   3

#ifndef __ASSEMBLY__
/* id: echoed; type: XEN_NETIF_CTRL_TYPE_*; data: type-specific arguments. */
struct xen_netif_ctrl_request {
    uint16_t id;
    uint16_t type;
    uint32_t data[3];
};

/* id, type: echoed; status: XEN_NETIF_CTRL_STATUS_*; data: result. */
struct xen_netif_ctrl_response {
    uint16_t id;
    uint16_t type;
    uint32_t status;
    uint32_t data;
};

/* Entry of a grant-mapping table page (ADD/DEL_GREF_MAPPING). */
struct xen_netif_gref {
    grant_ref_t ref;
    uint16_t flags;  /* XEN_NETIF_CTRLF_GREF_* */
    uint16_t status; /* OUT: XEN_NETIF_CTRL_STATUS_* */
};
#define _XEN_NETIF_CTRLF_GREF_readonly 0
#define XEN_NETIF_CTRLF_GREF_readonly  (1U << _XEN_NETIF_CTRLF_GREF_readonly)

DEFINE_RING_TYPES(xen_netif_ctrl, struct xen_netif_ctrl_request, struct xen_netif_ctrl_response);
#endif

/* ---- TX ring ---- */

/* netif_tx_request.flags */
#define _NETTXF_csum_blank     (0)
#define NETTXF_csum_blank      (1U << _NETTXF_csum_blank) /* checksum to be filled in */
#define _NETTXF_data_validated (1)
#define NETTXF_data_validated  (1U << _NETTXF_data_validated) /* checksum already valid */
#define _NETTXF_more_data      (2)
#define NETTXF_more_data       (1U << _NETTXF_more_data) /* packet continues in next slot */
#define _NETTXF_extra_info     (3)
#define NETTXF_extra_info      (1U << _NETTXF_extra_info) /* netif_extra_info follows */

#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

#ifndef __ASSEMBLY__
/*
 *   gref    granted page holding the data
 *   offset  start of the data in the page
 *   flags   NETTXF_*
 *   id      echoed in the response
 *   size    first slot: whole packet length; later slots: this fragment
 */
struct netif_tx_request {
    grant_ref_t gref;
    uint16_t offset;
    uint16_t flags;
    uint16_t id;
    uint16_t size;
};
typedef struct netif_tx_request netif_tx_request_t;
#endif

/* Extra-info slot types and flags. */
#define XEN_NETIF_EXTRA_TYPE_NONE      (0)
#define XEN_NETIF_EXTRA_TYPE_GSO       (1)
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD (2)
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL (3)
#define XEN_NETIF_EXTRA_TYPE_HASH      (4)
#define XEN_NETIF_EXTRA_TYPE_MAX       (5)

#define _XEN_NETIF_EXTRA_FLAG_MORE (0)
#define XEN_NETIF_EXTRA_FLAG_MORE  (1U << _XEN_NETIF_EXTRA_FLAG_MORE) /* another extra follows */

#define XEN_NETIF_GSO_TYPE_NONE  (0)
#define XEN_NETIF_GSO_TYPE_TCPV4 (1)
#define XEN_NETIF_GSO_TYPE_TCPV6 (2)

#ifndef __ASSEMBLY__
/* An extra-info slot (8 bytes), in either ring. */
struct netif_extra_info {
    uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
    uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
    union {
        struct {
            uint16_t size; /* maximum segment size */
            uint8_t type;  /* XEN_NETIF_GSO_TYPE_* */
            uint8_t pad;
            uint16_t features;
        } gso;
        struct {
            uint8_t addr[6]; /* multicast MAC address */
        } mcast;
        struct {
            uint8_t type;      /* XEN_NETIF_CTRL_HASH_TYPE_* bit number */
            uint8_t algorithm; /* XEN_NETIF_CTRL_HASH_ALGORITHM_* */
            uint8_t value[4];  /* the hash, little-endian */
        } hash;
        uint16_t pad[3];
    } u;
};
typedef struct netif_extra_info netif_extra_info_t;

/* id: from the request; status: NETIF_RSP_*. */
struct netif_tx_response {
    uint16_t id;
    int16_t status;
};
typedef struct netif_tx_response netif_tx_response_t;

/* ---- RX ring ---- */

/* An empty buffer offered to the backend. */
struct netif_rx_request {
    uint16_t id;
    uint16_t pad;
    grant_ref_t gref;
};
typedef struct netif_rx_request netif_rx_request_t;
#endif

/* netif_rx_response.flags */
#define _NETRXF_data_validated (0)
#define NETRXF_data_validated  (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank     (1)
#define NETRXF_csum_blank      (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data      (2)
#define NETRXF_more_data       (1U << _NETRXF_more_data)
#define _NETRXF_extra_info     (3)
#define NETRXF_extra_info      (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix     (4)
#define NETRXF_gso_prefix      (1U << _NETRXF_gso_prefix)

#ifndef __ASSEMBLY__
/* id: from the request; offset: data start; flags: NETRXF_*; status: length or NETIF_RSP_*. */
struct netif_rx_response {
    uint16_t id;
    uint16_t offset;
    uint16_t flags;
    int16_t status;
};
typedef struct netif_rx_response netif_rx_response_t;

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);
#endif

#define NETIF_RSP_DROPPED -2 /* packet dropped */
#define NETIF_RSP_ERROR   -1 /* error */
#define NETIF_RSP_OKAY    0  /* success */
#define NETIF_RSP_NULL    1  /* padding response for an extra-info slot */

#endif /* PVX_PUBLIC_IO_NETIF_H */
