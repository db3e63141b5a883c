#!/usr/bin/env python3
"""Turn `nm -n` output of a hypervisor link into an assembly symbol table.

Usage: gen-symbols.py [NM_OUTPUT] > symbols.S
With no input (or an empty file) an empty table is produced, for the first
link.  Only text symbols are kept, sorted by address; the table layout is
what hypervisor/symbols.c reads: a count, an address array, name offsets
and a blob of NUL-terminated names.
"""
import sys


def main():
    syms = []
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            for line in f:
                parts = line.split()
                if len(parts) != 3 or parts[1] not in ("T", "t", "W", "w"):
                    continue
                name = parts[2]
                if name.startswith((".L", "__pvx_sym")):
                    continue
                syms.append((int(parts[0], 16), name))
    syms.sort()
    out = ['\t.section .symbols, "a"', "\t.balign 8",
           "\t.globl symbols_count, symbols_addrs, symbols_name_offsets, symbols_names",
           f"symbols_count:\n\t.quad {len(syms)}", "symbols_addrs:"]
    out += [f"\t.quad {addr:#x}" for addr, _ in syms]
    out.append("symbols_name_offsets:")
    offset = 0
    for _, name in syms:
        out.append(f"\t.long {offset}")
        offset += len(name) + 1
    out.append("symbols_names:")
    out += [f'\t.asciz "{name}"' for _, name in syms]
    if not syms:
        out.append("\t.byte 0")
    print("\n".join(out))


if __name__ == "__main__":
    main()
