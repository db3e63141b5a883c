#!/bin/sh
# Seed corpora for the decompressor fuzz targets, made now with the standard
# tools so no binary test files live in the repository:
#   tests/decompress/make-corpus.sh OUTDIR
# writes OUTDIR/{gzip,xz,lz4,zstd,any,bzimage}/ with small compressed files
# in the variants Linux and the tools produce.  A missing tool only means
# fewer seeds for that format.
set -eu
out=$1
mkdir -p "$out/gzip" "$out/xz" "$out/lz4" "$out/zstd" "$out/any" "$out/bzimage"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Inputs: text, a piece of a real binary (x86 code for the BCJ filter), zeros, random.
for w in the hypervisor page grant event channel domain xen linux kernel; do
    printf '%s %s %s\n' "$w" "$w" "$w"
done > "$tmp/text"
i=0
while [ $i -lt 6 ]; do cat "$tmp/text" "$tmp/text" >> "$tmp/text2"; i=$((i + 1)); done
head -c 6000 "$(command -v sh)" > "$tmp/code"
head -c 5000 /dev/zero > "$tmp/zeros"
head -c 700 /dev/urandom > "$tmp/random"
: > "$tmp/empty"

n=0
seed() { # seed FORMAT TOOL ARGS... : each input through the tool into the format's corpus
    fmt=$1
    shift
    command -v "$1" >/dev/null 2>&1 || return 0
    for f in text2 code zeros random empty; do
        n=$((n + 1))
        "$@" < "$tmp/$f" > "$out/$fmt/seed-$n" 2>/dev/null || rm -f "$out/$fmt/seed-$n"
        [ -f "$out/$fmt/seed-$n" ] && cp "$out/$fmt/seed-$n" "$out/any/seed-$n"
    done
}
seed gzip gzip -1 -c
seed gzip gzip -9 -n -c
seed xz xz --check=crc32 --x86 --lzma2=dict=1MiB -c
seed xz xz --check=crc64 -0 -c
seed xz xz --check=sha256 -c
seed xz xz --check=none --block-size=2000 -c
seed lz4 lz4 -q -l -9 -c
seed lz4 lz4 -q -c
seed lz4 lz4 -q -BD -BX -c
seed zstd zstd -q -19 -c
seed zstd zstd -q --ultra -22 -c
seed zstd zstd -q --fast=3 --no-check -c

# bzImage seeds: a minimal setup header (protocol 2.15, 1 setup sector) and
# a compressed fake ELF payload followed by its size, as Linux lays it out.
head -c 3000 "$(command -v sh)" > "$tmp/elf"
for tool in "gzip -9 -c" "xz --check=crc32 --x86 --lzma2 -c" "lz4 -q -l -9 -c" "zstd -q -19 -c"; do
    command -v "${tool%% *}" >/dev/null 2>&1 || continue
    n=$((n + 1))
    python3 - "$tmp/elf" "$out/bzimage/seed-$n" $tool <<'PY'
import struct, subprocess, sys
elf = open(sys.argv[1], "rb").read()
comp = subprocess.run(sys.argv[3:], input=elf, stdout=subprocess.PIPE, check=True).stdout
payload = comp + struct.pack("<I", len(elf))
img = bytearray(1024)
img[0x1F1] = 1
img[0x1FE:0x200] = b"\x55\xaa"
img[0x202:0x206] = b"HdrS"
img[0x206:0x208] = struct.pack("<H", 0x020F)
img[0x248:0x250] = struct.pack("<II", 0, len(payload))
open(sys.argv[2], "wb").write(bytes(img) + payload)
PY
done
echo "make-corpus: $(find "$out" -type f | wc -l) seed files in $out"
