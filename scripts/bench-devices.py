#!/usr/bin/env python3
"""The split-driver benchmark: disk and network throughput of a Debian Linux
domU against the same measured in dom0 itself, on pvx and on Xen 4.17.

    bench-devices.py [--runs N] [--mib M] [--seconds S] [--only pvx|xen]
                     [--smoke] [--write-doc]

One boot per hypervisor, same QEMU machine (1536 MiB, 1 CPU), dom0 kernel
and memory (512 MiB, 1 vCPU), domU kernel, initramfs, root image and config:
pvx with its own toolstack (dom0's init tests/linux/init-bench-devices), Xen
4.17 with Debian's (xl, the C xenstored, xenconsoled; libxl running Xen's
hotplug scripts block and vif-bridge; dom0's init
tests/linux/xen/init-bench-devices, initramfs by
scripts/mk-xen-dom0-initrd.py).  Both inits bring their dom0 up and then run
the same workload, tests/linux/bench-devices.sh:

dom0 writes an M MiB raw image (default 128: dom0's 512 MiB holds its
initramfs of about 75 MiB and the image in memory, and 256 MiB does not fit
beside them) into a tmpfs at /srv/bench, gives it a loop device of its own, and
starts a Debian domU (128 MiB, 1 vCPU) with its root on xvda and that image
as xvdb (xen-blkback over a loop device of the same file), and eth0 in
xenbr0.  Then, N rounds (default 3), each workload once in the domU and once
in dom0, alternately, never at the same time:

  - sequential write and read, 1 MiB requests, over the whole image
    (pvx-iobench, O_DIRECT; the write's fdatasync counted);
  - 4 KiB random reads for S seconds (default 5): IOPS and median latency;
  - TCP for S seconds with iperf3: domU -> dom0 over the bridge (client in
    the domU, server on 10.0.0.1) against dom0's loopback (both ends in
    dom0, 127.0.0.1);
  - dom0's CPU time while the domU ran each workload, per MiB moved, from
    dom0's /proc/stat (user + nice + system + irq + softirq, 10 ms ticks);
    and dom0 idle for S seconds, for scale.

Per hypervisor, a table gives each metric's median over the rounds with
min-max, and the median of the per-round domU/dom0 ratios with their
min-max; with both, a third compares them: pvx/Xen of the medians of the
domU's figures, of dom0's, and of dom0's CPU per MiB.  The goal (the domU
gets at least 90% of dom0's disk figures) is reported, not asserted.
--smoke: one round of 16 MiB and 1 s, on pvx only unless --only xen says
otherwise (Xen's boot, its domU's creation with the bash hotplug scripts
and its domU's boot take about 110 s under TCG, pvx's about 35 s); checks
only that every figure is there and non-zero (exit status 1 otherwise).
--write-doc (both hypervisors, not with --smoke) puts the tables in
docs/benchmarks.md between its <!-- bench-devices.py --> markers.
--from-logs reads the serial logs of the last run
(build/bench-devices-pvx.log, build/bench-devices-xen.log) instead of
booting; with --only HV, --log FILE reads FILE instead (suite 43 reads the
pvx boot of scripts/bench-io.py's smoke run, which runs this workload).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests", "linux"))
os.environ.setdefault("PVX_ACCEL", "tcg")  # Xen 4.17 does not boot under this KVM
import qemu_harness as qh  # noqa: E402
import xl_scenario as xs  # noqa: E402  (Xen's command line and image)

LINUX = os.path.join(ROOT, "build", "linux")
PEER = os.path.join(ROOT, "build", "xen-peer")
HVS = ("pvx", "xen")
NAMES = {"pvx": "pvx", "xen": "Xen 4.17"}
INITRD = {"pvx": os.path.join(LINUX, "initrd-bench-devices.gz"),
          "xen": os.path.join(PEER, "initrd-bench-devices.gz")}
# "xen-opts": Xen booted again with --xen-extra-append's options, for
# reference (pvx against Xen as Debian boots it is the comparison that counts).
SERIAL_LOG = {hv: os.path.join(ROOT, "build", f"bench-devices-{hv}.log")
              for hv in HVS + ("xen-opts",)}
INITRD["xen-opts"] = INITRD["xen"]
WORKLOAD = "tests/linux/bench-devices.sh"
# Where Xen's dom0 keeps the domU's images (mk-xen-dom0-initrd.py's
# BENCH_DIR; pvx's dom0 has them in /var/lib/pvx/images).
XEN_IMAGES = "var/lib/pvx-bench"
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- bench-devices.py -->", "<!-- /bench-devices.py -->"
DOM0_MEM, MEMORY = "512M", "1536M"
TICK_MS = 10  # /proc/stat counts USER_HZ (100) ticks
PREFIX = "pvx-dom0: bench "
IOBENCH = re.compile(r"pvx-iobench: (\S+) bs=(\d+) bytes=(\d+) requests=\d+ seconds=[\d.]+ "
                     r"MiB/s=([\d.]+) iops=([\d.]+) lat-median-us=([\d.]+) lat-p99-us=([\d.]+)")
IPERF = re.compile(r"([\d.]+) ([KMG]?)Bytes\s+([\d.]+) ([KMG]?)bits/sec\s+receiver")
# sockperf ping-pong --full-rtt: the messages answered in the measured time,
# and the median round trip (us).
SOCKPERF = re.compile(r"\[Valid Duration\] RunTime=([\d.]+) sec; SentMessages=\d+; "
                      r"ReceivedMessages=(\d+).*percentile 50\.000 = *([\d.]+)")
UNIT = {"": 1 / (1 << 20), "K": 1 / 1024, "M": 1, "G": 1024}
# (row, workload, field, lower is better); field names from parse_output().
ROWS = (("sequential write, 1 MiB requests (MiB/s)", "seq-write", "mibs", False),
        ("sequential read, 1 MiB requests (MiB/s)", "seq-read", "mibs", False),
        ("random read, 4 KiB (IOPS)", "rand-read", "iops", False),
        ("random read, 4 KiB, median latency (us)", "rand-read", "lat", True),
        ("TCP, iperf3 (Mbit/s)", "tcp", "mbits", False))
DISK_GOAL = 0.90


def parse_output(workload, out):
    """The figures of one result's output: {field: value, 'mib': MiB moved}, or None."""
    if workload == "rr":
        m = SOCKPERF.search(out)
        if not m or float(m.group(1)) <= 0:
            return None
        return {"rts": int(m.group(2)) / float(m.group(1)), "rtt": float(m.group(3)), "mib": 0}
    if workload in ("tcp", "tcp-rx"):
        m = IPERF.search(out)
        if not m:
            return None
        mbits = float(m.group(3)) * {"": 1e-6, "K": 1e-3, "M": 1, "G": 1e3}[m.group(4)]
        return {"mbits": mbits, "mib": float(m.group(1)) * UNIT[m.group(2)]}
    if workload == "idle":
        return {}
    m = IOBENCH.search(out)
    if not m or m.group(1) != workload:
        return None
    return {"mibs": float(m.group(4)), "iops": float(m.group(5)), "lat": float(m.group(6)),
            "mib": int(m.group(3)) / (1 << 20)}


