/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The client half of `xl console` (what Xen's xenconsole does), as one
 * function for xl to call and for the tiny pvxconsole program.
 *
 *   int pvx_console_attach(domid_t domid, int notify_fd, char *err, size_t errlen);
 *
 * Connects this process's stdin and stdout to domain domid's PV console 0
 * until the user detaches or the console goes away:
 *
 *   1. domid 0 is refused: -EINVAL, "Can't specify Domain-0".
 *   2. An exclusive, non-blocking flock on /run/lock/pvx-console.<domid>
 *      (the directory is created if missing; $PVX_CONSOLE_LOCK_DIR
 *      overrides it, for tests): a second client for the same domain fails
 *      with -EWOULDBLOCK, "Could not lock /run/lock/pvx-console.5: ...".
 *      The lock file is removed again on every way out.
 *   3. Waits up to 5 s for /local/domain/<domid>/console/tty to be
 *      non-empty and opens that pty: otherwise -ETIMEDOUT, "Could not read
 *      tty from store" (pvxconsoled is not running, or not for this domain).
 *   4. If stdin is a terminal it goes raw; it is restored on every way out,
 *      signals included (they are taken through a signalfd, so nothing
 *      runs in a handler).
 *   5. If notify_fd >= 0, one 0x00 byte is written there: `xl create -c`
 *      unpauses the domain only then, so no early output is missed.  The
 *      fd stays open; it is the caller's.
 *   6. Copies stdin -> pty and pty -> stdout.  A read from stdin that is
 *      exactly the one byte 0x1d (Ctrl-]) detaches.  End of file on stdin
 *      stops input only; output keeps flowing (`xl console 5 </dev/null`).
 *
 * Returns (>= 0) how the session ended:
 *   PVX_CONSOLE_DETACHED     Ctrl-]
 *   PVX_CONSOLE_GONE         console/tty became empty or was removed: the
 *                            domain was destroyed (or its console torn down)
 *   PVX_CONSOLE_HANGUP       the pty hung up (pvxconsoled closed it)
 *   PVX_CONSOLE_SIGNAL(sig)  SIGTERM, SIGINT, SIGHUP or SIGQUIT arrived; the
 *                            terminal is already restored, the signal is
 *                            consumed and the caller decides (xenconsole
 *                            exits 0 on SIGTERM)
 * or a negative errno with the sentence in err (always NUL-terminated; on
 * success it says how the session ended).  A new tty path in the store
 * (the daemon renewed the pty) is followed, not an end.
 *
 * Exit statuses, as xl console / xenconsole: pvx_console_exit_status(rc)
 * gives 0 for every ending above and -rc for an error (xenconsole exits
 * with the errno), e.g. 22 for domid 0, 11 when the lock is held.
 *
 * Uses xs_open(0), so $XENSTORED_PATH is honoured.  Not thread-safe
 * (signal mask, terminal); call it from a single-threaded process or the
 * child that `xl create -c` forks.
 */
#ifndef PVX_CONSOLE_CLIENT_H
#define PVX_CONSOLE_CLIENT_H

#include <stddef.h>

#include <public/xen.h>

#define PVX_CONSOLE_ESCAPE      0x1d /* Ctrl-] */
#define PVX_CONSOLE_TTY_WAIT_MS 5000
#define PVX_CONSOLE_LOCK_DIR    "/run/lock"

enum {
    PVX_CONSOLE_DETACHED = 0,
    PVX_CONSOLE_GONE = 1,
    PVX_CONSOLE_HANGUP = 2,
};
#define PVX_CONSOLE_SIGNAL(sig)       (0x100 | (sig))
#define PVX_CONSOLE_IS_SIGNAL(rc)     ((rc) >= 0x100)
#define PVX_CONSOLE_SIGNAL_NUMBER(rc) ((rc)&0xff)

int pvx_console_attach(domid_t domid, int notify_fd, char *err, size_t errlen);

/* The process exit status for pvx_console_attach's result. */
int pvx_console_exit_status(int rc);

#endif /* PVX_CONSOLE_CLIENT_H */
