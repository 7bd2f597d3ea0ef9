#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write fuzz_xlat's seeds: page tables for every paging mode in
fuzz_xlat's input layout (see fuzz/fuzz_xlat.c), each in three shapes:

- plain: a small tree with a page, a large page or block and an entry
  pointing past the 64 KiB image;
- loop: a table entry pointing at its own table and one at the root
  (enumerated with KDX_MAPS_NO_MERGE);
- alias: every entry of two levels pointing at one shared table whose
  entries are all large leaves (the tree maps the table many times over).

Entries are encoded here from the architecture manuals (Intel SDM, ARM
ARM, RISC-V privileged spec), apart from libkdx's decoders.

Usage: fuzz/make-xlat-seeds.py [OUTDIR]   (default: fuzz/corpus/xlat)
Deterministic; Python 3 standard library only.
"""
import os
import struct
import sys

# enum kdx_paging_mode
NONE, X86_32, X86_PAE, X86_64, LA57, ARM_V5, ARM, ARM_LPAE, AARCH64, \
    SV32, SV39, SV48, SV57, PPC64_RADIX, S390X, MIPS32, MIPS64, \
    PPC64_HPT = range(18)
PSE, NXE, BE, ROOT_LOW = 1, 2, 4, 8
PAST_END = 0x7FF00000


class Mode:
    """How one mode nests and encodes: entry size, level shifts (top
    first), entries per table per level, table and leaf encoders."""

    def __init__(self, mode, esize, shifts, counts, table, leaf, leaf_levels,
                 va_top=0, flags=PSE | NXE):
        self.mode, self.esize, self.shifts, self.counts = mode, esize, shifts, counts
        self.table, self.leaf, self.leaf_levels = table, leaf, leaf_levels
        self.va_top, self.flags = va_top, flags


def x86_table(a, level):
    return a | 0x7


def pae_table(a, level):
    return a | (0x1 if level == 0 else 0x7)  # the PDPT has no RW/US


def x86_leaf(pa, level, last):
    return pa | (0x7 if last else 0x87)


def arm_short_table(a, level):
    return a | 0x1  # coarse page table


def arm_short_leaf(pa, level, last):
    return pa | 0x2  # section at level 0, small page at level 1


def long_table(a, level):
    return a | 0x3


def long_leaf(pa, level, last):
    return pa | (0x3 if last else 0x1) | (1 << 10)  # AF


def rv_table(a, level):
    return (a >> 12) << 10 | 0x1


def rv_leaf(pa, level, last):
    return (pa >> 12) << 10 | 0xCF  # V R W X A D


def mips_table(a, level):
    return a | 0x1  # kdx's directory form: the table's address | present


def mips_leaf(pa, level, last):
    return (pa >> 12) << 6 | 0x1F  # EntryLo: C 3, D, V, G


MODES = {
    "x86_32": Mode(X86_32, 4, [22, 12], [1024, 1024], x86_table, x86_leaf, [0, 1]),
    "pae": Mode(X86_PAE, 8, [30, 21, 12], [4, 512, 512], pae_table, x86_leaf, [1, 2]),
    "x86_64": Mode(X86_64, 8, [39, 30, 21, 12], [512] * 4, x86_table, x86_leaf, [1, 2, 3]),
    "la57": Mode(LA57, 8, [48, 39, 30, 21, 12], [512] * 5, x86_table, x86_leaf, [2, 3, 4]),
    "arm_v5": Mode(ARM_V5, 4, [20, 12], [4096, 256], arm_short_table, arm_short_leaf, [0, 1]),
    "arm": Mode(ARM, 4, [20, 12], [4096, 256], arm_short_table, arm_short_leaf, [0, 1]),
    "arm_lpae": Mode(ARM_LPAE, 8, [30, 21, 12], [4, 512, 512], long_table, long_leaf, [1, 2]),
    "aarch64": Mode(AARCH64, 8, [39, 30, 21, 12], [512] * 4, long_table, long_leaf, [1, 2, 3],
                    va_top=0xFFFF000000000000),
    "sv32": Mode(SV32, 4, [22, 12], [1024, 1024], rv_table, rv_leaf, [0, 1]),
    "sv39": Mode(SV39, 8, [30, 21, 12], [512] * 3, rv_table, rv_leaf, [0, 1, 2],
                 va_top=0xFFFFFFC000000000),
    "sv48": Mode(SV48, 8, [39, 30, 21, 12], [512] * 4, rv_table, rv_leaf, [0, 1, 2, 3]),
    "sv57": Mode(SV57, 8, [48, 39, 30, 21, 12], [512] * 5, rv_table, rv_leaf,
                 [0, 1, 2, 3, 4]),
    "mips32": Mode(MIPS32, 4, [22, 12], [1024, 1024], mips_table, mips_leaf, [1],
                   va_top=0xC0000000),
    "mips64": Mode(MIPS64, 8, [30, 21, 12], [512] * 3, mips_table, mips_leaf, [2],
                   va_top=0xC000000000000000),
}


class Image:
    """Entries written into the image, as fuzz_xlat's records."""

    def __init__(self, m, big_endian=False):
        self.m, self.be, self.words = m, big_endian, {}

    def put(self, table, index, value):
        addr = table + index * self.m.esize
        fmt = (">" if self.be else "<") + ("I" if self.m.esize == 4 else "Q")
        raw = struct.pack(fmt, value & (0xFFFFFFFF if self.m.esize == 4 else ~0 & (2**64 - 1)))
        for i, b in enumerate(raw):
            a = addr + i
            word = self.words.setdefault(a // 8, bytearray(8))
            word[a % 8] = b

    def records(self):
        return b"".join(struct.pack("<H", slot) + bytes(w)
                        for slot, w in sorted(self.words.items()))


def index(m, va, level):
    return (va >> m.shifts[level]) % m.counts[level]


def header(m, root, va, flags, root_low=0):
    h = bytearray(32)
    h[0], h[1] = m.mode, flags
    struct.pack_into("<QQQ", h, 4, root, root_low, va)
    return bytes(h)


# Tables at fixed places in the 64 KiB image: the root where its
# alignment allows (ARM short L1: 16 KiB), then one page per level.
def layout(m):
    root = 0x4000
    return root, [0x8000 + 0x1000 * i for i in range(len(m.shifts))]


def plain(m, be=False):
    img = Image(m, be)
    root, tables = layout(m)
    va = m.va_top | 0x40201000 if m.va_top else 0x40201000
    if m.mode in (X86_32, ARM, ARM_V5, SV32):
        va = 0x40201000
    t = root
    for level in range(len(m.shifts) - 1):
        nxt = tables[level]
        img.put(t, index(m, va, level), m.table(nxt, level))
        # A neighbour pointing past the image.
        img.put(t, (index(m, va, level) + 1) % m.counts[level], m.table(PAST_END, level))
        t = nxt
    last = len(m.shifts) - 1
    img.put(t, index(m, va, last), m.leaf(0x3000, last, True))
    img.put(t, (index(m, va, last) + 2) % m.counts[last], m.leaf(0x2000, last, True))
    # A large leaf where the mode has them.
    big = [lv for lv in m.leaf_levels if lv != last]
    if big:
        lv = big[-1]
        tab = root if lv == 0 else tables[lv - 1]
        img.put(tab, (index(m, va, lv) + 3) % m.counts[lv],
                m.leaf(0, lv, False))
    flags = m.flags | (BE if be else 0)
    return header(m, root, va, flags) + img.records()


def loop(m):
    img = Image(m)
    root, tables = layout(m)
    img.put(root, 0, m.table(root, 0))          # points at itself
    if len(m.shifts) > 2:
        img.put(root, 1, m.table(tables[0], 0))
        img.put(tables[0], 0, m.table(root, 1))     # back to the root
        img.put(tables[0], 1, m.table(tables[0], 1))
    # Enumerated unmerged (fuzz_xlat header bit 4).
    return header(m, root, 0x1000, m.flags | 0x10) + img.records()


def alias(m):
    img = Image(m)
    root, tables = layout(m)
    shared = tables[0]
    n = min(m.counts[0], 64)
    for i in range(n):
        img.put(root, i, m.table(shared, 0))
    last = len(m.shifts) - 1
    for i in range(min(m.counts[1], 64)):
        if len(m.shifts) > 2:
            img.put(shared, i, m.table(shared, 1))   # shared maps itself
        else:
            img.put(shared, i, m.leaf(0x1000 * (i % 4), last, True))
    leaf_table = tables[1] if len(m.shifts) > 2 else shared
    if len(m.shifts) > 2:
        img.put(shared, 64, m.table(leaf_table, 1))
        for i in range(64):
            img.put(leaf_table, i, m.leaf(0x1000 * (i % 8), last, True))
    return header(m, root, m.va_top, m.flags) + img.records()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "xlat")
    os.makedirs(out, exist_ok=True)
    for name, m in MODES.items():
        seeds = {"plain": plain(m), "loop": loop(m), "alias": alias(m)}
        if m.mode in (ARM, ARM_LPAE, AARCH64, MIPS32, MIPS64):
            seeds["plain-be"] = plain(m, be=True)
        if m.mode == AARCH64:
            # TTBR0 too: the low half from the same tables.
            root, _ = layout(m)
            seeds["root-low"] = header(m, root, 0x40201000, m.flags | ROOT_LOW,
                                       root_low=root) + Image(m).records() + \
                plain(m)[32:]
        for shape, data in seeds.items():
            with open(os.path.join(out, "%s-%s" % (name, shape)), "wb") as f:
                f.write(data)
    with open(os.path.join(out, "ppc64_hpt-plain"), "wb") as f:
        f.write(hpt_seed())


