#!/usr/bin/env python3
"""The xl scenario (tests/linux/xl-scenario.sh) on a hypervisor in QEMU, its
output parsed, and the xl contract checked on it.

Library:
    prepare_xen()                  build build/xen-peer/initrd-xl.gz
    run_xen(timeout=, smp=)        boot Xen 4.17 + Debian's toolstack in dom0
                                   (smp=2: two CPUs, multi-threaded TCG)
    prepare_pvx(), run_pvx()       the same with pvx and its own toolstack
    parse(serial_text)             -> Scenario: .results {label: (stdout,
                                   stderr, status)}, .cmds, .times (ms),
                                   .waits, .rss, .notes, .problems
    metrics(scenario)              create/boot/destroy times, daemon RSS
    check_contract(results, ...)   [(name, ok, why)]: the documented xl
                                   contract (/work/shared/docs/toolstack-facts.md)
    smp_rounds(scenario), check_smp(scenario, runs, steps)
                                   the smp mode's work times; its checks
                                   (both domUs worked, xl vcpu-pin moved
                                   the vCPU between the two CPUs), for
                                   scripts/bench-smp-domains.py
    assert_contract(results, ...)  the same, raising AssertionError on failures
    save_reference(scenario, dir)  <label>.txt per command + results.json

Command (PASS/FAIL lines and `N passed, N failed`):
    xl_scenario.py [--hypervisor xen|pvx] [--from-log FILE] [--save DIR]

The checks are generic: they take the domain's name, memory and vCPUs as
parameters and read ids from the outputs, so they can run unchanged on any
xl-compatible toolstack's outputs.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")  # Xen 4.17 does not boot under this KVM
import qemu_harness as qh  # noqa: E402

PEER = os.path.join(ROOT, "build", "xen-peer")
LINUX = os.path.join(ROOT, "build", "linux")
DOM0_CMDLINE = "console=hvc0 earlyprintk=xen"
# Xen's command line for the reference run: its console on COM1 (QEMU's
# stdio), a fixed 512 MiB single-vCPU dom0 (no ballooning: xl.conf has
# autoballoon off), the rest of the 1 GiB machine free for the domU.
XEN_APPEND = ("console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 "
              "noreboot=false")
XEN_MEMORY = "1G"
XEN_TIMEOUT = 480  # a loaded host; the suites allow 600
DONE = r"^pvx-dom0: done"

# What the scenario's domU config asks for (scripts/mk-xen-dom0-initrd.py).
DOMU = {"name": "debian", "memory_mib": 128, "vcpus": 1, "cfg": "/etc/xen/debian.cfg"}
# The same domU on pvx (tests/linux/init-xl-pvx): /etc/pvx/debian.cfg is
# make run's example, with a disk and a vif.
PVX_CFG = "/etc/pvx/debian-ramdisk.cfg"

LIST_HEADER = "Name" + " " * 40 + "ID   Mem VCPUs\tState\tTime(s)"
# xl vcpu-list: name %-32s, id %5u, vcpu %5u, cpu %5u (or '-'), state
# [r-][b-][p-], time %9.1f, then "hard / soft" as CPU ranges.
VCPU_LIST_HEADER = ("Name" + " " * 29 + "   ID  VCPU   CPU State   Time(s) "
                    "Affinity (Hard / Soft)")
VCPU_ROW = re.compile(r"^(?P<name>.{32}) (?P<id>[ \d]{4}\d) (?P<vcpu>[ \d]{4}\d)"
                      r" *(?P<cpu>\d+|-) +(?P<state>[r-][b-][p-]) +(?P<time>\d+\.\d)"
                      r"  (?P<hard>\S+) / (?P<soft>\S+)$")
# name %-40s, id %5d, mem %5lu, vcpus %5d, 5 spaces, 6 state letters, 2
# spaces, cpu time %8.1f
LIST_ROW = re.compile(r"^(?P<name>.{40}) (?P<id>[ \d]{4}\d) (?P<mem>[ \d]{4}\d) "
                      r"(?P<vcpus>[ \d]{4}\d)     (?P<state>[r-][b-][p-][s-][-rscwS?][d-])"
                      r"  (?P<time> *\d+\.\d)$")
UPTIME_HEADER = "Name".ljust(33) + " " + "ID".rjust(4) + " Uptime"
UPTIME_ROW = re.compile(r"^(?P<name>.{33}) (?P<id>[ \d]{3}\d) "
                        r"(?P<up>(?:\d+ days?, )?[ \d]\d:\d\d:\d\d)$")
INFO_KEYS = ["host", "release", "version", "machine", "nr_cpus", "max_cpu_id", "nr_nodes",
             "cores_per_socket", "threads_per_core", "cpu_mhz", "hw_caps", "virt_caps",
             "total_memory", "free_memory", "sharing_freed_memory", "sharing_used_memory",
             "outstanding_claims", "free_cpus", "xen_major", "xen_minor", "xen_extra",
             "xen_version", "xen_caps", "xen_scheduler", "xen_pagesize", "platform_params",
             "xen_changeset", "xen_commandline", "cc_compiler", "cc_compile_by",
             "cc_compile_domain", "cc_compile_date", "build_id", "xend_config_format"]
VIRT_CAPS = {"pv", "hvm", "hvm_directio", "pv_directio", "hap", "shadow", "iommu_hap_pt_share",
             "vmtrace", "vpmu", "gnttab-v1", "gnttab-v2"}
# Lines other writers may put between the scenario's on the shared console.
NOISE = re.compile(r"^(\(XEN\) |\[ *\d+\.\d+\] |pvx: |\(d\d+\) |\(pvx\) |domain \d+ [(:])")


class Scenario:
    def __init__(self):
        self.results = {}   # label -> (stdout, stderr, status)
        self.cmds = {}      # label -> the command line it ran
        self.times = {}     # event -> ms (monotonic, dom0's clock)
        self.waits = {}     # event -> "ok" | "timeout"
        self.rss = {}       # (when, daemon) -> (VmRSS kB, smaps_rollup Rss kB); None: unknown
        self.notes = []
        self.free = {}      # when -> the hypervisor's free memory, kB
        self.save_size = 0  # bench: bytes xl save wrote
        self.cpuwork = {}   # smp: event -> (domain name, its pvx-cpuwork line)
        self.problems = []  # what made the output unreadable
        self.begun = self.ended = False


def _skip_noise(lines, i):
    """Other writers' lines between markers: the hypervisor's own log and
    dom0's kernel share the console, and only '@@@ ' lines are the
    scenario's, so any other line there is theirs."""
    while i < len(lines) and not lines[i].startswith("@@@ "):
        i += 1
    return i


