#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write fuzz_xen_host's seeds: small ELF dumps of a Xen host's machine
memory (5 to 8 pages).

Usage: fuzz/make-xen-host-seeds.py [OUTDIR]   (default: fuzz/corpus/xen_host)

- host-domain.elf: a PV domain's start_info (dom0's magic, with the "p"),
  its shared_info naming a linear p2m list mapped by a 1 GiB page in the
  list's page table, the list (pfn i on mfn i), and a copy of the
  start_info that the p2m does not map;
- host-crash-notes.elf: the same with Xen's crash notes (crash_xen_info_t
  v2 naming a p2m tree: top, mid, leaf; one CRASH_REGS);
- host-crash-v0.elf: the oldest crash_xen_info_t (no tree) and a 32-bit
  Xen's CRASH_REGS;
- host-p2m-repeats.elf: dom0 with max_pfn 2^22, its list and tree built
  of Linux's shared pages of missing entries (p2m_missing, a page table
  and a mid page naming only it) and damage: a page table in two PD
  entries, a leaf in two mid entries, pfn 3 on pfn 0's frame (a small
  max_pfn keeps the executions fast; mutations reach 2^28).
Deterministic; Python 3 standard library only.
"""
import os
import struct
import sys

PAGE = 4096
P2M_VA = 0xFFFFC90000000000


def le64(buf, off, v):
    struct.pack_into("<Q", buf, off, v)


def memory(pages, max_pfn, tree=False):
    m = bytearray(PAGE * pages)
    # page 0: the list (and, for the tree, the leaf): pfn i -> mfn i
    for i in range(max_pfn):
        le64(m, i * 8, i)
    # page 1: start_info; page 6 (if any): a copy the p2m does not map
    si = bytearray(PAGE)
    si[0:15] = b"xen-3.0-x86_64p"
    le64(si, 32, max_pfn)          # nr_pages
    le64(si, 40, 2 * PAGE)         # shared_info
    struct.pack_into("<I", si, 48, 3)
    m[PAGE:2 * PAGE] = si
    if pages > 6:
        m[6 * PAGE:7 * PAGE] = si
    # page 2: shared_info's arch part
    arch = 2 * PAGE + 3088
    le64(m, arch, max_pfn)
    le64(m, arch + 8, 5 if tree else 0xFFFFFFFFFFFFFFFF)
    le64(m, arch + 24, 3 * PAGE)   # p2m_cr3
    le64(m, arch + 32, P2M_VA)
    # page 3: the top table; page 4: a PDPT with one 1 GiB page at 0
    le64(m, 3 * PAGE + ((P2M_VA >> 39) & 511) * 8, 4 * PAGE | 0x7)
    le64(m, 4 * PAGE, 0x87)
    if tree:
        # page 5: the frame list list (one mid), page 7: the mid (leaf 0)
        for i in range(512):
            le64(m, 5 * PAGE + i * 8, 0xFFFFFFFFFFFFFFFF)
            le64(m, 7 * PAGE + i * 8, 0xFFFFFFFFFFFFFFFF)
        le64(m, 5 * PAGE, 7)
        le64(m, 7 * PAGE, 0)
    return bytes(m)


def note(name, ntype, desc):
    n = name.encode() + b"\0"
    return (struct.pack("<III", len(n), len(desc), ntype) + n +
            b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4))


def elf(mem, notes=b""):
    phnum = 2 if notes else 1
    off = 64 + 56 * phnum
    hdr = bytearray(64)
    hdr[0:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", hdr, 16, 4, 62, 1, 0, 64, 0, 0,
                     64, 56, phnum, 0, 0, 0)
    ph = b""
    if notes:
        ph += struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(notes), 0, 0)
        off += len(notes)
    ph += struct.pack("<IIQQQQQQ", 1, 7, off, 0, 0, len(mem), len(mem), 0)
    return bytes(hdr) + ph + notes + mem


def repeats():
    ones = 0xFFFFFFFFFFFFFFFF
    m = bytearray(13 * PAGE)

    def q(frame, index, v):
        le64(m, frame * PAGE + index * 8, v)

    m[PAGE:PAGE + 15] = b"xen-3.0-x86_64p"   # page 1: start_info
    q(1, 4, 16)
    q(1, 5, 2 * PAGE)
    struct.pack_into("<I", m, PAGE + 48, 3)
    # page 2: shared_info: max_pfn 2^22, tree at 10, list at P2M_VA
    struct.pack_into("<5Q", m, 2 * PAGE + 3088, 1 << 22, 10, 0, 3 * PAGE,
                     P2M_VA)
    q(3, (P2M_VA >> 39) & 511, 4 * PAGE | 3)  # PML4 -> PDPT 4
    q(4, 0, 5 * PAGE | 3)                     # both GiBs: PD 5
    q(4, 1, 5 * PAGE | 3)
    for i in range(512):
        q(5, i, (6 if i in (0, 5) else 9) * PAGE | 3)  # PT 6 twice
        q(6, i, (8 if i == 0 else 7) * PAGE | 1)       # one list page
        q(9, i, 7 * PAGE | 1)                          # p2m_missing_pte
        q(7, i, ones)                                  # p2m_missing
        q(8, i, ones)
        q(10, i, 11 if i == 0 else 12)                 # top
        q(11, i, 8 if i in (0, 7) else 7)              # leaf 8 twice
        q(12, i, 7)                                    # p2m_mid_missing
    for k, mfn in enumerate((12, 13, 14, 12)):
        q(8, k, mfn)
    return bytes(m)


def crash_info(words):
    v = [4, 17, 0xFFFF82D040400000, 0, 0, 0, 0, 0x30]
    if words >= 9:
        v += [0x3C000000] if words == 10 else []
        v += [5]
    return struct.pack("<%dQ" % len(v), *v)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "xen_host")
    os.makedirs(out, exist_ok=True)
    seeds = {
        "host-domain.elf": elf(memory(7, 4)),
        "host-crash-notes.elf": elf(memory(8, 4, tree=True),
                                    note("Xen", 0x1000001, crash_info(10)) +
                                    note("Xen", 0x1000002,
                                         struct.pack("<4Q", 0x80050033, 0, 3 * PAGE, 0x6F0))),
        "host-crash-v0.elf": elf(memory(5, 4),
                                 note("Xen", 0x1000001, crash_info(8)) +
                                 note("Xen", 0x1000002,
                                      struct.pack("<4I", 0x80050033, 0, 3 * PAGE, 0x6F0))),
        "host-p2m-repeats.elf": elf(repeats()),
    }
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print("%-34s %6d bytes" % ("xen_host/" + name, len(data)))


if __name__ == "__main__":
    main()
