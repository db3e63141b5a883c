#!/usr/bin/env python3
"""Concurrent transaction check for pvx's xenstored (standard library only).

    xenstore-txstress.py SOCKET [CLIENTS] [INCREMENTS]

CLIENTS processes each increment one shared counter INCREMENTS times with
read-modify-write transactions, retrying on EAGAIN, while also bumping a
private counter in the same transaction.  If transactions are isolated and
conflicts are detected, the shared counter ends at CLIENTS*INCREMENTS and
every private counter at INCREMENTS.  Prints checks and "N passed, N failed".
"""
import importlib.util
import multiprocessing
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("xsproto", os.path.join(HERE, "xenstore-proto.py"))
xsproto = importlib.util.module_from_spec(spec)
spec.loader.exec_module(xsproto)
Conn, TYPES, strings = xsproto.Conn, xsproto.TYPES, xsproto.strings


def worker(sock, idx, n, q):
    c = Conn(sock, timeout=30)
    retries = 0
    for _ in range(n):
        while True:
            t, body = c.request("TRANSACTION_START", strings(""))
            tx = int(body.rstrip(b"\0"))
            _, shared = c.request("READ", strings("/stress/shared"), tx)
            mine_path = f"/stress/c{idx}"
            t, mine = c.request("READ", strings(mine_path), tx)
            mine = int(mine) if t == TYPES["READ"] else 0
            c.request("WRITE", mine_path.encode() + b"\0" + str(mine + 1).encode(), tx)
            c.request("WRITE", b"/stress/shared\0" + str(int(shared) + 1).encode(), tx)
            t, body = c.request("TRANSACTION_END", strings("T"), tx)
            if t == TYPES["TRANSACTION_END"]:
                break
            assert body.rstrip(b"\0") == b"EAGAIN", body
            retries += 1
    q.put(retries)


def main():
    sock = sys.argv[1]
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    c = Conn(sock)
    c.request("WRITE", b"/stress/shared\0" + b"0")
    q = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(sock, i, n, q)) for i in range(clients)]
    for p in procs:
        p.start()
    retries = sum(q.get() for _ in procs)
    for p in procs:
        p.join()
    passed = failed = 0

    def check(name, cond, detail=""):
        nonlocal passed, failed
        passed, failed = (passed + 1, failed) if cond else (passed, failed + 1)
        print(("ok   " if cond else "FAIL ") + name + (f" {detail}" if not cond else ""))

    check(f"{clients} clients ran to completion", all(p.exitcode == 0 for p in procs))
    _, shared = c.request("READ", strings("/stress/shared"))
    check(f"shared counter is {clients * n} ({retries} EAGAIN retries)", int(shared) == clients * n,
          f"got {shared!r}")
    ok = True
    for i in range(clients):
        _, mine = c.request("READ", strings(f"/stress/c{i}"))
        ok = ok and int(mine) == n
    check(f"every private counter is {n}", ok)
    check("conflicts happened and were retried", retries > 0)
    c.request("RM", strings("/stress"))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
