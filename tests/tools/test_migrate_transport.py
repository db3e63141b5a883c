#!/usr/bin/env python3
"""pvx-migrate (dom0-tools/migrate/pvx-migrate.c), xl migrate's transport
between pvx hosts, on the host's loopback interface.  A listener runs a
stand-in for `xl migrate-receive` (a script that reports its arguments and
the MD5 of everything it read before its input ended) and the checks drive
`pvx-migrate connect` as xl migrate would:
  - 3 MiB of random bytes arrive whole, the end of the input reaches the
    receiver (a half-close) and its answer comes back, exit status 0;
  - only `xl [-t|-T|-v..] migrate-receive [-e|-d|-p]` is run: other commands
    and flags are refused with the reason, and the listener goes on serving;
  - raw bad requests (not the protocol, another version, an overlong line)
    get a refusal line;
  - a port nobody listens on gives exit status 1 and says what to do;
  - bad arguments and a missing xl are refused up front.
Prints PASS/FAIL lines and `N passed, N failed`.

    test_migrate_transport.py [PROGRAM]   (default: build/dom0-tools/pvx-migrate, built first)
"""
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(ROOT, "build", "dom0-tools", "pvx-migrate")
FAKE_XL = """#!/bin/sh
echo "args: $*"
md5sum | cut -c1-32
"""

results = []


def check(name, ok, why=""):
    results.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'} migrate-transport.{name}{'' if ok else ': ' + why}",
          flush=True)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc):
    for _ in range(100):
        if proc.poll() is not None:
            return False
        with socket.socket() as s:
            s.settimeout(0.2)
            # A plain connect is served as a refusal, which is harmless.
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def raw_request(port, data):
    """Send data on a fresh connection; what comes back before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return out
            out += chunk


def connect(prog, port, args, data=b""):
    """Run `pvx-migrate connect`; a hang (say, the end of input never
    reaching the receiver) is a result with status None."""
    try:
        return subprocess.run([prog, "connect", "--port", str(port), "127.0.0.1"] + args,
                              input=data, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, None, e.stdout or b"", e.stderr or b"")


def main():
    prog = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    if len(sys.argv) <= 1:
        r = subprocess.run(["make", "-s", "-C", "dom0-tools", f"O={ROOT}/build/dom0-tools",
                            f"{ROOT}/build/dom0-tools/pvx-migrate"], cwd=ROOT,
                           capture_output=True, text=True)
        if r.returncode:
            print(r.stdout + r.stderr)
            check("builds", False, "make failed")
            return summary()
    with tempfile.TemporaryDirectory() as tmp:
        xl = os.path.join(tmp, "xl")
        with open(xl, "w") as f:
            f.write(FAKE_XL)
        os.chmod(xl, 0o755)
        port = free_port()
        log = open(os.path.join(tmp, "listener.log"), "w+")
        listener = subprocess.Popen([prog, "listen", "--address", "127.0.0.1", "--port", str(port),
                                     "--xl", xl], stdout=log, stderr=subprocess.STDOUT)
        try:
            if not check("listener starts", wait_listening(port, listener),
                         f"nothing listens on port {port}"):
                return summary()
            run_checks(prog, port, xl, tmp)
            check("listener still serving after refusals", listener.poll() is None,
                  f"exited with {listener.returncode}")
        finally:
            listener.terminate()
            listener.wait()
        log.seek(0)
        text = log.read()
        check("listener logs what it ran",
              "running xl -t migrate-receive -e" in text and "refused:" in text, text[-400:])
    return summary()


def run_checks(prog, port, xl, tmp):
    data = os.urandom(3 << 20)
    r = connect(prog, port, ["xl", "-t", "migrate-receive", "-e"], data)
    out = r.stdout.decode(errors="replace").splitlines()
    check("stream carried whole, end of input passed on",
          r.returncode == 0 and out == ["args: -t migrate-receive -e", hashlib.md5(data).hexdigest()],
          f"status {r.returncode}, output {out[:3]}, stderr {r.stderr[-300:]!r}")
    r = connect(prog, port, ["xl", "-vv", "-T", "migrate-receive", "-d", "-p"], b"")
    out = r.stdout.decode(errors="replace").splitlines()
    check("empty stream, every allowed flag",
          r.returncode == 0 and out == ["args: -vv -T migrate-receive -d -p",
                                        hashlib.md5(b"").hexdigest()], f"{out} {r.stderr!r}")
    for name, args, why in (
            ("other command refused", ["sh", "-c", "id"], "only xl migrate-receive may be run"),
            ("other xl verb refused", ["xl", "destroy", "guest"], "only xl migrate-receive may be run"),
            ("other receive flag refused", ["xl", "migrate-receive", "--config=/etc/passwd"],
             "accepts only -e, -d and -p"),
            ("flag before xl refused", ["-t", "xl", "migrate-receive"],
             "only xl migrate-receive may be run")):
        r = connect(prog, port, args, b"payload")
        err = r.stderr.decode(errors="replace")
        check(name, r.returncode == 1 and "refused: " in err and why in err and not r.stdout,
              f"status {r.returncode}, stdout {r.stdout[:80]!r}, stderr {err!r}")
    for name, data, why in (
            ("not the protocol", b"GET / HTTP/1.0\n\n", b"not a pvx-migrate request"),
            ("another version", b"pvx-migrate 2 xl migrate-receive\n", b"unsupported request version"),
            ("overlong request", b"pvx-migrate 1 xl " + b"-v" * 400 + b"\n", b"too long"),
            ("too many arguments", b"pvx-migrate 1 xl" + b" -t" * 30 + b" migrate-receive\n",
             b"too many arguments")):
        out = raw_request(port, data)
        check(f"raw request: {name}", out.startswith(b"pvx-migrate refused: ") and why in out,
              repr(out[:120]))
    dead = free_port()
    r = subprocess.run([prog, "connect", "--port", str(dead), "127.0.0.1", "xl", "migrate-receive"],
                       capture_output=True, text=True, timeout=30)
    check("nobody listening: status 1, says what to do",
          r.returncode == 1 and "cannot reach the migration listener" in r.stderr
          and "pvx-migrate listen" in r.stderr, f"{r.returncode} {r.stderr!r}")
    r = subprocess.run([prog, "connect", "--port", str(port), "127.0.0.1", "xl", "migrate receive"],
                       capture_output=True, text=True, timeout=30)
    check("argument with a space refused", r.returncode == 2 and "cannot be sent" in r.stderr,
          f"{r.returncode} {r.stderr!r}")
    r = subprocess.run([prog, "connect", "--port", "http", "127.0.0.1", "xl", "migrate-receive"],
                       capture_output=True, text=True, timeout=30)
    check("bad port refused", r.returncode == 1 and "not a port number" in r.stderr,
          f"{r.returncode} {r.stderr!r}")
    r = subprocess.run([prog, "listen", "--port", str(free_port()), "--xl",
                        os.path.join(tmp, "no-such-xl")], capture_output=True, text=True, timeout=30)
    check("listener without xl refused", r.returncode == 1 and "not an executable xl" in r.stderr,
          f"{r.returncode} {r.stderr!r}")
    r = subprocess.run([prog, "frobnicate"], capture_output=True, text=True, timeout=30)
    check("unknown mode: usage, status 2", r.returncode == 2 and "Usage:" in r.stderr,
          f"{r.returncode} {r.stderr!r}")


def summary():
    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
