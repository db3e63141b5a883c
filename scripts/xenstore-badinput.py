#!/usr/bin/env python3
"""Explicit bad-input tests for pvx's xenstored (standard library only).

    xenstore-badinput.py SOCKET DOMAIN_SOCKET_DIR

Expects a running daemon on SOCKET.  Sends malformed and hostile input
(oversized messages, missing NUL terminators, invalid paths, unknown
message types, permission violations by an unprivileged domain, clients
that vanish mid-message or mid-transaction, floods) and checks that each
gets the error xenstore.txt documents, that the daemon stays up, and that a
well-behaved client on another connection never notices.  Prints one line
per check and "N passed, N failed".
"""
import importlib.util
import os
import random
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("xsproto", os.path.join(HERE, "xenstore-proto.py"))
xsproto = importlib.util.module_from_spec(spec)
spec.loader.exec_module(xsproto)
Conn, TYPES, strings, HDR = xsproto.Conn, xsproto.TYPES, xsproto.strings, xsproto.HDR

PASSED = FAILED = 0


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print(f"ok   {name}")
    else:
        FAILED += 1
        print(f"FAIL {name} {detail}")


def expect_error(c, name, mtype, payload, err, tx=0):
    try:
        t, body = c.request(mtype, payload, tx)
    except (OSError, EOFError) as e:
        check(name, False, f"connection error {e}")
        return
    got = body.rstrip(b"\0").decode(errors="replace")
    check(name, t == TYPES["ERROR"] and got == err, f"(got type {t} {got!r}, want {err})")


