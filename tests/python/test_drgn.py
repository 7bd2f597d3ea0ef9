# SPDX-License-Identifier: MIT
"""kdx.drgn: a drgn Program over dumps drgn cannot open itself.

Without debug info (CI): drgn sees a Linux kernel of the right platform,
its VMCOREINFO (drgn's own UTS_RELEASE object), and reads physical and
kernel virtual memory the bytes kdx reads.  With the kernel's debug
vmlinux (KDX_DRGN_VMLINUX, or /usr/lib/debug/boot/vmlinux-KREL from
linux-image-KREL-dbg): init_uts_ns and for_each_task on every real dump,
the same tasks on each and as drgn's own reader of QEMU's paging ELF."""
import os
import struct

import pytest

import kdx
from conftest import manifest, need

try:
    import drgn
except ImportError:
    drgn = None


@pytest.fixture(autouse=True)
def _need_drgn():
    need("python3-drgn (import drgn)", drgn is not None)


import kdx.drgn as kdrgn  # noqa: E402

REAL = ["vmcore-paging.elf", "vmcore.elf", "vmcore.kdump-zlib"]


def check_program(prog, d):
    assert prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL
    assert prog.platform.arch == drgn.Architecture.X86_64
    assert prog.platform.flags & drgn.PlatformFlags.IS_64_BIT
    assert prog.platform.flags & drgn.PlatformFlags.IS_LITTLE_ENDIAN
    info = d.vmcoreinfo()
    assert prog["UTS_RELEASE"].string_().decode() == info["OSRELEASE"]
    uts = int(info["SYMBOL(init_uts_ns)"], 16)
    assert prog.read(uts, 6) == b"Linux\0"
    assert prog.read(uts, 400) == d.read(uts, 400)
    paddr = d.vtop(uts).paddr
    assert prog.read(paddr, 400, True) == d.read(paddr, 400, phys=True)
    start, size, _ = d.phys_ranges()[0]
    assert prog.read(start + size - 4096, 4096, True) == \
        d.read(start + size - 4096, 4096, phys=True)
    with pytest.raises(drgn.FaultError) as e:
        prog.read(0xffff800000000000, 8)
    assert e.value.address == 0xffff800000000000
    assert prog.read_u64(uts) == struct.unpack("<Q", d.read(uts, 8))[0]


def test_sample_without_debug_info(sample):
    with kdx.open(sample) as d:
        prog = kdrgn.program(d)
        check_program(prog, d)


def test_program_from_path(sample):
    prog = kdrgn.program(sample)
    assert prog["UTS_RELEASE"].string_().decode().startswith("6.1.0")


def test_note_core_is_an_elf_of_notes(sample):
    with kdx.open(sample) as d:
        core = kdrgn.note_core(d)
        info = d.vmcoreinfo()
        cpus = [n for n in d.notes() if n[0] == "CORE" and n[1] == 1]
    assert core[:4] == b"\x7fELF" and core[4] == 2 and core[5] == 1
    e_type, e_machine = struct.unpack_from("<HH", core, 16)
    assert (e_type, e_machine) == (4, 62)
    phoff, = struct.unpack_from("<Q", core, 0x20)
    phnum, = struct.unpack_from("<H", core, 0x38)
    assert phnum == 1
    p_type, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", core, phoff)
    assert p_type == 4 and off + filesz == len(core)
    notes, pos = [], off
    while pos < len(core):
        namesz, descsz, t = struct.unpack_from("<III", core, pos)
        name = core[pos + 12:pos + 12 + namesz - 1].decode()
        dpos = pos + 12 + ((namesz + 3) & ~3)
        notes.append((name, t, core[dpos:dpos + descsz]))
        pos = dpos + ((descsz + 3) & ~3)
    assert [n[:2] for n in notes] == [("CORE", 1)] * len(cpus) + \
        [("VMCOREINFO", 0)]
    text = notes[-1][2].decode()
    assert dict(line.split("=", 1) for line in text.splitlines()) == info


def test_no_vmcoreinfo(tmp_path):
    p = tmp_path / "mem.raw"
    p.write_bytes(bytes(range(256)) * 256)
    with kdx.open(p, format="raw", arch="x86_64") as d:
        assert kdrgn.note_core(d) is None
        prog = kdrgn.program(d)
        assert not prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL
        assert prog.read(0x100, 16, True) == bytes(range(16))


@pytest.mark.parametrize("name", REAL)
def test_real_without_debug_info(real_dumps, name):
    with kdx.open(os.path.join(real_dumps, name)) as d:
        check_program(kdrgn.program(d), d)


def vmlinux(real_dir):
    path = os.environ.get("KDX_DRGN_VMLINUX") or \
        "/usr/lib/debug/boot/vmlinux-%s" % manifest(real_dir)["KREL"]
    return path if os.path.exists(path) else None


def tasks_and_release(prog):
    from drgn.helpers.linux.pid import for_each_task
    release = prog["init_uts_ns"].name.release.string_().decode()
    tasks = sorted((int(t.pid), t.comm.string_().decode())
                   for t in for_each_task(prog))
    return release, tasks


def test_real_with_debug_info(real_dumps, tmp_path):
    """The issue's acceptance check.  The dbg vmlinux is ~850 MB: not
    fetched in CI; run by hand (see the merge note for the numbers)."""
    path = vmlinux(real_dumps)
    if path is None:
        pytest.skip("no debug vmlinux (set KDX_DRGN_VMLINUX): the "
                    "for_each_task check is run by hand")
    krel = manifest(real_dumps)["KREL"]
    native = drgn.Program()
    native.set_core_dump(os.path.join(real_dumps, "vmcore-paging.elf"))
    native.load_debug_info([path])
    want = tasks_and_release(native)
    assert want[0] == krel and len(want[1]) > 10
    sets = [[os.path.join(real_dumps, n)] for n in REAL]
    makedumpfile = __import__("shutil").which("makedumpfile")
    need("makedumpfile", makedumpfile)
    with kdx.open(os.path.join(real_dumps, "vmcore.kdump-zlib")) as d:
        d.convert(tmp_path / "whole.elf", to="elf")
    parts = [str(tmp_path / "s1"), str(tmp_path / "s2"), str(tmp_path / "s3")]
    __import__("subprocess").run(
        [makedumpfile, "-c", "-d", "31", "--split", str(tmp_path / "whole.elf")]
        + parts, check=True, capture_output=True)
    sets.append(parts)
    for paths in sets:
        prog = kdrgn.program(paths, debug_info=[path])
        assert tasks_and_release(prog) == want, paths
