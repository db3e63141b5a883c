#!/usr/bin/env python3
"""pvx's toolstack in a Linux dom0, in QEMU (TCG): dom0's init
(tests/linux/init-toolstack) brings up xenstored, the console daemon and
the lifecycle daemon (dom0_up) and drives Debian Linux domUs and the PV
test guest with `xl`: create, console (log and `xl console`), the guest's
own xenbus, list, orderly shutdown, reboot, destroy, on_crash=restart, bad
input with nothing left behind, and 8 domUs created and destroyed three
times with every page coming back.

Each check the init runs prints `pvx-dom0: check NAME PASS|FAIL detail`;
every name in CHECKS must PASS.  A dom0 or domU oops or panic of pvx fails
the run.
"""
import sys

import dom0_checks

CHECKS = (
    "create", "console-log", "domu-fifo-events", "xenbus-guest-reads-domid",
    "xenbus-guest-writes-node",
    "xenstore-layout-acls", "list-row",
    "console-attach", "console-detach",
    "shutdown-wait", "shutdown-orderly", "shutdown-gone", "shutdown-nodes-gone",
    "release-domain-fires", "introduce-domain-fires",
    "reboot-requested", "reboot-new-domain", "reboot-boots-again",
    "maxmem-starts-at-memory", "mem-set", "mem-set-balloons-up", "mem-set-balloons-down",
    "mem-set-above-maxmem-refused", "vcpu-starts-at-vcpus", "vcpu-set-overcommit-refused",
    "vcpu-set-online", "vcpu-set-offline", "vcpu-set-above-max-refused",
    "destroy", "destroy-gone", "destroy-nothing-left",
    "crash-restart", "crash-restart-logged", "crash-destroyed",
    "testguest-create", "testguest-checks", "testguest-xenstore-write", "testguest-console-ring",
    "bad-syntax-error", "bad-bareword-override", "bad-no-name", "bad-missing-kernel", "bad-not-a-pv-kernel",
    "bad-more-memory-than-free", "bad-duplicate-name", "bad-maxvcpus-below-vcpus",
    "bad-too-many-vcpus", "bad-no-such-domain", "bad-no-such-domid",
    "eight-domus-three-rounds", "memory-back-at-end",
)


def main():
    return dom0_checks.run("toolstack", "init-toolstack", CHECKS).summary()


if __name__ == "__main__":
    sys.exit(main())
