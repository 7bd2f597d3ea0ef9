#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the small seed corpus the fuzzers start from and CTest replays.

Usage: fuzz/make-seeds.py [OUTDIR]      (default: fuzz/corpus next to this file)

Every seed is a valid (or deliberately damaged) dump of a few KiB: ELF32 and
ELF64 cores in both byte orders with a PT_NOTE holding CORE/NT_PRSTATUS,
VMCOREINFO and QEMU CPU-state notes, several PT_LOADs (holes, p_memsz >
p_filesz tails, aliases, ranges sharing a page), one using extended program
header numbering (PN_XNUM), one cut short; and raw images in fuzz_raw's input
layout (8-byte little-endian base, arch byte, page-size byte, image).  The
output is deterministic: rerunning it must not change the checked-in files.
Python 3 standard library only.
"""
import os
import struct
import sys

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
    for sub, seeds in (("elf", seeds_elf()), ("raw", seeds_raw())):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
        for name, data in sorted(seeds.items()):
            assert len(data) < MAX_SEED, (name, len(data))
            with open(os.path.join(outdir, sub, name), "wb") as f:
                f.write(data)
            print("%-34s %5d bytes" % (sub + "/" + name, len(data)))


if __name__ == "__main__":
    main()
