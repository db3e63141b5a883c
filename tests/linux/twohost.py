"""Two pvx hosts in QEMU, side by side, joined by a network of their own.

run() builds a dom0 initramfs for each host (its own init from tests/linux),
boots both machines at once, each pvx with a Linux dom0 and a virtio NIC, and
turns the check lines each init prints (`pvx-dom0: check NAME PASS|FAIL`,
tests/linux/checks.sh) into checks named "HOST: NAME".  The two NICs are
joined by QEMU's UDP socket backend on the loopback interface: a point-to-
point Ethernet segment with nothing else on it, which needs no privileges and
no start-up order between the two machines.

Each dom0's kernel command line says who it is and who the other one is:
pvx_host=a|b pvx_ip=10.9.0.N pvx_peer=10.9.0.M; tests/linux/twohost.sh
(sourced by the inits as /etc/pvx-twohost.sh) brings the link up and lets
the two inits wait for each other.

With shared_disk=N each machine also gets a virtio disk (dom0's /dev/vda)
backed by the same N-MiB raw file on this host, as shared storage (a SAN
LUN, an NFS file) would be: QEMU's image locking is off and the device is
shared read-write, and both QEMUs go through this host's page cache, so a
write on one machine is what the other reads.  Nothing keeps both hosts from
writing at once; as with shared storage under Xen, the toolstack's
migration does (the guest runs on one host at a time).
"""
import os
import socket
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
CMDLINE = "console=hvc0 earlyprintk=xen"
HOSTS = ("a", "b")
ADDRESS = {"a": "10.9.0.1", "b": "10.9.0.2"}
MAC = {"a": "52:54:00:09:00:01", "b": "52:54:00:09:00:02"}


def free_udp_ports(n):
    """n UDP ports on the loopback interface that are free right now."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def build_initrd(name, host, init, rootfs):
    initrd = os.path.join(LINUX, f"initrd-{name}-{host}.gz")
    cmd = ["scripts/mkinitramfs.py", "--dom0", "--init", f"tests/linux/{init}", "--out", initrd,
           "--add", "tests/linux/twohost.sh:etc/pvx-twohost.sh"]
    if rootfs:
        cmd.append("--rootfs")
    if subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode:
        return None
    return initrd


def shared_disk_args(name, mib):
    """QEMU arguments for a virtio disk on a fresh, zeroed mib-MiB file
    that both machines attach."""
    path = os.path.join(LINUX, f"{name}-shared.img")
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return ("-drive", f"file={path},format=raw,if=none,id=shared,file.locking=off",
            "-device", "virtio-blk-pci,drive=shared,share-rw=on")


def run(name, inits, checks, *, dom0_mem="384M", memory="1G", timeout=900, minutes=4,
        show=("pvx-dom0: step ",), rootfs=False, shared_disk=0):
    """Boot host a with dom0 running tests/linux/<inits["a"]> and host b with
    <inits["b"]>, at once; a Checks with every name in checks[host] (which
    must PASS), each daemon's start, no oops and a clean end on both.
    shared_disk: the size in MiB of a disk both machines have (0: none)."""
    ck = qh.Checks()
    if subprocess.run([sys.executable, "scripts/fetch-linux.py"], cwd=ROOT).returncode:
        ck.check("Linux is fetched", False, why="see above")
        return ck
    initrds = {h: build_initrd(name, h, inits[h], rootfs) for h in HOSTS}
    for h in HOSTS:
        if not initrds[h]:
            ck.check(f"{h}: dom0's initramfs is built", False, why="see above")
            return ck
    ports = dict(zip(HOSTS, free_udp_ports(2)))
    pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
    print(f"test_{name}: booting two pvx hosts with Linux dom0s ({qh.accelerator()}), "
          f"joined by UDP ports {ports['a']} and {ports['b']}; about {minutes} minutes under TCG",
          flush=True)
    results = {}
    disk = shared_disk_args(name, shared_disk) if shared_disk else ()

    def boot(h):
        other = "b" if h == "a" else "a"
        cmdline = (f"{CMDLINE} pvx_host={h} pvx_ip={ADDRESS[h]} pvx_peer={ADDRESS[other]}")
        net = (f"socket,id=net0,udp=127.0.0.1:{ports[other]},localaddr=127.0.0.1:{ports[h]}")
        results[h] = qh.boot(
            kernel=pvx, append=f"dom0_mem={dom0_mem}", memory=memory, timeout=timeout,
            modules=[f"{LINUX}/vmlinuz {cmdline}", f"{initrds[h]} initrd"],
            extra=("-netdev", net, "-device", f"virtio-net-pci,netdev=net0,mac={MAC[h]}") + disk,
            stop_on=r"domain 0 \(dom0\): shut down",
            echo=os.environ.get("PVX_ECHO") == h)

    threads = [threading.Thread(target=boot, args=(h,)) for h in HOSTS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for h in HOSTS:
        r = results[h]
        serial_log = os.path.join(LINUX, f"{name}-{h}-serial.log")
        with open(serial_log, "w") as f:
            f.write(r.output)
        print(f"test_{name}: host {h}'s serial log in {os.path.relpath(serial_log, ROOT)} "
              f"({r.elapsed:.0f} s)")
        for daemon in ("xenstored", "pvxconsoled", "pvx-lifecycled"):
            ck.check(f"{h}: dom0_up starts {daemon}", r.search(rf"^pvx-dom0: {daemon} started"), r)
        for check in checks[h]:
            m = r.search(rf"^pvx-dom0: check {check} (PASS|FAIL)(.*)$")
            ck.check(f"{h}: {check}", bool(m) and m.group(1) == "PASS", None,
                     m.group(2).strip() if m else "no check line (the init stopped before it)")
        for line in r.output.splitlines():
            if line.startswith(show):
                print(f"  {h}: {line}")
        ck.check(f"{h}: no oops or panic",
                 not r.search(r"Oops|BUG:|Kernel panic - not syncing: (?!sysrq)|"
                              r"PANIC|general protection fault"), r)
        ck.check(f"{h}: init completes and dom0 powers off",
                 r.search(r"^pvx-dom0: done") and
                 r.search(r"domain 0 \(dom0\): shut down \(poweroff\)"),
                 r, why=f"timed out: {r.timed_out}")
    return ck
