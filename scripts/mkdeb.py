#!/usr/bin/env python3
"""Build pvx's Debian packages with dpkg-deb (make deb):

    build/deb/pvx-hypervisor_VERSION_amd64.deb
        pvx's image (/boot/pvx-VERSION-amd64), the GRUB script
        /etc/grub.d/20_linux_pvx and its settings /etc/default/grub.d/pvx.cfg
    build/deb/pvx-utils_VERSION_amd64.deb
        xl, xenstored, the console and lifecycle daemons, the xenstore tool,
        /etc/pvx, the systemd units, modules-load.d, man pages xl(1) and
        xl.cfg(5), xenstored(8), pvxconsoled(8) generated from docs/
        (scripts/md2man.py)

The programs must be built first (make deb does it); the
files that are not programs come from dom0-tools/debian/.  docs/install.md
describes the packages.

    mkdeb.py [--out DIR] [--version V]

--version overrides the version in hypervisor/include/pvx/version.h (the
package test builds a second, higher one to check upgrades).  The
maintainer is $DEBFULLNAME <$DEBEMAIL> when both are set.  Timestamps come
from $SOURCE_DATE_EPOCH, else the last commit, so a rebuild of the same tree
gives the same packages.
"""
import argparse
import gzip
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
PKG = os.path.join(ROOT, "dom0-tools", "debian")
MAINTAINER = "pvx developers <pvx-devel@lists.pvx-hypervisor.org>"
ARCH = "amd64"

# What each package takes from the build: (source under build/, destination).
HYPERVISOR_FILES = [("hypervisor/pvx", "boot/pvx-{version}-amd64", 0o644)]
# The programs linked with shared libraries, built again by make deb with
# Debian's hardening flags: xenstore into build/deb/xenstore, dom0-tools
# with LINK_STATIC= into build/deb/dom0-tools (the initramfs keeps the
# static ones).
UTILS_PROGRAMS = [
    ("deb/dom0-tools/xl", "usr/sbin/xl"),
    ("deb/xenstore/xenstored", "usr/sbin/xenstored"),
    ("deb/dom0-tools/pvxconsoled", "usr/sbin/pvxconsoled"),
    ("deb/dom0-tools/pvx-lifecycled", "usr/sbin/pvx-lifecycled"),
    ("deb/dom0-tools/pvxconsole", "usr/bin/pvxconsole"),
    ("deb/dom0-tools/pvx-migrate", "usr/sbin/pvx-migrate"),
    ("deb/xenstore/xenstore", "usr/bin/xenstore"),
]
XENSTORE_LINKS = ["read", "write", "ls", "rm", "exists", "chmod", "watch", "list"]
UNITS = ["pvx-xenstored.service", "pvx-consoled.service", "pvx-lifecycled.service",
         "pvx-domains.service"]
# Installed but not enabled (postinst enables UNITS only): docs/migration.md.
OPTIONAL_UNITS = ["pvx-migrate.service"]

DESCRIPTIONS = {
    "pvx-hypervisor": """pvx, a Xen-compatible paravirtualizing hypervisor for x86-64
 pvx runs unmodified 64-bit Xen PV guests, Debian's own Linux kernel among
 them, through a guest interface that is binary-compatible with Xen's
 public PV ABI. A Linux control domain (dom0) runs the toolstack and the
 split-driver backends.
 .
 This package installs the hypervisor image in /boot and a GRUB script that
 adds "with pvx" boot entries for every installed kernel that can run as a
 Xen dom0. The command lines of pvx and of dom0 are set in
 /etc/default/grub.d/pvx.cfg.
 .
 pvx is experimental software: keep a boot entry without it.""",
    "pvx-utils": """pvx's toolstack for the control domain (dom0)
 The user-space side of the pvx hypervisor: xl, with Xen's verbs, output
 and xl.cfg syntax; pvx's xenstored; the console daemon pvxconsoled and
 the console client; pvx-lifecycled, which applies on_poweroff, on_reboot
 and on_crash; the xenstore command-line tool.
 .
 systemd units start the daemons in dom0 when the system runs on pvx, and
 pvx-domains.service starts the domains configured in /etc/pvx/auto at
 boot and shuts them down when the host stops.""",
}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def project_version():
    text = open(os.path.join(ROOT, "hypervisor", "include", "pvx", "version.h")).read()
    m = re.search(r'#define\s+PVX_VERSION_STR\s+"([^"]+)"', text)
    if not m:
        sys.exit("mkdeb: no PVX_VERSION_STR in hypervisor/include/pvx/version.h")
    return m.group(1)


