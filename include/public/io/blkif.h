/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: the PV block device protocol (blkfront <-> blkback).
 *
 * One shared ring (DEFINE_RING_TYPES(blkif, ...)) of requests and
 * responses.  A request names up to BLKIF_MAX_SEGMENTS_PER_REQUEST granted
 * pages; each segment covers sectors first_sect..last_sect (512-byte
 * sectors, inclusive) of its page.  The frontend advertises the ring in
 * xenstore ("ring-ref", "event-channel", "protocol"); the backend publishes
 * "sectors", "sector-size", "info" (VDISK_*) and optional "feature-*" keys.
 */
#ifndef PVX_PUBLIC_IO_BLKIF_H
#define PVX_PUBLIC_IO_BLKIF_H

#include "ring.h"
#include "../grant_table.h"

/* Type of the virtual device handle and of sector numbers. */
#ifndef blkif_vdev_t
#define blkif_vdev_t uint16_t
#endif
#define blkif_sector_t uint64_t

/* Request operations. */
#define BLKIF_OP_READ            0 /* read sectors into the segments */
#define BLKIF_OP_WRITE           1 /* write sectors from the segments */
#define BLKIF_OP_WRITE_BARRIER   2 /* write, ordered after all earlier writes */
#define BLKIF_OP_FLUSH_DISKCACHE 3 /* flush the backend's write cache */
#define BLKIF_OP_RESERVED_1      4 /* reserved */
#define BLKIF_OP_DISCARD         5 /* struct blkif_request_discard */
#define BLKIF_OP_INDIRECT        6 /* struct blkif_request_indirect */

#define BLKIF_MAX_SEGMENTS_PER_REQUEST       11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

#ifndef __ASSEMBLY__
/* One page of a transfer. */
struct blkif_request_segment {
    grant_ref_t gref;   /* the granted page */
    uint8_t first_sect; /* first sector used (0-7) */
    uint8_t last_sect;  /* last sector used (0-7) */
    uint16_t _pvx_pad0;
};

/*
 * Read/write/barrier/flush request.
 *   operation      BLKIF_OP_*
 *   nr_segments    segments used in seg[]
 *   handle         device handle (from xenstore)
 *   id             copied into the response
 *   sector_number  first sector on the device
 */
struct blkif_request {
    uint8_t operation;
    uint8_t nr_segments;
    blkif_vdev_t handle;
    uint32_t _pvx_pad0;
    uint64_t id;
    blkif_sector_t sector_number;
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
typedef struct blkif_request blkif_request_t;

/* Discard nr_sectors from sector_number; flag BLKIF_DISCARD_SECURE erases. */
struct blkif_request_discard {
    uint8_t operation;
    uint8_t flag;
    blkif_vdev_t handle;
    uint32_t _pvx_pad0;
    uint64_t id;
    blkif_sector_t sector_number;
    uint64_t nr_sectors;
};
typedef struct blkif_request_discard blkif_request_discard_t;
#define BLKIF_DISCARD_SECURE (1 << 0)

/*
 * Indirect request: the segment descriptors live in granted pages
 * (indirect_grefs), allowing many more segments than fit in a slot.
 *   indirect_op  the real operation (READ or WRITE)
 *   nr_segments  total segments described by the indirect pages
 */
struct blkif_request_indirect {
    uint8_t operation;
    uint8_t indirect_op;
    uint16_t nr_segments;
    uint32_t _pvx_pad0;
    uint64_t id;
    blkif_sector_t sector_number;
    blkif_vdev_t handle;
    uint16_t _pvx_pad1;
    grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    uint32_t _pvx_pad2;
};
typedef struct blkif_request_indirect blkif_request_indirect_t;

/* Response: id and operation copied from the request, status BLKIF_RSP_*. */
struct blkif_response {
    uint64_t id;
    uint8_t operation;
    uint8_t _pvx_pad0;
    int16_t status;
    uint32_t _pvx_pad1;
};
typedef struct blkif_response blkif_response_t;
#endif

#define BLKIF_RSP_EOPNOTSUPP -2 /* operation not supported */
#define BLKIF_RSP_ERROR      -1 /* I/O error */
#define BLKIF_RSP_OKAY       0  /* success */

#ifndef __ASSEMBLY__
DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);
#endif

/* Bits of the backend's "info" key. */
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

#endif /* PVX_PUBLIC_IO_BLKIF_H */
