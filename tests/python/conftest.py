# SPDX-License-Identifier: MIT
"""Fixtures for the Python binding's tests (run by CTest as `python`).

The build tree's package comes first on sys.path (PYTHONPATH, set by CTest).
KDX_CLI is the kdx executable the results are compared with.  A test that
needs a missing tool or file fails under CI=true and skips loudly elsewhere
(need()).
"""
import lzma
import os
import shutil
import struct
import sys

import pytest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def need(what, ok):
    """Fail under CI=true, skip with a banner elsewhere, when not ok."""
    if ok:
        return
    msg = "NEEDS %s" % what
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (CI must have it)")
    sys.stderr.write("\n" + "#" * 64 + "\n## SKIPPED: " + msg + "\n" +
                     "#" * 64 + "\n")
    pytest.skip(msg)


def need_tool(name):
    path = shutil.which(name)
    need("the tool %s" % name, path)
    return path


@pytest.fixture(scope="session")
def kdx_cli():
    path = os.environ.get("KDX_CLI")
    need("KDX_CLI (the kdx executable; CTest sets it)",
         path and os.access(path, os.X_OK))
    return path


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """The bundled sample dump, decompressed as scripts/setup.sh does."""
    xz = os.path.join(SOURCE, "tests", "data", "sample-x86_64.elf.xz")
    need(xz, os.path.exists(xz))
    out = tmp_path_factory.mktemp("sample") / "sample-x86_64.elf"
    with lzma.open(xz) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return str(out)


@pytest.fixture(scope="session")
def real_dumps():
    d = os.environ.get("KDX_REAL_DUMPS")
    need("KDX_REAL_DUMPS (dumps made by tests/real/make-qemu-dumps.sh)",
         d and os.path.exists(os.path.join(d, "manifest.env")))
    return d


def manifest(real_dir):
    env = {}
    with open(os.path.join(real_dir, "manifest.env")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    return env


def elf_loads(path):
    """(paddr, file offset, file size) of each PT_LOAD of a little-endian
    ELF64 file, parsed here independently of kdx."""
    with open(path, "rb") as f:
        ehdr = f.read(64)
        assert ehdr[:4] == b"\x7fELF" and ehdr[4] == 2 and ehdr[5] == 1
        phoff, = struct.unpack_from("<Q", ehdr, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", ehdr, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, _, off, _, paddr, filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", table, i * phentsize)
        if p_type == 1 and filesz:
            loads.append((paddr, off, filesz))
    return loads


def file_phys(path, loads, paddr, size):
    """size bytes at physical paddr, read from the ELF file directly."""
    for start, off, filesz in loads:
        if start <= paddr and paddr + size <= start + filesz:
            with open(path, "rb") as f:
                f.seek(off + paddr - start)
                return f.read(size)
    raise KeyError(hex(paddr))