def _stream(lines, i, header, label, sc):
    """Read one '@@@ STDOUT|STDERR <n> <md5>' block starting at lines[i];
    returns (text, next index)."""
    i = _skip_noise(lines, i)
    m = re.match(r"^@@@ (?:STDOUT|STDERR) (\d+) ([0-9a-f]{32})$", lines[i]) if i < len(lines) \
        else None
    if not m:
        sc.problems.append(f"{label}: expected {header}, got "
                           f"{lines[i] if i < len(lines) else 'the end'!r}")
        return "", i
    size, digest = int(m.group(1)), m.group(2)
    j = i + 1
    body = []
    while j < len(lines) and not lines[j].startswith("@@@ "):
        body.append(lines[j])
        j += 1

    def assemble(ls):
        text = "".join(line + "\n" for line in ls)
        if len(text) == size + 1:   # the scenario added a newline
            text = text[:-1]
        return text

    text = assemble(body)
    if len(text.encode()) != size or hashlib.md5(text.encode()).hexdigest() != digest:
        clean = assemble([line for line in body if not NOISE.match(line)])
        if len(clean.encode()) == size and hashlib.md5(clean.encode()).hexdigest() == digest:
            text = clean
        else:
            sc.problems.append(f"{label}: {header} does not match its size/md5 "
                               f"({len(text.encode())} bytes, expected {size})")
    return text, j


def parse(serial):
    """The scenario's markers in a serial log -> Scenario."""
    sc = Scenario()
    lines = serial.replace("\r\n", "\n").replace("\r", "").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("@@@ SCENARIO begin"):
            sc.begun = True
        elif line.startswith("@@@ SCENARIO end"):
            sc.ended = True
        elif line.startswith("@@@ TIME "):
            _, _, ev, ms = line.split()
            sc.times[ev] = int(ms)
        elif line.startswith("@@@ WAIT "):
            _, _, ev, st = line.split()
            sc.waits[ev] = st
        elif line.startswith("@@@ RSS "):
            # VmRSS and (if there) smaps_rollup's Rss, kB
            when, daemon, *kbs = line.split()[2:]
            sc.rss[(when, daemon)] = tuple(int(k) if k.isdigit() else None for k in kbs)
        elif line.startswith("@@@ FREE "):
            _, _, when, kb = line.split()
            sc.free[when] = int(kb)
        elif line.startswith("@@@ SAVESIZE "):
            size = line.split()[2]
            sc.save_size = int(size) if size.isdigit() else 0
        elif line.startswith("@@@ NOTE "):
            sc.notes.append(line[len("@@@ NOTE "):])
        elif line.startswith("@@@ CPUWORK "):
            parts = line.split(" ", 4)
            if len(parts) == 5:
                sc.cpuwork[parts[2]] = (parts[3], parts[4])
        elif line.startswith("@@@ BEGIN "):
            label = line.split()[2]
            i += 1
            cmd = ""
            if i < len(lines) and lines[i].startswith("@@@ CMD "):
                cmd = lines[i][len("@@@ CMD "):]
                i += 1
            out, i = _stream(lines, i, "STDOUT", label, sc)
            err, i = _stream(lines, i, "STDERR", label, sc)
            i = _skip_noise(lines, i)
            m = re.match(r"^@@@ STATUS (\d+)$", lines[i]) if i < len(lines) else None
            if not m or i + 1 >= len(lines) or lines[i + 1] != f"@@@ END {label}":
                sc.problems.append(f"{label}: no STATUS/END markers")
                continue
            sc.results[label] = (out, err, int(m.group(1)))
            sc.cmds[label] = cmd
            i += 2
            continue
        i += 1
    if not sc.begun:
        sc.problems.append("the scenario never started")
    elif not sc.ended:
        sc.problems.append("the scenario did not finish")
    return sc


def metrics(sc):
    """The numbers worth reporting: ms from `xl create` starting to the
    domU's first console line and to its `pvx-domu: domid` line, how long
    xl create/shutdown/destroy took, and the daemons' VmRSS (kB)."""
    t = sc.times
    m = {}

    def span(name, a, b):
        if a in t and b in t:
            m[name] = t[b] - t[a]

    for n in ("1", "2"):
        span(f"create{n}: xl create returns", f"create{n}-start", f"create{n}-end")
        span(f"create{n}: first console line", f"create{n}-start", f"create{n}-first-line")
        span(f"create{n}: pvx-domu: domid", f"create{n}-start", f"create{n}-domid")
        span(f"create{n}: first console line after xl create returned", f"create{n}-end",
             f"create{n}-first-line")
    span("shutdown -w returns", "shutdown-start", "shutdown-end")
    span("shutdown: domain gone", "shutdown-start", "shutdown-gone")
    span("destroy", "destroy-start", "destroy-end")
    for (when, daemon), kbs in sc.rss.items():
        m[f"rss {daemon} {when}: VmRSS (kB)"] = kbs[0] if kbs else None
        if len(kbs) > 1:
            m[f"rss {daemon} {when}: smaps_rollup Rss (kB)"] = kbs[1]
    return m


