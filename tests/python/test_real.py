# SPDX-License-Identifier: MIT
"""import kdx on the real QEMU dumps (KDX_REAL_DUMPS): what it reads is
QEMU's own copy of guest memory (pmem.raw, saved with pmemsave), info()
is the CLI's, the log holds the boot's marker, and the kernel's text
reads the same through every dump's walk."""
import json
import os
import subprocess

import pytest

import kdx
from conftest import manifest

DUMPS = ["vmcore-paging.elf", "vmcore.elf", "vmcore.kdump-zlib"]


def pmem(real_dir, addr, size):
    with open(os.path.join(real_dir, "pmem.raw"), "rb") as f:
        f.seek(addr)
        return f.read(size)


@pytest.mark.parametrize("name", DUMPS)
def test_real_dump(real_dumps, kdx_cli, name):
    path = os.path.join(real_dumps, name)
    env = manifest(real_dumps)
    with kdx.open(path) as d:
        cli = json.loads(subprocess.check_output(
            [kdx_cli, "info", "--json", path]))
        assert d.info() == cli
        assert d.vmcoreinfo()["OSRELEASE"] == env["KREL"]
        for addr in (0x100000, 0x1000000, 0x10000000, 0x1ff00000):
            assert d.read(addr, 1 << 16, phys=True) == \
                pmem(real_dumps, addr, 1 << 16)
        buf = bytearray(1 << 20)
        d.readinto(0x4000000, buf, phys=True)
        assert buf == pmem(real_dumps, 0x4000000, 1 << 20)
        # The kernel's code, virtually, against pmem at the walk's address.
        lo = int(env["KERNEL_CODE"].split("-")[0], 16)
        text = int(d.vmcoreinfo()["SYMBOL(_stext)"], 16)
        t = d.vtop(text)
        assert t.paddr == lo or lo <= t.paddr < lo + (16 << 20)
        assert d.read(text, 8192) == pmem(real_dumps, t.paddr, 8192)
        marker = env["MARKER"].split("-")[-1].encode()
        assert any(marker in r.text for r in d.dmesg())


def test_real_convert_round_trip(real_dumps, tmp_path):
    with kdx.open(os.path.join(real_dumps, "vmcore.elf")) as d:
        out = tmp_path / "out.kdump"
        seen = []
        d.convert(out, compress="zstd", threads=2,
                  progress=lambda done, total: seen.append(done))
        assert seen
    with kdx.open(out) as k:
        for addr in (0x2000000, 0x1ffff000):
            assert k.read(addr, 4096, phys=True) == pmem(real_dumps, addr,
                                                         4096)