def build(hv):
    """dom0's initramfs for hv; False when a step failed."""
    if subprocess.run([sys.executable, "scripts/fetch-linux.py"], cwd=ROOT).returncode:
        return False
    if hv == "pvx":
        cmd = ["scripts/mkinitramfs.py", "--dom0", "--rootfs", "--host", "sockperf", "--init",
               "tests/linux/init-bench-devices",
               "--add", f"{WORKLOAD}:etc/bench-devices.sh", "--out", INITRD[hv]]
    else:
        # The domU's root image (mkrootfs.py) as pvx's dom0 carries it, and
        # the workload's tools: pvx-iobench, iperf3, sockperf, debugfs.
        import mkinitramfs
        rootfs = mkinitramfs.build_domu_rootfs()
        cmd = ["scripts/mk-xen-dom0-initrd.py", "--init", "tests/linux/xen/init-bench-devices",
               "--add", f"{WORKLOAD}:etc/bench-devices.sh",
               "--add", "tests/linux/checks.sh:etc/pvx-checks.sh",
               "--add", "build/dom0-tools/pvx-iobench:usr/bin/pvx-iobench",
               "--add", f"{rootfs}:{XEN_IMAGES}/rootfs-domu.ext4",
               "--host", "iperf3", "--host", "sockperf", "--host", "debugfs",
               "--out", INITRD[hv]]
    return subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode == 0


