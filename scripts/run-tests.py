#!/usr/bin/env python3
"""Run every test suite under tests/suites.d and print one closing line,
`N passed, N failed`.

A suite is an executable file tests/suites.d/NN-name.sh, run from the
repository root with a deadline.  It reports its checks in one of two ways:
  - a line `N passed, N failed` (the last such line counts), or
  - cmocka's summary lines `[  PASSED  ] N test(s).` / `[  FAILED  ] N test(s)`.
A suite that exits non-zero without reporting a failure counts one failure, so
a crash or a timeout can never look green.  Suite output is streamed to the
terminal and kept in build/test-logs/NAME.log.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = os.path.join(ROOT, "tests", "suites.d")
LOGS = os.path.join(ROOT, "build", "test-logs")

PLAIN = re.compile(r"^(?:\w+:\s*)?(\d+) passed, (\d+) failed(?:, \d+ skipped)?\s*$")
CM_PASS = re.compile(r"^\[\s+PASSED\s+\] (\d+) test")
CM_FAIL = re.compile(r"^\[\s+FAILED\s+\] (\d+) test")
DEFAULT_TIMEOUT = 900


def suite_timeout(path):
    """A suite may declare `# timeout: SECONDS` in its first lines."""
    with open(path) as f:
        for _ in range(10):
            m = re.match(r"#\s*timeout:\s*(\d+)", f.readline())
            if m:
                return int(m.group(1))
    return DEFAULT_TIMEOUT


def count(lines):
    plain = None
    cm_pass = cm_fail = 0
    cm_seen = False
    for line in lines:
        m = PLAIN.match(line)
        if m:
            plain = (int(m.group(1)), int(m.group(2)))
            continue
        m = CM_PASS.match(line)
        if m:
            cm_pass += int(m.group(1))
            cm_seen = True
            continue
        m = CM_FAIL.match(line)
        if m:
            cm_fail += int(m.group(1))
            cm_seen = True
    if plain is not None:
        return plain
    if cm_seen:
        return cm_pass, cm_fail
    return None


def run_suite(path):
    name = os.path.basename(path)
    timeout = suite_timeout(path)
    print(f"=== {name} (deadline {timeout}s)", flush=True)
    os.makedirs(LOGS, exist_ok=True)
    log_path = os.path.join(LOGS, os.path.splitext(name)[0] + ".log")
    lines = []
    start = time.monotonic()
    proc = subprocess.Popen([path], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, text=True, errors="replace")
    timed_out = False
    with open(log_path, "w") as log:
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                timed_out = True
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            log.write(line)
            sys.stdout.write("  " + line)
            sys.stdout.flush()
    if timed_out:
        os.killpg(proc.pid, 9)
    rc = proc.wait()
    secs = time.monotonic() - start
    result = count(lines)
    passed, failed = result if result else (0, 0)
    if timed_out:
        print(f"  {name}: TIMEOUT after {timeout}s (log: {os.path.relpath(log_path, ROOT)})")
        failed += 1
    elif rc != 0 and failed == 0:
        print(f"  {name}: exited with status {rc} without reporting a failure")
        failed += 1
    elif result is None:
        print(f"  {name}: printed no result line")
        failed += 1
    print(f"--- {name}: {passed} passed, {failed} failed ({secs:.1f}s)", flush=True)
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("patterns", nargs="*", help="run only suites whose name contains one of these")
    args = ap.parse_args()
    suites = sorted(os.path.join(SUITES, n) for n in os.listdir(SUITES)
                    if os.access(os.path.join(SUITES, n), os.X_OK))
    if args.patterns:
        suites = [s for s in suites if any(p in os.path.basename(s) for p in args.patterns)]
    if not suites:
        print("run-tests: no suites selected")
        print("0 passed, 1 failed")
        return 1
    total_pass = total_fail = 0
    failing = []
    for s in suites:
        p, f = run_suite(s)
        total_pass += p
        total_fail += f
        if f:
            failing.append(os.path.basename(s))
    if failing:
        print("failing suites: " + ", ".join(failing) + " (logs in build/test-logs/)")
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