def source_epoch():
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        return int(run(["git", "-C", ROOT, "log", "-1", "--format=%ct"]).strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return int(time.time())


def shlibs_depends(programs, workdir):
    """The Depends of the programs' shared libraries, from dpkg-shlibdeps
    (which wants a debian/control naming the package)."""
    os.makedirs(os.path.join(workdir, "debian"), exist_ok=True)
    with open(os.path.join(workdir, "debian", "control"), "w") as f:
        f.write("Source: pvx\n\nPackage: pvx-utils\nArchitecture: amd64\n")
    out = run(["dpkg-shlibdeps", "-O"] + ["-e" + p for p in programs], cwd=workdir)
    m = re.search(r"^shlibs:Depends=(.*)$", out, re.M)
    return m.group(1).strip() if m else ""


def gzip_file(src_bytes, dst, epoch):
    with open(dst, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=epoch) as g:
            g.write(src_bytes)


class Package:
    def __init__(self, name, out, version, epoch):
        self.name = name
        self.version = version
        self.epoch = epoch
        self.root = os.path.join(out, "stage", name)
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(os.path.join(self.root, "DEBIAN"))
        self.conffiles = []

    def path(self, rel):
        p = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def install(self, src, rel, mode=0o644, conffile=False):
        dst = self.path(rel)
        shutil.copyfile(src, dst)
        os.chmod(dst, mode)
        if conffile:
            self.conffiles.append("/" + rel)

    def program(self, src, rel):
        """A program, stripped as dh_strip strips executables."""
        if not os.path.exists(src):
            sys.exit(f"mkdeb: {src} is missing: run make deb")
        dst = self.path(rel)
        run(["strip", "--remove-section=.comment", "--remove-section=.note", "-o", dst, src])
        os.chmod(dst, 0o755)

    def symlink(self, target, rel):
        dst = self.path(rel)
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(target, dst)

    def mkdir(self, rel):
        os.makedirs(os.path.join(self.root, rel), exist_ok=True)

    def maintscript(self, name):
        src = os.path.join(PKG, self.name, name)
        self.install(src, os.path.join("DEBIAN", name), 0o755)

    def docs(self, copyright_text):
        doc = f"usr/share/doc/{self.name}"
        with open(self.path(f"{doc}/copyright"), "w") as f:
            f.write(copyright_text)
        when = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(self.epoch))
        changelog = (f"pvx ({self.version}) unstable; urgency=medium\n\n"
                     f"  * Built from the pvx source tree with make deb.\n\n"
                     f" -- {maintainer()}  {when}\n")
        gzip_file(changelog.encode(), self.path(f"{doc}/changelog.gz"), self.epoch)

    def build(self, out, fields, description):
        root = self.root
        # md5sums of every regular file outside DEBIAN; sizes for Installed-Size.
        sums = []
        size_kib = 0
        for dirpath, dirnames, files in os.walk(root):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, root)
            if rel_dir.split(os.sep)[0] == "DEBIAN":
                continue
            size_kib += 1
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                rel = os.path.normpath(os.path.join(rel_dir, f))
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    size_kib += 1
                    continue
                size_kib += (st.st_size + 1023) // 1024
                sums.append(f"{hashlib.md5(open(p, 'rb').read()).hexdigest()}  {rel}\n")
        with open(os.path.join(root, "DEBIAN", "md5sums"), "w") as f:
            f.write("".join(sorted(sums, key=lambda s: s[34:])))
        if self.conffiles:
            with open(os.path.join(root, "DEBIAN", "conffiles"), "w") as f:
                f.write("".join(c + "\n" for c in sorted(self.conffiles)))
        control = [("Package", self.name), ("Version", self.version), ("Architecture", ARCH),
                   ("Maintainer", maintainer()), ("Installed-Size", str(size_kib))]
        control += [(k, v) for k, v in fields if v]
        control.append(("Description", description))
        with open(os.path.join(root, "DEBIAN", "control"), "w") as f:
            f.write("".join(f"{k}: {v}\n" for k, v in control))
        for p in (os.path.join(root, "DEBIAN", n) for n in ("control", "md5sums", "conffiles")):
            if os.path.exists(p):
                os.chmod(p, 0o644)
        # Directories 0755, fixed timestamps.
        for dirpath, dirnames, files in os.walk(root):
            os.chmod(dirpath, 0o755)
            for f in files + dirnames:
                os.utime(os.path.join(dirpath, f), (self.epoch, self.epoch), follow_symlinks=False)
        os.utime(root, (self.epoch, self.epoch))
        deb = os.path.join(out, f"{self.name}_{self.version}_{ARCH}.deb")
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(self.epoch))
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, deb], env=env)
        return deb


