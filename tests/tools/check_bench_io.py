#!/usr/bin/env python3
"""Check the I/O benchmark's output directory (scripts/bench-io.py) for
consistency: everything must follow from results.json.

    check_bench_io.py DIR [--runs N] [--configs K,K...] [--ran K,K...]

- results.json: every configuration named (all of --configs, when given)
  either has N positive figures per metric or is marked "cannot run" with
  a one-line reason (not allowed for those of --ran: configurations that
  must run on this machine);
- results.md: the first table has a column per configuration that ran,
  and each cell's median (and min-max) is the JSON's; the ratio table's
  ratios are the medians' (oriented by the metric's lower_is_better); each
  configuration that cannot run is listed with its reason;
- chart.svg parses as XML, has one bar (id bar:METRIC:CONFIG) for each
  figure in the JSON and no other, bar heights in a panel are proportional
  to the medians, and the labels of the configurations and metrics are
  text in it;
- chart.png is a PNG of a sensible size whose pixels are not all the same.

Standard library only.  Prints PASS/FAIL lines and `N passed, N failed`;
exit status 1 when anything failed.
"""
import argparse
import json
import os
import re
import statistics
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG_NS = "{http://www.w3.org/2000/svg}"


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, why=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} bench-io.{name}{'' if ok else ': ' + why}", flush=True)
        return ok


def number(text):
    return float(text.replace(",", ""))


def close(shown, value):
    """Does the table's rounded number match value?  (>= 100: whole
    numbers; below: one decimal.)"""
    return abs(shown - value) <= (0.5 if value >= 99.95 else 0.05) + 1e-9


def parse_cell(text):
    """'median (min-max)' or 'median' -> (median, min, max); None for '-'."""
    m = re.fullmatch(r"([\d,.]+)(?: \(([\d,.]+)-([\d,.]+)\))?", text.strip())
    if not m:
        return None
    med = number(m.group(1))
    return (med, number(m.group(2)) if m.group(2) else med,
            number(m.group(3)) if m.group(3) else med)


def tables(md):
    """Every Markdown table in md: a list of rows, each a list of cells."""
    out, cur = [], []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"\|(---\|)+", line):
                cur.append([c.strip() for c in line.strip("|").split("|")])
        elif cur:
            out.append(cur)
            cur = []
    return out


def check_json(c, doc, runs, want, ran):
    keys = [cfg["key"] for cfg in doc.get("configs", [])]
    if want:
        c.check("json.configs", set(want) <= set(keys), f"missing {set(want) - set(keys)}")
    for k in ran:
        st = [cfg["status"] for cfg in doc.get("configs", []) if cfg["key"] == k]
        c.check(f"json.ran:{k}", st == ["ok"], f"status {st}")
    c.check("json.meta", all(k in doc.get("meta", {}) for k in ("accelerator", "host", "runs",
                                                                "qemu", "date")),
            "meta lacks accelerator, host, runs, qemu or date")
    metrics = [m["key"] for m in doc.get("metrics", [])]
    c.check("json.metrics", len(metrics) >= 8, f"{len(metrics)} metrics")
    for cfg in doc.get("configs", []):
        k = cfg["key"]
        if cfg["status"] == "cannot run":
            reason = cfg.get("reason", "")
            c.check(f"json.reason:{k}", reason and "\n" not in reason and len(reason) < 300,
                    f"reason {reason!r}")
            c.check(f"json.no_figures:{k}",
                    not any(doc["results"].get(k, {}).values()), "figures for a config that "
                    "did not run")
            continue
        res = doc["results"].get(k, {})
        bad = [m for m in metrics if len(res.get(m, [])) != runs or
               any(not isinstance(v, (int, float)) or v <= 0 for v in res.get(m, []))]
        c.check(f"json.figures:{k}", not bad,
                f"metrics without {runs} positive figure(s): {', '.join(bad)}")


def check_table(c, doc, md):
    ran = [cfg for cfg in doc["configs"] if cfg["status"] != "cannot run"]
    ts = tables(md)
    if not c.check("md.tables", len(ts) >= 1, "no table"):
        return
    t = ts[0]
    c.check("md.header", t[0][1:] == [cfg["label"] for cfg in ran],
            f"header {t[0][1:]}, configurations {[cfg['label'] for cfg in ran]}")
    rows = {r[0]: r[1:] for r in t[1:]}
    for m in doc["metrics"]:
        row = rows.get(f"{m['label']} ({m['unit']})")
        if not c.check(f"md.row:{m['key']}", row is not None and len(row) == len(ran),
                       "row missing or of the wrong width"):
            continue
        wrong = []
        for cfg, text in zip(ran, row):
            vals = doc["results"].get(cfg["key"], {}).get(m["key"], [])
            got = parse_cell(text)
            if not vals:
                if text != "-":
                    wrong.append(f"{cfg['key']}: {text!r} without figures")
                continue
            want = (statistics.median(vals), min(vals), max(vals))
            if got is None or not all(close(g, w) for g, w in zip(got, want)):
                wrong.append(f"{cfg['key']}: {text!r}, JSON {want}")
        c.check(f"md.cells:{m['key']}", not wrong, "; ".join(wrong))
    others = [cfg for cfg in ran if cfg["key"] != "pv-pvx"]
    base = doc["results"].get("pv-pvx")
    if base and others and any(base.values()):
        if not c.check("md.ratio_table", len(ts) >= 2, "no ratio table"):
            return
        r = {row[0]: row[1:] for row in ts[1][1:]}
        wrong = []
        for m in doc["metrics"]:
            for cfg, text in zip(others, r.get(m["label"], [])):
                a, b = base.get(m["key"]), doc["results"][cfg["key"]].get(m["key"])
                if not a or not b:
                    continue
                x = statistics.median(a) / statistics.median(b)
                x = 1 / x if m["lower_is_better"] else x
                if text == "-" or abs(number(text) - x) > 0.006:
                    wrong.append(f"{m['key']} vs {cfg['key']}: {text}, JSON {x:.3f}")
            if len(r.get(m["label"], [])) != len(others):
                wrong.append(f"{m['key']}: row missing or of the wrong width")
        c.check("md.ratios", not wrong, "; ".join(wrong))
    for cfg in doc["configs"]:
        if cfg["status"] == "cannot run":
            c.check(f"md.reason:{cfg['key']}", f"- {cfg['label']}: {cfg['reason']}" in md,
                    "the reason is not in the table's notes")