def qemu_command(hv, runs, mib, secs, xen_extra="", work=None, first_round=1):
    """The same QEMU machine, dom0 kernel, command line and memory for both:
    dom0 gets DOM0_MEM and one vCPU (QEMU has one CPU); Xen's line is the
    xl scenario's (console on COM1, dom0_mem fixed, no ballooning)."""
    cmdline = (f"console=hvc0 earlyprintk=xen pvxbench.runs={runs} pvxbench.mib={mib} "
               f"pvxbench.secs={secs} pvxbench.round={first_round}")
    if work:
        cmdline += " pvxbench.work=" + "+".join(work)  # QEMU splits -initrd at commas
    if hv == "pvx":
        pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
        return qh.qemu_command(kernel=pvx, append=f"dom0_mem={DOM0_MEM}", memory=MEMORY,
                               modules=[f"{LINUX}/vmlinuz {cmdline}", f"{INITRD[hv]} initrd"])
    assert f"dom0_mem={DOM0_MEM}," in xs.XEN_APPEND
    # Xen drops the module's first word (its path); "linux" keeps the
    # kernel's own first word, as the xl scenario does.
    append = xs.XEN_APPEND + (f" {xen_extra}" if hv == "xen-opts" else "")
    return qh.qemu_command(kernel=os.path.join(PEER, "xen-4.17-amd64"), append=append,
                           memory=MEMORY,
                           modules=[f"{LINUX}/vmlinuz linux {cmdline}", f"{INITRD[hv]} initrd"])


def boot(hv, runs, mib, secs, timeout, xen_extra="", work=None, first_round=1, on_line=None,
         log=None):
    """Boot hv with the benchmark's dom0; stream progress; returns (output,
    problem).  work: the workloads (bench-devices.sh's default set unless
    given); first_round: the first round's number (its parity picks which
    side goes first); on_line(line, seconds): shows progress instead of
    this script's own lines; log: where the serial output goes."""
    cmd = qemu_command(hv, runs, mib, secs, xen_extra, work, first_round)
    tag = f"bench-devices: {NAMES[hv]}:"

    def show(line, at):
        if line.startswith(PREFIX + "progress "):
            print(f"{tag} [{at:4.0f} s] {line[len(PREFIX + 'progress '):]}", flush=True)
        elif line.startswith(tuple(PREFIX + w for w in ("config", "error", "vbd", "backends",
                                                        "log"))):
            print(f"{tag} [{at:4.0f} s] {line[len(PREFIX):]}", flush=True)
        elif line.startswith("pvx-dom0: init reached"):
            print(f"{tag} [{at:4.0f} s] dom0's init runs; creating the domU", flush=True)
        elif re.match(r"pvx-dom0: .*FAILED", line):
            print(f"{tag} [{at:4.0f} s] {line}", flush=True)

    def each(line, at):
        (on_line or show)(line, at)
        # dom0 finished, or went away (pvx's and Xen's messages).
        return bool(re.match(r"pvx-dom0: done", line) or re.search(
            r"domain 0 \(dom0\): shut down|Hardware Dom0 (halted|shutdown|crashed)", line))

    r = qh.boot(timeout=timeout, cmd=cmd, on_line=each)
    with open(log or SERIAL_LOG[hv], "w") as f:
        f.write(r.output)
    return r.output, f"timed out after {timeout:.0f} s" if r.timed_out else None