def hpt_seed():
    """POWER's hashed page table at 0 (SDR1 0: 2048 PTEGs, of which the
    image holds the first 512): one 4 KiB entry for the first kernel page
    from 0xc008000000400000 whose primary PTEG is in the image; FreeBSD's
    KERNEL_VSID; entries big-endian."""
    def pteg(ea):
        esid, mask = ea >> 28, (1 << 36) - 1
        vsid = ((((esid << 8) | (esid >> 28)) * 0x13BB) & mask) | 1 << 36
        page = (ea & 0xFFFFFFF) >> 12
        return vsid, page, ((vsid & 0x7FFFFFFFFF) ^ page) & 2047

    ea = 0xC008000000201000
    while pteg(ea)[2] >= 512:
        ea += 0x1000
    vsid, page, g = pteg(ea)
    hi = vsid << 12 | (page >> 11) << 7 | 1       # AVA | V
    lo = 0x5000 | 0x190 | 2                         # RPN | R C M | PP 2
    h = bytearray(32)
    h[0], h[1] = PPC64_HPT, PSE | NXE
    struct.pack_into("<QQQ", h, 4, 0, 0, ea)
    return bytes(h) + b"".join(struct.pack("<H", slot) + struct.pack(">Q", v)
                               for slot, v in ((g * 16, hi), (g * 16 + 1, lo)))


if __name__ == "__main__":
    main()
