#!/usr/bin/env python3
"""Write a seed corpus for pvx's xenstored fuzz target (xenstore/fuzz).

    xenstore-fuzz-seeds.py OUTDIR

Each seed is a script of chunks [selector][len16][bytes] (see
fuzz_dispatch.c) holding well-formed requests of every type from dom0 and
from guests, so the fuzzer starts from deep inside the handlers.
"""
import os
import struct
import sys

T = {"CONTROL": 0, "DIRECTORY": 1, "READ": 2, "GET_PERMS": 3, "WATCH": 4, "UNWATCH": 5,
     "TRANSACTION_START": 6, "TRANSACTION_END": 7, "INTRODUCE": 8, "RELEASE": 9,
     "GET_DOMAIN_PATH": 10, "WRITE": 11, "MKDIR": 12, "RM": 13, "SET_PERMS": 14,
     "IS_DOMAIN_INTRODUCED": 17, "RESUME": 18, "SET_TARGET": 19, "RESET_WATCHES": 21,
     "DIRECTORY_PART": 22}


def msg(t, payload, tx=0, rid=1):
    return struct.pack("<IIII", T[t], rid, tx, len(payload)) + payload


def s(*a):
    return b"".join(x.encode() + b"\0" for x in a)


def chunk(sel, data):
    return bytes([sel]) + struct.pack("<H", len(data)) + data


SEEDS = {
    "basic": [(0, msg("WRITE", b"/a/b\0v")), (0, msg("READ", s("/a/b"))),
              (0, msg("DIRECTORY", s("/a"))), (0, msg("RM", s("/a")))],
    "tx": [(0, msg("WRITE", b"/t\0x")), (0, msg("TRANSACTION_START", s(""))),
           (0, msg("READ", s("/t"), tx=1)), (1, msg("WRITE", b"/t\0y")),
           (0, msg("WRITE", b"/t/n\0z", tx=1)), (0, msg("RM", s("/t"), tx=1)),
           (0, msg("TRANSACTION_END", s("T"), tx=1))],
    "watch": [(1, msg("WATCH", s("/w", "tok"))), (0, msg("WRITE", b"/w/x\0v")),
              (2, msg("WATCH", s("data", "rel"))), (2, msg("WRITE", b"data/x\0v")),
              (1, msg("UNWATCH", s("/w", "tok"))), (1, msg("RESET_WATCHES", s("")))],
    "perms": [(0, msg("WRITE", b"/p\0v")), (0, msg("SET_PERMS", s("/p", "n5", "r6", "b7"))),
              (2, msg("READ", s("/p"))), (3, msg("WRITE", b"/p\0x")), (0, msg("GET_PERMS", s("/p"))),
              (0, msg("SET_PERMS", s("@releaseDomain", "r5")))],
    "domains": [(0, msg("INTRODUCE", s("9", "100", "3"))), (0, msg("IS_DOMAIN_INTRODUCED", s("9"))),
                (0, msg("SET_TARGET", s("6", "5"))), (0, msg("RESUME", s("9"))),
                (0, msg("GET_DOMAIN_PATH", s("9"))), (0, msg("RELEASE", s("9")))],
    "control": [(0, msg("CONTROL", s("quota", "set", "nodes", "5"))), (0, msg("CONTROL", s("check"))),
                (0, msg("CONTROL", s("memreport"))), (0, msg("CONTROL", s("log", "on")))],
    "dirpart": [(0, msg("WRITE", b"/d/" + b"x" * 100 + b"\0")),
                (0, msg("DIRECTORY_PART", s("/d", "0"))), (0, msg("DIRECTORY_PART", s("/d", "50")))],
    "guest": [(2, msg("WRITE", b"a/b/c\0v")), (2, msg("MKDIR", s("m"))),
              (2, msg("TRANSACTION_START", s(""))), (2, msg("WRITE", b"x\0y", tx=1)),
              (0x82, b""), (2, msg("READ", s("x")))],
    "split": [(0, msg("WRITE", b"/s\0v")[:7]), (0, msg("WRITE", b"/s\0v")[7:]),
              (0x40, msg("READ", s("/s")) * 30)],
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, chunks in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(chunk(sel, data) for sel, data in chunks))
    with open(os.path.join(out, "..", "xsd.dict"), "w") as f:
        for word in ("/local/domain/5/", "@introduceDomain", "@releaseDomain", "T\\x00", "F\\x00",
                     "n0\\x00", "b5\\x00", "r6\\x00", "quota\\x00", "check\\x00"):
            f.write(f'"{word}"\n')
    return 0


if __name__ == "__main__":
    sys.exit(main())