def collect(out):
    """{(side, workload): [{fields..., 'ms': dom0 CPU ms}, ...] per round}, problems."""
    res, problems = {}, []
    for m in re.finditer(r"^pvx-dom0: bench result (\d+) (domU|dom0) (\S+) ticks=(-?\d+) "
                         r"wall-cs=(-?\d+) \| (.*)$",
                         out, re.M):
        rnd, side, workload, ticks, wall, text = m.groups()
        figs = parse_output(workload, text)
        if figs is None:
            problems.append(f"round {rnd}, {workload} in {side}: no figures in '{text.strip()}'")
            continue
        figs["ms"] = int(ticks) * TICK_MS
        figs["wall"] = int(wall) / 100
        res.setdefault((side, workload), []).append(figs)
    for m in re.finditer(r"^pvx-dom0: bench error (.*)$", out, re.M):
        problems.append(m.group(1))
    if re.search(r"Oops|BUG:|Kernel panic - not syncing|PANIC|general protection fault", out):
        problems.append("an oops or panic in the serial log")
    return res, problems


def spread(values, fmt):
    if not values:
        return "-"
    med = fmt.format(statistics.median(values))
    if len(values) == 1:
        return med
    return f"{med} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def number_format(values):
    return "{:,.0f}" if values and statistics.median(values) >= 100 else "{:,.1f}"


def table(res):
    """One hypervisor's markdown table, its goal lines, and the missing figures."""
    rows = ["| metric | domU | dom0 | domU/dom0 | dom0 CPU in the domU's run (ms/MiB) |",
            "|---|---|---|---|---|"]
    missing, goal = [], []
    for name, workload, field, lower_better in ROWS:
        du = [r[field] for r in res.get(("domU", workload), [])]
        d0 = [r[field] for r in res.get(("dom0", workload), [])]
        for side, vals in (("domU", du), ("dom0", d0)):
            if not vals or min(vals) <= 0:
                missing.append(f"{name}: {side}")
        ratios = [a / b for a, b in zip(du, d0) if b > 0]
        cpu = ""
        if field != "lat":
            cpu = spread(cpu_per_mib(res, workload), "{:.2f}")
        rows.append(f"| {name} | {spread(du, number_format(du))} | "
                    f"{spread(d0, number_format(d0))} | {spread(ratios, '{:.2f}')} | {cpu} |")
        if workload != "tcp" and ratios:
            r = statistics.median(ratios)
            ok = r <= 1 / DISK_GOAL if lower_better else r >= DISK_GOAL
            goal.append(f"{name}: domU/dom0 {r:.2f}: {'holds' if ok else 'does not hold'}")
    idle = [r["ms"] / r["wall"] for r in res.get(("dom0", "idle"), []) if r["wall"] > 0]
    return "\n".join(rows), goal, missing, idle


def cpu_per_mib(res, workload):
    """dom0's CPU ms per MiB moved in each of the domU's runs of workload."""
    return [r["ms"] / r["mib"] for r in res.get(("domU", workload), []) if r["mib"] > 0]


def ratio(a, b):
    """median(a) / median(b), formatted; '-' when either is missing."""
    if not a or not b or statistics.median(b) <= 0:
        return "-"
    return f"{statistics.median(a) / statistics.median(b):.2f}"


def compare(results, other="xen"):
    """The pvx/Xen table (other: "xen" or "xen-opts"): ratios of the
    medians (the rounds of two boots are not paired)."""
    rows = ["| metric | domU pvx/Xen | dom0 pvx/Xen | dom0 CPU per MiB in the domU's run "
            "pvx/Xen |", "|---|---|---|---|"]
    p, x = results["pvx"], results[other]
    for name, workload, field, _ in ROWS:
        du = [ratio([r[field] for r in p.get((side, workload), [])],
                    [r[field] for r in x.get((side, workload), [])]) for side in ("domU", "dom0")]
        cpu = "" if field == "lat" else ratio(cpu_per_mib(p, workload), cpu_per_mib(x, workload))
        rows.append(f"| {name} | {du[0]} | {du[1]} | {cpu} |")
    return "\n".join(rows)


