#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the small seed corpus the fuzzers start from and CTest replays.

Usage: fuzz/make-seeds.py [OUTDIR]      (default: fuzz/corpus next to this file)

Every seed is a valid (or deliberately damaged) dump of a few KiB:
- elf/: ELF32 and ELF64 cores in both byte orders with a PT_NOTE holding
  CORE/NT_PRSTATUS, VMCOREINFO and QEMU CPU-state notes (and VirtualBox
  dumpvmcore's VBCORE/VBCPU notes), several PT_LOADs
  (holes, p_memsz > p_filesz tails, aliases, ranges sharing a page), one
  using extended program header numbering (PN_XNUM), one cut short, one in
  a makedumpfile flattened stream;
- kdump/: kdump-compressed files (LP64, i386 and big-endian s390x headers,
  the old DISKDUMP layout) with 512-byte blocks, pages stored plain and
  compressed with zlib, LZO, snappy and zstd (the last three hand-encoded),
  excluded pages and holes, an incomplete dump, a flattened stream;
- raw/: raw images in fuzz_raw's input layout (8-byte little-endian base,
  arch byte, page-size byte, image).
The output is deterministic: rerunning it must not change the checked-in
files.  Python 3 standard library only.
"""
import os
import struct
import sys
import zlib

PT_LOAD, PT_NOTE = 1, 4
ET_CORE = 4
PN_XNUM = 0xFFFF
EM = {"i386": 3, "mips": 8, "ppc": 20, "ppc64": 21, "s390x": 22,
      "arm": 40, "x86_64": 62, "aarch64": 183, "riscv": 243}
# sizeof(struct elf_prstatus), offset of pr_pid, pr_reg, register bytes
PRSTATUS = {"x86_64": (336, 32, 112, 27 * 8), "i386": (144, 24, 72, 17 * 4),
            "aarch64": (392, 32, 112, 34 * 8), "arm": (148, 24, 72, 18 * 4)}
MAX_SEED = 8192


def pattern(seed, n):
    """n bytes of a cheap deterministic pseudo-random pattern."""
    out = bytearray(n)
    x = (seed * 2654435761 + 1) & 0xFFFFFFFF
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = x >> 24
    return bytes(out)


class Core:
    """An ELF core file described in a few lines."""

    def __init__(self, bits, big_endian, machine, flags=0):
        self.bits, self.machine, self.flags = bits, machine, flags
        self.e = ">" if big_endian else "<"
        self.notes = []   # (name, type, desc)
        self.loads = []   # dicts: paddr, vaddr, data, memsz[, filesz, alias]
        self.xnum = False
        self.truncate = 0  # bytes cut off the end of the file

    def note(self, name, ntype, desc):
        self.notes.append((name, ntype, desc))

    def load(self, paddr, data, memsz=None, vaddr=None, **kw):
        d = dict(paddr=paddr, vaddr=paddr if vaddr is None else vaddr,
                 data=data, memsz=len(data) if memsz is None else memsz)
        d.update(kw)
        self.loads.append(d)

    def prstatus(self, arch, pid, regs_seed):
        size, pid_off, reg_off, reg_bytes = PRSTATUS[arch]
        desc = bytearray(size)
        struct.pack_into(self.e + "i", desc, pid_off, pid)
        desc[reg_off:reg_off + reg_bytes] = pattern(regs_seed, reg_bytes)
        self.note("CORE", 1, bytes(desc))

    def qemu_cpu(self, cr3):
        # QEMUCPUState v1: 440 bytes, cr[0..4] at 392.
        desc = bytearray(440)
        struct.pack_into(self.e + "II", desc, 0, 1, 440)
        struct.pack_into(self.e + "5Q", desc, 392,
                         0x80050033, 0, 0, cr3, 0x3506F0)
        self.note("QEMU", 0, bytes(desc))

    def vbox_core(self, fmt_version, ncpus):
        # DBGFCOREDESCRIPTOR: magic, format version, cbSelf, VBox version,
        # revision, CPU count (VirtualBox dbgfcorefmt.h).
        self.note("VBCORE", 0xB00, struct.pack(
            self.e + "6I", 0xC01AC0DE, fmt_version, 24, 0x07000014, 1, ncpus))

    def vbox_cpu(self, cr3):
        # DBGFCORECPU: 18 registers, 6 selectors of 24 bytes, then cr0,
        # cr2, cr3, cr4; the rest (to the XSAVE area) left zero.
        desc = bytearray(1024)
        struct.pack_into(self.e + "4Q", desc, 18 * 8 + 6 * 24,
                         0x80050033, 0, cr3, 0x3606F0)
        self.note("VBCPU", 0xB01, bytes(desc))

    def vmcoreinfo(self, release, page_size=4096, extra=""):
        text = ("OSRELEASE=%s\nPAGESIZE=%d\n" % (release, page_size) + extra +
                "SYMBOL(init_top_pgt)=ffffffff82a0c000\nNUMBER(phys_base)=0\n"
                "KERNELOFFSET=0\n")
        self.note("VMCOREINFO", 0, text.encode() + b"\0" * 3)

    def _note_bytes(self):
        out = b""
        for name, ntype, desc in self.notes:
            n = name.encode() + b"\0"
            out += struct.pack(self.e + "III", len(n), len(desc), ntype)
            out += n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)
        return out

    def build(self):
        e, is64 = self.e, self.bits == 64
        ehsize, phsize, shsize = (64, 56, 64) if is64 else (52, 32, 40)
        phnum = len(self.loads) + (1 if self.notes else 0)
        notes = self._note_bytes()
        off = ehsize + phnum * phsize
        phdrs = []
        if self.notes:
            phdrs.append((PT_NOTE, off, 0, 0, len(notes), 0))
        off += len(notes)
        body = notes
        placed = []
        for ld in self.loads:
            if "alias" in ld:  # share an earlier segment's file bytes
                src = placed[ld["alias"]]
                foff = src
            else:
                pad = -off % 16
                body += b"\0" * pad
                off += pad
                foff = off
                body += ld["data"]
                off += len(ld["data"])
            placed.append(foff)
            phdrs.append((PT_LOAD, foff, ld["vaddr"], ld["paddr"],
                          ld.get("filesz", len(ld["data"])), ld["memsz"]))
        shoff = 0
        if self.xnum:
            shoff = off + (-off % 8)
        ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if e == ">" else 1,
                                    1, 0]) + b"\0" * 8
        e_phnum = PN_XNUM if self.xnum else phnum
        e_shnum = 1 if self.xnum else 0
        if is64:
            hdr = ident + struct.pack(e + "HHIQQQIHHHHHH", ET_CORE,
                                      self.machine, 1, 0, ehsize, shoff,
                                      self.flags, ehsize, phsize, e_phnum,
                                      shsize if self.xnum else 0, e_shnum, 0)
        else:
            hdr = ident + struct.pack(e + "HHIIIIIHHHHHH", ET_CORE,
                                      self.machine, 1, 0, ehsize, shoff,
                                      self.flags, ehsize, phsize, e_phnum,
                                      shsize if self.xnum else 0, e_shnum, 0)
        ph = b""
        for (t, o, va, pa, fs, ms) in phdrs:
            if is64:
                ph += struct.pack(e + "IIQQQQQQ", t, 4 if t == PT_NOTE else 7,
                                  o, va, pa, fs, ms, 0 if t == PT_NOTE else 4096)
            else:
                ph += struct.pack(e + "IIIIIIII", t, o, va, pa, fs, ms,
                                  4 if t == PT_NOTE else 7,
                                  0 if t == PT_NOTE else 4096)
        out = hdr + ph + body
        if self.xnum:
            out += b"\0" * (shoff - len(out))
            # Section header 0: sh_info holds the real e_phnum.
            if is64:
                out += struct.pack(e + "IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0,
                                   phnum, 0, 0)
            else:
                out += struct.pack(e + "IIIIIIIIII", 0, 0, 0, 0, 0, 0, 0,
                                   phnum, 0, 0)
        if self.truncate:
            out = out[:len(out) - self.truncate]
        return out


def seeds_elf():
    s = {}

    # x86_64 /proc/vmcore-like: 2 CPUs, VMCOREINFO, QEMU notes, a hole,
    # a zero tail, a range that is not page aligned.
    c = Core(64, False, EM["x86_64"])
    c.prstatus("x86_64", 1, 1)
    c.prstatus("x86_64", 0, 2)
    c.qemu_cpu(0x1A0A000)
    c.qemu_cpu(0x1A0A000)
    c.vmcoreinfo("6.1.0-kdx-seed-amd64")
    c.load(0x1000, pattern(10, 0x400), vaddr=0xFFFF888000001000)
    c.load(0x2000, pattern(11, 0x100), memsz=0x1000,
           vaddr=0xFFFF888000002000)
    c.load(0x100080, pattern(12, 0x180), vaddr=0xFFFF888000100080)
    s["x86_64-le64-kdump.elf"] = c.build()

    # QEMU paging mode: virtual mappings aliasing the same physical bytes,
    # overlapping segments, PT_LOAD with p_memsz > p_filesz.
    c = Core(64, False, EM["x86_64"])
    c.prstatus("x86_64", 0, 3)
    c.qemu_cpu(0x2000)
    c.load(0x0, pattern(20, 0x300), vaddr=0xFFFFFFFF81000000)
    c.load(0x0, b"", memsz=0x300, vaddr=0xFFFF888000000000, filesz=0x300,
           alias=0)
    c.load(0x200, pattern(21, 0x200), vaddr=0x7F0000000000)
    c.load(0x3000, pattern(22, 0x80), memsz=0x2000, vaddr=0xFFFFC90000000000)
    s["x86_64-le64-paging.elf"] = c.build()

    # VirtualBox dumpvmcore: VBCORE, then a VBCPU per CPU; a format
    # before DBGFCORECPU (its VBCPU notes give no registers).
    for fmt, name in ((0x00010006, "x86_64-vbox.elf"),
                      (0x00010000, "x86_64-vbox-old.elf")):
        c = Core(64, False, EM["x86_64"])
        c.vbox_core(fmt, 2)
        c.vbox_cpu(0x1A0A000)
        c.vbox_cpu(0x1A0B000)
        c.load(0x0, pattern(25, 0x800))
        c.load(0x100000, pattern(26, 0x400))
        s[name] = c.build()

    # PN_XNUM: e_phnum 0xffff, real count in section header 0's sh_info.
    c = Core(64, False, EM["x86_64"])
    c.prstatus("x86_64", 7, 4)
    c.vmcoreinfo("6.1.0-kdx-xnum")
    c.load(0x10000, pattern(30, 0x200))
    c.load(0x20000, pattern(31, 0x200))
    c.load(0x20200, pattern(32, 0x100))
    c.xnum = True
    s["x86_64-le64-pn-xnum.elf"] = c.build()

    # Cut short (a full disk): the last PT_LOAD runs past the end, and
    # makedumpfile's DUMP_ELF_INCOMPLETE flag is set.  Two System RAM
    # ranges share one page (seed 004).
    c = Core(64, False, EM["x86_64"], flags=1)
    c.vmcoreinfo("6.1.0-kdx-cut")
    c.load(0x9F000, pattern(40, 0xC00))
    c.load(0x9FC10, pattern(41, 0x1F0))
    c.load(0x100000, pattern(42, 0x800))
    c.truncate = 0x300
    s["x86_64-le64-truncated.elf"] = c.build()

    # ELF32 little endian, i386, PAE-era layout.
    c = Core(32, False, EM["i386"])
    c.prstatus("i386", 1, 5)
    c.prstatus("i386", 2, 6)
    c.vmcoreinfo("4.19.0-kdx-686-pae", extra="SYMBOL(swapper_pg_dir)=c1b2c000\n")
    c.load(0x0, pattern(50, 0x200), vaddr=0xC0000000)
    c.load(0x100000, pattern(51, 0x200), memsz=0x800, vaddr=0xC0100000)
    s["i386-le32.elf"] = c.build()

    # ELF32 big endian (PowerPC): notes kdx lists but does not decode.
    c = Core(32, True, EM["ppc"])
    c.note("CORE", 1, pattern(60, 0x90))
    c.vmcoreinfo("5.10.0-kdx-powerpc")
    c.load(0x0, pattern(61, 0x300))
    c.load(0x800000, pattern(62, 0x100), memsz=0x400)
    s["ppc-be32.elf"] = c.build()

    # ELF64 big endian (s390x), with a note kdx does not know.
    c = Core(64, True, EM["s390x"])
    c.note("CORE", 1, pattern(70, 0x150))
    c.note("LINUX", 0x700, pattern(71, 0x20))
    c.vmcoreinfo("6.1.0-kdx-s390x")
    c.load(0x0, pattern(72, 0x400))
    c.load(0x10000, pattern(73, 0x200))
    s["s390x-be64.elf"] = c.build()

    # aarch64 with 64 KiB pages from VMCOREINFO.
    c = Core(64, False, EM["aarch64"])
    c.prstatus("aarch64", 1, 8)
    c.vmcoreinfo("6.1.0-kdx-arm64", page_size=65536)
    c.load(0x40000000, pattern(80, 0x600), vaddr=0xFFFF000000000000)
    s["aarch64-le64.elf"] = c.build()

    # A note whose sizes run past its segment: kept notes before it, a
    # warning, the walk stops.
    c = Core(64, False, EM["x86_64"])
    c.prstatus("x86_64", 1, 9)
    c.note("VMCOREINFO", 0, b"OSRELEASE=broken\n")
    c.load(0x1000, pattern(90, 0x100))
    raw = bytearray(c.build())
    # n_descsz of the second note (right after the 336-byte prstatus).
    second = 64 + 2 * 56 + 12 + 8 + 336
    struct.pack_into("<I", raw, second + 4, 0x7FFFFFF0)
    s["x86_64-le64-bad-note.elf"] = bytes(raw)

    # The kdump seed's ELF sibling inside a makedumpfile flattened stream.
    c = Core(64, False, EM["x86_64"])
    c.vmcoreinfo("6.1.0-kdx-flat")
    c.load(0x1000, pattern(95, 0x200))
    c.load(0x3000, pattern(96, 0x100), memsz=0x400)
    s["x86_64-le64-flattened.elf"] = flattened(c.build(), chunk=256)

    # A flattened stream whose records leave 1 TiB of one PT_LOAD unwritten
    # (zeros) before VMCOREINFO text: the search must skip the gap (this
    # shape once hung the open).
    gap = 1 << 40
    c = Core(64, False, EM["x86_64"])
    c.load(0, b"", memsz=gap + 512, filesz=gap + 512)
    elf = c.build()
    foff = len(elf)  # the segment's bytes start right after the headers
    text = b"OSRELEASE=6.1.0-sparse\nPAGESIZE=4096\n".ljust(512, b"\0")
    out = bytearray(flattened(elf)[:-16])
    out += struct.pack(">qq", foff + gap, len(text)) + text
    out += struct.pack(">qq", -1, -1)
    s["x86_64-le64-flattened-sparse.elf"] = bytes(out)
    return s


# ---- kdump-compressed (makedumpfile's diskdump format) ----

KD_ZLIB, KD_LZO, KD_SNAPPY, KD_INCOMPLETE, KD_ZSTD = 0x1, 0x2, 0x4, 0x8, 0x20
BS = 512  # block (page) size: the smallest the reader accepts keeps seeds small


def page_text(n):
    """A compressible page: a line of text repeated."""
    line = b"kdx seed page %04d; " % n
    return (line * (BS // len(line) + 1))[:BS]


def lzo_abcd():
    """LZO1X: 4 literals 'ABCD', a 508-byte match at distance 4, end."""
    return (bytes([17 + 4]) + b"ABCD" + bytes([0x20, 0x00, 0xDC, 0x0C, 0x00]) +
            bytes([0x11, 0x00, 0x00])), b"ABCD" * (BS // 4)


def snappy_abcd():
    """Snappy: length 512, literal 'ABCD', copies of 64 (x7) and 60."""
    out = bytes([0x80, 0x04, (4 - 1) << 2]) + b"ABCD"
    out += bytes([(63 << 2) | 2, 4, 0]) * 7 + bytes([(59 << 2) | 2, 4, 0])
    return out, b"ABCD" * (BS // 4)


def zstd_rle(byte):
    """zstd: one frame, content size 512, one RLE block of @byte."""
    out = struct.pack("<I", 0xFD2FB528) + bytes([0x60]) + struct.pack("<H", BS - 256)
    out += struct.pack("<I", 1 | (1 << 1) | (BS << 3))[:3] + bytes([byte])
    return out, bytes([byte]) * BS


class Kdump:
    """A kdump-compressed file: pages listed by pfn with their encoding."""

    def __init__(self, machine, big_endian=False, version=6, abi="lp64",
                 status=KD_ZLIB, max_mapnr=32, diskdump=False):
        self.machine, self.version, self.abi = machine, version, abi
        self.e = ">" if big_endian else "<"
        self.status, self.max_mapnr, self.diskdump = status, max_mapnr, diskdump
        self.pages = {}      # pfn -> (stored bytes, flags)
        self.excluded = set()
        self.notes = b""
        self.vmcoreinfo = b""
        self.unwritten = 0   # trailing descriptors left as zeros
        self.dump_level = 31

    def page(self, pfn, kind="zlib", seed=0):
        plain = page_text(seed)
        if kind == "zlib":
            self.pages[pfn] = (zlib.compress(plain, 9), KD_ZLIB)
        elif kind == "lzo":
            self.pages[pfn] = (lzo_abcd()[0], KD_LZO)
        elif kind == "snappy":
            self.pages[pfn] = (snappy_abcd()[0], KD_SNAPPY)
        elif kind == "zstd":
            self.pages[pfn] = (zstd_rle(0x5A)[0], KD_ZSTD)
        else:
            self.pages[pfn] = (pattern(seed, BS), 0)

    def build(self):
        e, lp64 = self.e, self.abi == "lp64"
        sub_blocks, bitmap_blocks = 2, (1 if self.diskdump else 2)
        hdr = bytearray(BS)
        hdr[0:8] = b"DISKDUMP" if self.diskdump else b"KDUMP   "
        struct.pack_into(e + "I", hdr, 8, self.version)
        for i, field in enumerate([b"Linux", b"kdx-seed", b"6.1.0-kdx-seed",
                                   b"#1 SMP", self.machine.encode(), b"(none)"]):
            hdr[12 + 65 * i:12 + 65 * i + len(field)] = field
        base = 424 if lp64 else 412
        if lp64:
            struct.pack_into(e + "QQ", hdr, 408, 1700000000, 0)
        else:
            struct.pack_into(e + "II", hdr, 404, 1700000000, 0)
        struct.pack_into(e + "10I", hdr, base, self.status, BS, sub_blocks,
                         bitmap_blocks, self.max_mapnr, self.max_mapnr, 0,
                         0, 0, 1)
        # Sub-header, then notes / VMCOREINFO inside its blocks.
        sub = bytearray(sub_blocks * BS)
        extra_at = 128
        off_note = size_note = off_vmci = size_vmci = 0
        if self.notes:
            off_note, size_note = BS + extra_at, len(self.notes)
            sub[extra_at:extra_at + size_note] = self.notes
            extra_at += (size_note + 7) & ~7
        if self.vmcoreinfo:
            off_vmci, size_vmci = BS + extra_at, len(self.vmcoreinfo)
            sub[extra_at:extra_at + size_vmci] = self.vmcoreinfo
        assert extra_at + size_vmci <= len(sub)
        if lp64:
            struct.pack_into(e + "QiiQQQQQQQQQQQ", sub, 0, 0, self.dump_level,
                             0, 0, self.max_mapnr, off_vmci, size_vmci,
                             off_note, size_note, 0, 0, 0, self.max_mapnr,
                             self.max_mapnr)
        else:  # i386: 64-bit fields aligned to 4
            struct.pack_into(e + "IiiIIQIQIQIQQQ", sub, 0, 0, self.dump_level,
                             0, 0, self.max_mapnr, off_vmci, size_vmci,
                             off_note, size_note, 0, 0, 0, self.max_mapnr,
                             self.max_mapnr)
        if self.diskdump:
            sub = bytearray(sub_blocks * BS)
        # Bitmaps: 1st = memory present, 2nd = page dumped.
        one = bitmap_blocks * BS // (1 if self.diskdump else 2)
        present, dumped = bytearray(one), bytearray(one)
        for pfn in list(self.pages) + list(self.excluded):
            present[pfn >> 3] |= 1 << (pfn & 7)
        for pfn in self.pages:
            dumped[pfn >> 3] |= 1 << (pfn & 7)
        bitmaps = bytes(dumped) if self.diskdump else bytes(present + dumped)
        # Descriptors in pfn order, then the data.
        desc_at = (1 + sub_blocks + bitmap_blocks) * BS
        data_at = desc_at + 24 * len(self.pages)
        descs, data = b"", b""
        order = sorted(self.pages)
        for i, pfn in enumerate(order):
            stored, flags = self.pages[pfn]
            if i >= len(order) - self.unwritten:
                descs += bytes(24)
                continue
            descs += struct.pack(e + "QIIQ", data_at + len(data), len(stored),
                                 flags, 0)
            data += stored
        out = bytes(hdr) + bytes(sub) + bitmaps + descs + data
        assert len(out) >= desc_at
        return out


def elf_notes(e, notes):
    out = b""
    for name, ntype, desc in notes:
        n = name.encode() + b"\0"
        out += struct.pack(e + "III", len(n), len(desc), ntype)
        out += n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)
    return out


def flattened(inner, chunk=1024):
    """makedumpfile -F: a 4096-byte header, then (offset, size, bytes)
    records, big-endian, written out of order, then the end marker."""
    out = bytearray(4096)
    out[0:12] = b"makedumpfile"
    struct.pack_into(">QQ", out, 16, 1, 1)
    pieces = [(o, inner[o:o + chunk]) for o in range(0, len(inner), chunk)]
    pieces = pieces[1:] + pieces[:1]  # the header block last, as -F does
    for o, b in pieces:
        out += struct.pack(">qq", o, len(b)) + b
    out += struct.pack(">qq", -1, -1)
    return bytes(out)


def seeds_kdump():
    s = {}
    prstatus = bytearray(336)
    struct.pack_into("<i", prstatus, 32, 1)
    prstatus[112:112 + 27 * 8] = pattern(200, 27 * 8)
    vmci = (b"OSRELEASE=6.1.0-kdx-seed-amd64\nPAGESIZE=4096\n"
            b"SYMBOL(init_top_pgt)=ffffffff82a0c000\nNUMBER(phys_base)=0\n")

    # x86_64, header version 6, every codec, excluded pages, holes.
    k = Kdump("x86_64", status=KD_ZLIB)
    k.notes = elf_notes("<", [("CORE", 1, bytes(prstatus)),
                              ("VMCOREINFO", 0, vmci)])
    k.vmcoreinfo = vmci
    for pfn in range(0, 3):
        k.page(pfn, "zlib", pfn)
    k.page(3, "plain", 3)
    k.excluded.update(range(4, 8))
    k.page(16, "lzo")
    k.page(17, "snappy")
    k.page(18, "zstd")
    k.page(19, "plain", 19)
    k.excluded.add(21)
    s["x86_64-v6-codecs.kdump"] = k.build()

    # i386 (64-bit fields aligned to 4 in the sub-header), version 3:
    # VMCOREINFO but no notes.
    k = Kdump("i686", version=3, abi="i386", max_mapnr=16)
    k.vmcoreinfo = b"OSRELEASE=4.19.0-kdx-686-pae\nPAGESIZE=4096\n"
    k.page(1, "zlib", 1)
    k.page(2, "plain", 2)
    k.excluded.add(3)
    s["i386-v3.kdump"] = k.build()

    # Big-endian s390x, uncompressed.
    k = Kdump("s390x", big_endian=True, status=0, max_mapnr=16)
    k.notes = elf_notes(">", [("VMCOREINFO", 0, b"OSRELEASE=6.1.0-kdx-s390x\n")])
    k.page(0, "plain", 4)
    k.page(9, "plain", 5)
    s["s390x-be.kdump"] = k.build()

    # The old DISKDUMP signature: one bitmap, no sub-header fields.
    k = Kdump("x86_64", diskdump=True, version=1, max_mapnr=16)
    k.page(0, "plain", 6)
    k.page(1, "zlib", 7)
    s["x86_64-diskdump.kdump"] = k.build()

    # Incomplete (the writer ran out of space): the last descriptors are
    # zeros and the flag says so.
    k = Kdump("x86_64", status=KD_ZLIB | KD_INCOMPLETE, max_mapnr=16)
    for pfn in range(0, 6):
        k.page(pfn, "zlib", 10 + pfn)
    k.unwritten = 2
    s["x86_64-incomplete.kdump"] = k.build()

    # makedumpfile -F: a small kdump inside a flattened stream.
    k = Kdump("x86_64", status=KD_ZLIB, max_mapnr=8)
    k.page(0, "zlib", 20)
    k.page(2, "zlib", 21)
    s["x86_64-flattened.kdump"] = flattened(k.build())
    return s


def raw_input(base, arch, page_shift, image):
    return struct.pack("<QBB", base, arch, page_shift) + image


def seeds_raw():
    return {
        "raw-zero-base.bin": raw_input(0, 1, 12, pattern(100, 0x400)),
        "raw-high-base.bin": raw_input(0xFFFFFFFFFFFFF000, 0, 0,
                                       pattern(101, 0xFFF)),
        "raw-s390x.bin": raw_input(0x100000, 9, 0, pattern(102, 0x200)),
        "raw-empty.bin": raw_input(0x1000, 2, 16, b""),
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    for sub, seeds in (("elf", seeds_elf()), ("kdump", seeds_kdump()),
                       ("raw", seeds_raw())):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
        for name, data in sorted(seeds.items()):
            assert len(data) < MAX_SEED, (name, len(data))
            with open(os.path.join(outdir, sub, name), "wb") as f:
                f.write(data)
            print("%-34s %5d bytes" % (sub + "/" + name, len(data)))


if __name__ == "__main__":
    main()
