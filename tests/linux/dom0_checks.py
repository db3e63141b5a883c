"""Run a dom0 test init on pvx and read its check lines.

A dom0 test init (tests/linux/init-*) prints one
`pvx-dom0: check NAME PASS|FAIL detail` line per check
(tests/linux/checks.sh), then `pvx-dom0: done`, and powers dom0 off.
run() builds dom0's initramfs with that init, boots pvx with it in QEMU,
keeps the serial log, and turns every expected name into a check: it must
be there and PASS.  A dom0 or domU oops, or a pvx panic, fails the run.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
CMDLINE = "console=hvc0 earlyprintk=xen"


def run(name, init, checks, *, dom0_mem="384M", memory="1G", timeout=900, minutes=4,
        show=("pvx-dom0: round ",), rootfs=False):
    """Boot pvx with dom0 running tests/linux/<init>; a Checks of every name
    in checks (reported as "<name>: <check>"), plus the daemons' start,
    no oops and a clean end.  Lines starting with a prefix in show are
    printed.  rootfs: dom0 carries the domU's root image."""
    ck = qh.Checks()
    initrd = os.path.join(LINUX, f"initrd-{name}.gz")
    serial_log = os.path.join(LINUX, f"{name}-serial.log")
    for cmd in (["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--dom0", "--init", f"tests/linux/{init}",
                 "--out", initrd] + (["--rootfs"] if rootfs else [])):
        if subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode:
            ck.check("dom0's initramfs is built", False, why="see above")
            return ck
    pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
    print(f"test_{name}: booting pvx with a Linux dom0 running {init} "
          f"({qh.accelerator()}); about {minutes} minutes under TCG", flush=True)
    r = qh.boot(kernel=pvx, append=f"dom0_mem={dom0_mem}", memory=memory, timeout=timeout,
                modules=[f"{LINUX}/vmlinuz {CMDLINE}", f"{initrd} initrd"],
                stop_on=r"domain 0 \(dom0\): shut down", echo=bool(os.environ.get("PVX_ECHO")))
    with open(serial_log, "w") as f:
        f.write(r.output)
    print(f"test_{name}: serial log in {os.path.relpath(serial_log, ROOT)}")
    for daemon in ("xenstored", "pvxconsoled", "pvx-lifecycled"):
        ck.check(f"dom0_up starts {daemon}", r.search(rf"^pvx-dom0: {daemon} started"), r)
    for check in checks:
        m = r.search(rf"^pvx-dom0: check {check} (PASS|FAIL)(.*)$")
        ck.check(f"{name}: {check}", bool(m) and m.group(1) == "PASS", None,
                 m.group(2).strip() if m else "no check line (the init stopped before it)")
    for line in r.output.splitlines():
        if line.startswith(show):
            print("  " + line)
    ck.check("no oops or panic", not r.search(r"Oops|BUG:|Kernel panic - not syncing: (?!sysrq)|"
                                             r"PANIC|general protection fault"), r)
    ck.check("init completes and dom0 powers off",
             r.search(r"^pvx-dom0: done") and r.search(r"domain 0 \(dom0\): shut down \(poweroff\)"),
             r, why=f"timed out: {r.timed_out}")
    print(f"test_{name}: {r.elapsed:.0f} s")
    return ck
