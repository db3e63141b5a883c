"""Host programs with the shared libraries they load, for an image.

    import hostbin
    entries = hostbin.entries(["fio", "/usr/sbin/mke2fs"])

Each program is found on PATH (or given by path) and resolved with ldd: the
result is a list of (DEST, MODE, SRC) with DEST relative to the image's root
and equal to the path on the host: the program where it lives
(usr/bin/fio), every library under the name ldd prints
(lib/x86_64-linux-gnu/libc.so.6), and the dynamic loader at the path
programs ask for (lib64/ld-linux-x86-64.so.2).  SRC is always the resolved
file, so a library that is a symlink on the host becomes a plain file under
the name the loader looks for.  Used by mkinitramfs.py (dom0's initramfs)
and mkrootfs.py (the domU's root filesystem).
"""
import os
import re
import shutil
import stat
import subprocess
import sys

LOADER = "/lib64/ld-linux-x86-64.so.2"
# The search path of the tools install-deps.sh installs, also when the
# caller's PATH lacks the sbin directories.
SEARCH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
# "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or
# "/lib64/ld-linux-x86-64.so.2 (0x...)"; the vDSO has no file.
_LDD_LINE = re.compile(r"^\s*(?:(\S+) => )?(\S+)(?: \(0x[0-9a-f]+\))?$")


class HostBinError(Exception):
    pass


def find(name):
    """The host path of program NAME (a name on PATH, or a path)."""
    path = name if os.sep in name else shutil.which(name, path=SEARCH)
    if not path or not os.path.isfile(path):
        raise HostBinError(f"{name} not found on this machine: run scripts/install-deps.sh")
    return os.path.abspath(path)


def libraries(path):
    """The library paths ldd prints for program PATH (the loader included),
    in ldd's order."""
    r = subprocess.run(["ldd", path], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    out = r.stdout.strip()
    if r.returncode != 0:
        if "not a dynamic executable" in out + r.stderr:
            return []
        raise HostBinError(f"ldd {path} failed: {(r.stderr or out).strip()}")
    libs = []
    for line in out.splitlines():
        if "=> not found" in line:
            raise HostBinError(f"{path} needs {line.split()[0]}, missing on this machine: "
                               "run scripts/install-deps.sh")
        m = _LDD_LINE.match(line)
        if not m or "vdso" in line.split()[0]:
            continue
        lib = m.group(2)
        if not lib.startswith("/"):
            continue
        libs.append(lib)
    if libs and LOADER not in libs:
        libs.append(LOADER)
    return libs


def entries(programs):
    """(DEST, MODE, SRC) for each program and every library it loads: DEST
    is the host path without its leading '/', SRC the resolved host file.
    Each DEST appears once."""
    seen = {}
    for name in programs:
        path = find(name)
        for p in [path] + libraries(path):
            dest = os.path.normpath(p).lstrip("/")
            if dest in seen:
                continue
            src = os.path.realpath(p)
            if not os.path.isfile(src):
                raise HostBinError(f"{p} (for {name}) is missing: run scripts/install-deps.sh")
            seen[dest] = (dest, stat.S_IFREG | (os.stat(src).st_mode & 0o7777), src)
    return list(seen.values())


def entries_or_exit(programs, who):
    """entries(), exiting with "WHO: ..." on a missing program or library."""
    try:
        return entries(programs)
    except HostBinError as e:
        sys.exit(f"{who}: {e}")


if __name__ == "__main__":
    # A look at what would be copied: hostbin.py PROGRAM...
    for d, m, s in entries_or_exit(sys.argv[1:], "hostbin"):
        print(f"{oct(m)} {d} <- {s}")
