/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, versions 1 and 2: how a domain lets another map or copy one
 * of its pages.
 *
 *   grant_table.c    the table itself: created with the domain, setup_table,
 *                    query_size, the hypercall's dispatch, domain teardown
 *   grant_pin.c      pinning an entry for a map or a copy (v1 flags, v2
 *                    status frames, sub-page and transitive grants)
 *   grant_version.c  set_version, get_version, get_status_frames and the
 *                    status frames' life
 *   grant_map.c      map_grant_ref, unmap_grant_ref, unmap_and_replace and
 *                    the maptrack (the mapper's record of its mappings)
 *   grant_copy.c     GNTTABOP_copy
 *
 * A table exists from its domain's creation, with one frame (Xen's initial
 * size on x86), in version 1; setup_table grows it up to the domain's limit.
 * Version 2 uses the same shared frames with 16-byte entries and adds
 * status frames (one 16-bit status per entry) that hold the busy bits.
 *
 * State of one entry (granter's shared frame + pvx's active entry):
 *   - the granter fills domid and frame, then sets GTF_permit_access
 *     (and maybe GTF_readonly): the entry is "granted";
 *   - the first map or copy by that domid "pins" it: pvx records the frame
 *     and the mapper in the active entry and sets GTF_reading (plus
 *     GTF_writing for a writable use): in v1 in the shared flags with a
 *     compare-and-swap, since the granter writes the same word; in v2 in
 *     the entry's status, then checks the shared flags again;
 *   - while pinned, pvx ignores the granter's later changes of domid/frame
 *     and the busy bits stay set: a granter's revocation (a cmpxchg of flags
 *     that expects them clear, or in v2 a read of the status) fails;
 *   - each mapping is one maptrack handle of the mapper; when the last
 *     writable use goes GTF_writing clears, with the last use GTF_reading.
 * A v2 sub-page grant (GTF_sub_page) and a transitive grant (GTF_transitive:
 * the entry names another domain's grant) can be copied from or to, never
 * mapped; a copy stays within the sub-page.
 *
 * References: a mapping's frame references are held by its PTE (host map,
 * released whichever way the PTE goes away) or by the maptrack entry
 * (device map).  A table stays allocated while any maptrack entry names it,
 * even after its owner is destroyed.
 */
#ifndef PVX_GRANT_TABLE_H
#define PVX_GRANT_TABLE_H

#include <pvx/mm.h>
#include <pvx/types.h>
#include <public/domctl.h>
#include <public/grant_table.h>

struct domain;

#define GNTTAB_MAX_FRAMES       64 /* per domain, Xen's default */
#define GNTTAB_INITIAL_FRAMES   1  /* allocated with the domain, as Xen on x86 */
#define GNTTAB_V1_PER_FRAME     (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNTTAB_V2_PER_FRAME     (PAGE_SIZE / sizeof(grant_entry_v2_t))
#define GNTTAB_STATUS_PER_FRAME (PAGE_SIZE / sizeof(grant_status_t))
/* Status frames for n shared frames of v2 entries (rounded up, as Xen). */
#define GNTTAB_STATUS_FRAMES(n)                                                                    \
    (((n)*GNTTAB_V2_PER_FRAME + GNTTAB_STATUS_PER_FRAME - 1) / GNTTAB_STATUS_PER_FRAME)
#define GNTTAB_MAX_STATUS_FRAMES GNTTAB_STATUS_FRAMES(GNTTAB_MAX_FRAMES)
/* Active entries come in chunks of this many refs, whatever the version. */
#define GNTTAB_ACTIVE_PER_CHUNK GNTTAB_V1_PER_FRAME

/*
 * The maptrack: one 16-byte entry per mapping a domain holds, in frames of
 * MAPTRACK_PER_FRAME entries (Xen's size, the unit of xl.cfg's
 * max_maptrack_frames and of createdomain's limit).  A domain may have up
 * to GNTTAB_MAPTRACK_FRAMES_MAX frames (Xen's default limit: 262144
 * mappings); they are allocated as it maps, and found through directory
 * pages of MAPTRACK_FRAMES_PER_DIR frame pointers, themselves allocated on
 * demand, so a domain that maps nothing has nothing.  Handle h is entry
 * h % MAPTRACK_PER_FRAME of frame h / MAPTRACK_PER_FRAME.
 */