def rect_height(path_d):
    ys = [float(y) for y in re.findall(r"[ML] [-\d.]+ ([-\d.]+)", path_d)]
    return max(ys) - min(ys) if ys else 0.0


def check_svg(c, doc, path):
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError) as e:
        c.check("svg.parses", False, str(e))
        return
    c.check("svg.parses", True)
    bars = {}
    for g in tree.iter(f"{SVG_NS}g"):
        gid = g.get("id", "")
        if gid.startswith("bar:"):
            p = g.find(f"{SVG_NS}path")
            bars[tuple(gid.split(":")[1:])] = rect_height(p.get("d", "")) if p is not None else 0
    want = {(m, k) for k, res in doc["results"].items() for m, v in res.items() if v}
    c.check("svg.bars", set(bars) == want,
            f"missing {sorted(want - set(bars))}, extra {sorted(set(bars) - want)}")
    wrong = []
    for m in doc["metrics"]:
        panel = [(k, statistics.median(res[m["key"]])) for k, res in doc["results"].items()
                 if res.get(m["key"]) and (m["key"], k) in bars]
        if len(panel) < 2:
            continue
        ref_key, ref = max(panel, key=lambda kv: kv[1])
        ref_h = bars[(m["key"], ref_key)]
        for k, med in panel:
            h = bars[(m["key"], k)]
            if ref_h <= 0 or abs(h / ref_h - med / ref) > 0.01:
                wrong.append(f"{m['key']}:{k} height {h:.1f} of {ref_h:.1f}, median "
                             f"{med:.1f} of {ref:.1f}")
    c.check("svg.heights", not wrong, "; ".join(wrong))
    text = " ".join("".join(t.itertext()) for t in tree.iter(f"{SVG_NS}text"))
    labels = [cfg["label"] for cfg in doc["configs"] if cfg["status"] != "cannot run"]
    labels += [m["label"] for m in doc["metrics"]]
    missing = [label for label in labels if label not in text]
    c.check("svg.labels", not missing, f"not in the chart's text: {missing}")


def png_pixels(path):
    """(width, height, decompressed scanlines) of a PNG, or a reason."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "not a PNG signature"
    pos, idat, width = 8, b"", None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if width is None or not idat:
        return "no IHDR or IDAT chunk"
    try:
        return width, height, zlib.decompress(idat)
    except zlib.error as e:
        return f"IDAT does not decompress: {e}"


def check_png(c, path):
    try:
        got = png_pixels(path)
    except OSError as e:
        got = str(e)
    if not c.check("png.reads", not isinstance(got, str), got if isinstance(got, str) else ""):
        return
    width, height, raw = got
    c.check("png.size", width >= 400 and height >= 300, f"{width}x{height}")
    # Not blank: many distinct byte values, and a fair share of bytes
    # unlike the most common one (the background).
    common = max(set(raw[:200000]), key=raw[:200000].count)
    share = sum(1 for b in raw if b != common) / max(len(raw), 1)
    c.check("png.not_blank", len(set(raw)) >= 16 and share > 0.01,
            f"{len(set(raw))} distinct byte values, {share:.1%} not background")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--runs", type=int, help="figures per metric (default: the JSON's runs)")
    ap.add_argument("--configs", help="configurations that must be present")
    ap.add_argument("--ran", help="configurations that must have run without problems")
    args = ap.parse_args()
    c = Checker()
    try:
        doc = json.load(open(os.path.join(args.dir, "results.json")))
    except (OSError, ValueError) as e:
        c.check("json.reads", False, str(e))
        print(f"{c.passed} passed, {c.failed} failed")
        return 1
    runs = args.runs or doc.get("meta", {}).get("runs", 1)
    check_json(c, doc, runs, args.configs.split(",") if args.configs else [],
               args.ran.split(",") if args.ran else [])
    try:
        md = open(os.path.join(args.dir, "results.md")).read()
    except OSError as e:
        md = ""
        c.check("md.reads", False, str(e))
    if md:
        check_table(c, doc, md)
    check_svg(c, doc, os.path.join(args.dir, "chart.svg"))
    check_png(c, os.path.join(args.dir, "chart.png"))
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
