#!/usr/bin/env python3
"""scripts/bench-io.py's parsing and rendering, without booting anything:

- the workload parsers on the output lines of iperf3 (both directions),
  sockperf ping-pong --full-rtt and pvx-iobench, and on broken output;
- a fully virtualized guest's serial log turned into figures and problems;
- a results document with random figures (three runs, one configuration
  that cannot run) rendered by `bench-io.py --render`, then checked by
  tests/tools/check_bench_io.py, which must pass, and must fail once the
  output is tampered with: a figure changed after rendering, a bar taken
  out of the SVG or stretched, a blank PNG, a zero figure, a reason missing
  from the table, a configuration that had to run marked as one that
  cannot.

Prints PASS/FAIL lines and `N passed, N failed`.
"""
import importlib.util
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "scripts", "bench-io.py")
CHECK = os.path.join(ROOT, "tests", "tools", "check_bench_io.py")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
spec = importlib.util.spec_from_file_location("bench_io", BENCH)
bio = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bio)

results = []


def check(name, ok, why=""):
    results.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'} bench_io.{name}{'' if ok else ': ' + why}", flush=True)
    return ok


def test_parsers():
    p = bio.bd.parse_output
    rr = ("sockperf: [Valid Duration] RunTime=4.550 sec; SentMessages=9100; "
          "ReceivedMessages=9100|sockperf: ---> percentile 50.000 =  431.250|")
    got = p("rr", rr)
    check("parse.rr", got and abs(got["rts"] - 2000) < 1e-6 and got["rtt"] == 431.25,
          f"{got}")
    check("parse.rr_broken", p("rr", "sockperf: ERROR: connect failed|") is None)
    line = "[  5]   0.00-5.00   sec   118 MBytes   198 Mbits/sec                  receiver|"
    for w in ("tcp", "tcp-rx"):
        got = p(w, line)
        check(f"parse.{w}", got and got["mbits"] == 198 and got["mib"] == 118, f"{got}")
    got = p("tcp", "[  5]   0.00-1.00   sec  1.2 GBytes  1.03 Gbits/sec   receiver|")
    check("parse.tcp_giga", got and abs(got["mbits"] - 1030) < 1e-9, f"{got}")
    check("parse.tcp_broken", p("tcp-rx", "iperf3: error - unable to connect|") is None)
    io = ("pvx-iobench: rand-read bs=4096 bytes=8192000 requests=2000 seconds=1.000000 "
          "MiB/s=7.8 iops=2000.0 lat-median-us=480.5 lat-p99-us=900.0|")
    got = p("rand-read", io)
    check("parse.iobench", got and got["iops"] == 2000 and got["lat"] == 480.5, f"{got}")
    check("parse.iobench_other_mode", p("seq-read", io) is None)


def test_guest_log():
    log = "\n".join([
        "pvx-bench: config disk=/dev/sda disk-drivers=sd+ata_piix nic-drivers=e1000",
        "pvx-bench: result seq-read | pvx-iobench: seq-read bs=1048576 bytes=16777216 "
        "requests=16 seconds=0.100000 MiB/s=160.0 iops=160.0 lat-median-us=6000.0 "
        "lat-p99-us=7000.0|",
        "pvx-bench: result tcp | iperf3: error - unable to connect to server|",
        "pvx-bench: done"])
    res, problems = bio.guest_results(log)
    check("guest.figures", res.get("seq-read", {}).get("mibs") == 160.0 and "tcp" not in res,
          f"{res}")
    check("guest.problem", len(problems) == 1 and problems[0].startswith("tcp:"), f"{problems}")
    _, problems = bio.guest_results(log.rsplit("\n", 1)[0])
    check("guest.unfinished", any("did not finish" in p for p in problems), f"{problems}")


def synthetic(runs=3):
    rnd = random.Random(1234)
    configs = []
    res = {}
    for key, label, machine in bio.CONFIGS:
        if key == "hvm-xen":
            configs.append({"key": key, "label": label, "machine": machine,
                            "status": "cannot run", "reason": "not run: a test's reason"})
            continue
        configs.append({"key": key, "label": label, "machine": machine, "status": "ok",
                        "problems": [], "details": ""})
        res[key] = {m[0]: [round(rnd.uniform(5, 5000), 3) for _ in range(runs)]
                    for m in bio.METRICS}
    return {"meta": {"date": "2026-01-01 00:00 UTC", "host": "test", "accelerator": "tcg",
                     "qemu": "QEMU emulator version 7.2", "cpu_model": "Haswell-noTSX",
                     "hvm_cpu_model": "EPYC", "guest": "128 MiB, 1 vCPU", "runs": runs,
                     "disk_mib": 16, "seconds": 1, "smoke": False},
            "configs": configs,
            "metrics": [{"key": k, "label": label, "workload": w, "unit": u,
                         "lower_is_better": low} for k, label, w, _, u, low in bio.METRICS],
            "results": res}