#define GNTTAB_MAPTRACK_FRAMES_MAX PVX_MAX_MAPTRACK_FRAMES
#define MAPTRACK_PER_FRAME         256
#define MAPTRACK_FRAMES_PER_DIR    (PAGE_SIZE / sizeof(void *))
#define MAPTRACK_DIRS              (GNTTAB_MAPTRACK_FRAMES_MAX / MAPTRACK_FRAMES_PER_DIR)
#define GNTTAB_MAPTRACK_MAX        (GNTTAB_MAPTRACK_FRAMES_MAX * MAPTRACK_PER_FRAME)

/* pvx's view of a pinned entry (pins == 0: not in use); all of it is fixed
 * from the first pin to the last unpin. */
struct active_grant {
    uint32_t pins;                /* maps and copies in progress */
    uint32_t wpins;               /* of which writable */
    domid_t domid;                /* the user */
    bool is_sub_page;             /* a sub-page or transitive grant: never mapped */
    mfn_t frame;                  /* the frame used (a transitive grant's: its target's) */
    uint16_t start, length;       /* the bytes a copy may touch */
    struct grant_table *trans_gt; /* transitive: the table whose entry we pinned too */
    grant_ref_t trans_ref;
};

/* One mapping held by a domain: the handle is its index. */
struct maptrack {
    struct grant_table *gt; /* the granter's table (holds a user count) */
    union {
        grant_ref_t ref;    /* in use: the granter's entry */
        uint32_t next_free; /* free: the next free handle, or MAPTRACK_NONE */
    };
    uint16_t flags; /* GNTMAP_* still in force (bits 0-4); 0 = free */
    uint16_t _pad;
};

struct grant_table {
    struct domain *domain; /* NULL once the owner is destroyed */
    unsigned int version;  /* 1 or 2 */
    unsigned int nr_frames;
    mfn_t frames[GNTTAB_MAX_FRAMES];
    unsigned int nr_status_frames; /* v2 only: GNTTAB_STATUS_FRAMES(nr_frames) */
    mfn_t status[GNTTAB_MAX_STATUS_FRAMES];
    struct active_grant *active[GNTTAB_MAX_FRAMES]; /* per chunk, on first pin */
    unsigned long users; /* maptrack entries (any domain's) naming this table */

    /* This domain's own mappings (grant_map.c). */
    struct maptrack **maptrack_dir[MAPTRACK_DIRS]; /* directory pages, on demand */
    unsigned int maptrack_limit;                   /* entries allocated (whole frames) */
    unsigned int maptrack_in_use;
    uint32_t maptrack_free; /* head of the free list, or MAPTRACK_NONE */
};

#define MAPTRACK_NONE 0xffffffffu

/* Give d its table: GNTTAB_INITIAL_FRAMES frames, version 1 (-ENOMEM). */
int grant_table_init(struct domain *d);
/* Release everything d holds in grant tables (its mappings of others'
 * grants) and its own table.  Call after pv_mm_domain_teardown(d): the
 * table frames are given back only when nothing references them any more,
 * and the table itself survives while other domains still map its grants. */
void grant_table_domain_destroy(struct domain *d);

/* ---- shared by grant_table.c, grant_map.c and grant_copy.c ---- */

/* Entries of the version in force. */
unsigned int gnttab_nr_entries(const struct grant_table *gt);
/* A valid ref's entry in the version it has. */
grant_entry_v1_t *gnttab_shared_entry(const struct grant_table *gt, grant_ref_t ref);
grant_entry_v2_t *gnttab_shared_entry_v2(const struct grant_table *gt, grant_ref_t ref);
grant_entry_header_t *gnttab_entry_header(const struct grant_table *gt, grant_ref_t ref);
/* Where a valid ref's busy bits live: the v1 flags, or its v2 status. */
uint16_t *gnttab_status(const struct grant_table *gt, grant_ref_t ref);
/* The active entry of a valid ref, allocated on demand (NULL: no memory). */
struct active_grant *gnttab_active(struct grant_table *gt, grant_ref_t ref);
/* Frames pvx lends the owner (shared and status frames): allocate a zeroed
 * one the table holds a reference on / give one back (false: still mapped,
 * nothing changed). */
