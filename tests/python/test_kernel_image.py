# SPDX-License-Identifier: MIT
"""kdx.open(kernel=...): a FreeBSD full dump (tests/helpers/mkfbsdfull)
read through its kernel image's symbols, as `kdx --kernel` reads it."""
import os
import subprocess

import pytest

import kdx
from conftest import need


@pytest.fixture(scope="module")
def full_dump(kdx_cli, tmp_path_factory):
    tool = os.path.join(os.path.dirname(kdx_cli), "tests", "mkfbsdfull")
    need("the mkfbsdfull helper next to KDX_CLI", os.access(tool, os.X_OK))
    out = str(tmp_path_factory.mktemp("fbsdfull") / "vmcore.0")
    subprocess.run([tool, "i386pae", out], check=True)
    return out


def test_symbols_and_dmesg(full_dump, kdx_cli):
    with kdx.open(full_dump, kernel=full_dump + ".kernel") as dump:
        kernbase = dump.symbol("kernbase")
        assert kernbase == 0xc0000000
        assert dump.symbol("IdlePDPT") == kernbase + 0x410000
        assert dump.symbol("no_such_symbol") is None
        # The root variable holds the PDPT's physical address.
        root = int.from_bytes(dump.read(0x410000, 4, phys=True), "little")
        assert dump.vtop(kernbase + 0x400000).paddr == 0x400000
        assert dump.vtop(kernbase + 0x800000).paddr == 0x700000
        assert dump.read(kernbase + 0x800010, 16) == \
            dump.read(0x700010, 16, phys=True)
        assert root == 0x300000
        cli = subprocess.run([kdx_cli, "info", "--json", "--kernel",
                              full_dump + ".kernel", full_dump],
                             check=True, capture_output=True).stdout
        assert b"kernel_version" in cli
    with open(full_dump + ".log", "rb") as f:
        log = f.read()
    got = subprocess.run([kdx_cli, "dmesg", "--kernel",
                          full_dump + ".kernel", full_dump],
                         check=True, capture_output=True).stdout
    assert got == log


def test_without_kernel_image(full_dump):
    with kdx.open(full_dump) as dump:
        assert dump.symbol("kernbase") is None
        # The PTD that maps itself is found by a scan.
        assert dump.vtop(0xc0400000).paddr == 0x400000


def test_bad_kernel_image(full_dump, tmp_path):
    bad = tmp_path / "kernel"
    bad.write_bytes(b"\x7fELF\x01\x01\x01" + bytes(40))
    with pytest.raises(kdx.Error, match="kernel image"):
        kdx.open(full_dump, kernel=str(bad))
    with pytest.raises(kdx.SystemCallError, match="kernel image: open"):
        kdx.open(full_dump, kernel=str(tmp_path / "missing"))