def render(d, doc):
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(doc, f)
    r = subprocess.run([sys.executable, BENCH, "--render", d], capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def checker(d, *args):
    r = subprocess.run([sys.executable, CHECK, d, *args], capture_output=True, text=True)
    return r.returncode, r.stdout


def blank_png(path, w=800, h=600):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body)))
    raw = b"".join(b"\x00" + b"\xff" * (w * 3) for _ in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_render_and_check():
    base = tempfile.mkdtemp(prefix="pvx-bench-io-")
    try:
        good = os.path.join(base, "good")
        os.makedirs(good)
        doc = synthetic()
        ok, out = render(good, doc)
        if not check("render", ok, out[-500:]):
            return
        rc, out = checker(good, "--configs", ",".join(k for k, _, _ in bio.CONFIGS))
        check("check.passes", rc == 0, "\n".join(line for line in out.splitlines()
                                                 if line.startswith("FAIL")))
        table = open(os.path.join(good, "results.md")).read()
        med = sorted(doc["results"]["virtio"]["seq-read"])[1]
        check("table.median_shown", bio.fmt(med) in table, f"{bio.fmt(med)} not in the table")

        def mutant(name, change, expect, *args):
            d = os.path.join(base, name)
            shutil.copytree(good, d)
            change(d)
            rc, out = checker(d, *args)
            fails = re.findall(r"^FAIL bench-io\.(\S+?):?(?: |$)", out, re.M)
            check(f"mutant.{name}", rc == 1 and any(f.startswith(expect) for f in fails),
                  f"exit {rc}, failures {fails}, wanted {expect}")

        def edit_json(d, fn):
            p = os.path.join(d, "results.json")
            j = json.load(open(p))
            fn(j)
            json.dump(j, open(p, "w"))

        def bump(j):
            j["results"]["pv-pvx"]["rr"] = [v * 1.5 for v in j["results"]["pv-pvx"]["rr"]]
        mutant("figure_changed", lambda d: edit_json(d, bump), "md.cells:rr")

        def zero(j):
            j["results"]["native"]["tcp-tx"][0] = 0
        mutant("zero_figure", lambda d: edit_json(d, zero), "json.figures:native")

        def drop_bar(d):
            p = os.path.join(d, "chart.svg")
            s = open(p).read()
            s = re.sub(r'<g id="bar:seq-write:virtio">.*?</g>', "", s, count=1, flags=re.S)
            open(p, "w").write(s)
        mutant("bar_missing", drop_bar, "svg.bars")

        def stretch_bar(d):
            """Halve one bar's height, keeping its base."""
            p = os.path.join(d, "chart.svg")
            s = open(p).read()
            m = re.search(r'<g id="bar:rand-read:emulated">\s*<path d="([^"]*)"', s)
            pts = re.findall(r"([ML]) ([-\d.]+) ([-\d.]+)", m.group(1))
            bottom, top = max(float(y) for _, _, y in pts), min(float(y) for _, _, y in pts)
            half = bottom - (bottom - top) / 2
            d2 = " ".join(f"{op} {x} {half if float(y) == top else y}" for op, x, y in pts) + " z"
            open(p, "w").write(s[:m.start(1)] + d2 + s[m.end(1):])
        mutant("bar_stretched", stretch_bar, "svg.heights")
        mutant("png_blank", lambda d: blank_png(os.path.join(d, "chart.png")), "png.not_blank")

        def not_run(j):
            for c in j["configs"]:
                if c["key"] == "virtio":
                    c.update(status="cannot run", reason="not run: a test's reason")
            j["results"]["virtio"] = {k: [] for k in j["results"]["virtio"]}
        mutant("required_not_run", lambda d: edit_json(d, not_run), "json.ran:virtio",
               "--ran", "pv-pvx,virtio")

        def no_reason(d):
            p = os.path.join(d, "results.md")
            s = open(p).read().replace("not run: a test's reason", "")
            open(p, "w").write(s)
        mutant("reason_missing", no_reason, "md.reason:hvm-xen")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main():
    test_parsers()
    test_guest_log()
    test_render_and_check()
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
