# SPDX-License-Identifier: MIT
"""drgn over any dump kdx opens.

drgn (0.0.22 in Debian 12) reads ELF vmcores itself and kdump files
through libkdumpfile; it cannot read QEMU's physical-only ELF, its
flattened kdump files, split sets or the other formats kdx reads.
:func:`program` builds a ``drgn.Program`` whose memory comes from kdx:

* every physical range of the dump is a physical memory segment read
  with ``Dump.read(..., phys=True)``;
* the kernel half of the virtual address space is one virtual segment
  read through kdx's page-table walk (``Dump.read``), so drgn never
  translates a kernel address itself (which is where it fails on
  QEMU's dumps: "recursive address translation");
* VMCOREINFO (and the CPUs' NT_PRSTATUS notes) reach drgn the one way
  drgn 0.0.22 takes them: ``Program.set_core_dump()`` of a core file.
  kdx writes a small ELF core that holds only those notes and no memory
  (a few KiB, in a temporary file unlinked once drgn has opened it);
  drgn then knows the program is a Linux kernel and its KASLR offset,
  page offset and the rest.  The 0.0.22 Python API has no other way to
  give it VMCOREINFO (``set_kernel()`` reads /proc/kcore of the running
  machine; ``drgn_program_parse_vmcoreinfo`` is internal to libdrgn).

Memory that the dump does not hold raises ``drgn.FaultError`` naming
the address, as a read of an ELF vmcore would.
"""
import os
import struct
import tempfile

import kdx

__all__ = ["program", "platform", "note_core"]

# kdx architecture name -> (drgn Architecture name, ELF e_machine)
_ARCHES = {
    "x86_64": ("X86_64", 62),
    "i386": ("I386", 3),
    "aarch64": ("AARCH64", 183),
    "arm": ("ARM", 40),
    "ppc64": ("PPC64", 21),
    "s390x": ("S390X", 22),
    "riscv64": ("RISCV64", 243),
    "riscv32": ("RISCV32", 243),
}

_NT_PRSTATUS = 1


def platform(dump):
    """The drgn.Platform of a kdx.Dump: its architecture, word size and
    byte order."""
    import drgn

    arch_name = _ARCHES.get(dump.arch, ("UNKNOWN", 0))[0]
    flags = drgn.PlatformFlags(0)
    if dump.word_size == 8:
        flags |= drgn.PlatformFlags.IS_64_BIT
    if dump.byte_order == "little":
        flags |= drgn.PlatformFlags.IS_LITTLE_ENDIAN
    return drgn.Platform(getattr(drgn.Architecture, arch_name), flags)


def _note(order, name, ntype, desc):
    """One ELF note: header, name and descriptor, each padded to 4."""
    name_b = name.encode() + b"\0"

    def pad(b):
        return b + b"\0" * (-len(b) % 4)

    return (struct.pack(order + "III", len(name_b), len(desc), ntype)
            + pad(name_b) + pad(desc))


def note_core(dump):
    """The bytes of an ELF core file holding only the dump's VMCOREINFO
    (rebuilt from its entries, in order) and its NT_PRSTATUS notes: no
    memory.  Returns None when the dump has no VMCOREINFO."""
    info = dump.vmcoreinfo()
    if info is None:
        return None
    order = "<" if dump.byte_order == "little" else ">"
    is64 = dump.word_size != 4
    vmcoreinfo = "".join("%s=%s\n" % kv for kv in info.items()).encode(
        "utf-8", "surrogateescape")
    notes = b"".join(_note(order, name, ntype, desc)
                     for name, ntype, desc, kind, _ in dump.notes()
                     if name == "CORE" and ntype == _NT_PRSTATUS)
    notes += _note(order, "VMCOREINFO", 0, vmcoreinfo)
    machine = _ARCHES.get(dump.arch, ("UNKNOWN", 0))[1]
    ident = b"\x7fELF" + bytes([2 if is64 else 1,
                                1 if order == "<" else 2, 1]) + b"\0" * 9
    if is64:
        ehsize, phentsize = 64, 56
        ehdr = ident + struct.pack(order + "HHIQQQIHHHHHH", 4, machine, 1,
                                   0, ehsize, 0, 0, ehsize, phentsize, 1,
                                   0, 0, 0)
        phdr = struct.pack(order + "IIQQQQQQ", 4, 0, ehsize + phentsize,
                           0, 0, len(notes), 0, 4)
    else:
        ehsize, phentsize = 52, 32
        ehdr = ident + struct.pack(order + "HHIIIIIHHHHHH", 4, machine, 1,
                                   0, ehsize, 0, 0, ehsize, phentsize, 1,
                                   0, 0, 0)
        phdr = struct.pack(order + "IIIIIIII", 4, ehsize + phentsize, 0, 0,
                           len(notes), 0, 0, 4)
    return ehdr + phdr + notes


def _reader(dump, phys, zero_fill):
    import drgn

    def read(address, count, offset, physical):
        try:
            return dump.read(address, count, phys=phys, zero_fill=zero_fill)
        except kdx.Error as e:
            raise drgn.FaultError(str(e), e.address
                                  if e.address is not None else address)
    return read


def _kernel_half(dump):
    """[start, start + size) of the kernel's virtual addresses."""
    if dump.word_size == 4:
        return 0, 1 << 32
    return 1 << 63, 1 << 63


def _set_notes(prog, dump):
    core = note_core(dump)
    if core is None:
        return False
    fd, path = tempfile.mkstemp(prefix="kdx-drgn-", suffix=".core")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(core)
        prog.set_core_dump(path)
    finally:
        os.unlink(path)
    return True


def program(dump, debug_info=None, default_debug_info=False,
            zero_fill=False, **open_args):
    """A drgn.Program over a dump kdx opens.

    dump: a kdx.Dump, or what kdx.open() takes (a path, or the files of a
    split set; open_args go to kdx.open()).  The Dump stays open while the
    Program's readers refer to it.
    debug_info: paths of the kernel's debug files (vmlinux with DWARF, and
    modules) for Program.load_debug_info(); default_debug_info=True also
    lets drgn look for them where it usually does.
    zero_fill: read memory the dump lacks as zeros instead of failing.
    """
    import drgn

    if not isinstance(dump, kdx.Dump):
        dump = kdx.open(dump, **open_args)
    prog = drgn.Program(platform(dump))
    _set_notes(prog, dump)
    phys = _reader(dump, True, zero_fill)
    for start, size, kind in dump.phys_ranges():
        prog.add_memory_segment(start, size, phys, True)
    if dump.vmcoreinfo() is not None:
        start, size = _kernel_half(dump)
        prog.add_memory_segment(start, size, _reader(dump, False, zero_fill),
                                False)
    if debug_info or default_debug_info:
        prog.load_debug_info(debug_info or None, default=default_debug_info)
    return prog
