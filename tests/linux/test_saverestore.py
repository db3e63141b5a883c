#!/usr/bin/env python3
"""xl save and xl restore on pvx, in QEMU (TCG): dom0's init
(tests/linux/init-saverestore) saves a Debian Linux domU that counts on its
console and holds a memory pattern, restores it (the count goes on without
a reboot, the pattern's checksum is unchanged, xenbus and the console
work), saves one with -c (it keeps running), and feeds xl restore and xl
save bad input: nothing may be left behind; migrates it to this same host,
also with the receiver killed or stopped and the sender stopped halfway (the
guest goes on here and never runs twice), and live: its memory goes in
rounds while it runs and rewrites a file it checks, which still checks out
after the move.

Each check the init runs prints `pvx-dom0: check NAME PASS|FAIL detail`;
every name in CHECKS must PASS.
"""
import sys

import dom0_checks

CHECKS = (
    "create", "pattern-written", "save", "save-destroys", "save-file-magic",
    "restore", "restore-new-domain", "restore-count-continues", "restore-pattern-unchanged",
    "restore-xenbus-works", "restore-console-input",
    "save-c", "save-c-same-domain", "save-c-keeps-running", "save-c-xenbus-works",
    "bad-restore-name-exists", "bad-restore-truncated", "bad-restore-bad-magic",
    "bad-restore-libxl-version", "bad-restore-libxc-version", "bad-restore-corrupt-record",
    "bad-restore-bad-page-type", "bad-restore-cpuid-policy", "bad-save-no-such-domain", "save-no-such-domain-no-file",
    "bad-save-no-suspend", "testguest-create", "testguest-save-c", "testguest-save",
    "testguest-restore", "restore-again", "restore-again-counts",
    "migrate-unreachable-keeps-guest", "migrate-bad-limits", "migrate-receiver-killed", "migrate-receiver-stopped",
    "migrate-sender-stopped", "migrate-faults-xenbus-works", "migrate-localhost",
    "migrate-live-rounds", "migrate-one-copy", "migrate-count-continues",
    "migrate-pattern-unchanged", "migrate-memory-consistent", "migrate-forks-consistent",
)


def main():
    return dom0_checks.run("saverestore", "init-saverestore", CHECKS, minutes=6,
                           dom0_mem="768M", memory="1536M").summary()


if __name__ == "__main__":
    sys.exit(main())