# ---------------------------------------------------------------- contract

def _rows(text):
    """xl list's stdout -> (header, [row match or the raw line])."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return None, []
    return lines[0], [LIST_ROW.match(line) or line for line in lines[1:]]


def _row_fields(m):
    return {"name": m.group("name").rstrip(), "id": int(m.group("id")),
            "mem": int(m.group("mem")), "vcpus": int(m.group("vcpus")),
            "state": m.group("state"), "time": float(m.group("time"))}


def check_contract(results, name=DOMU["name"], memory_mib=DOMU["memory_mib"],
                   vcpus=DOMU["vcpus"], cfg=DOMU["cfg"], dom0_mem_mib=None,
                   host_mem_mib=None, waits=None, notes=None, monitor_log=True):
    """Check the outputs of the scenario against xl's documented contract.

    results: {label: (stdout, stderr, status)} (Scenario.results).  Returns
    [(check name, ok, why)].  Missing labels fail their checks.
    """
    checks = []

    def check(cname, ok, why=""):
        checks.append((cname, bool(ok), "" if ok else why))
        return bool(ok)

    def get(label):
        r = results.get(label)
        check(f"{label}: ran", r is not None, "no output recorded for it")
        return r

    def expect_status(label, r, status):
        return check(f"{label}: exit status {status}", r[2] == status, f"exit status {r[2]}")

    def expect_error(label, message, status=1):
        """stdout empty, stderr exactly `message`, the exit status."""
        r = get(label)
        if r is None:
            return
        expect_status(label, r, status)
        check(f"{label}: stderr is {message!r}", r[1] == message, f"stderr {r[1]!r}")
        check(f"{label}: nothing on stdout", r[0] == "", f"stdout {r[0]!r}")

    def listing(label, want_dom0=True):
        """A successful xl list: header and rows; returns [fields]."""
        r = get(label)
        if r is None:
            return []
        expect_status(label, r, 0)
        check(f"{label}: nothing on stderr", r[1] == "", f"stderr {r[1]!r}")
        header, rows = _rows(r[0])
        check(f"{label}: header is Name+40 spaces+'ID   Mem VCPUs<TAB>State<TAB>Time(s)'",
              header == LIST_HEADER, f"header {header!r}")
        bad = [x for x in rows if isinstance(x, str)]
        check(f"{label}: every row is %-40s %5d %5d %5d     <6 state letters>  %8.1f",
              not bad, f"rows {bad!r}")
        fields = [_row_fields(x) for x in rows if not isinstance(x, str)]
        ids = [f["id"] for f in fields]
        check(f"{label}: rows in ascending domid order", ids == sorted(ids), f"ids {ids}")
        if want_dom0:
            d0 = fields[0] if fields else None
            ok = d0 is not None and d0["name"] == "Domain-0" and d0["id"] == 0
            check(f"{label}: first row is Domain-0 with ID 0", ok, f"first row {d0}")
            if ok:
                check(f"{label}: Domain-0 is running (r-----: it runs xl right now)",
                      d0["state"] == "r-----", f"state {d0['state']}")
                if dom0_mem_mib is not None:
                    check(f"{label}: Domain-0 has {dom0_mem_mib} MiB", d0["mem"] == dom0_mem_mib,
                          f"Mem {d0['mem']}")
        return fields

    def domu_row(label, fields, state_re, domid):
        rows = [f for f in fields if f["name"] == name]
        if not check(f"{label}: one row for {name}", len(rows) == 1, f"rows {fields}"):
            return None
        f = rows[0]
        check(f"{label}: {name} has ID {domid} (as xl domid says)", domid is None or
              f["id"] == domid, f"ID {f['id']}")
        check(f"{label}: {name} has {memory_mib} MiB", f["mem"] == memory_mib, f"Mem {f['mem']}")
        check(f"{label}: {name} has {vcpus} online vCPU(s)", f["vcpus"] == vcpus,
              f"VCPUs {f['vcpus']}")
        check(f"{label}: {name}'s state matches {state_re}", re.fullmatch(state_re, f["state"]),
              f"state {f['state']}")
        return f

    # --- before any domU
    fields = listing("list-dom0")
    check("list-dom0: only Domain-0", [f["name"] for f in fields] == ["Domain-0"],
          f"rows {fields}")

    r = get("info")
    info = {}
    if r:
        expect_status("info", r, 0)
        lines = r[0].rstrip("\n").split("\n")
        bad = [line for line in lines
               if not re.match(r"^[a-z_]+ *:( |$)", line) or line.index(":") != 23]
        check("info: every line is the key padded to 23, ':' at column 24 then ' ' and the value",
              not bad, f"lines {bad!r}")
        for line in lines:
            info[line[:23].rstrip()] = line[25:]
        check("info: the documented keys in the documented order", list(info) == INFO_KEYS,
              f"keys {list(info)}")
        check("info: cpu_mhz is MHz with 3 decimals", re.fullmatch(r"\d+\.\d{3}",
              info.get("cpu_mhz", "")), f"cpu_mhz {info.get('cpu_mhz')!r}")
        check("info: hw_caps is 8 hex words", re.fullmatch(r"[0-9a-f]{8}(:[0-9a-f]{8}){7}",
              info.get("hw_caps", "")), f"hw_caps {info.get('hw_caps')!r}")
        caps = info.get("virt_caps", "").split()
        check("info: virt_caps are documented capabilities", set(caps) <= VIRT_CAPS and
              "pv" in caps, f"virt_caps {caps}")
        mem = {k: info.get(k, "") for k in ("total_memory", "free_memory", "sharing_freed_memory",
                                            "sharing_used_memory", "outstanding_claims")}
        check("info: memory values are whole numbers", all(v.isdigit() for v in mem.values()),
              f"{mem}")
        if all(v.isdigit() for v in mem.values()):
            total, free = int(mem["total_memory"]), int(mem["free_memory"])
            if host_mem_mib:
                check(f"info: total_memory is in MiB (machine {host_mem_mib} MiB)",
                      host_mem_mib - 64 <= total <= host_mem_mib, f"total_memory {total}")
            check("info: free_memory below total_memory", free < total, f"{free} >= {total}")
            if dom0_mem_mib:
                check("info: free_memory in MiB leaves room for dom0",
                      free <= total - dom0_mem_mib, f"free {free}, total {total}")
        ver = f"{info.get('xen_major')}.{info.get('xen_minor')}{info.get('xen_extra')}"
        check("info: xen_version is major.minor+extra", info.get("xen_version") == ver,
              f"xen_version {info.get('xen_version')!r}, parts say {ver!r}")
        check("info: platform_params is virt_start=0x...",
              info.get("platform_params", "").startswith("virt_start=0x"),
              f"{info.get('platform_params')!r}")
        check("info: xend_config_format is 4", info.get("xend_config_format") == "4",
              f"{info.get('xend_config_format')!r}")
    r = get("info-prefix")
    if r and info:
        expect_status("info-prefix", r, 0)
        want = "".join(v + "\n" for k, v in info.items() if k.startswith("xen_ver"))
        check("info-prefix: `xl info xen_ver` prints the values of the keys it prefixes",
              r[0] == want, f"stdout {r[0]!r}, expected {want!r}")

    # --- error cases
    expect_error("list-nosuch", "nosuch is an invalid domain identifier (rc=-6)\n")
    expect_error("list-nosuch-id", "Error: Domain '4242' does not exist.\n")
    expect_error("domid-nosuch",
                 "Can't get domid of domain name 'nosuch', maybe this domain does not exist.\n")
    expect_error("domname-nosuch",
                 "Can't get domain name of domain id '4242', maybe this domain does not exist.\n")
    expect_error("domname-notnum", "Invalid domain id.\n\n")
    expect_error("destroy-nosuch", "nosuch is an invalid domain identifier (rc=-6)\n")
    r = get("create-syntax")
    if r:
        expect_status("create-syntax", r, 1)
        lines = r[1].split("\n")
        src = re.match(r"^Parsing config from (\S+)$", lines[0])
        check("create-syntax: 'Parsing config from <file>' first", src, f"stderr {r[1]!r}")
        if src:
            want = (f"{src.group(1)}:3: config parsing error near `destroy': syntax error, "
                    "unexpected IDENT, expecting STRING or NUMBER or '['")
            check("create-syntax: '<file>:<line>: config parsing error near `<text>': <msg>'",
                  len(lines) > 1 and lines[1] == want, f"stderr {r[1]!r}")
        check("create-syntax: ends 'Failed to parse config: Invalid argument'",
              r[1].endswith("\nFailed to parse config: Invalid argument\n"), f"stderr {r[1]!r}")

    # --- the domU
    r = get("create1")
    if r:
        expect_status("create1", r, 0)
        check("create1: stderr is 'Parsing config from <cfg>'",
              r[1] == f"Parsing config from {cfg}\n", f"stderr {r[1]!r}")
    if waits is not None:
        for ev in ("create1-first-line", "create1-domid", "create2-first-line", "create2-domid"):
            check(f"{ev}: seen in the guest's console log before the deadline",
                  waits.get(ev) == "ok", f"{waits.get(ev, 'not waited for')}")
    r = get("domid")
    domid = None
    if r:
        expect_status("domid", r, 0)
        ok = re.fullmatch(r"[1-9]\d*\n", r[0])
        check("domid: prints the decimal id and a newline", ok, f"stdout {r[0]!r}")
        domid = int(r[0]) if ok else None
    fields = listing("list")
    domu_row("list", fields, r"[r-][b-]----", domid)
    check("list: Domain-0 and the domU only", len(fields) == 2, f"rows {fields}")
    fields = listing("list-name", want_dom0=False)
    check("list-name: only the named domain", [f["name"] for f in fields] == [name],
          f"rows {fields}")
    domu_row("list-name", fields, r"[r-][b-]----", domid)
    r = get("list-long")
    if r:
        expect_status("list-long", r, 0)
        try:
            doc = json.loads(r[0])
        except ValueError as exc:
            doc = None
            check("list-long: stdout is JSON", False, str(exc))
        if doc is not None:
            ok = isinstance(doc, list) and len(doc) == 1 and isinstance(doc[0], dict)
            check("list-long: a JSON array with one object", ok, f"{r[0][:200]!r}")
            if ok:
                d = doc[0]
                check("list-long: the object has domid and config", d.get("domid") == domid and
                      "config" in d, f"keys {list(d)}, domid {d.get('domid')}")
                cinfo = d.get("config", {}).get("c_info", {})
                binfo = d.get("config", {}).get("b_info", {})
                check("list-long: c_info name and lower-case enum type \"pv\"",
                      cinfo.get("name") == name and cinfo.get("type") == "pv", f"c_info {cinfo}")
                check("list-long: b_info max_vcpus and target_memkb (KiB)",
                      binfo.get("max_vcpus") == vcpus and
                      binfo.get("target_memkb") == memory_mib * 1024, f"b_info {binfo}")
            check("list-long: beautified with 4-space indents",
                  r[0].startswith("[\n    {\n        \"domid\""), f"{r[0][:40]!r}")
    r = get("domname")
    if r:
        expect_status("domname", r, 0)
        check("domname: prints the name and a newline", r[0] == f"{name}\n", f"stdout {r[0]!r}")
    r = get("uptime")
    if r:
        expect_status("uptime", r, 0)
        lines = r[0].rstrip("\n").split("\n")
        check("uptime: header is Name padded to 33, ID right-aligned to 4, Uptime",
              lines[0] == UPTIME_HEADER, f"header {lines[0]!r}")
        rows = [UPTIME_ROW.match(x) for x in lines[1:]]
        check("uptime: rows are %-33s %4d <[H]H:MM:SS>", rows and all(rows),
              f"rows {lines[1:]!r}")
        if rows and all(rows):
            got = [(m.group("name").rstrip(), int(m.group("id"))) for m in rows]
            check("uptime: Domain-0 first, then the domU", got == [("Domain-0", 0), (name, domid)],
                  f"rows {got}")
    for label in ("pause", "unpause"):
        r = get(label)
        if r:
            expect_status(label, r, 0)
    fields = listing("list-paused", want_dom0=False)
    domu_row("list-paused", fields, r"-[b-]p---", domid)
    fields = listing("list-unpaused", want_dom0=False)
    domu_row("list-unpaused", fields, r"[r-][b-]----", domid)

    def vcpu_listing(label):
        """xl vcpu-list NAME: header and one row per vCPU; returns [match]."""
        r = get(label)
        if r is None:
            return []
        expect_status(label, r, 0)
        check(f"{label}: nothing on stderr", r[1] == "", f"stderr {r[1]!r}")
        lines = r[0].rstrip("\n").split("\n")
        check(f"{label}: header is xl's", lines[0] == VCPU_LIST_HEADER, f"header {lines[0]!r}")
        rows = [VCPU_ROW.match(line) for line in lines[1:]]
        check(f"{label}: every row is %-32s %5u %5u%5u %3c%c- %9.1f  hard / soft",
              rows and all(rows), f"rows {lines[1:]!r}")
        rows = [m for m in rows if m]
        check(f"{label}: one row per vCPU of {name} ({vcpus}), in order",
              [int(m.group("vcpu")) for m in rows] == list(range(vcpus)) and
              all(m.group("name").rstrip() == name for m in rows), f"rows {lines[1:]!r}")
        return rows

    rows = vcpu_listing("vcpu-list")
    check("vcpu-list: unpinned vCPUs may run anywhere (all / all)",
          rows and all(m.group("hard") == "all" and m.group("soft") == "all" for m in rows),
          f"rows {[m.group(0) for m in rows]}")
    r = get("vcpu-pin")
    if r:
        expect_status("vcpu-pin", r, 0)
        check("vcpu-pin: no output", r[0] == "" and r[1] == "", f"output {r[:2]!r}")
    rows = vcpu_listing("vcpu-list-pinned")
    # Pinned to CPU 0: on a one-CPU host that set is every CPU, "all".
    check("vcpu-list-pinned: vCPU 0 on CPU 0, hard affinity 0",
          rows and rows[0].group("cpu") in ("0", "-") and rows[0].group("hard") in ("0", "all"),
          f"row {rows[0].group(0) if rows else None!r}")
    r = get("vcpu-pin-all")
    if r:
        expect_status("vcpu-pin-all", r, 0)
    r = get("vcpu-pin-bad-cpus")
    if r:
        expect_status("vcpu-pin-bad-cpus", r, 1)
        check("vcpu-pin-bad-cpus: says the range is invalid",
              r[1] == "Invalid pcpu range: 0-x.\n", f"stderr {r[1]!r}")
    r = get("create-duplicate")
    if r:
        # Creation fails once the name is found taken: libxl's error, and xl
        # exits with -rc (ERROR_FAIL).
        expect_status("create-duplicate", r, 3)
        # libxl finds the name taken after making the domain (so names it);
        # a toolstack that looks first has no domain to name.
        check("create-duplicate: a libxl error says the name exists",
              re.search(r"^libxl: error: [\w.]+:\d+:\w+: (?:Domain \d+:)?Domain with name "
                        rf"\"{re.escape(name)}\" already exists\.$", r[1], re.M),
              f"stderr {r[1]!r}")
    fields = listing("list-after-duplicate")
    domu_row("list-after-duplicate", fields, r"[r-][b-]----", domid)
    check("list-after-duplicate: still Domain-0 and one domU", len(fields) == 2, f"rows {fields}")
    r = get("shutdown")
    if r:
        expect_status("shutdown", r, 0)
        check(f"shutdown: stderr starts 'Shutting down domain {domid}'",
              r[1].startswith(f"Shutting down domain {domid}\n"), f"stderr {r[1]!r}")
        check("shutdown: -w says 'Waiting for 1 domains'",
              "\nWaiting for 1 domains\n" in r[1], f"stderr {r[1]!r}")
        check("shutdown: -w reports the shutdown (poweroff, reason code 0) or the death",
              re.search(rf"^Domain {domid} has been (shut down, reason code 0|destroyed)$",
                        r[1], re.M), f"stderr {r[1]!r}")
    fields = listing("list-after-shutdown")
    left = [f for f in fields if f["name"] == name]
    check("list-after-shutdown: the domU is gone or shut down (poweroff: ---s--, dying: ---s-d)",
          not left or re.fullmatch(r"---s-[d-]", left[0]["state"]), f"rows {fields}")
    if waits is not None:
        check("shutdown-gone: the domain disappears after its orderly shutdown",
              waits.get("shutdown-gone") == "ok", f"{waits.get('shutdown-gone', 'not waited')}")
    if notes is not None:
        check("shutdown: the guest ran its own shutdown (orderly, not destroyed)",
              "guest ran its shutdown actions" in notes, "no 'going down' in its console log")
    expect_error("list-name-after-shutdown", f"{name} is an invalid domain identifier (rc=-6)\n")
    r = get("monitor-log") if monitor_log else None
    if r:
        # The monitor xl create forked logs to /var/log/xen/xl-NAME.log.
        expect_status("monitor-log", r, 0)
        check("monitor-log: starts 'Waiting for domain <name> (domid N) to die [pid P]'",
              re.match(rf"Waiting for domain {re.escape(name)} \(domid {domid}\) to die "
                       r"\[pid \d+\]\n", r[0]), f"log {r[0]!r}")
        check("monitor-log: 'Domain N has shut down, reason code 0 0x0' (poweroff)",
              f"\nDomain {domid} has shut down, reason code 0 0x0\n" in r[0], f"log {r[0]!r}")
        check("monitor-log: 'Action for shutdown reason code 0 is destroy' (on_poweroff default)",
              "\nAction for shutdown reason code 0 is destroy\n" in r[0], f"log {r[0]!r}")
    r = get("create2")
    if r:
        expect_status("create2", r, 0)
    fields = listing("list-second")
    second = domu_row("list-second", fields, r"[r-][b-]----", None)
    if second and domid is not None:
        check("list-second: a new domid, not the freed one (ids rotate)",
              second["id"] > domid, f"ID {second['id']} after {domid}")
    r = get("destroy")
    if r:
        expect_status("destroy", r, 0)
        check("destroy: silent", r[0] == "" and r[1] == "", f"stdout {r[0]!r} stderr {r[1]!r}")
    fields = listing("list-after-destroy")
    check("list-after-destroy: only Domain-0 is left", [f["name"] for f in fields] == ["Domain-0"],
          f"rows {fields}")
    expect_error("domid-after-destroy",
                 f"Can't get domid of domain name '{name}', maybe this domain does not exist.\n")
    return checks


def assert_contract(results, **kw):
    """check_contract(), raising AssertionError naming every failed check."""
    failed = [f"{n}: {why}" for n, ok, why in check_contract(results, **kw) if not ok]
    assert not failed, "xl contract broken:\n  " + "\n  ".join(failed)


# ---------------------------------------------------------------- smp mode

# The smp mode's domUs (tests/linux/xl-scenario.sh smp) and their work
# lines (dom0-tools/domu/cpuwork.c).
SMP_DOMAINS = ("cpuA", "cpuB")
# A work line, searched for: the domU's shell may have left its prompt
# before it on the same console line.
CPUWORK_ROUND = re.compile(r"pvx-cpuwork: round (?P<round>\d+) ns (?P<ns>\d+) "
                           r"steps (?P<steps>\d+) x [0-9a-f]+$")
# Work in make test's smoke run (bench-smp-domains.py --smoke): about 50 ms
# a round under TCG, so the check costs boots, not work.
SMP_SMOKE_STEPS = 1 << 24


def smp_vcpu_seconds(sc, label):
    """{domain: its vCPU 0's Time(s)} from an `xl vcpu-list cpuA cpuB`."""
    r = sc.results.get(label)
    rows = [VCPU_ROW.match(line) for line in r[0].split("\n")[1:]] if r and r[2] == 0 else []
    return {m.group("name").rstrip(): float(m.group("time")) for m in rows if m}


def smp_rounds(sc):
    """{run: {"alone": ns, "cpuA": ns, "cpuB": ns, "cpu_s": s}} from the smp
    mode's CPUWORK lines (only what was found; cpu_s: the CPU time the two
    vCPUs got from before to after the round at once, by xl vcpu-list), and
    the steps per round seen."""
    out, steps = {}, set()
    for ev, (name, line) in sc.cpuwork.items():
        m = re.fullmatch(r"smp(\d+)-(alone|both)-(cpuA|cpuB)", ev)
        w = CPUWORK_ROUND.search(line.strip())
        if not m or not w or name != m.group(3):
            continue
        key = "alone" if m.group(2) == "alone" else name
        out.setdefault(int(m.group(1)), {})[key] = int(w.group("ns"))
        steps.add(int(w.group("steps")))
    for i, t in out.items():
        before = smp_vcpu_seconds(sc, f"smp{i}-vcpus-before")
        after = smp_vcpu_seconds(sc, f"smp{i}-vcpus-after")
        if all(d in before and d in after for d in SMP_DOMAINS):
            t["cpu_s"] = sum(after[d] - before[d] for d in SMP_DOMAINS)
    return out, steps


def check_smp(sc, runs, steps, nr_cpus=2):
    """The smp mode's mechanics on any xl-compatible toolstack: both domUs
    booted and did every round of work, and `xl vcpu-pin cpuB 0 CPU` put
    the (spinning) vCPU on that CPU with that hard affinity, as `xl
    vcpu-list` shows it: CPU 0, then 1, then 0 again, then all.  Nothing
    about speed.  Returns [(name, ok, why)]."""
    checks = []

    def check(cname, ok, why=""):
        checks.append((cname, bool(ok), "" if ok else why))
        return bool(ok)

    def ran(label, status=0):
        r = sc.results.get(label)
        if check(f"{label}: exit status {status}", r is not None and r[2] == status,
                 f"{'exit status %d, stderr %r' % (r[2], r[1][-300:]) if r else 'it did not run'}"):
            return r
        return None

    r = ran("smp-info")
    if r:
        check(f"smp-info: xl info nr_cpus says {nr_cpus}", r[0] == f"{nr_cpus}\n",
              f"stdout {r[0]!r}")
    for d in SMP_DOMAINS:
        ran(f"smp-create-{d}")
        check(f"smp-ready-{d}: its pvx-cpuwork waits for work",
              sc.waits.get(f"smp-ready-{d}") == "ok", f"{sc.waits.get(f'smp-ready-{d}')}")
    rounds, seen = smp_rounds(sc)
    for i in range(1, runs + 1):
        got = rounds.get(i, {})
        check(f"smp run {i}: cpuA timed its work alone and then beside cpuB, cpuB its own",
              all(got.get(k, 0) > 0 for k in ("alone", "cpuA", "cpuB")),
              f"got {got}; lines {[v for k, v in sc.cpuwork.items() if k.startswith(f'smp{i}-')]}")
        check(f"smp run {i}: xl vcpu-list cpuA cpuB gave both vCPUs' times before and after",
              "cpu_s" in got, f"before {sc.results.get(f'smp{i}-vcpus-before')}, "
              f"after {sc.results.get(f'smp{i}-vcpus-after')}")
    check(f"every round did {steps} steps", seen == {steps}, f"steps {sorted(seen)}")

    def vcpu_row(label):
        r = ran(label)
        if not r:
            return None
        lines = r[0].rstrip("\n").split("\n")
        rows = [VCPU_ROW.match(line) for line in lines[1:]]
        ok = (lines[0] == VCPU_LIST_HEADER and len(rows) == 1 and rows[0] and
              rows[0].group("name").rstrip() == "cpuB" and rows[0].group("vcpu").strip() == "0")
        check(f"{label}: xl's header and one row, cpuB's vCPU 0", ok, f"stdout {r[0]!r}")
        return rows[0] if ok else None

    for label, cpu in (("0", "0"), ("1", "1"), ("back", "0")):
        r = ran(f"smp-pin-{label}")
        if r:
            check(f"smp-pin-{label}: `xl vcpu-pin cpuB 0 {cpu}` is silent",
                  r[0] == "" and r[1] == "", f"output {r[:2]!r}")
        row = vcpu_row(f"smp-vcpu-list-{label}")
        if row:
            check(f"smp-vcpu-list-{label}: cpuB's vCPU 0 is on CPU {cpu}, hard affinity {cpu}, "
                  "soft all", row.group("cpu") == cpu and row.group("hard") == cpu and
                  row.group("soft") == "all", f"row {row.group(0)!r}")
            check(f"smp-vcpu-list-{label}: it is busy (spinning), not blocked",
                  row.group("state")[1] == "-", f"row {row.group(0)!r}")
    check("smp-spin-end: cpuB ended its spin when told",
          sc.waits.get("smp-spin-end") == "ok", f"{sc.waits.get('smp-spin-end')}")
    ran("smp-pin-all")
    row = vcpu_row("smp-vcpu-list-all")
    if row:
        check("smp-vcpu-list-all: `vcpu-pin cpuB 0 all` gives hard affinity all",
              row.group("hard") == "all", f"row {row.group(0)!r}")
    for d in SMP_DOMAINS:
        ran(f"smp-destroy-{d}")
    return checks


# ---------------------------------------------------------------- running

def prepare_xen():
    """Build build/xen-peer/initrd-xl.gz (and fetch what it needs)."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "mk-xen-dom0-initrd.py")],
                       cwd=ROOT)
    return r.returncode == 0


PVX_INITRD = os.path.join(LINUX, "initrd-xl-pvx.gz")
# pvx's machine as Xen's above: 1 GiB, a 512 MiB dom0.
PVX_APPEND = "dom0_mem=512M"


def prepare_pvx():
    """pvx's dom0 initramfs with its toolstack and the scenario (and
    Debian's kernel fetched first)."""
    if subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "fetch-linux.py")],
                      cwd=ROOT).returncode:
        return False
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "mkinitramfs.py"), "--dom0",
                        "--init", os.path.join(ROOT, "tests", "linux", "init-xl-pvx"),
                        "--add", os.path.join(ROOT, "tests", "linux", "xl-scenario.sh") +
                        ":usr/bin/xl-scenario", "--out", PVX_INITRD], cwd=ROOT)
    return r.returncode == 0