def maintainer():
    name, mail = os.environ.get("DEBFULLNAME"), os.environ.get("DEBEMAIL")
    return f"{name} <{mail}>" if name and mail else MAINTAINER


def copyright_text():
    lic = open(os.path.join(ROOT, "LICENSE")).read()
    mit = lic[lic.index("Permission is hereby granted"):].strip()
    mit = "\n".join(" " + (line if line.strip() else ".") for line in mit.splitlines())
    return f"""Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: pvx
Comment: Built from the pvx source tree with make deb (scripts/mkdeb.py).

Files: *
Copyright: 2026 the pvx developers
License: GPL-2
 This program is free software; you can redistribute it and/or modify it
 under the terms of the GNU General Public License, version 2 only, as
 published by the Free Software Foundation.
 .
 This program is distributed in the hope that it will be useful, but
 WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 for more details.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in /usr/share/common-licenses/GPL-2.

Files: include/public/*
Copyright: 2026 the pvx developers
License: Expat
{mit}
"""


def build_hypervisor(out, version, epoch):
    p = Package("pvx-hypervisor", out, version, epoch)
    for src, dst, mode in HYPERVISOR_FILES:
        srcp = os.path.join(BUILD, src)
        if not os.path.exists(srcp):
            sys.exit(f"mkdeb: {srcp} is missing: run make hypervisor first")
        p.install(srcp, dst.format(version=version), mode)
    p.install(os.path.join(PKG, p.name, "20_linux_pvx"), "etc/grub.d/20_linux_pvx", 0o755, True)
    p.install(os.path.join(PKG, p.name, "pvx.cfg"), "etc/default/grub.d/pvx.cfg", 0o644, True)
    p.maintscript("postinst")
    p.maintscript("postrm")
    p.docs(copyright_text())
    return p.build(out, [("Section", "kernel"), ("Priority", "optional"),
                         ("Recommends", "grub-pc | grub-efi-amd64, pvx-utils")],
                   DESCRIPTIONS[p.name])