def write_doc(text):
    doc = open(DOC).read()
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + text + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + ("\n\n## Split drivers: disk and network\n\n"
                                  "`make bench-devices` (scripts/bench-devices.py).\n\n"
                                  + text + "\n")
    with open(DOC, "w") as f:
        f.write(doc)


def measure(hv, args, timeout):
    """Build, boot and read one hypervisor's run: a dict with res (the
    figures), problems, missing, the table and the lines around it."""
    if args.from_logs:
        try:
            out, problem = open(SERIAL_LOG[hv], errors="replace").read(), None
        except OSError as e:
            return {"problems": [f"no serial log: {e}"], "missing": [], "res": {}}
    elif hv != "xen-opts" and not build(hv):
        return {"problems": [f"building {NAMES[hv]}'s dom0 initramfs failed (see above)"],
                "missing": [], "res": {}}
    else:
        print(f"bench-devices: booting {NAMES[hv]} ({qh.accelerator()}, {MEMORY}, dom0 "
              f"{DOM0_MEM}); {args.runs} round(s), {args.mib} MiB image, {args.seconds} s "
              f"timed runs; deadline {timeout:.0f} s", flush=True)
        t0 = time.monotonic()
        out, problem = boot(hv, args.runs, args.mib, args.seconds, timeout,
                            args.xen_extra_append)
        print(f"bench-devices: {NAMES[hv]}: serial log in "
              f"{os.path.relpath(SERIAL_LOG[hv], ROOT)} ({time.monotonic() - t0:.0f} s)",
              flush=True)
    res, problems = collect(out)
    if problem:
        problems.insert(0, problem)
    if not re.search(r"^pvx-dom0: done", out, re.M):
        problems.append("dom0's init did not finish (see the serial log)")
    problems += [f"dom0: {m}" for m in re.findall(r"^pvx-dom0: (.*FAILED.*)$", out, re.M)]
    config = re.search(r"^pvx-dom0: bench config (.*)$", out, re.M)
    backends = re.search(r"^pvx-dom0: bench backends (.*)$", out, re.M)
    vbd = re.findall(r"^pvx-dom0: bench vbd (backend|frontend) (.*)$", out, re.M)
    t, goal, missing, idle = table(res)
    return {"res": res, "problems": problems, "missing": missing, "table": t, "goal": goal,
            "idle": idle, "config": config.group(1) if config else "no config line",
            "backends": backends.group(1).strip() if backends else "",
            "vbd": [(side, keys.strip()) for side, keys in vbd]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mib", type=int, default=128, help="the backing image's size (MiB)")
    ap.add_argument("--seconds", type=int, default=5, help="rand-read and iperf3 duration")
    ap.add_argument("--only", choices=HVS, help="one hypervisor (--smoke: pvx unless this)")
    ap.add_argument("--smoke", action="store_true", help="one short round; check figures only")
    ap.add_argument("--timeout", type=float, help="per boot")
    ap.add_argument("--write-doc", action="store_true")
    ap.add_argument("--xen-extra-append", default="", metavar="OPTIONS",
                    help="also boot Xen with these options added (e.g. xpti=0), for "
                    "reference")
    ap.add_argument("--from-logs", action="store_true",
                    help="read the last run's serial logs (build/bench-devices-HV.log) "
                    "instead of booting")
    ap.add_argument("--log", metavar="FILE",
                    help="with --from-logs and --only: read FILE as that hypervisor's log")
    args = ap.parse_args()
    if args.log:
        if not (args.from_logs and args.only):
            ap.error("--log goes with --from-logs and --only")
        SERIAL_LOG[args.only] = args.log
    if args.smoke:
        args.runs, args.mib, args.seconds = 1, 16, 1
    if args.runs < 1 or args.mib < 2 or args.seconds < 1:
        ap.error("--runs, --seconds must be at least 1 and --mib at least 2")
    hvs = (args.only,) if args.only else ("pvx",) if args.smoke else HVS
    if args.xen_extra_append and "xen" in hvs:
        hvs += ("xen-opts",)
        NAMES["xen-opts"] = f"Xen 4.17 + {args.xen_extra_append}"
    timeout = args.timeout or 600 + args.runs * (120 + args.mib * 2 + args.seconds * 20)
    runs = {}
    for hv in hvs:
        runs[hv] = measure(hv, args, timeout)
        if args.from_logs:
            # The figures of the run the logs are from.
            conf = dict(kv.split("=", 1) for kv in runs[hv].get("config", "").split()
                        if "=" in kv)
            if {"runs", "mib", "secs"} <= set(conf):
                args.runs, args.mib, args.seconds = (int(conf["runs"]), int(conf["mib"]),
                                                     int(conf["secs"]))
    failed = False
    for hv, r in runs.items():
        if "table" in r:
            print(f"\n{NAMES[hv]}:\n{r['table']}")
            print(f"accelerator: {qh.accelerator()}; median of {args.runs} round(s) (min-max); "
                  f"{r['config']}")
            if r["idle"]:
                print(f"dom0 idle: {spread(r['idle'], '{:.0f}')} ms of CPU per second, for scale")
            for side, keys in r["vbd"]:
                print(f"xvdb {side}: {keys or '(no feature keys)'}")
            if r["backends"]:
                print(f"backends: {r['backends']}")
            for g in r["goal"]:
                print(f"goal (domU >= {DISK_GOAL:.0%} of dom0): {g}")
        for p in r["problems"]:
            print(f"bench-devices: {NAMES[hv]}: problem: {p}")
        for m in r["missing"]:
            print(f"bench-devices: {NAMES[hv]}: missing or zero figure: {m}")
        failed = failed or bool(r["problems"] or r["missing"])
    both = "pvx" in runs and "xen" in runs and not failed
    cmps = []
    if both:
        cmps.append(("pvx against Xen 4.17 (ratios of the medians; above 1 pvx is faster, "
                     "except for latency and CPU per MiB, where below 1 is better)",
                     compare({hv: r["res"] for hv, r in runs.items()})))
        if "xen-opts" in runs:
            cmps.append((f"For reference, pvx against {NAMES['xen-opts']}",
                         compare({hv: r["res"] for hv, r in runs.items()}, "xen-opts")))
    for title, t in cmps:
        print(f"\n{title}:\n{t}")
    if failed:
        return 1
    if args.write_doc and not args.smoke:
        if not both:
            print("bench-devices: --write-doc needs both hypervisors: the doc is left alone")
            return 0
        parts = []
        for hv, r in runs.items():
            idle_text = (f" dom0 idle used {spread(r['idle'], '{:.0f}')} ms of CPU per second."
                         if r["idle"] else "")
            negotiated = "".join(f" xvdb's {side} in xenstore: `{keys}`."
                                 for side, keys in r["vbd"] if keys)
            parts.append(f"{NAMES[hv]}:{idle_text}{negotiated}\n\n{r['table']}\n\n"
                         "The goal, the domU getting at least 90% of dom0's disk figures (for "
                         "latency: at most dom0's / 0.9):\n\n" +
                         "\n".join(f"- {g}" for g in r["goal"]))
        parts += [f"{title}:\n\n{t}" for title, t in cmps]
        block = (f"{BEGIN}\nMeasured with `{qh.accelerator()}` on a 2-core host shared with "
                 f"other jobs, {args.runs} rounds per hypervisor (median, min-max; the domU/dom0 "
                 f"ratio is the median of the per-round ratios), QEMU {MEMORY[:-1]} MiB "
                 f"Haswell-noTSX with 1 CPU, dom0 {DOM0_MEM[:-1]} MiB with 1 vCPU, the domU 128 "
                 f"MiB with 1 vCPU; a {args.mib} MiB image in dom0's tmpfs; {args.seconds} s "
                 "random reads and TCP runs.\n\n" + "\n\n".join(parts) + f"\n{END}")
        write_doc(block)
        print(f"bench-devices: tables written to {os.path.relpath(DOC, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