def run_pvx(timeout=XEN_TIMEOUT, extra_cmdline="", smp=1):
    """pvx with its toolstack in the same Linux dom0, the scenario run against
    /var/log/pvx/console (extra_cmdline: xlbench=N for the bench mode,
    xlsmp=RUNS xlsmpsteps=STEPS for the smp mode).  smp: QEMU's CPUs (pvx
    uses them all); dom0 keeps one vCPU either way."""
    pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
    return boot(pvx, PVX_APPEND,
                [f"{LINUX}/vmlinuz {DOM0_CMDLINE} {extra_cmdline}".rstrip(),
                 f"{PVX_INITRD} initrd"], XEN_MEMORY, timeout, "pvx", smp)


def _heartbeat(stop, what, every=20):
    start = time.monotonic()
    while not stop.wait(every):
        print(f"xl-scenario: {what}: still running ({time.monotonic() - start:.0f} s)",
              flush=True)


def boot(kernel, append, modules, memory, timeout, what, smp=1):
    """One boot with a progress line every 20 s; returns qemu_harness's
    BootResult.  Several CPUs run on multi-threaded TCG (qh.smp_accel()):
    with one thread they would take turns."""
    stop = threading.Event()
    t = threading.Thread(target=_heartbeat, args=(stop, what), daemon=True)
    t.start()
    try:
        return qh.boot(kernel=kernel, append=append, modules=modules, memory=memory,
                       timeout=timeout, first_line=r"^@@@ SCENARIO begin", stop_on=DONE,
                       smp=smp, accel=qh.smp_accel() if smp > 1 else None)
    finally:
        stop.set()


