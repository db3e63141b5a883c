/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: the xenstore wire format.
 *
 * A xenstore client (a guest kernel over the shared ring page, or a tool over
 * a socket) talks to the store daemon in messages.  Each message is a fixed
 * 16-byte header, struct xsd_sockmsg, followed by `len` bytes of payload.
 * Payloads are one or more NUL-terminated strings (paths, values, tokens);
 * a value written with XS_WRITE is the exception and is not terminated.
 *
 * Replies echo the request's type and req_id.  A failed request is answered
 * with type XS_ERROR and a payload naming the error ("ENOENT", ...), taken
 * from the table below.  Watch firings arrive unsolicited as XS_WATCH_EVENT
 * with two strings: the path that changed and the watch's token.
 *
 * The guest's channel is one page (struct xenstore_domain_interface) holding
 * two byte rings, requests towards the daemon and responses back.  Indexes
 * are free-running 32-bit counters; a byte at index i lives at
 * MASK_XENSTORE_IDX(i).  The producer writes data, then (after a write
 * barrier) advances its *_prod index, then signals the event channel.
 *
 * Values and layout are identical to Xen's public io/xs_wire.h.
 */
#ifndef PVX_PUBLIC_IO_XS_WIRE_H
#define PVX_PUBLIC_IO_XS_WIRE_H

#include <stdint.h>

/* Message types: the `type` field of struct xsd_sockmsg. */
enum xsd_sockmsg_type {
    XS_CONTROL = 0,               /* daemon control commands (was XS_DEBUG) */
    XS_DIRECTORY = 1,             /* list the children of a node */
    XS_READ = 2,                  /* read a node's value */
    XS_GET_PERMS = 3,             /* read a node's permission list */
    XS_WATCH = 4,                 /* path, token: register a watch */
    XS_UNWATCH = 5,               /* path, token: remove a watch */
    XS_TRANSACTION_START = 6,     /* reply carries the new transaction id */
    XS_TRANSACTION_END = 7,       /* "T" commits, "F" aborts */
    XS_INTRODUCE = 8,             /* domid, mfn, evtchn: a new domain's ring */
    XS_RELEASE = 9,               /* domid: forget a domain */
    XS_GET_DOMAIN_PATH = 10,      /* domid -> "/local/domain/<domid>" */
    XS_WRITE = 11,                /* path, then raw value bytes */
    XS_MKDIR = 12,                /* create a node if absent */
    XS_RM = 13,                   /* remove a node and its subtree */
    XS_SET_PERMS = 14,            /* path, then permission strings */
    XS_WATCH_EVENT = 15,          /* unsolicited: path, token */
    XS_ERROR = 16,                /* reply: the error's name */
    XS_IS_DOMAIN_INTRODUCED = 17, /* domid -> "T" or "F" */
    XS_RESUME = 18,               /* domid: clear a domain's shutdown state */
    XS_SET_TARGET = 19,           /* domid, target: grant a stub domain rights */
    /* 20 is retired (it was XS_RESTRICT) and must not be reused. */
    XS_RESET_WATCHES = 21,  /* drop all of the caller's watches */
    XS_DIRECTORY_PART = 22, /* generation, offset -> part of a listing */
    XS_TYPE_COUNT = 23,     /* one past the last defined type */
    XS_INVALID = 0xffff     /* never a valid type */
};

/* Older name for XS_CONTROL, still used by some clients. */
#define XS_DEBUG XS_CONTROL

/* Permission/creation mode strings used by some clients' write helpers. */
#define XS_WRITE_NONE        "NONE"
#define XS_WRITE_CREATE      "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * Errors travel as their C names, so both ends need not share errno numbers.
 * struct xsd_errors pairs the local errno value with its name.  The table
 * xsd_errors[] is provided only when the includer has already pulled in the
 * host's <errno.h> (detected through EINVAL); the order is part of the ABI
 * (new names only ever go at the end), and the first entry, EINVAL, is the
 * fallback for errors that have no entry.
 */
struct xsd_errors {
    int errnum;            /* host errno value */
    const char *errstring; /* its name, e.g. "ENOENT" */
};

/* One table entry: the value of errno constant `e` and its spelling. */
#define XSD_ERROR(e)                                                                               \
    {                                                                                              \
        e, #e                                                                                      \
    }

#ifdef EINVAL
#if defined(__GNUC__)
#define PVX_XSD_UNUSED __attribute__((unused))
#else
#define PVX_XSD_UNUSED
#endif
static const struct xsd_errors xsd_errors[] PVX_XSD_UNUSED = {
    XSD_ERROR(EINVAL),    XSD_ERROR(EACCES),  XSD_ERROR(EEXIST), XSD_ERROR(EISDIR),
    XSD_ERROR(ENOENT),    XSD_ERROR(ENOMEM),  XSD_ERROR(ENOSPC), XSD_ERROR(EIO),
    XSD_ERROR(ENOTEMPTY), XSD_ERROR(ENOSYS),  XSD_ERROR(EROFS),  XSD_ERROR(EBUSY),
    XSD_ERROR(EAGAIN),    XSD_ERROR(EISCONN), XSD_ERROR(E2BIG),  XSD_ERROR(EPERM)};
#undef PVX_XSD_UNUSED
#endif

/* Message header.  All fields IN for requests, echoed OUT in replies. */
struct xsd_sockmsg {
    uint32_t type;   /* enum xsd_sockmsg_type */
    uint32_t req_id; /* chosen by the client, copied into the reply */
    uint32_t tx_id;  /* transaction id, 0 outside any transaction */
    uint32_t len;    /* payload bytes after this header, <= PAYLOAD_MAX */
};

/* Position of the two strings in an XS_WATCH_EVENT payload. */
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN = 1 };

/* ---- The shared ring page ---- */

#define XENSTORE_RING_SIZE 1024 /* bytes per direction, a power of two */
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

/*
 * req[]/req_prod are written by the guest, req_cons by the daemon;
 * rsp[]/rsp_prod by the daemon, rsp_cons by the guest.
 * server_features: set by the daemon (XENSTORE_SERVER_FEATURE_*).
 * connection: XENSTORE_CONNECTED, or XENSTORE_RECONNECT while the guest asks
 *   the daemon to reset the ring (only if the RECONNECTION feature is set).
 * error: set by the daemon (XENSTORE_ERROR_*) when it gives up on the ring.
 */
struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE]; /* offset 0 */
    char rsp[XENSTORE_RING_SIZE]; /* offset 1024 */
    XENSTORE_RING_IDX req_cons;   /* offset 2048 */
    XENSTORE_RING_IDX req_prod;   /* offset 2052 */
    XENSTORE_RING_IDX rsp_cons;   /* offset 2056 */
    XENSTORE_RING_IDX rsp_prod;   /* offset 2060 */
    uint32_t server_features;     /* offset 2064 */
    uint32_t connection;          /* offset 2068 */
    uint32_t error;               /* offset 2072 */
};

/* Largest payload of one message; longer messages are a protocol error. */
#define XENSTORE_PAYLOAD_MAX 4096

/* Longest absolute ("/local/...") and relative path the daemon accepts. */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/* server_features bits */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* `connection` is honoured */
#define XENSTORE_SERVER_FEATURE_ERROR        2 /* `error` is maintained */

/* connection values */
#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

/* error values */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1 /* communication failure */
#define XENSTORE_ERROR_RINGIDX 2 /* an index moved outside the ring */
#define XENSTORE_ERROR_PROTO   3 /* malformed message, e.g. too long */

#endif /* PVX_PUBLIC_IO_XS_WIRE_H */
