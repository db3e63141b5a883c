#!/usr/bin/env python3
"""Two pvx hosts on one network (tests/linux/twohost.py): each boots a Linux
dom0 running tests/linux/init-twohost, which brings up its virtio NIC, pings
the other host and sends it 8 MiB over TCP, checked by MD5 on arrival.  This
is the network `xl migrate` between the two hosts runs over.
"""
import sys

import twohost

CHECKS = ("link-up", "ping-peer", "tcp-from-peer", "peer-done")


def main():
    return twohost.run("twohost", {"a": "init-twohost", "b": "init-twohost"},
                       {"a": CHECKS, "b": CHECKS}, minutes=2, timeout=600).summary()


if __name__ == "__main__":
    sys.exit(main())
