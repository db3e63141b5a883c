#!/usr/bin/env python3
"""Make a bootable GRUB ISO that starts pvx through multiboot2.

    mkiso.py --out build/pvx.iso --kernel build/hypervisor/pvx \
             [--append "options"] [--module "path name args" ...]

Each module is copied into the image as /boot/<basename>; its multiboot
command line is the rest of the spec (by pvx's convention the first word
names the module).  GRUB shows no menu and talks on COM1.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--append", default="")
    ap.add_argument("--module", action="append", default=[])
    args = ap.parse_args()
    if not shutil.which("grub-mkrescue"):
        sys.exit("mkiso: grub-mkrescue not found: run scripts/install-deps.sh")
    with tempfile.TemporaryDirectory() as tmp:
        boot = os.path.join(tmp, "boot")
        os.makedirs(os.path.join(boot, "grub"))
        shutil.copy(args.kernel, os.path.join(boot, "pvx"))
        lines = ["set timeout=0", "set default=0",
                 "serial --unit=0 --speed=115200", "terminal_input serial console",
                 "terminal_output serial console", 'menuentry "pvx" {',
                 f"    multiboot2 /boot/pvx {args.append}".rstrip()]
        for spec in args.module:
            path, _, rest = spec.partition(" ")
            if not os.path.exists(path):
                sys.exit(f"mkiso: module file {path} does not exist")
            name = os.path.basename(path)
            shutil.copy(path, os.path.join(boot, name))
            lines.append(f"    module2 /boot/{name} {rest or name}".rstrip())
        lines += ["    boot", "}"]
        with open(os.path.join(boot, "grub", "grub.cfg"), "w") as f:
            f.write("\n".join(lines) + "\n")
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        r = subprocess.run(["grub-mkrescue", "-o", args.out, tmp], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"mkiso: grub-mkrescue failed:\n{r.stderr}")
    print(f"mkiso: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
