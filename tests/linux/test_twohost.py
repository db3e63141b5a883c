#!/usr/bin/env python3
"""Two pvx hosts on one network (tests/linux/twohost.py): each boots a Linux
dom0 running tests/linux/init-twohost, which brings up its virtio NIC, pings
the other host and sends it 8 MiB over TCP, checked by MD5 on arrival.  This
is the network `xl migrate` between the two hosts runs over.  Then a Debian
domU that counts on its console and holds a memory pattern migrates from a
to b with `xl migrate -s "pvx-migrate connect"`, live (its memory goes in
rounds while it runs, rewriting a file it checks): on b its count goes on
without a reboot, its pattern's checksum is the same, the file it rewrote
checks out, its xenbus works and
its vif (in xenbr0, of which each host's NIC is a port) answers pings from
both hosts at the same address, and its second disk, on storage both hosts
share, holds on b the count it wrote on a and takes the counts it writes on
b; a no longer has it.  First, while b holds
another domain of the same name, the migration is refused and the guest
stays on a, its vif still answering.
"""
import sys

import twohost

CHECKS = ("link-up", "ping-peer", "tcp-from-peer", "shared-disk", "peer-done")
MIGRATE_A = ("migrate-guest-created", "migrate-guest-writes-disk", "migrate-guest-pings", "migrate-name-taken-keeps-guest",
             "migrate-refused-guest-pings", "migrate-sent", "migrate-live-rounds", "migrate-gone-here",
             "migrate-pings-from-here")
MIGRATE_B = ("migrate-name-taken-nothing-left", "migrate-arrived", "migrate-receiver-downtime", "migrate-count-continues",
             "migrate-pattern-unchanged", "migrate-xenbus-works", "migrate-memory-consistent",
             "migrate-forks-consistent",
             "migrate-pings-here", "migrate-disk-shared")


def main():
    return twohost.run("twohost", {"a": "init-twohost", "b": "init-twohost"},
                       {"a": CHECKS + MIGRATE_A, "b": CHECKS + MIGRATE_B}, minutes=4, shared_disk=16,
                       timeout=660, show=("pvx-dom0: step ", "pvx-dom0: listener: ", "pvx-dom0: guest: ")).summary()


if __name__ == "__main__":
    sys.exit(main())
