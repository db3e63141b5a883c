#!/usr/bin/env python3
"""`make run`'s demo as a user drives it: pvx boots the same dom0 as
`make run` (tests/linux/init-demo, the same modules and command lines),
and keys typed on the serial line run README's commands at dom0's shell:
`xl create /etc/pvx/debian.cfg -c` boots a Debian domU with its console
attached and its root on its PV disk, a command typed into the domU's shell
answers, Ctrl-] comes back to dom0, `xl list` shows the domU, dom0 pings it
over the bridge, `xl block-list` shows its disk and `xl shutdown -w` ends
it.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
INITRD = os.path.join(LINUX, "initrd-demo.gz")
# As the Makefile's run target.
PVX_CMDLINE = "dom0_mem=512M"
LINUX_CMDLINE = "console=hvc0 earlyprintk=xen"
DEMO_CPUS = 2  # scripts/run-demo.py's default


def main():
    ck = qh.Checks()
    for cmd in (["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--dom0", "--rootfs", "--init", "tests/linux/init-demo",
                 "--out", INITRD]):
        if subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode:
            ck.check("the demo's initramfs is built", False, why="see above")
            return ck.summary()
    keys = [
        (r"^pvx demo: shell", b"xl create /etc/pvx/debian.cfg -c\n"),
        (r"^pvx-domu: ready", b"echo domU answers $((40 + 2))\n"),
        # Ctrl-] alone, apart from what follows: the console client detaches
        # only on a read that is that one byte, as Xen's does.
        (r"^domU answers 42", b"\x1d", 1),
        (r"", b"xl list\n", 2),
        (r"^debian +\d+ +128 +1 ", b"ping -c 1 -W 10 10.0.0.2\n"),
        (r"packets transmitted", b"xl block-list debian\n"),
        (r"^51712 ", b"xl shutdown -w debian\n"),
        (r"has been shut down", b"echo demo over\n"),
        (r"^demo over", b"poweroff -f\n"),
    ]
    print(f"test_demo: booting the `make run` demo ({qh.accelerator()}) and typing README's "
          "commands; about a minute under TCG", flush=True)
    r = qh.boot(kernel=os.path.join(ROOT, "build", "hypervisor", "pvx"), append=PVX_CMDLINE,
                memory="1G", timeout=400, inputs=keys, smp=DEMO_CPUS, accel=qh.smp_accel(),
                modules=[f"{LINUX}/vmlinuz linux {LINUX_CMDLINE}", f"{INITRD} initrd"],
                echo=bool(os.environ.get("PVX_ECHO")))
    ck.check(f"pvx runs vCPUs on the demo's {DEMO_CPUS} CPUs",
             r.search(rf"sched: vCPUs run on {DEMO_CPUS} CPUs"), r)
    ck.check("dom0's shell prints how to start the example domU",
             r.search(r"^pvx demo:   xl create /etc/pvx/debian.cfg -c"), r)
    ck.check("xl create -c: the domU's kernel boots on the attached console",
             r.search(r"Linux version 6\.1\..*\n(.*\n)*.*pvx-domu: domid 1 name debian"), r)
    ck.check("the domU's root is its PV disk",
             r.search(r"^pvx-domu: root on /dev/xvda \(ext4, rw\)"), r)
    ck.check("the domU's shell answers what is typed", r.search(r"^domU answers 42"), r)
    ck.check("Ctrl-] detaches: xl list runs in dom0 and shows the domU",
             r.search(r"^debian +1 +128 +1 "), r)
    ck.check("dom0 pings the domU over xenbr0",
             r.search(r"^1 packets transmitted, 1 packets received"), r)
    ck.check("xl block-list shows its disk xvda",
             r.search(r"^51712 +0 +1 +4 +\d+ +\d+ +/local/domain/0/backend/vbd/1/51712"), r)
    # Reason code 0: the guest itself asked pvx to power it off (its console,
    # no longer attached, shows its init going down in the domain's log).
    ck.check("xl shutdown -w: the guest's own poweroff",
             r.search(r"^Domain 1 has been shut down, reason code 0\s*$"), r)
    ck.check("dom0 powers off (pvx exits 0)", r.status == 0, r, why=f"status {r.status}, "
             f"{r.inputs_sent} of {len(keys)} inputs typed, timed out: {r.timed_out}")
    return ck.summary()


if __name__ == "__main__":
    sys.exit(main())
