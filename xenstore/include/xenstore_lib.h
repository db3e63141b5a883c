/* SPDX-License-Identifier: MIT */
/* pvx libxenstore: libxenstore's second header name; everything is in xenstore.h. */
#ifndef PVX_XENSTORE_LIB_H
#define PVX_XENSTORE_LIB_H
#include "xenstore.h"
#endif