def run_xen(timeout=XEN_TIMEOUT, extra_cmdline="", smp=1):
    """Xen 4.17 with Debian's toolstack in a Linux dom0, the scenario run
    against /var/log/xen/console (extra_cmdline: xlbench=N for the bench,
    xlsmp=... for the smp mode; smp: QEMU's CPUs, dom0_max_vcpus=1 still)."""
    return boot(os.path.join(PEER, "xen-4.17-amd64"), XEN_APPEND,
                [f"{LINUX}/vmlinuz linux {DOM0_CMDLINE} {extra_cmdline}".rstrip(),
                 f"{PEER}/initrd-xl.gz initrd"], XEN_MEMORY, timeout, "Xen 4.17", smp)


def save_reference(sc, directory):
    """<label>.txt (the command, its stdout, stderr and status) per command,
    and results.json with the exact strings, times and RSS."""
    os.makedirs(directory, exist_ok=True)
    for label, (out, err, status) in sc.results.items():
        with open(os.path.join(directory, f"{label}.txt"), "w") as f:
            f.write(f"$ {sc.cmds.get(label, '')}\n")
            f.write(f"--- stdout ({len(out.encode())} bytes)\n{out}")
            if out and not out.endswith("\n"):
                f.write("\n--- (no newline at the end of stdout)\n")
            f.write(f"--- stderr ({len(err.encode())} bytes)\n{err}")
            if err and not err.endswith("\n"):
                f.write("\n--- (no newline at the end of stderr)\n")
            f.write(f"--- exit status {status}\n")
    with open(os.path.join(directory, "results.json"), "w") as f:
        json.dump({"results": {k: {"cmd": sc.cmds.get(k), "stdout": v[0], "stderr": v[1],
                                   "status": v[2]} for k, v in sc.results.items()},
                   "times_ms": sc.times, "waits": sc.waits,
                   "rss_kb": {f"{w} {d}": kbs for (w, d), kbs in sc.rss.items()},
                   "metrics": metrics(sc)}, f, indent=2, sort_keys=True)
        f.write("\n")


