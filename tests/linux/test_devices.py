#!/usr/bin/env python3
"""Split drivers on pvx, in QEMU (TCG), in two halves that boot separately
(each its own dom0, so the two can run side by side):

  disks-net  (tests/linux/init-devices): Debian Linux domUs whose root file
             system is on a PV disk (Linux's xen-blkfront and xen-blkback
             over a loop device) and whose eth0 is a PV interface in dom0's
             bridge (xen-netfront, xen-netback): boot from xvda, reboot, a
             file written by the guest found in the image, two disks with
             one detached and another attached live, vifs attached and
             detached live, ping, and 16 MiB over TCP both ways on a vif
             with two queues;
  many       (tests/linux/init-devices-many): three domUs at once with one
             destroyed in the middle of its transfers, and bad input with
             nothing half-made.

Every name in the half's CHECKS must PASS (tests/linux/dom0_checks.py).
"""
import sys

import dom0_checks

HALVES = {
    "disks-net": ("devices", "init-devices", (
        "create-disk-vif", "root-on-xvda", "block-list", "network-list", "vbd-layout-acls",
        "vif-in-bridge", "ping-domu", "ping-dom0", "reboot-new-domain", "reboot-old-devices-gone",
        "poweroff-after-reboot", "file-written-on-image", "image-clean", "shutdown-nothing-left",
        "create-two-disks", "vif-script-warning", "second-disk-written", "guest-watch-exits",
        "block-detach", "block-detach-gone", "detached-disk-has-data", "block-attach",
        "attached-disk-read", "block-list-after", "attach-saved-for-reboot", "network-attach",
        "network-attach-ping", "network-list-two", "network-detach",
        "tcp-domu-to-dom0", "vif-two-queues", "tcp-dom0-to-domu", "destroy-nothing-left",
    )),
    "many": ("devices-many", "init-devices-many", (
        "three-domus", "destroy-mid-transfer", "others-transfers-intact",
        "destroyed-image-consistent", "three-nothing-left",
        "bad-missing-target", "bad-read-only-target-rw", "bad-duplicate-vdev",
        "bad-no-such-bridge", "bad-not-raw", "bad-attach-missing-target",
        "bad-attach-ro-target-rw", "bad-attach-duplicate-vdev", "bad-attach-no-such-bridge",
        "bad-detach-unknown-disk", "bad-detach-unknown-vif", "bad-attach-no-such-domain",
        "attach-read-only", "end-nothing-left",
    )),
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in HALVES:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(HALVES)}")
    name, init, checks = HALVES[sys.argv[1]]
    return dom0_checks.run(name, init, checks, dom0_mem="768M", memory="2G",
                           timeout=1300, minutes=5, show=("pvx-dom0: d", "pvx-dom0: guest "),
                           rootfs=True).summary()


if __name__ == "__main__":
    sys.exit(main())
