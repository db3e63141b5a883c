/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: the xenbus device states.
 *
 * Each split driver keeps its state in xenstore ("<device path>/state") as
 * a decimal number.  A frontend and its backend walk through these states
 * to negotiate (Initialising -> InitWait/Initialised -> Connected) and to
 * tear down (Closing -> Closed).
 */
#ifndef PVX_PUBLIC_IO_XENBUS_H
#define PVX_PUBLIC_IO_XENBUS_H

enum xenbus_state {
    XenbusStateUnknown = 0,       /* not yet written */
    XenbusStateInitialising = 1,  /* setting up */
    XenbusStateInitWait = 2,      /* backend: waiting for the frontend's details */
    XenbusStateInitialised = 3,   /* details published, waiting to connect */
    XenbusStateConnected = 4,     /* operational */
    XenbusStateClosing = 5,       /* shutting down */
    XenbusStateClosed = 6,        /* torn down */
    XenbusStateReconfiguring = 7, /* reconfiguration in progress */
    XenbusStateReconfigured = 8   /* reconfiguration done */
};
typedef enum xenbus_state XenbusState;

#endif /* PVX_PUBLIC_IO_XENBUS_H */