def man_pages(p, version, epoch):
    date = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    tmp = os.path.join(os.path.dirname(p.root), "man")
    os.makedirs(tmp, exist_ok=True)
    pages = [("xl", "1", "manage pvx domains from dom0", "docs/toolstack.md",
              ["**xl** [`-v`] [`-N`] *subcommand* [*options*] [*arguments*]",
               "**xl help** [*subcommand*]"]),
             ("xl.cfg", "5", "pvx domain configuration file syntax", "docs/xlcfg.md",
              ["`/etc/pvx/NAME.cfg`, `/etc/pvx/auto/NAME.cfg`"]),
             ("xenstored", "8", "pvx's xenstore daemon, client library and tool",
              "docs/xenstore.md", ["**xenstored** [*options*]",
                                   "**xenstore** *command* [*arguments*]"]),
             ("pvxconsoled", "8", "pvx's console daemon and console client", "docs/console.md",
              ["**pvxconsoled** [*options*]", "**pvxconsole** *domid*"]),
             ("pvx-migrate", "8", "xl migrate's transport between pvx hosts",
              "docs/migration.md", ["**pvx-migrate listen** [`--port` *N*] [`--address` *ADDR*] "
                                    "[`--xl` *PATH*]",
                                    "**pvx-migrate connect** [`--port` *N*] *host* *args*..."])]
    # Programs documented in another page (roff .so includes), and aliases.
    includes = [("pvxconsole.1", "man8/pvxconsoled.8"), ("pvx-lifecycled.8", "man1/xl.1"),
                ("xenstore.1", "man8/xenstored.8")]
    for name, sec, summary, md, syn in pages:
        out = os.path.join(tmp, f"{name}.{sec}")
        cmd = [sys.executable, os.path.join(ROOT, "scripts", "md2man.py"), "--name", name,
               "--section", sec, "--summary", summary, "--date", date, "--version", version]
        for s in syn:
            cmd += ["--synopsis", s]
        run(cmd + [os.path.join(ROOT, md), out])
        gzip_file(open(out, "rb").read(), p.path(f"usr/share/man/man{sec}/{name}.{sec}.gz"), epoch)
    for page, target in includes:
        sec = page.rsplit(".", 1)[1]
        gzip_file(f".so {target}\n".encode(), p.path(f"usr/share/man/man{sec}/{page}.gz"), epoch)
    for n in XENSTORE_LINKS:
        p.symlink("xenstore.1.gz", f"usr/share/man/man1/xenstore-{n}.1.gz")


def build_utils(out, version, epoch):
    p = Package("pvx-utils", out, version, epoch)
    for src, dst in UTILS_PROGRAMS:
        p.program(os.path.join(BUILD, src), dst)
    shlibs = shlibs_depends([os.path.join(p.root, dst) for _, dst in UTILS_PROGRAMS],
                            os.path.join(os.path.dirname(p.root), "shlibs"))
    for n in XENSTORE_LINKS:
        p.symlink("xenstore", f"usr/bin/xenstore-{n}")
    src = os.path.join(PKG, p.name)
    p.install(os.path.join(src, "pvx-dom0"), "usr/lib/pvx/pvx-dom0", 0o755)
    p.install(os.path.join(src, "pvx-domains"), "usr/lib/pvx/pvx-domains", 0o755)
    for u in UNITS + OPTIONAL_UNITS:
        p.install(os.path.join(src, u), f"lib/systemd/system/{u}")
    p.install(os.path.join(src, "modules-load.conf"), "usr/lib/modules-load.d/pvx.conf")
    p.install(os.path.join(src, "xl.conf"), "etc/pvx/xl.conf", conffile=True)
    p.install(os.path.join(src, "example.cfg"), "etc/pvx/example.cfg", conffile=True)
    p.install(os.path.join(src, "pvx-domains.default"), "etc/default/pvx-domains", conffile=True)
    p.mkdir("etc/pvx/auto")
    man_pages(p, version, epoch)
    gzip_file(open(os.path.join(ROOT, "docs", "install.md"), "rb").read(),
              p.path("usr/share/doc/pvx-utils/install.md.gz"), epoch)
    p.maintscript("postinst")
    p.maintscript("postrm")
    p.docs(copyright_text())
    return p.build(out, [("Section", "admin"), ("Priority", "optional"),
                         ("Depends", ", ".join(d for d in (shlibs, "mount") if d)),
                         ("Recommends", "pvx-hypervisor"),
                         ("Suggests", "bridge-utils"),
                         ("Conflicts", "xen-utils-common, xenstore-utils"),
                         ("Replaces", "xen-utils-common, xenstore-utils"),
                         ("Provides", "xenstore-utils")],
                   DESCRIPTIONS[p.name])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(BUILD, "deb"))
    ap.add_argument("--version", default=None)
    args = ap.parse_args()
    version = args.version or project_version()
    if not re.fullmatch(r"[0-9][A-Za-z0-9.+~]*", version):
        sys.exit(f"mkdeb: '{version}' is not a native Debian version")
    epoch = source_epoch()
    args.out = os.path.abspath(args.out)  # dpkg-shlibdeps runs elsewhere
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        if old.endswith(".deb"):
            os.remove(os.path.join(args.out, old))
    for deb in (build_hypervisor(args.out, version, epoch), build_utils(args.out, version, epoch)):
        print(f"mkdeb: {os.path.relpath(deb, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