bool gnttab_alloc_frame(struct domain *d, mfn_t *mfn);
bool gnttab_frame_in_use(mfn_t mfn);
void gnttab_free_frame(mfn_t mfn);

/* grant_pin.c */
/*
 * Take a pin on gt's entry ref for a map by domain ld, writable or not.  On
 * success *pg is the frame with one general reference the caller owns
 * (plus a writable type reference when !readonly), and the busy bits are
 * set.  Sub-page and transitive grants are refused.  Returns a GNTST_*.
 */
int16_t gnttab_pin(struct grant_table *gt, grant_ref_t ref, domid_t ld, bool readonly,
                   struct page_info **pg);
/* The same for a copy (no type reference): sub-page grants and one level
 * of transitive grant are allowed; *off and *len bound the copy. */
int16_t gnttab_pin_for_copy(struct grant_table *gt, grant_ref_t ref, domid_t ld, bool readonly,
                            struct page_info **pg, uint16_t *off, uint16_t *len);
/* Undo one pin's bookkeeping (no frame references): clears GTF_writing /
 * GTF_reading as the last writer / user goes, and a transitive grant's
 * pin of its target. */
void gnttab_unpin(struct grant_table *gt, grant_ref_t ref, bool readonly);

/* grant_version.c */
long gnttab_set_version(struct domain *d, uint64_t uop);
long gnttab_get_version(struct domain *caller, uint64_t uop);
long gnttab_get_status_frames(struct domain *caller, uint64_t uop, unsigned int count);
/* Status frames for the table's nr_frames (v2: on switch and on growth). */
int gnttab_populate_status(struct grant_table *gt);
/* Give every status frame back (v2 to v1, teardown); false if one is still
 * mapped (then none is freed). */
bool gnttab_unpopulate_status(struct grant_table *gt);
/* Drop one user of gt (a maptrack entry went away): frees an orphaned table. */
void gnttab_put_table(struct grant_table *gt);

/* Resolve a domid for an operation on another domain's table (GNTST_*). */
int16_t gnttab_target(struct domain *caller, domid_t id, struct domain **d);

/*
 * How gnttab_batch() runs one GNTTABOP: elements of `size` bytes, each
 * handled by one(elem, ctx), which sets its status, and written back whole,
 * or (status_only) only its int16 status at status_off, as Xen does for
 * unmap and copy.  With end_chunk, the batch goes in chunks of `chunk`
 * elements: end_chunk(ctx) finishes what the chunk's elements started (and
 * runs after the last one however the batch ends), and the hypercall is
 * preempted only between chunks.
 */
struct gnttab_batch_op {
    size_t size;
    bool status_only;
    size_t status_off;
    void (*one)(void *elem, void *ctx);
    unsigned int chunk;
    void (*end_chunk)(void *ctx);
};

/* Run `count` elements at guest address uop; stops early, with *done
 * telling how far it got, when the hypercall should be preempted. */
long gnttab_batch(uint64_t uop, unsigned int count, unsigned int *done,
                  const struct gnttab_batch_op *op, void *ctx);

/* grant_map.c */
long gnttab_map(uint64_t uop, unsigned int count, unsigned int *done);
long gnttab_unmap(uint64_t uop, unsigned int count, unsigned int *done);
long gnttab_unmap_and_replace(uint64_t uop, unsigned int count, unsigned int *done);
/* Release every mapping d holds (it is being destroyed) and its maptrack. */
void gnttab_release_mappings(struct domain *d);
/* grant_copy.c */
long gnttab_copy(uint64_t uop, unsigned int count, unsigned int *done);

#endif
