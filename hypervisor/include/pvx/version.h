/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PVX_VERSION_H
#define PVX_VERSION_H

#define PVX_VERSION_MAJOR 0
#define PVX_VERSION_MINOR 1
#define PVX_VERSION_STR   "0.1"
#define PVX_BANNER        "pvx " PVX_VERSION_STR " - a paravirtualizing hypervisor for x86-64"

#endif
