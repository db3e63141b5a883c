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
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
INITRD = os.path.join(LINUX, "initrd-toolstack.gz")
SERIAL_LOG = os.path.join(LINUX, "toolstack-serial.log")
CMDLINE = "console=hvc0 earlyprintk=xen"
CHECKS = (
    "create", "console-log", "xenbus-guest-reads-domid", "xenbus-guest-writes-node",
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
    ck = qh.Checks()
    for cmd in (["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--dom0", "--init", "tests/linux/init-toolstack",
                 "--out", INITRD]):
        if subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode:
            ck.check("dom0's initramfs is built", False, why="see above")
            return ck.summary()
    pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
    print("test_toolstack: booting pvx with a Linux dom0 and its toolstack "
          f"({qh.accelerator()}); about 4 minutes under TCG", flush=True)
    r = qh.boot(kernel=pvx, append="dom0_mem=384M", memory="1G", timeout=900,
                modules=[f"{LINUX}/vmlinuz {CMDLINE}", f"{INITRD} initrd"],
                stop_on=r"domain 0 \(dom0\): shut down", echo=bool(os.environ.get("PVX_ECHO")))
    with open(SERIAL_LOG, "w") as f:
        f.write(r.output)
    print(f"test_toolstack: serial log in {os.path.relpath(SERIAL_LOG, ROOT)}")
    for name in ("xenstored", "pvxconsoled", "pvx-lifecycled"):
        ck.check(f"dom0_up starts {name}", r.search(rf"^pvx-dom0: {name} started"), r)
    for name in CHECKS:
        m = r.search(rf"^pvx-dom0: check {name} (PASS|FAIL)(.*)$")
        ok = bool(m) and m.group(1) == "PASS"
        ck.check(f"toolstack: {name}", ok, None,
                 m.group(2).strip() if m else "no check line (the init stopped before it)")
    for line in r.output.splitlines():
        if line.startswith("pvx-dom0: round "):
            print("  " + line)
    ck.check("no oops or panic", not r.search(r"Oops|BUG:|Kernel panic - not syncing: (?!sysrq)|"
                                             r"PANIC|general protection fault"), r)
    ck.check("init completes and dom0 powers off",
             r.search(r"^pvx-dom0: done") and r.search(r"domain 0 \(dom0\): shut down \(poweroff\)"),
             r, why=f"timed out: {r.timed_out}")
    print(f"test_toolstack: {r.elapsed:.0f} s")
    return ck.summary()


if __name__ == "__main__":
    sys.exit(main())
