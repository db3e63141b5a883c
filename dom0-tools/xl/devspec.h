/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devspec: the small languages inside xl.cfg values and xl arguments.
 *
 *  - disk specs (`disk = ['...']`, xl-disk-configuration(5)), parsed exactly
 *    like Xen 4.17's libxlutil, messages included;
 *  - vdev names to virtual-device numbers, as libxl computes them;
 *  - vif specs (`vif = ['...']`, xl-network-configuration(5)) and the vif
 *    rate syntax;
 *  - memory sizes as `xl mem-set` / `xl mem-max` take them.
 *
 * `source` names the input in messages (xl uses the config file name).
 * Messages go to the reporter as complete lines; nothing is printed.
 * Functions return 0 or a negative errno (-EINVAL for bad input, which has
 * been reported; -ENOMEM).
 */
#ifndef PVX_DEVSPEC_H
#define PVX_DEVSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlcfg.h"

/* Values match libxl's enums, so logs and JSON read the same. */
enum pvx_disk_format {
    PVX_DISK_FORMAT_UNKNOWN,
    PVX_DISK_FORMAT_QCOW,
    PVX_DISK_FORMAT_QCOW2,
    PVX_DISK_FORMAT_VHD,
    PVX_DISK_FORMAT_RAW,
    PVX_DISK_FORMAT_EMPTY,
    PVX_DISK_FORMAT_QED,
};

enum pvx_disk_backend {
    PVX_DISK_BACKEND_UNKNOWN,
    PVX_DISK_BACKEND_PHY,
    PVX_DISK_BACKEND_TAP,
    PVX_DISK_BACKEND_QDISK,
    PVX_DISK_BACKEND_STANDALONE,
};

enum pvx_disk_specification {
    PVX_DISK_SPEC_UNKNOWN,
    PVX_DISK_SPEC_XEN,
    PVX_DISK_SPEC_VIRTIO,
};

/* A boolean that may also be left to the default. */
enum pvx_tristate { PVX_DEFAULT = -1, PVX_FALSE = 0, PVX_TRUE = 1 };

struct pvx_disk {
    char *target; /* NULL: none (an empty cdrom) */
    char *vdev;   /* as written, e.g. "xvda" */
    enum pvx_disk_format format;
    enum pvx_disk_backend backend; /* backendtype= */
    enum pvx_disk_specification specification;
    char *backend_domname; /* backend= */
    char *script;          /* script=, or block-<x> from iscsi: etc. */
    bool readwrite;
    bool is_cdrom;
    bool removable;
    bool direct_io_safe;
    enum pvx_tristate discard;
    enum pvx_tristate trusted;
    /* COLO settings: parsed for compatibility, unused by pvx */
    enum pvx_tristate colo;
    char *colo_host;
    int colo_port;
    char *colo_export;
    char *active_disk;
    char *hidden_disk;
};

/* Parse one disk spec into *disk (zeroed first; dispose it even on failure). */
int pvx_disk_parse(const char *source, const char *spec, const struct xlcfg_reporter *rep,
                   struct pvx_disk *disk);
void pvx_disk_dispose(struct pvx_disk *disk);
const char *pvx_disk_format_name(enum pvx_disk_format f); /* "raw", "qcow2", ... */

/*
 * libxl's virtual-device number of a vdev: xvdX[N] ((202<<8)|(d<<4)|p while
 * d and p are <= 15, else (1<<28)|(d<<8)|p, up to 2^20 disks and 255
 * partitions), dNpM likewise, hdX[N] (majors 3 and 22, 4 disks, 63
 * partitions), sdX[N] (major 8, 16 disks, 15 partitions) or a plain number
 * (strtoul base 0, at most INT_MAX).  Disk letters: a..z, aa.. (a=0, aa=26).
 * Returns the number, or -EINVAL.
 */
int pvx_vdev_to_number(const char *vdev);

enum pvx_nic_type { PVX_NIC_TYPE_VIF, PVX_NIC_TYPE_VIF_IOEMU };

struct pvx_nic {
    int devid;
    uint8_t mac[6];
    char *bridge;          /* default "xenbr0" */
    char *ip;              /* NULL: none */
    char *script;          /* NULL: default; pvx does not run vif scripts */
    char *backend_domname; /* backend=, NULL: dom0 */
    char *vifname;
    char *model;
    char *gatewaydev;
    uint64_t rate_bytes_per_interval; /* 0 with interval 0: unlimited */
    uint32_t rate_interval_usecs;
    enum pvx_nic_type type;
    unsigned int mtu; /* default 1500 */
    bool trusted;     /* default true */
};

/*
 * Parse one vif spec, the `index`th of the list (its default devid).  As in
 * xl, an unknown token gives the warning "unrecognized argument `<tok>'" and
 * parsing goes on; "type=" other than vif/ioemu warns "Invalid parameter
 * `type'."; colo_* and forwarddev= are accepted and ignored with a warning.
 * A malformed mac= is an error (xl keeps a half-written MAC), as are bad
 * rate=, mtu= and devid= values.  Without mac= (or with 00:00:00:00:00:00),
 * a random 00:16:3e:XX:YY:ZZ with XX <= 0x7f is chosen.  Messages start with
 * "<source>: ".
 */
int pvx_nic_parse(const char *source, const char *spec, int index, const struct xlcfg_reporter *rep,
                  struct pvx_nic *nic);
void pvx_nic_dispose(struct pvx_nic *nic);

/*
 * A vif rate "<N>[GMK](B|b)/s[@<N>[m|u][s]]" (default interval 50ms),
 * libxlutil's rules and messages ("<source>: config parsing error in vif:
 * <msg> in `<rate>'").  Numbers are read like strtoull base 0 (0 prefix =
 * octal); pvx refuses digits that reading leaves behind (xl silently
 * misreads "018Mb/s" as 1 B/s).
 */
int pvx_vif_rate_parse(const char *source, const char *rate, const struct xlcfg_reporter *rep,
                       uint64_t *bytes_per_interval, uint32_t *interval_usecs);

/*
 * `xl mem-set`/`mem-max` sizes: digits and an optional suffix t/g/m/k/b in
 * either case; no suffix means MiB; b rounds down to KiB.  Anything else
 * (also signs, blanks, empty, overflow) reports "invalid memory size: <s>".
 */
int pvx_parse_mem_size_kb(const char *s, const struct xlcfg_reporter *rep, uint64_t *kb);

/* n bytes from /dev/urandom. */
int pvx_random_bytes(void *buf, size_t n);

#endif
