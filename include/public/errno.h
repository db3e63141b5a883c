/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: error numbers returned by hypercalls.
 *
 * Hypercalls return 0 (or a non-negative result) on success and the negated
 * value of one of these numbers on failure.  The numbering is the ABI's own
 * and is fixed forever; it happens to follow Linux/x86, but guests must
 * compare against these XEN_E* names, never against the host's <errno.h>.
 * Values that are absent here are never returned to guests.
 */
#ifndef PVX_PUBLIC_ERRNO_H
#define PVX_PUBLIC_ERRNO_H

#ifndef __ASSEMBLY__
enum xen_errno {
    XEN_EPERM = 1,          /* operation not permitted for this domain */
    XEN_ENOENT = 2,         /* no such object (port, grant, node, ...) */
    XEN_ESRCH = 3,          /* no such domain or vCPU */
    XEN_EIO = 5,            /* I/O error */
    XEN_ENXIO = 6,          /* no such device or address */
    XEN_E2BIG = 7,          /* argument list or batch too long */
    XEN_ENOEXEC = 8,        /* image format not understood */
    XEN_EBADF = 9,          /* bad handle */
    XEN_ECHILD = 10,        /* no child */
    XEN_EAGAIN = 11,        /* try again later */
    XEN_EWOULDBLOCK = 11,   /* same value as XEN_EAGAIN */
    XEN_ENOMEM = 12,        /* out of memory */
    XEN_EACCES = 13,        /* permission denied */
    XEN_EFAULT = 14,        /* a guest address could not be accessed */
    XEN_EBUSY = 16,         /* resource in use */
    XEN_EEXIST = 17,        /* already exists */
    XEN_EXDEV = 18,         /* cross-domain operation not allowed */
    XEN_ENODEV = 19,        /* no such device */
    XEN_ENOTDIR = 20,       /* not a directory */
    XEN_EISDIR = 21,        /* is a directory */
    XEN_EINVAL = 22,        /* invalid argument */
    XEN_ENFILE = 23,        /* system-wide table full */
    XEN_EMFILE = 24,        /* per-domain table full */
    XEN_ENOSPC = 28,        /* no space left */
    XEN_EROFS = 30,         /* read-only */
    XEN_EMLINK = 31,        /* too many links */
    XEN_EDOM = 33,          /* argument out of domain */
    XEN_ERANGE = 34,        /* result out of range */
    XEN_EDEADLK = 35,       /* deadlock avoided */
    XEN_EDEADLOCK = 35,     /* same value as XEN_EDEADLK */
    XEN_ENAMETOOLONG = 36,  /* name too long */
    XEN_ENOLCK = 37,        /* no locks available */
    XEN_ENOSYS = 38,        /* hypercall or sub-operation not implemented */
    XEN_ENOTEMPTY = 39,     /* not empty */
    XEN_ENODATA = 61,       /* no data available */
    XEN_ETIME = 62,         /* timer expired */
    XEN_EBADMSG = 74,       /* malformed message */
    XEN_EOVERFLOW = 75,     /* value too large for the type */
    XEN_EILSEQ = 84,        /* illegal sequence */
    XEN_ENOTSOCK = 88,      /* not a socket */
    XEN_EMSGSIZE = 90,      /* message too long */
    XEN_EOPNOTSUPP = 95,    /* operation not supported */
    XEN_EADDRINUSE = 98,    /* address in use */
    XEN_EADDRNOTAVAIL = 99, /* address not available */
    XEN_ENOBUFS = 105,      /* no buffer space */
    XEN_EISCONN = 106,      /* already connected */
    XEN_ENOTCONN = 107,     /* not connected */
    XEN_ETIMEDOUT = 110,    /* timed out */
    XEN_ECONNREFUSED = 111  /* connection refused */
};
#endif

#endif /* PVX_PUBLIC_ERRNO_H */
