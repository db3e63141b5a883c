/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small set of inclusive [first, last] ranges of integers: the I/O ports
 * and machine frames the toolstack lets a domain use.  Fixed capacity, no
 * allocation: ranges are kept sorted and merged, so adjacent grants share
 * a slot; -ENOSPC when a grant would need more than RANGESET_MAX slots.
 */
#ifndef PVX_RANGESET_H
#define PVX_RANGESET_H

#include <pvx/types.h>

#define RANGESET_MAX 16

struct rangeset {
    unsigned int nr;
    struct {
        uint64_t first, last;
    } r[RANGESET_MAX];
};

/* Add [first, last]; 0, -EINVAL (first > last) or -ENOSPC. */
int rangeset_add(struct rangeset *s, uint64_t first, uint64_t last);
/* Remove [first, last] (parts not in the set are ignored); 0 or -ENOSPC
 * when cutting a range in two needs a slot there is not. */
int rangeset_remove(struct rangeset *s, uint64_t first, uint64_t last);
/* Is all of [first, last] in the set? */
bool rangeset_contains(const struct rangeset *s, uint64_t first, uint64_t last);

#endif
