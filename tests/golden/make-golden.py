#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the golden must-reject inputs: one small file per case in
tests/golden/inputs/, each a sound dump from the fuzz seed generators
(fuzz/make-seeds.py) or a hand-built header, with one thing broken.

tests/golden/expected.txt says, per case, the `kdx info` arguments, the
exit code and the one line kdx must print on stderr
(tests/golden/check.sh compares; `check.sh --update KDX` rewrites it, and
the diff is the review).

Usage: tests/golden/make-golden.py [OUTDIR]   (default: inputs/ here)
Deterministic; Python 3 standard library only.
"""
import gzip
import importlib.util
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "seeds", os.path.join(HERE, "..", "..", "fuzz", "make-seeds.py"))
seeds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seeds)


def patch(data, off, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *values)
    return bytes(b)


def elf_base():
    c = seeds.Core(64, False, 62)
    c.prstatus("x86_64", 1, 7)
    c.vmcoreinfo("6.1.0-kdx-golden")
    c.load(0x100000, seeds.pattern(1, 0x2000))
    c.load(0x200000, seeds.pattern(2, 0x1000))
    return c.build()


def elf_cases():
    e = elf_base()
    phoff = struct.unpack_from("<Q", e, 32)[0]
    note_ph = phoff
    return {
        "elf-truncated-ident": e[:10],
        "elf-truncated-ehdr": e[:40],
        "elf-bad-class": patch(e, 4, "B", 3),
        "elf-bad-data": patch(e, 5, "B", 7),
        "elf-not-core": patch(e, 16, "<H", 2),
        "elf-phoff-past-end": patch(e, 32, "<Q", 1 << 40),
        "elf-phentsize": patch(e, 54, "<H", 40),
        "elf-phnum-past-end": patch(e, 56, "<H", 5000),
        "elf-note-past-end": patch(e, note_ph + 8, "<Q", 1 << 40),
        "elf-truncated-phdrs": e[:phoff + 20],
    }


def kdump_base():
    k = seeds.Kdump("x86_64")
    for pfn in (1, 2, 5):
        k.page(pfn, "zlib", pfn)
    return k.build()


def kdump_cases():
    k = kdump_base()
    # struct disk_dump_header (LP64): signature[8], header_version i32,
    # utsname 390 bytes, timestamp 16 at 0x198, status u32 at 0x1a8,
    # block_size 0x1ac, sub_hdr_size 0x1b0, bitmap_blocks 0x1b4,
    # max_mapnr 0x1b8.
    return {
        "kdump-truncated-header": k[:0x100],
        "kdump-block-size-zero": patch(k, 0x1ac, "<i", 0),
        "kdump-block-size-odd": patch(k, 0x1ac, "<i", 3000),
        "kdump-block-size-huge": patch(k, 0x1ac, "<i", 1 << 30),
        "kdump-sub-header-past-end": patch(k, 0x1ac, "<i", 0x100000),
        "kdump-bitmap-blocks-zero": patch(k, 0x1b4, "<i", 0),
        "kdump-bitmap-past-end": patch(k, 0x1b4, "<i", 0x100000),
        "kdump-sub-header-huge": patch(k, 0x1b0, "<i", 0x7fffffff),
        "kdump-truncated-bitmaps": k[:0x200 + 0x100],
        "kdump-diskdump-truncated": b"DISKDUMP" + k[8:0x80],
    }


def flattened_cases():
    inner = kdump_base()
    f = seeds.flattened(inner)
    return {
        "flat-bad-type": patch(f, 16, ">Q", 7),
        "flat-header-only": f[:4096],
        "flat-record-truncated": f[:4096 + 16 + 100],
        "flat-record-negative": patch(f, 4096, ">q", -5),
        "flat-record-huge": patch(f, 4096 + 8, ">q", 1 << 60),
    }


def fbsd_header(arch=b"amd64", version=2, msgbufsize=0x1000, bitmapsize=8,
                pmapsize=0x1000, kernbase=0xFFFFFFFF80000000):
    h = bytearray(4096)
    magic = b"minidump FreeBSD/" + arch
    h[:len(magic)] = magic
    struct.pack_into("<IIIIQQQ", h, 24, version, msgbufsize, bitmapsize,
                     pmapsize, kernbase, 0xFFFFF80000000000,
                     0xFFFFFC0000000000)
    return bytes(h)


def fbsd_cases():
    body = bytes(0x1000) + bytes(4096) + bytes(0x1000)
    return {
        "fbsd-bad-version": fbsd_header(version=9) + body,
        "fbsd-unknown-arch": fbsd_header(arch=b"vax") + body,
        "fbsd-truncated": fbsd_header()[:100],
        "fbsd-regions-past-end": fbsd_header(msgbufsize=0x7fff0000) + body,
        "fbsd-pmap-not-entries": fbsd_header(pmapsize=0x1003) + body,
    }


def lime_header(start, end, version=1):
    return struct.pack("<IIQQQ", 0x4C694D45, version, start, end, 0)


def lime_cases():
    page = seeds.pattern(3, 0x1000)
    return {
        "lime-bad-version": lime_header(0, 0xFFF, version=2) + page,
        "lime-end-before-start": lime_header(0x2000, 0x1000) + page,
        "lime-truncated-header": lime_header(0, 0xFFF)[:20],
    }


def qemu_cases():
    return {
        "qemu-bad-version": b"QEVM\0\0\0\x01" + bytes(64),
        "qemu-truncated": b"QEVM\0\0\0\x03",
        "qemu-bad-section": b"QEVM\0\0\0\x03" + b"\x7f" + bytes(64),
    }


def raw_cases():
    # kdx info --format raw --base ADDR: the image must not wrap past 2^64.
    return {"raw-wraps": seeds.pattern(4, 0x2000)}


def container_cases():
    # A zstd frame with no content size, a 1 MiB window and one RLE block
    # of 128 KiB zeros (10 bytes), 4096 times (512 MiB), gzipped: an outer
    # stream that expanded ~400-fold into another compressed stream is a
    # bomb, refused before the inner one is decompressed.  mtime 0: the
    # same bytes every time.
    frame = b"\x28\xb5\x2f\xfd" + b"\x00\x50" + b"\x03\x00\x10" + b"\x00"
    return {"gzip-of-zstd-bomb": gzip.compress(frame * 4096, mtime=0)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "inputs")
    os.makedirs(out, exist_ok=True)
    cases = {}
    for group in (elf_cases, kdump_cases, flattened_cases, fbsd_cases,
                  lime_cases, qemu_cases, raw_cases, container_cases):
        cases.update(group())
    for name, data in sorted(cases.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