def print_metrics(sc, prefix="xl-scenario: "):
    for k, v in metrics(sc).items():
        unit = "" if "(kB)" in k else " ms"
        print(f"{prefix}{k}: {v}{unit}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hypervisor", choices=["xen", "pvx"], default="xen")
    ap.add_argument("--from-log", help="parse this saved serial log instead of booting")
    ap.add_argument("--save", help="where to save the outputs (default "
                    "build/xen-peer/xl-reference, or build/linux/xl-pvx for pvx)")
    ap.add_argument("--timeout", type=float, default=XEN_TIMEOUT)
    args = ap.parse_args()
    xen = args.hypervisor == "xen"
    args.save = args.save or (os.path.join(PEER, "xl-reference") if xen else
                              os.path.join(LINUX, "xl-pvx"))
    log = os.path.join(PEER if xen else LINUX, "xl-scenario.log")
    if args.from_log:
        serial, result = open(args.from_log, errors="replace").read(), None
    else:
        if not (prepare_xen() if xen else prepare_pvx()):
            print(f"building the {args.hypervisor} dom0 initramfs failed (see above)")
            print("0 passed, 1 failed")
            return 1
        print(f"xl-scenario: booting {'Xen 4.17' if xen else 'pvx'} ({qh.accelerator()}, "
              f"{XEN_MEMORY}, {XEN_APPEND if xen else PVX_APPEND}); about 75 s under TCG",
              flush=True)
        result = run_xen(args.timeout) if xen else run_pvx(args.timeout)
        serial = result.output
        with open(log, "w") as f:
            f.write(serial)
        print(f"xl-scenario: QEMU ran {result.elapsed:.1f} s"
              f"{' (timed out)' if result.timed_out else ''}; "
              f"serial log {os.path.relpath(log, ROOT)}", flush=True)
    sc = parse(serial)
    if sc.results:
        save_reference(sc, args.save)
        print(f"xl-scenario: {len(sc.results)} command outputs saved in "
              f"{os.path.relpath(args.save, ROOT)}")
    print_metrics(sc)
    checks = qh.Checks()
    checks.check("dom0 brought the toolstack up", not re.search(
        r"^pvx-dom0: .*FAILED", serial, re.M) and sc.begun,
        why="; ".join(re.findall(r"^pvx-dom0: .*FAILED.*$", serial, re.M)) or "no scenario")
    checks.check("the scenario's output is complete and intact", not sc.problems,
                 why="; ".join(sc.problems))
    checks.check("dom0 finished the scenario", re.search(DONE, serial, re.M),
                 why="no 'pvx-dom0: done' on the console")
    # pvx's lifecycle daemon logs every domain in one timestamped log, not
    # one monitor log per domain: the monitor-log lines are xl's, not the CLI's.
    for name, ok, why in check_contract(sc.results, dom0_mem_mib=512, host_mem_mib=1024,
                                        cfg=DOMU["cfg"] if xen else PVX_CFG,
                                        waits=sc.waits, notes=sc.notes, monitor_log=xen):
        checks.check(name, ok, why=why)
    if not all(checks.results):
        print("--- console tail ---")
        print("\n".join(serial.splitlines()[-30:]))
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
