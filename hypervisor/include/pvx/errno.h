/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Error numbers used inside pvx.  They are the values of the guest ABI
 * (Linux numbering), so a handler's negative errno goes to the guest as is.
 */
#ifndef PVX_ERRNO_H
#define PVX_ERRNO_H

#define EPERM      1
#define ENOENT     2
#define ESRCH      3
#define EINTR      4
#define EIO        5
#define ENXIO      6
#define E2BIG      7
#define ENOEXEC    8
#define EBADF      9
#define EAGAIN     11
#define ENOMEM     12
#define EACCES     13
#define EFAULT     14
#define EBUSY      16
#define EEXIST     17
#define EXDEV      18
#define ENODEV     19
#define EINVAL     22
#define ENFILE     23
#define EMFILE     24
#define ENOSPC     28
#define ERANGE     34
#define ENOSYS     38
#define ENODATA    61
#define ETIME      62
#define EOVERFLOW  75
#define EBADMSG    74
#define ERESTART   85 /* pvx-internal: continue the call later; never a guest's */
#define EOPNOTSUPP 95
#define ETIMEDOUT  110

#endif
