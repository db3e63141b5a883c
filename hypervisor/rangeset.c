/* SPDX-License-Identifier: GPL-2.0-only */
/* Sorted, merged integer ranges (see pvx/rangeset.h). */
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/rangeset.h>

static void remove_slot(struct rangeset *s, unsigned int i)
{
    memmove(&s->r[i], &s->r[i + 1], (s->nr - i - 1) * sizeof(s->r[0]));
    s->nr--;
}

/* Does a range ending at last reach (overlap or touch) one starting at next? */
static bool reaches(uint64_t last, uint64_t next)
{
    return last == UINT64_MAX || next <= last + 1;
}

int rangeset_add(struct rangeset *s, uint64_t first, uint64_t last)
{
    unsigned int i = 0;

    if (first > last)
        return -EINVAL;
    while (i < s->nr && !reaches(s->r[i].last, first))
        i++;
    if (i == s->nr || !reaches(last, s->r[i].first)) {
        if (s->nr == RANGESET_MAX)
            return -ENOSPC;
        memmove(&s->r[i + 1], &s->r[i], (s->nr - i) * sizeof(s->r[0]));
        s->r[i].first = first;
        s->r[i].last = last;
        s->nr++;
        return 0;
    }
    /* Overlaps or touches r[i]: grow it, then swallow the ranges it reaches. */
    s->r[i].first = MIN(s->r[i].first, first);
    s->r[i].last = MAX(s->r[i].last, last);
    while (i + 1 < s->nr && reaches(s->r[i].last, s->r[i + 1].first)) {
        s->r[i].last = MAX(s->r[i].last, s->r[i + 1].last);
        remove_slot(s, i + 1);
    }
    return 0;
}

int rangeset_remove(struct rangeset *s, uint64_t first, uint64_t last)
{
    if (first > last)
        return -EINVAL;
    for (unsigned int i = 0; i < s->nr;) {
        uint64_t f = s->r[i].first, l = s->r[i].last;

        if (l < first || f > last) {
            i++;
            continue;
        }
        if (f < first && l > last) { /* a hole in the middle: split */
            if (s->nr == RANGESET_MAX)
                return -ENOSPC;
            memmove(&s->r[i + 1], &s->r[i], (s->nr - i) * sizeof(s->r[0]));
            s->nr++;
            s->r[i].last = first - 1;
            s->r[i + 1].first = last + 1;
            return 0;
        }
        if (f < first) {
            s->r[i++].last = first - 1;
        } else if (l > last) {
            s->r[i++].first = last + 1;
        } else {
            remove_slot(s, i);
        }
    }
    return 0;
}

bool rangeset_contains(const struct rangeset *s, uint64_t first, uint64_t last)
{
    for (unsigned int i = 0; i < s->nr; i++)
        if (s->r[i].first <= first && last <= s->r[i].last)
            return true;
    return false;
}
