#!/usr/bin/env python3
"""Raw xenstore wire-protocol client for pvx's tests (standard library only).

As a command:
    xenstore-proto.py SOCKET TYPE [ARG...]
sends one request (TYPE is a name such as INTRODUCE, or a number; each ARG
becomes a NUL-terminated string) and prints the reply as
"TYPE payload-with-NULs-shown-as-|".  Exit status 0 unless the reply is
ERROR.  Imported (via importlib), it offers Conn for hand-made messages.
"""
import socket
import struct
import sys

TYPES = {
    "CONTROL": 0, "DIRECTORY": 1, "READ": 2, "GET_PERMS": 3, "WATCH": 4,
    "UNWATCH": 5, "TRANSACTION_START": 6, "TRANSACTION_END": 7,
    "INTRODUCE": 8, "RELEASE": 9, "GET_DOMAIN_PATH": 10, "WRITE": 11,
    "MKDIR": 12, "RM": 13, "SET_PERMS": 14, "WATCH_EVENT": 15, "ERROR": 16,
    "IS_DOMAIN_INTRODUCED": 17, "RESUME": 18, "SET_TARGET": 19,
    "RESET_WATCHES": 21, "DIRECTORY_PART": 22,
}
NAMES = {v: k for k, v in TYPES.items()}
HDR = struct.Struct("<IIII")


def strings(*args):
    """Payload of NUL-terminated strings."""
    return b"".join((a if isinstance(a, bytes) else a.encode()) + b"\0" for a in args)


class Conn:
    def __init__(self, path, timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.events = []
        self.req_id = 0

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, mtype, payload=b"", tx=0, req_id=None):
        if req_id is None:
            self.req_id += 1
            req_id = self.req_id
        self.sock.sendall(HDR.pack(mtype, req_id, tx, len(payload)) + payload)
        return req_id

    def _read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return buf

    def read_msg(self):
        t, rid, tx, ln = HDR.unpack(self._read_exact(HDR.size))
        return t, rid, tx, self._read_exact(ln)

    def reply(self):
        """Next message that is not a watch event (events are kept)."""
        while True:
            msg = self.read_msg()
            if msg[0] == TYPES["WATCH_EVENT"]:
                self.events.append(msg[3])
            else:
                return msg

    def request(self, mtype, payload=b"", tx=0):
        if isinstance(mtype, str):
            mtype = TYPES[mtype]
        rid = self.send(mtype, payload, tx)
        t, r, rtx, body = self.reply()
        assert r == rid, f"reply id {r} != request id {rid}"
        return t, body

    def event(self):
        if self.events:
            return self.events.pop(0)
        t, _, _, body = self.read_msg()
        assert t == TYPES["WATCH_EVENT"], f"expected an event, got {NAMES.get(t, t)}"
        return body


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    sock, tname, args = argv[1], argv[2], argv[3:]
    mtype = int(tname) if tname.isdigit() else TYPES[tname]
    c = Conn(sock)
    t, body = c.request(mtype, strings(*args) if args else b"")
    print(NAMES.get(t, str(t)), body.replace(b"\0", b"|").decode(errors="replace"))
    return 1 if t == TYPES["ERROR"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
