/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest output on its way to the pty.  Nobody may be attached for hours,
 * so the buffer is bounded by the console's `limit` node: past 5/4 of it,
 * discard mode keeps the oldest limit/2 bytes (the boot) and the newest
 * limit/4 (what happened last) and drops the middle, as xenconsoled does;
 * keep mode drops nothing and makes the guest wait (see cbuf_full).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "consoled.h"

/* An empty buffer holding more than this gives its memory back. */
#define CBUF_IDLE_CAP (64u * 1024)

void cbuf_init(struct cbuf *b, size_t limit, bool keep)
{
    *b = (struct cbuf){.limit = limit, .keep = keep};
}

void cbuf_free(struct cbuf *b)
{
    free(b->data);
    cbuf_init(b, b->limit, b->keep);
}

size_t cbuf_limit_from(const char *node)
{
    unsigned long long v;
    char *end;

    if (!node || node[0] < '0' || node[0] > '9')
        return CBUF_LIMIT_DEFAULT;
    errno = 0;
    v = strtoull(node, &end, 10);
    if (errno || *end || v == 0)
        return CBUF_LIMIT_DEFAULT;
    if (v < CBUF_LIMIT_MIN)
        return CBUF_LIMIT_MIN;
    return v > CBUF_LIMIT_MAX ? CBUF_LIMIT_MAX : (size_t)v;
}

size_t cbuf_pending(const struct cbuf *b)
{
    return b->tail - b->head;
}

bool cbuf_full(const struct cbuf *b)
{
    return b->keep && cbuf_pending(b) >= b->limit;
}

static int make_room(struct cbuf *b, size_t n)
{
    size_t want;
    char *p;

    if (b->cap - b->tail >= n)
        return 0;
    if (b->head) {
        memmove(b->data, b->data + b->head, cbuf_pending(b));
        b->tail -= b->head;
        b->head = 0;
        if (b->cap - b->tail >= n)
            return 0;
    }
    want = b->cap ? b->cap * 2 : 4096;
    if (want < b->tail + n)
        want = b->tail + n;
    p = realloc(b->data, want);
    if (!p)
        return -ENOMEM;
    b->data = p;
    b->cap = want;
    return 0;
}

int cbuf_append(struct cbuf *b, const char *src, size_t n)
{
    size_t pending, keep_head = b->limit / 2, keep_tail = b->limit / 4;
    int rc = make_room(b, n);

    if (rc)
        return rc;
    memcpy(b->data + b->tail, src, n);
    b->tail += n;
    pending = cbuf_pending(b);
    if (!b->keep && pending > b->limit + b->limit / 4) {
        memmove(b->data + b->head + keep_head, b->data + b->tail - keep_tail, keep_tail);
        b->discarded += pending - keep_head - keep_tail;
        b->tail = b->head + keep_head + keep_tail;
    }
    return 0;
}

const char *cbuf_peek(const struct cbuf *b, size_t *n)
{
    *n = cbuf_pending(b);
    return b->data ? b->data + b->head : NULL;
}

void cbuf_consume(struct cbuf *b, size_t n)
{
    if (n > cbuf_pending(b))
        n = cbuf_pending(b);
    b->head += n;
    if (b->head != b->tail)
        return;
    b->head = b->tail = 0;
    if (b->cap > CBUF_IDLE_CAP) {
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
}