def closed_by_daemon(c, timeout=3.0):
    c.sock.settimeout(timeout)
    try:
        while True:
            if not c.sock.recv(4096):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def main():
    sock, ddir = sys.argv[1], sys.argv[2]
    good = Conn(sock)  # the bystander: must never notice anything
    t, _ = good.request("WRITE", strings("/bystander") [:-1] + b"\0" + b"fine")
    t, _ = good.request("WATCH", strings("/bystander", "b"))
    good.event()

    def bystander_ok(name):
        try:
            t, body = good.request("READ", strings("/bystander"))
            check(f"bystander unaffected: {name}", t == TYPES["READ"] and body == b"fine")
        except (OSError, EOFError) as e:
            check(f"bystander unaffected: {name}", False, str(e))

    c = Conn(sock)
    # ---- unknown and reply-only message types ----
    for mt in (20, 23, 24, 99, 0xFFFF, 0xFFFFFFFF, TYPES["WATCH_EVENT"], TYPES["ERROR"]):
        expect_error(c, f"message type {mt} -> ENOSYS", mt, strings("/x"), "ENOSYS")

    # ---- missing NUL terminators / wrong argument counts ----
    for name in ("READ", "DIRECTORY", "GET_PERMS", "RM", "MKDIR", "WRITE"):
        expect_error(c, f"{name} path without NUL -> EINVAL", name, b"/tool", "EINVAL")
    expect_error(c, "empty READ -> EINVAL", "READ", b"", "EINVAL")
    expect_error(c, "READ with an extra string -> EINVAL", "READ", strings("/tool", "x"), "EINVAL")
    expect_error(c, "WATCH token without NUL -> EINVAL", "WATCH", b"/a\0tok", "EINVAL")
    expect_error(c, "WATCH with one string -> EINVAL", "WATCH", strings("/a"), "EINVAL")
    expect_error(c, "SET_PERMS without perms -> EINVAL", "SET_PERMS", strings("/tool"), "EINVAL")
    expect_error(c, "SET_PERMS bad perm -> EINVAL", "SET_PERMS", strings("/tool", "z0"), "EINVAL")
    expect_error(c, "SET_PERMS perm without NUL -> EINVAL", "SET_PERMS", b"/tool\0n0", "EINVAL")
    expect_error(c, "TRANSACTION_END 'X' -> EINVAL", "TRANSACTION_END", strings("X"), "EINVAL")
    expect_error(c, "INTRODUCE short -> EINVAL", "INTRODUCE", strings("5"), "EINVAL")
    expect_error(c, "INTRODUCE junk domid -> EINVAL", "INTRODUCE", strings("5x", "1", "1"), "EINVAL")
    expect_error(c, "GET_DOMAIN_PATH junk -> EINVAL", "GET_DOMAIN_PATH", strings("-1"), "EINVAL")
    expect_error(c, "DIRECTORY_PART bad offset -> EINVAL", "DIRECTORY_PART", strings("/", "x"), "EINVAL")
    expect_error(c, "CONTROL unknown command -> EINVAL", "CONTROL", strings("frobnicate"), "EINVAL")

    # ---- invalid paths ----
    bad_paths = [b"/a/../b", b"..", b"/a/./b", b"/a/", b"//a", b"/a//b", b"/a b", b"/a\x01",
                 b"/a~", b"/a.b", b"/\xff", b"", b"@foo", b"/" + b"a" * 3100,
                 b"/local/domain/1/" + b"b" * 2100, b"a" * 2100]
    for p in bad_paths:
        expect_error(c, f"invalid path {p[:24]!r}{'...' if len(p) > 24 else ''} -> EINVAL",
                     "WRITE", p + b"\0v", "EINVAL")
    expect_error(c, "relative path with '..' -> EINVAL", "READ", strings("../1/x"), "EINVAL")
    expect_error(c, "RM of / -> EINVAL", "RM", strings("/"), "EINVAL")
    expect_error(c, "unknown transaction id -> ENOENT", "READ", strings("/tool"), "ENOENT", tx=4242)
    bystander_ok("after malformed requests")

    # ---- oversized message: connection dropped, nobody else affected ----
    big = Conn(sock)
    big.send_raw(HDR.pack(TYPES["WRITE"], 1, 0, 4097) + b"/x\0" + b"y" * 4094)
    check("payload over 4096 bytes closes that connection", closed_by_daemon(big))
    big2 = Conn(sock)
    big2.send_raw(HDR.pack(TYPES["READ"], 1, 0, 0xFFFFFFFF))
    check("length 0xffffffff closes that connection", closed_by_daemon(big2))
    bystander_ok("after oversized messages")
    t, _ = c.request("WRITE", b"/max\0" + b"m" * (4096 - 5))
    check("payload of exactly 4096 bytes is accepted", t == TYPES["WRITE"])

    # ---- byte-at-a-time delivery ----
    slow = Conn(sock)
    msg = HDR.pack(TYPES["READ"], 9, 0, 5) + b"/max\0"
    for i in range(len(msg)):
        slow.send_raw(msg[i:i + 1])
        time.sleep(0.001)
    t, rid, _, body = slow.read_msg()
    check("request delivered byte by byte is answered", t == TYPES["READ"] and rid == 9 and len(body) == 4091)

    # ---- clients vanishing mid-message and mid-transaction ----
    for cut in (1, 8, 15, 16, 20):
        v = Conn(sock)
        v.send_raw((HDR.pack(TYPES["WRITE"], 1, 0, 10) + b"/vanish\0ab")[:cut])
        v.close()
    bystander_ok("after clients vanished mid-message")
    v = Conn(sock)
    t, body = v.request("TRANSACTION_START", strings(""))
    txid = int(body.rstrip(b"\0"))
    v.request("WRITE", b"/midtx\0value", tx=txid)
    v.close()
    time.sleep(0.1)
    expect_error(c, "transaction of a vanished client left no trace", "READ", strings("/midtx"), "ENOENT")
    v = Conn(sock)
    for i in range(200):  # pipelined, replies never read
        v.send(TYPES["WRITE"], b"/pipe/%d\0x" % i)
    v.close()
    time.sleep(0.2)
    bystander_ok("after a pipelining client vanished")

    # ---- a watcher that never reads gets dropped, not the daemon ----
    lazy = Conn(sock)
    lazy.send(TYPES["WATCH"], strings("/flood", "t"))
    payload = b"/flood/" + b"f" * 2000 + b"\0x"  # each event carries the 2 KB path
    for i in range(1500):
        good.request("WRITE", payload)
    check("a watcher that never reads is dropped", closed_by_daemon(lazy, timeout=2.0))
    bystander_ok("after the event flood")

    # ---- an event that would exceed the payload limit is not sent ----
    lt = Conn(sock)
    t, _ = lt.request("WATCH", strings("/", "T" * 3000))
    first = lt.event()
    check("watch with a 3000-byte token accepted, first event sent", t == TYPES["WATCH"] and len(first) == 3003)
    good.request("WRITE", b"/" + b"l" * 2000 + b"\0x")
    good.request("WRITE", b"/short\0x")
    ev = lt.event()
    check("oversized event skipped, next event intact", ev.split(b"\0")[0] == b"/short" and len(ev) <= 4096,
          ev[:40])
    lt.close()
    good.request("RM", strings("/" + "l" * 2000))

    # ---- permission violations by an unprivileged domain ----
    c.request("WRITE", b"/local/domain/11/home\0h")
    c.request("SET_PERMS", strings("/local/domain/11", "n11"))
    c.request("SET_PERMS", strings("/local/domain/11/home", "n11"))
    c.request("WRITE", b"/private/secret\0s")
    t, _ = c.request("INTRODUCE", strings("11", "1", "1"))
    check("INTRODUCE domain 11", t == TYPES["INTRODUCE"])
    g = Conn(os.path.join(ddir, "domain-11"))
    t, body = g.request("READ", strings("home"))
    check("guest reads its own node", t == TYPES["READ"] and body == b"h")
    expect_error(g, "guest READ of dom0 node -> EACCES", "READ", strings("/private/secret"), "EACCES")
    expect_error(g, "guest READ of missing node under dom0 node -> EACCES", "READ", strings("/private/none"), "EACCES")
    expect_error(g, "guest WRITE to dom0 node -> EACCES", "WRITE", b"/private/secret\0x", "EACCES")
    expect_error(g, "guest MKDIR under / -> EACCES", "MKDIR", strings("/guestdir"), "EACCES")
    expect_error(g, "guest RM of dom0 node -> EACCES", "RM", strings("/private"), "EACCES")
    expect_error(g, "guest DIRECTORY of dom0 node -> EACCES", "DIRECTORY", strings("/private"), "EACCES")
    expect_error(g, "guest GET_PERMS of dom0 node -> EACCES", "GET_PERMS", strings("/private"), "EACCES")
    expect_error(g, "guest SET_PERMS of dom0 node -> EACCES", "SET_PERMS", strings("/private", "b11"), "EACCES")
    expect_error(g, "guest gives its node away -> EPERM", "SET_PERMS", strings("home", "n0"), "EPERM")
    expect_error(g, "guest relative '..' escape -> EINVAL", "READ", strings("../0/x"), "EINVAL")
    for name, args in (("INTRODUCE", ("12", "1", "1")), ("RELEASE", ("11",)), ("CONTROL", ("help",)),
                       ("SET_TARGET", ("11", "0")), ("RESUME", ("11",)),
                       ("IS_DOMAIN_INTRODUCED", ("11",))):
        expect_error(g, f"guest {name} -> EACCES", name, strings(*args), "EACCES")
    expect_error(g, "guest SET_PERMS on @releaseDomain -> EACCES", "SET_PERMS",
                 strings("@releaseDomain", "r11"), "EACCES")
    # guest quota: many nodes
    errs = 0
    for i in range(1100):
        t, body = g.request("WRITE", b"q%d\0x" % i)
        if t == TYPES["ERROR"]:
            errs += 1
            check("guest node quota -> ENOSPC", body.rstrip(b"\0") == b"ENOSPC", body)
            break
    check("guest node quota was reached", errs == 1)
    g.close()
    t, _ = c.request("RELEASE", strings("11"))
    check("RELEASE domain 11 (removes its nodes)", t == TYPES["RELEASE"])
    expect_error(c, "released domain's nodes are gone", "READ", strings("/local/domain/11/q5"), "ENOENT")
    bystander_ok("after the guest")

    # ---- garbage from many connections ----
    rnd = random.Random(1234)
    for i in range(40):
        gc = Conn(sock)
        try:
            for _ in range(rnd.randrange(1, 6)):
                n = rnd.randrange(16, 200)
                gc.send_raw(HDR.pack(rnd.randrange(0, 30), rnd.randrange(0, 2**32),
                                     rnd.choice((0, 0, 1, 2**32 - 1)), n - 16) +
                            bytes(rnd.randrange(256) for _ in range(n - 16)))
        except OSError:
            pass
        gc.close()
    bystander_ok("after 40 garbage clients")
    t, body = c.request("CONTROL", strings("check"))
    check("store consistent after everything", t == TYPES["CONTROL"] and b"consistent" in body, body)
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
